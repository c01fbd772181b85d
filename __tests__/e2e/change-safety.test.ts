/**
 * Change safety, end to end: no run leaves production worse than it found it. The bundled action
 * (dist/index.js) against the emulator, starting each time from a healthy deployed seed stack (the files
 * in examples/seed/, with a faster health check), while a request loop on the listener asks for
 * /hostname every 50 ms for the whole run: every answer must be 200.
 *
 * Facts only: exit code, outputs, state read back through the SDK, the emulator's call log, the HTTP
 * answers of the listener, and the job summary's "rolled back".
 *
 * Time: the emulator runs at TIME_SCALE (one emulated second = 0.2 real s); the action polls every real
 * second. The target group checks every 5 emulated s (1 real s) with thresholds of 2, so a target turns
 * healthy or unhealthy within about 2 real s, and a deregistered one drains for 5 emulated s.
 */
import { readFileSync } from 'node:fs'
import path from 'node:path'
import {
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  type Action
} from '@aws-sdk/client-elastic-load-balancing-v2'
import { DescribeServicesCommand, DescribeTaskDefinitionCommand, ECSClient } from '@aws-sdk/client-ecs'
import type { CallRecord } from '../../emulator/core/calls.js'
import { useEmulator } from '../../test-support/use-emulator.js'
import { repoRoot, runAction, type ActionRun } from '../../test-support/run-action.js'
import { seedInputs } from '../../test-support/fixtures.js'

const TIME_SCALE = 0.2
const INTERVAL_S = 5
/** A few health-check intervals, in real ms. */
const A_FEW_INTERVALS_MS = 3 * INTERVAL_S * 1000 * TIME_SCALE

const CLUSTER = 'ecs-demo'
const SERVICE = 'ecs-simple-service-elb'
const GOOD_PATH = '/hostname'
const BROKEN_PATH = '/healthz'

const suite = useEmulator({ timeScale: TIME_SCALE })
let elbv2: ElasticLoadBalancingV2Client
let ecs: ECSClient

beforeAll(() => {
  const common = {
    endpoint: suite.emulator.url,
    region: 'ap-northeast-1',
    credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'test' }
  }
  elbv2 = new ElasticLoadBalancingV2Client(common)
  ecs = new ECSClient(common)
})
afterAll(() => {
  elbv2?.destroy()
  ecs?.destroy()
})

// ---- inputs ----------------------------------------------------------------------------------------

/** The seed's target group file, with a health check fast enough for a test (5 s × 2). */
const seedTargetGroup = (over: Record<string, unknown> = {}): string =>
  JSON.stringify({
    ...(JSON.parse(readFileSync(path.join(repoRoot, 'examples/seed/target-group.json'), 'utf8')) as object),
    HealthCheckIntervalSeconds: INTERVAL_S,
    HealthCheckTimeoutSeconds: 2,
    HealthyThresholdCount: 2,
    UnhealthyThresholdCount: 2,
    ...over
  })

/** The known-good stack: the seed's files, a fast health check, a short deregistration delay. */
const goodInputs = (over: Record<string, string> = {}): Record<string, string> =>
  seedInputs({
    'target-group': seedTargetGroup(),
    'target-group-attributes': 'deregistration_delay.timeout_seconds: 5',
    'poll-interval-seconds': '1',
    'wait-for-minutes': '1',
    ...over
  })

const brokenHealthCheck = (over: Record<string, string> = {}) =>
  goodInputs({ 'target-group': seedTargetGroup({ HealthCheckPath: BROKEN_PATH }), ...over })

// ---- running -----------------------------------------------------------------------------------------

const deploy = (inputs: Record<string, string>) => runAction({ inputs, endpoint: suite.emulator.url })

const output = (run: ActionRun) => `${run.stdout}\n${run.stderr}`

const expectSuccess = (run: ActionRun, what = 'action') => {
  if (run.code !== 0) throw new Error(`${what} failed (${run.code}):\n${output(run)}`)
}

const expectFailure = (run: ActionRun, what = 'action') => {
  if (run.code === 0) throw new Error(`expected the ${what} to fail, it succeeded:\n${output(run)}`)
}

