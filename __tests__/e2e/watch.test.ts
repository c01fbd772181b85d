/**
 * The rollout watcher end to end: the bundled action (dist/index.js) against the emulator, one scenario
 * per way a rollout goes right or wrong. Each asserts the exit status, the message, and how long the
 * action took counted in health-check cycles of the emulator's clock (never wall-clock speed: the
 * latency numbers live in bench/RESULTS.md).
 *
 * Time: the emulator runs at TIME_SCALE (one emulated second = 0.2 real s), the action polls every real
 * second. Target groups check every 5 s with thresholds of 2, so a health-check cycle (interval ×
 * unhealthy threshold) is 10 emulated s = 2 real s, and one poll is 5 emulated s.
 */
import {
  ElasticLoadBalancingV2Client,
  ModifyTargetGroupAttributesCommand,
  type TargetHealthStateEnum
} from '@aws-sdk/client-elastic-load-balancing-v2'
import type { Service, Task } from '@aws-sdk/client-ecs'
import { startEmulator, type Emulator } from '../../emulator/server.js'
import type { CallRecord } from '../../emulator/core/calls.js'
import { EmulatorControl } from '../../test-support/emulator-client.js'
import { runAction, type ActionRun } from '../../test-support/run-action.js'
import { seedInputs, seedTaskDefinition } from '../../test-support/fixtures.js'

const TIME_SCALE = 0.2
const INTERVAL_S = 5
const UNHEALTHY_THRESHOLD = 2
/** One health-check cycle, emulated ms. */
const CYCLE_MS = INTERVAL_S * UNHEALTHY_THRESHOLD * 1000
/** One poll of the action (1 real s), emulated ms. */
const POLL_MS = 1000 / TIME_SCALE
/** Starting node, writing the summary and exiting: half a real second, generously. */
const EXIT_SLACK_MS = 500 / TIME_SCALE

const V1 = 'inokara/ecs-app:latest'
const V2 = 'inokara/ecs-app:v2'

let emulator: Emulator
let control: EmulatorControl
let elbv2: ElasticLoadBalancingV2Client

beforeAll(async () => {
  emulator = await startEmulator({ timeScale: TIME_SCALE })
  control = new EmulatorControl(emulator.url)
  elbv2 = new ElasticLoadBalancingV2Client({
    endpoint: emulator.url,
    region: 'ap-northeast-1',
    credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'test' }
  })
})
afterAll(async () => {
  elbv2.destroy()
  await emulator.stop()
})
beforeEach(async () => {
  await control.reset()
})

const targetGroup = (over: Record<string, unknown> = {}) =>
  JSON.stringify({
    Name: 'web',
    Protocol: 'HTTP',
    Port: 80,
    HealthCheckPath: '/hostname',
    HealthCheckIntervalSeconds: INTERVAL_S,
    HealthCheckTimeoutSeconds: 2,
    HealthyThresholdCount: 2,
    UnhealthyThresholdCount: UNHEALTHY_THRESHOLD,
    Matcher: { HttpCode: '200' },
    ...over
  })

const service = (over: Record<string, unknown> = {}) =>
  JSON.stringify({
    serviceName: 'web',
    desiredCount: 2,
    loadBalancers: [{ containerName: 'app', containerPort: 4567 }],
    ...over
  })

interface Scenario {
  image?: string
  tg?: Record<string, unknown>
  svc?: Record<string, unknown>
  inputs?: Record<string, string>
}

const inputsFor = (s: Scenario = {}) =>
  seedInputs({
    'target-group': targetGroup(s.tg),
    service: service(s.svc),
    'task-definition': seedTaskDefinition(s.image ?? V1),
    'poll-interval-seconds': '1',
    'wait-for-minutes': '1',
    ...s.inputs
  })

/** What the load balancer saw, on the emulator's clock: when targets were first checked, turned healthy… */
interface HealthLog {
  firstChecks: number[]
  healthy: number[]
  unhealthy: number[]
  stop(): void
}

