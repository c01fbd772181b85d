/**
 * The live suite (`npm run test:live`, and part of `npm test`): the bundled action (dist/index.js) through
 * the scenarios a user lives through — a first deploy, the identical re-run that changes nothing, an image
 * change, a release whose health check fails and is rolled back with production restored, a PR preview and
 * its teardown, and the base stack's teardown — against the target the environment names
 * (test-support/live-target.ts): the emulator this file starts, or, with ECS_ALB_DEPLOY_LIVE=1 and the rest
 * set, a real AWS account. There every name starts with a per-run prefix, everything is tagged with it, the
 * account is checked against the allow-list before the first call that creates anything, and afterAll tears
 * everything down (the action's own teardown, then what the action never deletes) even when a step failed.
 * The README's "Live suite" section says how to set it up and what a run costs.
 */
import { DescribeServicesCommand, ECSClient } from '@aws-sdk/client-ecs'
import {
  DescribeLoadBalancersCommand,
  DescribeRulesCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client
} from '@aws-sdk/client-elastic-load-balancing-v2'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { startEmulator, type Emulator } from '../../emulator/server.js'
import type { PolicyDocument } from '../../emulator/core/iam.js'
import { EmulatorControl } from '../../test-support/emulator-client.js'
import { repoRoot, runAction, type ActionRun } from '../../test-support/run-action.js'
import {
  LIVE_RUN_TAG,
  assertAllowedAccount,
  liveTarget,
  newRunPrefix,
  sweepRun
} from '../../test-support/live-target.js'
import { expectSuccess } from '../reliability/harness.js'

const readPolicy = (file: string) =>
  JSON.parse(readFileSync(path.join(repoRoot, file), 'utf8')) as PolicyDocument

const target = liveTarget(process.env, newRunPrefix())
const onAws = target.kind === 'aws'
const { prefix, cluster } = target
const SERVICE = `${prefix}-web`
const PREVIEW_ID = 'live'
const PREVIEW_SERVICE = `${SERVICE}-${PREVIEW_ID}`
/** One step's limit: minutes on AWS (a rollout, a rollback), seconds on the emulator. */
const STEP_MS = onAws ? 25 * 60_000 : 60_000
const EMULATOR_REGION = 'ap-northeast-1'

let emulator: Emulator | undefined
let control: EmulatorControl | undefined
let ecs: ECSClient
let elbv2: ElasticLoadBalancingV2Client
/** Set once the account is known to be allowed: before that, afterAll touches nothing either. */
let accountChecked = false
/** Set once the base stack's teardown step passed; afterAll then only removes what the action keeps. */
let tornDown = false

beforeAll(async () => {
  if (target.kind === 'emulator') {
    emulator = await startEmulator({ timeScale: 0.01, region: EMULATOR_REGION })
    control = new EmulatorControl(emulator.url)
    await control.images({ image: target.failing.image, healthStatus: 500 })
    // The role the README's "Live suite" section sets up, enforced: the action's policy and the clean-up's.
    emulator.setPolicy({
      Statement: [
        ...readPolicy('iam/policy.json').Statement,
        ...readPolicy('iam/live-cleanup-policy.json').Statement
      ]
    })
  }
  const config = emulator
    ? {
        endpoint: emulator.url,
        region: EMULATOR_REGION,
        credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'x' }
      }
    : { region: target.kind === 'aws' ? target.region : EMULATOR_REGION }
  ecs = new ECSClient(config)
  elbv2 = new ElasticLoadBalancingV2Client(config)
  // Before anything is created: the credentials must act in an allowed account (the emulator's is fixed).
  await assertAllowedAccount({
    ecs,
    cluster,
    service: SERVICE,
    accounts: target.kind === 'aws' ? target.accounts : ['123456789012']
  })
  accountChecked = true
}, STEP_MS)

afterAll(async () => {
  try {
    if (accountChecked && !tornDown) {
      // The action's own teardown first (the preview, then the base stack); what it left, the sweep takes.
      await deploy({ ...inputs(), ...previewOf(), delete: 'true' })
      await deploy({ ...inputs(), delete: 'true', 'delete-base-stack': 'true' })
    }
    if (accountChecked) {
      const left = await sweepRun({ ecs, elbv2, cluster, prefix })
      if (left.length) throw new Error(`the live run ${prefix} left resources behind:\n${left.join('\n')}`)
    }
  } finally {
    ecs?.destroy()
    elbv2?.destroy()
    await emulator?.stop()
  }
}, STEP_MS * 2)