/** The `::error` lines of a run, unescaped as the runner shows them. */
const errorText = (run: ActionRun): string =>
  run.stdout
    .split('\n')
    .filter(l => l.startsWith('::error'))
    .map(l =>
      l
        .slice(l.indexOf('::', 2) + 2)
        .replace(/%0D/g, '\r')
        .replace(/%0A/g, '\n')
        .replace(/%25/g, '%')
    )
    .join('\n')

const lastSeq = async (): Promise<number> => (await suite.control.calls()).at(-1)?.seq ?? 0

/** Every call the emulator logged as mutating, whatever its answer (a refused call is still an attempt). */
const attemptedMutations = async (since: number): Promise<string[]> =>
  (await suite.control.calls(since)).filter((c: CallRecord) => c.mutating).map(c => c.operation)

// ---- the request loop --------------------------------------------------------------------------------

interface Answer {
  at: number
  status: number
  body: string
}

interface RequestLoop {
  /** Stops the loop and hands back every answer it got. */
  stop(): Promise<Answer[]>
}

const LOOP_EVERY_MS = 50
/** At most this many requests (about 100 s of run at one every 50 ms plus the answer time). */
const LOOP_CAP = 2000

/** GET /hostname on the listener every 50 ms until stopped (or the cap); status 0 for a connection error. */
function requestLoop(url: string): RequestLoop {
  const answers: Answer[] = []
  let stopped = false
  const started = Date.now()
  const done = (async () => {
    while (!stopped && answers.length < LOOP_CAP) {
      const at = Date.now() - started
      try {
        const res = await fetch(`${url}/hostname`, { signal: AbortSignal.timeout(5000) })
        answers.push({ at, status: res.status, body: (await res.text()).slice(0, 80) })
      } catch (error) {
        answers.push({ at, status: 0, body: String(error).slice(0, 80) })
      }
      await new Promise(r => setTimeout(r, LOOP_EVERY_MS))
    }
  })()
  return {
    stop: async () => {
      stopped = true
      await done
      return answers
    }
  }
}

// ---- state through the SDK ---------------------------------------------------------------------------

interface Seed {
  run: ActionRun
  loadBalancerArn: string
  targetGroupArn: string
  listenerArn: string
  taskDefinitionArn: string
  /** The listener's local address: what the ALB's DNS name stands for here. */
  url: string
}

/** Deploys the known-good stack and waits for it to be healthy: the production a run starts from. */
async function deploySeed(): Promise<Seed> {
  const run = await deploy(goodInputs())
  expectSuccess(run, 'seed deploy')
  const o = run.outputs
  const seed = {
    run,
    loadBalancerArn: o['load-balancer-arn'],
    targetGroupArn: o['target-group-arn'],
    listenerArn: o['listener-arn'],
    taskDefinitionArn: (await service()).taskDefinition ?? '',
    url: await suite.control.localUrlFor(o['dns-name'])
  }
  expect(seed.taskDefinitionArn).toMatch(/task-definition\/ecscompose-ecs-app:1$/)
  await expectAllHealthy(seed.targetGroupArn, 2)
  return seed
}

const service = async () => {
  const out = await ecs.send(new DescribeServicesCommand({ cluster: CLUSTER, services: [SERVICE] }))
  const svc = out.services?.[0]
  if (!svc) throw new Error(`no service ${SERVICE}`)
  return svc
}

const targetGroup = async (arn: string) => {
  const out = await elbv2.send(new DescribeTargetGroupsCommand({ TargetGroupArns: [arn] }))
  const tg = out.TargetGroups?.[0]
  if (!tg) throw new Error(`no target group ${arn}`)
  return tg
}

const targetStates = async (arn: string): Promise<string[]> => {
  const out = await elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: arn }))
  return (out.TargetHealthDescriptions ?? [])
    .map(d => d.TargetHealth?.State ?? 'unknown')
    .filter(s => s !== 'draining')
}

/** Every (non-draining) target of the group is healthy, and there are as many as the service wants. */
async function expectAllHealthy(arn: string, count = 2): Promise<void> {
  expect(await targetStates(arn)).toEqual(Array.from({ length: count }, () => 'healthy'))
}