function watchHealth(onHealthy?: (port: number) => void): HealthLog {
  const log: HealthLog = { firstChecks: [], healthy: [], unhealthy: [], stop: () => undefined }
  log.stop = emulator.elb.onHealthChange(e => {
    const now = emulator.clock.now()
    // A target's first check ends its registration; in the failing scenarios every check fails.
    if (e.previous.reason === 'Elb.RegistrationInProgress' && e.current.state !== 'draining')
      log.firstChecks.push(now)
    if (e.current.state === 'healthy') {
      log.healthy.push(now)
      onHealthy?.(e.target.port)
    }
    if (e.current.state === 'unhealthy') log.unhealthy.push(now)
  })
  return log
}

interface Timed {
  run: ActionRun
  /** Emulated ms at which the action exited. */
  exitAt: number
  health: HealthLog
}

async function deploy(s: Scenario = {}, onHealthy?: (port: number) => void): Promise<Timed> {
  const health = watchHealth(onHealthy)
  try {
    const run = await runAction({ inputs: inputsFor(s), endpoint: emulator.url })
    return { run, exitAt: emulator.clock.now(), health }
  } finally {
    health.stop()
  }
}

const output = (run: ActionRun) => `${run.stdout}\n${run.stderr}`

const expectSuccess = (run: ActionRun) => {
  if (run.code !== 0) throw new Error(`action failed (${run.code}):\n${output(run)}`)
}

const expectFailure = (run: ActionRun) => {
  if (run.code !== 1) throw new Error(`expected the action to fail, got ${run.code}:\n${output(run)}`)
}

/** The `::error::` line, unescaped as the runner shows it. */
const errorMessage = (run: ActionRun): string => {
  const line = run.stdout.split('\n').find(l => l.startsWith('::error::')) ?? ''
  return line
    .replace(/^::error::/, '')
    .replace(/%0A/g, '\n')
    .replace(/%0D/g, '\r')
    .replace(/%25/g, '%')
}

/** Failure latency from the first failed health check, in health-check cycles (for messages). */
const cycles = (ms: number) => `${(ms / CYCLE_MS).toFixed(2)} cycles`

/** The failure must come within two health-check cycles of the first failed check, plus one poll. */
function expectFailedWithinTwoCycles(t: Timed): void {
  expect(t.health.firstChecks.length).toBeGreaterThan(0)
  const latency = t.exitAt - Math.min(...t.health.firstChecks)
  if (latency > 2 * CYCLE_MS + POLL_MS + EXIT_SLACK_MS) {
    throw new Error(`failed ${cycles(latency)} after the first failed health check:\n${output(t.run)}`)
  }
}

async function callTime(operation: string, since = 0): Promise<number> {
  const call = (await control.calls(since)).find(c => c.operation === operation && c.status < 300)
  if (!call) throw new Error(`no ${operation} call`)
  return Date.parse(call.time)
}

interface StateDump {
  ecs: { clusters: { services: Service[]; tasks: Task[] }[] }
  elbv2: {
    targetGroups: {
      TargetGroupName: string
      Targets?: { id: string; port: number; health?: { state: TargetHealthStateEnum } }[]
    }[]
  }
}

const dump = async () => (await control.state()) as unknown as StateDump

const tasksOf = (state: StateDump) => state.ecs.clusters.flatMap(c => c.tasks)

const hostPort = (task: Task) => task.containers?.[0]?.networkBindings?.[0]?.hostPort

/** Non-draining targets of the target group, each with the task it belongs to. */
function servingTargets(state: StateDump, name = 'web') {
  const tg = state.elbv2.targetGroups.find(t => t.TargetGroupName === name)
  const running = tasksOf(state).filter(t => t.lastStatus === 'RUNNING')
  return (tg?.Targets ?? [])
    .filter(t => t.health?.state !== 'draining')
    .map(t => ({ ...t, task: running.find(task => hostPort(task) === t.port) }))
}