/** The stack: a Fargate service behind the listener's default action, every name after the run's prefix. */
function inputs(container: Record<string, unknown> = {}): Record<string, string> {
  const net = { subnets: target.subnets, securityGroups: target.securityGroups }
  return {
    cluster,
    'load-balancer': JSON.stringify({
      Name: prefix,
      Scheme: target.scheme,
      Subnets: net.subnets,
      SecurityGroups: net.securityGroups
    }),
    'target-group': JSON.stringify({
      Name: SERVICE,
      Protocol: 'HTTP',
      Port: 80,
      TargetType: 'ip',
      HealthCheckPath: target.healthCheckPath,
      HealthCheckIntervalSeconds: 10,
      HealthyThresholdCount: 2,
      UnhealthyThresholdCount: 2,
      Matcher: { HttpCode: '200' }
    }),
    'target-group-attributes': 'deregistration_delay.timeout_seconds: 5',
    listener: JSON.stringify({ Port: 80, Protocol: 'HTTP' }),
    'task-definition': JSON.stringify({
      family: SERVICE,
      networkMode: 'awsvpc',
      requiresCompatibilities: ['FARGATE'],
      cpu: '256',
      memory: '512',
      ...(target.executionRoleArn ? { executionRoleArn: target.executionRoleArn } : {}),
      containerDefinitions: [
        {
          name: 'web',
          image: target.images[0],
          essential: true,
          portMappings: [{ containerPort: 80 }],
          ...container
        }
      ]
    }),
    service: JSON.stringify({
      serviceName: SERVICE,
      launchType: 'FARGATE',
      desiredCount: 2,
      loadBalancers: [{ containerName: 'web', containerPort: 80 }],
      networkConfiguration: {
        awsvpcConfiguration: { ...net, assignPublicIp: target.assignPublicIp }
      }
    }),
    tags: `${LIVE_RUN_TAG}=${prefix}`,
    'poll-interval-seconds': String(target.pollIntervalSeconds),
    'wait-for-minutes': String(target.waitForMinutes)
  }
}
const previewOf = () => ({ 'preview-routing': 'host', 'preview-id': PREVIEW_ID })

const deploy = (with_: Record<string, string>): Promise<ActionRun> =>
  runAction({ inputs: with_, endpoint: emulator?.url, timeoutMs: STEP_MS - 30_000 })

/** The emulator's mutating calls since a point of its log (AWS keeps no such log for the suite). */
const lastSeq = (): number => emulator?.calls.lastSeq() ?? 0
const mutatingSince = (seq: number): string[] | undefined =>
  emulator?.calls
    .list(seq)
    .filter(c => c.mutating && c.status < 300)
    .map(c => c.operation)

async function service(name: string) {
  const { services } = await ecs.send(new DescribeServicesCommand({ cluster, services: [name] }))
  return services?.[0]
}
async function targetStates(targetGroupArn: string): Promise<string[]> {
  const { TargetHealthDescriptions } = await elbv2.send(
    new DescribeTargetHealthCommand({ TargetGroupArn: targetGroupArn })
  )
  return (TargetHealthDescriptions ?? []).map(t => t.TargetHealth?.State ?? 'unknown').sort()
}
async function targetGroupNamed(name: string): Promise<string | undefined> {
  try {
    const { TargetGroups } = await elbv2.send(new DescribeTargetGroupsCommand({ Names: [name] }))
    return TargetGroups?.[0]?.TargetGroupArn
  } catch {
    return undefined
  }
}

/** What each step hands to the next. */
const seen: { first?: ActionRun; imageChanged?: ActionRun } = {}