/** The target groups the listener's default action forwards to. */
const forwardedTo = async (listenerArn: string, loadBalancerArn: string): Promise<string[]> => {
  const out = await elbv2.send(new DescribeListenersCommand({ LoadBalancerArn: loadBalancerArn }))
  const listener = out.Listeners?.find(l => l.ListenerArn === listenerArn)
  if (!listener) throw new Error(`no listener ${listenerArn}`)
  return (listener.DefaultActions ?? []).flatMap((a: Action) =>
    a.Type !== 'forward'
      ? []
      : a.ForwardConfig?.TargetGroups?.length
        ? a.ForwardConfig.TargetGroups.filter(t => (t.Weight ?? 1) > 0).map(t => t.TargetGroupArn ?? '')
        : [a.TargetGroupArn ?? '']
  )
}

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms))

/** A read that answers the error's name instead of throwing (a resource that is gone is a fact too). */
const orError = async <T>(read: () => Promise<T>): Promise<T | string> => {
  try {
    return await read()
  } catch (error) {
    return `error: ${(error as Error).name}`
  }
}

/**
 * Compares what was observed with what is desired in one go, so a failure lists every fact that is
 * off (not only the first), with the tail of the action's log.
 */
function expectFacts(
  facts: Record<string, unknown>,
  desired: Record<string, unknown>,
  runs: ActionRun[]
): void {
  try {
    expect(facts).toEqual(desired)
  } catch (error) {
    const tails = runs.map(r => output(r).split('\n').slice(-40).join('\n'))
    ;(error as Error).message += `\n\naction log (tail of each run):\n${tails.join('\n----\n')}`
    throw error
  }
}

/** The loop's answers, reduced to a fact: how many were not 200, by status, and when. */
function loopFacts(answers: Answer[]): Record<string, unknown> {
  // A loop that barely ran proves nothing.
  if (answers.length < 20) return { tooFewRequests: answers.length }
  const failed = answers.filter(a => a.status !== 200)
  const byStatus: Record<string, number> = {}
  for (const a of failed) byStatus[a.status] = (byStatus[a.status] ?? 0) + 1
  return failed.length
    ? {
        failed: failed.length,
        of: answers.length,
        byStatus,
        msIntoLoop: [failed[0].at, failed.at(-1)?.at],
        first: failed.slice(0, 3).map(a => `${a.status} ${a.body.split('\n')[0]}`)
      }
    : { failed: 0 }
}

const healthyTargets = (n = 2) => Array.from({ length: n }, () => 'healthy')

// ---- the scenarios -----------------------------------------------------------------------------------