/** A healthy service at revision 1 with a short deregistration delay, for the change scenarios. */
async function deployV1(svc: Record<string, unknown> = {}): Promise<{ targetGroupArn: string }> {
  const first = await runAction({
    inputs: inputsFor({ svc }),
    endpoint: emulator.url
  })
  expectSuccess(first)
  const targetGroupArn = first.outputs['target-group-arn']
  // 300 s of draining would make every replacement wait 60 real s; the action leaves attributes alone.
  await elbv2.send(
    new ModifyTargetGroupAttributesCommand({
      TargetGroupArn: targetGroupArn,
      Attributes: [{ Key: 'deregistration_delay.timeout_seconds', Value: '5' }]
    })
  )
  return { targetGroupArn }
}

const lastSeq = async () => (await control.calls()).at(-1)?.seq ?? 0

const mutating = async (since: number) =>
  (await control.mutatingCalls(since)).map((c: CallRecord) => c.operation)

describe('target health failures', () => {
  test('wrong health check path (the seed): 404 translated, fails within two cycles, service kept', async () => {
    const t = await deploy({ tg: { HealthCheckPath: '/healthz' } })
    expectFailure(t.run)
    const message = errorMessage(t.run)
    expect(message).toMatch(/^Targets fail the load balancer health check of web: /)
    expect(message).toContain('GET /healthz answered 404; the matcher expects 200')
    expect(message).toContain('HTTP GET /healthz on port traffic-port, matcher 200, every 5 s × 2 failures')
    expect(message).toMatch(/What to check: make the app answer 200 on \/healthz/)
    // A service this run created is not "rolled back": kept for inspection (the default).
    expect(message).toContain('new-service-on-failure: keep')
    expectFailedWithinTwoCycles(t)

    // The ECS event that carries the reason is printed once, inside the watch group.
    const watch = t.run.stdout.split('::group::watch')[1]?.split('::endgroup::')[0] ?? ''
    const unhealthyEvents = watch.split('\n').filter(l => /\(port \d+\) is unhealthy in/.test(l))
    expect(unhealthyEvents.length).toBeGreaterThan(0)
    expect(new Set(unhealthyEvents).size).toBe(unhealthyEvents.length)
    expect(watch).toMatch(
      /^0\/2 healthy · (\d initial \(Elb\.\w+\) · )+deployment IN_PROGRESS · running 2\/2 · \d+ s$/m
    )

    // The job summary: the diagnosis on top, then the target table and the timeline.
    const summary = t.run.summary
    const top = summary.indexOf('GET /healthz answered 404')
    expect(top).toBeGreaterThan(0)
    expect(summary.indexOf('### Target health')).toBeGreaterThan(top)
    // Targets at the end: still unhealthy, or already draining after ECS replaced their tasks.
    expect(summary).toMatch(
      /\| web \| i-[0-9a-f]+ \| \d+ \| (unhealthy \| Target\.ResponseCodeMismatch|draining \| Target\.DeregistrationInProgress)/
    )
    expect(summary).toContain('Rollout timeline')
  })

  test('wrong health check port: connection refused on the fixed port, named as the suspect', async () => {
    // The classic mistake with dynamic host ports: checking the container port instead of traffic-port.
    const t = await deploy({ tg: { HealthCheckPort: '4567' } })
    expectFailure(t.run)
    const message = errorMessage(t.run)
    expect(message).toContain('connection refused or reset: is the app listening on 4567?')
    expect(message).toContain('HTTP GET /hostname on port 4567')
    expect(message).toContain('the target group checks fixed port 4567, not the port each task serves on')
    expectFailedWithinTwoCycles(t)
  })

  test('app answering 500: the code and the matcher, within two cycles', async () => {
    await control.images({ image: '*:500', healthStatus: 500 })
    const t = await deploy({ image: 'inokara/ecs-app:500' })
    expectFailure(t.run)
    expect(errorMessage(t.run)).toContain('GET /hostname answered 500; the matcher expects 200')
    expectFailedWithinTwoCycles(t)
  })
})