describe(`live scenarios on ${target.kind === 'aws' ? `AWS (${target.region})` : 'the emulator'}, run ${prefix}`, () => {
  test('the account guard refuses credentials of an account not in the allow-list, with a read only', async () => {
    const seq = lastSeq()
    await expect(
      assertAllowedAccount({ ecs, cluster, service: SERVICE, accounts: ['000000000000'] })
    ).rejects.toThrow(/not in ECS_ALB_DEPLOY_LIVE_ACCOUNTS: nothing was created/)
    const calls = emulator?.calls.list(seq).map(c => c.operation)
    if (calls) expect(calls).toEqual(['DescribeServices'])
  })

  test(
    'first deploy: everything created, every target healthy',
    async () => {
      const seq = lastSeq()
      const run = await deploy(inputs())
      expectSuccess(run, 'first deploy')
      seen.first = run
      const o = run.outputs
      expect(o.changed).toBe('true')
      expect(o['load-balancer-arn']).toContain(`:loadbalancer/app/${prefix}/`)
      expect(o['service-arn']).toMatch(new RegExp(`:service/${cluster}/${SERVICE}$`))
      expect(o['task-definition-arn']).toMatch(new RegExp(`:task-definition/${SERVICE}:\\d+$`))
      const svc = await service(SERVICE)
      expect([svc?.status, svc?.taskDefinition]).toEqual(['ACTIVE', o['task-definition-arn']])
      expect(await targetStates(o['target-group-arn'])).toEqual(['healthy', 'healthy'])
      const mutating = mutatingSince(seq)
      // The revision first (the one refusal only AWS can make costs nothing), then the load balancer.
      if (mutating)
        expect(mutating.slice(0, 3)).toEqual([
          'RegisterTaskDefinition',
          'CreateLoadBalancer',
          'CreateTargetGroup'
        ])
    },
    STEP_MS
  )

  test(
    'identical re-run: nothing changes, no new revision, no new deployment, 0 mutating calls',
    async () => {
      const seq = lastSeq()
      const run = await deploy(inputs())
      expectSuccess(run, 're-run')
      expect(run.outputs.changed).toBe('false')
      expect(run.outputs['task-definition-arn']).toBe(seen.first?.outputs['task-definition-arn'])
      expect(run.outputs['deployment-id']).toBe(seen.first?.outputs['deployment-id'])
      // AWS keeps no call log for the suite: there the plan and the outputs above say it.
      expect(run.stdout).toMatch(/Plan: 0 to create, 0 to update, 0 to replace, \d+ unchanged/)
      const mutating = mutatingSince(seq)
      if (mutating) expect(mutating).toEqual([])
    },
    STEP_MS
  )

  test(
    'image change: the next revision, rolled out, every target healthy',
    async () => {
      const run = await deploy({ ...inputs(), images: `web=${target.images[1]}` })
      expectSuccess(run, 'image change')
      seen.imageChanged = run
      const before = Number(seen.first?.outputs['task-definition-arn'].split(':').pop())
      expect(run.outputs['task-definition-arn']).toMatch(
        new RegExp(`:task-definition/${SERVICE}:${before + 1}$`)
      )
      const svc = await service(SERVICE)
      expect(svc?.taskDefinition).toBe(run.outputs['task-definition-arn'])
      expect(svc?.deployments).toHaveLength(1)
      expect(await targetStates(run.outputs['target-group-arn'])).toEqual(['healthy', 'healthy'])
    },
    STEP_MS
  )

  test(
    'failing health check: the release fails, is rolled back, production runs the previous revision',
    async () => {
      const run = await deploy(inputs({ image: target.failing.image, ...target.failing.container }))
      expect(run.code).toBe(1)
      expect(run.stdout).toMatch(/Rollback succeeded: the service runs \S+ again, with every target healthy/)
      const production = seen.imageChanged?.outputs['task-definition-arn']
      const svc = await service(SERVICE)
      expect(svc?.taskDefinition).toBe(production)
      expect(svc?.deployments?.map(d => [d.status, d.taskDefinition])).toEqual([['PRIMARY', production]])
      expect(await targetStates(seen.first!.outputs['target-group-arn'])).toEqual(['healthy', 'healthy'])
    },
    STEP_MS
  )

  test(
    'preview: its own rule, target group and service on the shared listener; its teardown removes them',
    async () => {
      const production = seen.imageChanged?.outputs['task-definition-arn']
      const up = await deploy({ ...inputs(), images: `web=${target.images[1]}`, ...previewOf() })
      expectSuccess(up, 'preview deploy')
      expect(up.outputs['listener-arn']).toBe(seen.first?.outputs['listener-arn'])
      expect((await service(PREVIEW_SERVICE))?.status).toBe('ACTIVE')
      const previewGroup = await targetGroupNamed(PREVIEW_SERVICE)
      expect(previewGroup).toBe(up.outputs['target-group-arn'])
      expect(await targetStates(previewGroup!)).toEqual(['healthy', 'healthy'])
      const rules = async () =>
        (
          await elbv2.send(new DescribeRulesCommand({ ListenerArn: up.outputs['listener-arn'] }))
        ).Rules?.filter(r => !r.IsDefault) ?? []
      expect(await rules()).toHaveLength(1)

      const down = await deploy({ ...inputs(), ...previewOf(), delete: 'true' })
      expectSuccess(down, 'preview teardown')
      expect((await service(PREVIEW_SERVICE))?.status).not.toBe('ACTIVE')
      expect(await targetGroupNamed(PREVIEW_SERVICE)).toBeUndefined()
      expect(await rules()).toEqual([])
      // Production was not touched.
      expect((await service(SERVICE))?.taskDefinition).toBe(production)
    },
    STEP_MS
  )

  test(
    'teardown: the action removes the base stack, then the run removes what the action keeps',
    async () => {
      const run = await deploy({ ...inputs(), delete: 'true', 'delete-base-stack': 'true' })
      expectSuccess(run, 'teardown')
      tornDown = true
      expect((await service(SERVICE))?.status).not.toBe('ACTIVE')
      // The shared load balancer and listener stay by design; the run's sweep takes them (and the group).
      expect(await sweepRun({ ecs, elbv2, cluster, prefix })).toEqual([])
      // AWS may still describe a deleted load balancer for a moment, never as active.
      const left = await elbv2.send(new DescribeLoadBalancersCommand({ Names: [prefix] })).then(
        r =>
          r.LoadBalancers?.map(l => l.State?.Code).filter(c => c === 'active' || c === 'provisioning') ?? [],
        () => []
      )
      expect(left).toEqual([])
      expect(await targetGroupNamed(SERVICE)).toBeUndefined()
    },
    STEP_MS
  )
})