describe('no run leaves production worse than it found it', () => {
  test('1. a health-check-only change to a path the app does not serve: refused, production keeps its check', async () => {
    const seed = await deploySeed()
    const loop = requestLoop(seed.url)
    let run: ActionRun | undefined
    const facts: Record<string, unknown> = {}
    try {
      run = await deploy(brokenHealthCheck())
      const message = errorText(run)
      facts.failed = run.code !== 0
      // The message names the path and what it answered.
      facts.messageNamesPath = message.includes(BROKEN_PATH)
      facts.messageNames404 = message.includes('404')
      // Production was never left on the broken check…
      facts.healthCheckPath = (await targetGroup(seed.targetGroupArn)).HealthCheckPath
      facts.targets = await targetStates(seed.targetGroupArn)
      facts.taskDefinition = (await service()).taskDefinition
      // …and stays healthy: a few health-check intervals later nothing has turned.
      await sleep(A_FEW_INTERVALS_MS)
      facts.healthCheckPathLater = (await targetGroup(seed.targetGroupArn)).HealthCheckPath
      facts.targetsLater = await targetStates(seed.targetGroupArn)
    } finally {
      facts.requests = loopFacts(await loop.stop())
    }
    expectFacts(
      facts,
      {
        failed: true,
        messageNamesPath: true,
        messageNames404: true,
        healthCheckPath: GOOD_PATH,
        targets: healthyTargets(),
        taskDefinition: seed.taskDefinitionArn,
        healthCheckPathLater: GOOD_PATH,
        targetsLater: healthyTargets(),
        requests: { failed: 0 }
      },
      [run!]
    )
  })

  test('2. a broken health check together with a new image: rolled back, check and revision as before', async () => {
    const seed = await deploySeed()
    const loop = requestLoop(seed.url)
    let run: ActionRun | undefined
    const facts: Record<string, unknown> = {}
    try {
      run = await deploy(brokenHealthCheck({ images: 'app=inokara/ecs-app:v2' }))
      facts.failed = run.code !== 0
      // The target group checks the path the app serves again (or never stopped doing so).
      facts.healthCheckPath = (await targetGroup(seed.targetGroupArn)).HealthCheckPath
      // The service runs the revision it ran before the run, and every target is healthy.
      const svc = await service()
      facts.taskDefinition = svc.taskDefinition
      facts.deployments = svc.deployments?.map(d => d.taskDefinition)
      facts.targets = await targetStates(seed.targetGroupArn)
      // The probe refused the check before any change: nothing to roll back, and the error says so.
      facts.saysNothingChanged = /nothing was changed/i.test(errorText(run))
    } finally {
      facts.requests = loopFacts(await loop.stop())
    }
    expectFacts(
      facts,
      {
        failed: true,
        healthCheckPath: GOOD_PATH,
        taskDefinition: seed.taskDefinitionArn,
        deployments: [seed.taskDefinitionArn],
        targets: healthyTargets(),
        saysNothingChanged: true,
        requests: { failed: 0 }
      },
      [run!]
    )
  })

  test('2b. a health-check change the current targets pass, with an image that fails: the whole run is rolled back', async () => {
    const seed = await deploySeed()
    const before = await targetGroup(seed.targetGroupArn)
    await suite.control.images({ image: 'inokara/ecs-app:v3', healthStatus: 500 })
    const loop = requestLoop(seed.url)
    let run: ActionRun | undefined
    const facts: Record<string, unknown> = {}
    try {
      run = await deploy(
        goodInputs({
          'target-group': seedTargetGroup({ Matcher: { HttpCode: '200-299' } }),
          images: 'app=inokara/ecs-app:v3'
        })
      )
      facts.failed = run.code !== 0
      // Every change of the run is undone: the matcher, the revision (deregistered), the service.
      facts.matcher = (await targetGroup(seed.targetGroupArn)).Matcher?.HttpCode
      const svc = await service()
      facts.taskDefinition = svc.taskDefinition
      facts.targets = await targetStates(seed.targetGroupArn)
      const latest = await ecs.send(
        new DescribeTaskDefinitionCommand({ taskDefinition: 'ecscompose-ecs-app' })
      )
      facts.latestRevision = latest.taskDefinition?.taskDefinitionArn
      facts.summarySaysRolledBack = /rolled back/i.test(run.summary)
    } finally {
      facts.requests = loopFacts(await loop.stop())
    }
    expectFacts(
      facts,
      {
        failed: true,
        matcher: before.Matcher?.HttpCode,
        taskDefinition: seed.taskDefinitionArn,
        targets: healthyTargets(),
        latestRevision: seed.taskDefinitionArn,
        summarySaysRolledBack: true,
        requests: { failed: 0 }
      },
      [run!]
    )
  })

  test('3. a target group replaced under traffic (Port changed): swapped in without a failed request', async () => {
    const seed = await deploySeed()
    const loop = requestLoop(seed.url)
    let run: ActionRun | undefined
    const facts: Record<string, unknown> = {}
    let replacement = ''
    try {
      run = await deploy(goodInputs({ 'target-group': seedTargetGroup({ Port: 8080 }) }))
      facts.exit = run.code
      replacement = run.outputs['target-group-arn'] ?? ''
      facts.replaced = /:targetgroup\//.test(replacement) && replacement !== seed.targetGroupArn
      facts.port = await orError(async () => (await targetGroup(replacement)).Port)
      // The listener forwards to the new group only, the service registers into it, its targets are healthy.
      facts.listenerForwardsTo = await forwardedTo(seed.listenerArn, seed.loadBalancerArn)
      facts.serviceTargetGroups = (await service()).loadBalancers?.map(lb => lb.targetGroupArn)
      facts.targets = await orError(() => targetStates(replacement))
    } finally {
      facts.requests = loopFacts(await loop.stop())
    }
    expectFacts(
      facts,
      {
        exit: 0,
        replaced: true,
        port: 8080,
        listenerForwardsTo: [replacement],
        serviceTargetGroups: [replacement],
        targets: healthyTargets(),
        requests: { failed: 0 }
      },
      [run!]
    )
  })

  test('4. after a rolled-back deploy, the failed revision is not the base: the good inputs change nothing', async () => {
    const seed = await deploySeed()
    const loop = requestLoop(seed.url)
    const runs: ActionRun[] = []
    const facts: Record<string, unknown> = {}
    try {
      // A bad image: every path answers 500, so its targets never turn healthy and the run rolls back.
      // (The emulator's reset, before each test, forgets the rule.)
      await suite.control.images({ image: '*:bad', healthStatus: 500 })
      const bad = await deploy(goodInputs({ images: 'app=inokara/ecs-app:bad' }))
      runs.push(bad)
      // The setting up: it failed and was rolled back (today's action does this much already).
      expectFailure(bad, 'bad deploy')
      expect((await service()).taskDefinition).toBe(seed.taskDefinitionArn)
      await expectAllHealthy(seed.targetGroupArn)

      // The dry-run plans no change of the task definition (nor of the service)…
      const since = await lastSeq()
      const dry = await deploy(goodInputs({ 'dry-run': 'true' }))
      runs.push(dry)
      expectSuccess(dry, 'dry-run')
      const plan = JSON.parse(dry.outputs.plan ?? '[]') as {
        resource: string
        action: string
        calls: string[]
      }[]
      const step = (resource: string) => {
        const s = plan.find(x => x.resource === resource)
        return s && { action: s.action, calls: s.calls }
      }
      facts.dryRunTaskDefinition = step('task-definition')
      facts.dryRunService = step('service')
      facts.dryRunChanged = dry.outputs.changed

      // …and the real run with the known-good inputs makes no mutating call at all.
      const again = await deploy(goodInputs())
      runs.push(again)
      facts.exit = again.code
      facts.mutatingCalls = await attemptedMutations(since)
      facts.taskDefinitionOutput = again.outputs['task-definition-arn']
      facts.taskDefinition = (await service()).taskDefinition
      facts.targets = await targetStates(seed.targetGroupArn)
    } finally {
      facts.requests = loopFacts(await loop.stop())
    }
    expectFacts(
      facts,
      {
        dryRunTaskDefinition: { action: 'none', calls: [] },
        dryRunService: { action: 'none', calls: [] },
        dryRunChanged: 'false',
        exit: 0,
        mutatingCalls: [],
        taskDefinitionOutput: seed.taskDefinitionArn,
        taskDefinition: seed.taskDefinitionArn,
        targets: healthyTargets(),
        requests: { failed: 0 }
      },
      runs
    )
  })

  test('5. dry-run with delete: nothing is called that mutates, everything still exists and serves', async () => {
    const seed = await deploySeed()
    const loop = requestLoop(seed.url)
    let run: ActionRun | undefined
    const facts: Record<string, unknown> = {}
    try {
      const since = await lastSeq()
      run = await deploy(goodInputs({ delete: 'true', 'dry-run': 'true' }))
      facts.mutatingCalls = await attemptedMutations(since)
      const svc = await service()
      facts.service = {
        status: svc.status,
        desiredCount: svc.desiredCount,
        taskDefinition: svc.taskDefinition
      }
      facts.taskDefinitionStatus = await orError(
        async () =>
          (await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: seed.taskDefinitionArn })))
            .taskDefinition?.status
      )
      facts.loadBalancers = await orError(
        async () =>
          (await elbv2.send(new DescribeLoadBalancersCommand({ LoadBalancerArns: [seed.loadBalancerArn] })))
            .LoadBalancers?.length
      )
      facts.listenerForwardsTo = await orError(() => forwardedTo(seed.listenerArn, seed.loadBalancerArn))
      facts.healthCheckPath = await orError(
        async () => (await targetGroup(seed.targetGroupArn)).HealthCheckPath
      )
      facts.targets = await orError(() => targetStates(seed.targetGroupArn))
      // A dry-run is quick: the loop keeps asking for a few health-check intervals more.
      await sleep(A_FEW_INTERVALS_MS)
    } finally {
      facts.requests = loopFacts(await loop.stop())
    }
    expectFacts(
      facts,
      {
        mutatingCalls: [],
        service: { status: 'ACTIVE', desiredCount: 2, taskDefinition: seed.taskDefinitionArn },
        taskDefinitionStatus: 'ACTIVE',
        loadBalancers: 1,
        listenerForwardsTo: [seed.targetGroupArn],
        healthCheckPath: GOOD_PATH,
        targets: healthyTargets(),
        requests: { failed: 0 }
      },
      [run!]
    )
  })
})