describe('tasks that stop for a reason that will repeat', () => {
  test('image pull failure: the stopped reason quoted, failed at the first stop', async () => {
    await control.images({ image: '*:missing', pullFails: true })
    const before = await lastSeq()
    const t = await deploy({ image: 'inokara/ecs-app:missing' })
    expectFailure(t.run)
    const message = errorMessage(t.run)
    expect(message).toMatch(/^The container image cannot be pulled: image inokara\/ecs-app:missing/)
    expect(message).toContain(
      'CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref inokara/ecs-app:missing: not found'
    )
    expect(message).toContain('ecr:BatchGetImage')
    // Tasks stop 5 emulated s after launch (provisioning + pull): the action fails within a cycle.
    const latency = t.exitAt - (await callTime('CreateService', before))
    if (latency > CYCLE_MS + POLL_MS + EXIT_SLACK_MS)
      throw new Error(`failed ${cycles(latency)} after CreateService:\n${output(t.run)}`)
    expect(t.health.firstChecks).toEqual([])
  })

  test('essential container exiting: the exit code quoted, failed at the first stop', async () => {
    // Exits before its first health check can pass (ELBv2 sends it at least 1 s after registration), so the
    // deployment can never complete before the first stop.
    await control.images({ image: '*:crash', exitAfterSeconds: 0.5, exitCode: 3 })
    const before = await lastSeq()
    const t = await deploy({ image: 'inokara/ecs-app:crash' })
    expectFailure(t.run)
    const message = errorMessage(t.run)
    expect(message).toMatch(
      /^Essential container in task exited: essential container app exited with exit code 3/
    )
    expect(message).toMatch(/task [0-9a-f]+ stopped: Essential container in task exited/)
    expect(message).toContain('container app: exit code 3')
    const latency = t.exitAt - (await callTime('CreateService', before))
    if (latency > CYCLE_MS + POLL_MS + EXIT_SLACK_MS)
      throw new Error(`failed ${cycles(latency)} after CreateService:\n${output(t.run)}`)
  })
})

describe('rollouts that must succeed', () => {
  test('slow start within the grace period: unhealthy at first, no false alarm, constant calls per poll', async () => {
    // Listens 15 emulated s after start: its targets fail a cycle of checks first, inside the 40 s grace.
    await control.images({ image: '*:slow', startDelaySeconds: 15 })
    const before = await lastSeq()
    const t = await deploy({ image: 'inokara/ecs-app:slow', svc: { healthCheckGracePeriodSeconds: 40 } })
    expectSuccess(t.run)
    expect(t.health.unhealthy.length).toBeGreaterThan(0)
    expect(t.health.healthy.length).toBe(2)
    expect(t.run.stdout).not.toMatch(/failed ELB health checks|rollout failed/)
    // Success is noticed within a poll of the last target turning healthy (ECS completes on its next tick).
    const noticed = t.exitAt - Math.max(...t.health.healthy)
    expect(noticed).toBeLessThanOrEqual(POLL_MS + 1000 + EXIT_SLACK_MS)

    // Each poll: one DescribeServices and one DescribeTargetHealth; no task stopped, so no task lookups.
    const calls = await control.calls(before)
    const count = (op: string) => calls.filter(c => c.operation === op).length
    expect(count('DescribeTargetHealth')).toBe(count('DescribeServices') - 1) // apply's own describe
    expect(count('DescribeTasks')).toBe(0)
    expect(count('ListTasks')).toBe(0)
    expect(count('DescribeTargetGroups')).toBeLessThanOrEqual(2)
  })

  test('one task stopped mid-rollout: replaced, the deploy still succeeds on the new revision', async () => {
    // One new task at a time (maximumPercent 150 of 3), so the rollout is still going when the stop comes.
    const rolling = {
      desiredCount: 3,
      deploymentConfiguration: { maximumPercent: 150, minimumHealthyPercent: 100 }
    }
    await deployV1(rolling)
    let stopped: string | undefined
    let armed = false
    const t = await deploy({ image: V2, svc: rolling }, port => {
      if (armed) return
      armed = true
      // The first task of revision 2 serves for a moment (two polls), then its container is stopped as
      // `docker stop` would (exit 137). A task that had served is not proof of a crash that will repeat.
      setTimeout(() => {
        void dump().then(async state => {
          const task = tasksOf(state).find(
            x => x.lastStatus === 'RUNNING' && x.taskDefinitionArn?.endsWith(':2') && hostPort(x) === port
          )
          if (!task?.taskArn) return
          stopped = task.taskArn
          await control.stopTasks({ taskArn: task.taskArn, mode: 'exit' })
        })
      }, 2000)
    })
    expectSuccess(t.run)
    expect(stopped).toMatch(/task\//)
    const id = stopped!.split('/').pop()!
    expect(t.run.stdout).toContain(`task ${id} stopped: Essential container in task exited`)
    // It was stopped mid-rollout: the deployment completed only afterwards.
    const watch = t.run.stdout.slice(t.run.stdout.indexOf(`task ${id} stopped`))
    expect(watch).toContain('deployment completed')
    const serving = servingTargets(await dump())
    expect(serving).toHaveLength(3)
    for (const target of serving) {
      expect(target.health?.state).toBe('healthy')
      expect(target.task?.taskDefinitionArn).toMatch(/ecscompose-ecs-app:2$/)
    }
  })
})

describe('rollback', () => {
  test('a failed image change is rolled back: diagnosis, rollback succeeded, old revision all healthy', async () => {
    await deployV1()
    await control.images({ image: V2, healthStatus: 500 })
    const before = await lastSeq()
    const t = await deploy({ image: V2 })
    expectFailure(t.run)
    const message = errorMessage(t.run)
    if (!/Rollback succeeded/.test(message)) {
      // Say where the emulator's deployments stood, so a stuck rollback can be told from a slow one.
      const services = await (await fetch(`${emulator.url}/_emulator/services`)).json()
      throw new Error(`rollback did not succeed:\n${message}\n${JSON.stringify(services, null, 1)}`)
    }
    expect(message).toContain('GET /hostname answered 500; the matcher expects 200')
    expect(message).toMatch(
      /Rollback succeeded: the service runs arn:aws:ecs:[^ ]+:task-definition\/ecscompose-ecs-app:1 again, with every target healthy/
    )
    // The rollback also deregisters the revision it registered, so it never becomes the next run's base.
    expect(await mutating(before)).toEqual([
      'RegisterTaskDefinition',
      'UpdateService',
      'UpdateService',
      'DeregisterTaskDefinition'
    ])
    // The failure was known (and the rollback started) within two cycles of the first failed check.
    const rollbackCall = (await control.mutatingCalls(before))[2]!
    expectFailedWithinTwoCycles({ ...t, exitAt: Date.parse(rollbackCall.time) })

    const state = await dump()
    const svc = state.ecs.clusters.flatMap(c => c.services).find(s => s.serviceName === 'web')!
    expect(svc.taskDefinition).toMatch(/ecscompose-ecs-app:1$/)
    expect(svc.deployments).toHaveLength(1)
    expect(svc.deployments![0].rolloutState).toBe('COMPLETED')
    const serving = servingTargets(state)
    expect(serving).toHaveLength(2)
    for (const target of serving) {
      expect(target.health?.state).toBe('healthy')
      expect(target.task?.taskDefinitionArn).toMatch(/ecscompose-ecs-app:1$/)
    }
    expect(t.run.summary).toMatch(/\*\*Rollback:\*\* succeeded/)
  })
})
