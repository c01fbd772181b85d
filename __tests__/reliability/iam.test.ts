/**
 * Least privilege: the README's policy (iam/policy.json) is enough for a deploy, an update and a teardown
 * with the emulator enforcing it (conditions included: ownership tag, tag-on-create, cluster, PassRole),
 * every action in it is used, and removing any one action makes the scenario fail with an error that
 * names that action. The preview policy (iam/preview-policy.json) is enough for a preview's deploy, update
 * and teardown, and cannot touch the base stack's load balancer, listener, target group or service.
 */
import { readFileSync } from 'node:fs'
import path from 'node:path'
import {
  CreateServiceCommand,
  DeleteServiceCommand,
  ECSClient,
  UpdateServiceCommand
} from '@aws-sdk/client-ecs'
import {
  AddTagsCommand,
  CreateTargetGroupCommand,
  DeleteTargetGroupCommand,
  DescribeTargetGroupsCommand,
  ElasticLoadBalancingV2Client,
  ModifyListenerCommand,
  ModifyTargetGroupCommand
} from '@aws-sdk/client-elastic-load-balancing-v2'
import { startEmulator, type Emulator } from '../../emulator/server.js'
import { OWNER_TAG } from '../../src/resources/ownership.js'
import type { PolicyDocument } from '../../emulator/core/iam.js'
import type { CallRecord } from '../../emulator/core/calls.js'
import { repoRoot } from '../../test-support/run-action.js'
import { seedInputs } from '../../test-support/fixtures.js'
import {
  errorLines,
  expectSuccess,
  recordFigures,
  runToEnd,
  scenarioInputs,
  teardownInputs
} from './harness.js'

const readPolicy = (file: string) =>
  JSON.parse(readFileSync(path.join(repoRoot, file), 'utf8')) as PolicyDocument
const policy = readPolicy('iam/policy.json')
const previewPolicy = readPolicy('iam/preview-policy.json')
const list = (v: string | string[] | undefined): string[] =>
  v === undefined ? [] : Array.isArray(v) ? v : [v]
const actionsOf = (doc: PolicyDocument): string[] => [...new Set(doc.Statement.flatMap(s => list(s.Action)))]
const policyActions = actionsOf(policy)

const withoutAction = (action: string): PolicyDocument => ({
  ...policy,
  Statement: policy.Statement.map(s => ({
    ...s,
    Action: (Array.isArray(s.Action) ? s.Action : [s.Action]).filter(a => a !== action)
  })).filter(s => s.Action.length > 0)
})

const STEPS = [
  { name: 'deploy', inputs: () => scenarioInputs() },
  { name: 'update', inputs: () => scenarioInputs({ updated: true }) },
  { name: 'teardown', inputs: () => teardownInputs() }
] as const

/**
 * Every IAM action the logged calls needed, as the emulator authorized them: each call's own and those AWS
 * checks besides (tag on create, PassRole, the EC2 reads of ELBv2, ELBv2's service-linked role).
 */
const actionsNeeded = (calls: CallRecord[]): Set<string> => new Set(calls.flatMap(c => c.authorized ?? []))

const TIME_SCALE = 0.005
let emulators: Emulator[] = []

beforeAll(async () => {
  emulators = await Promise.all([1, 2, 3].map(() => startEmulator({ timeScale: TIME_SCALE })))
})
afterAll(async () => {
  await Promise.all(emulators.map(e => e.stop()))
})

describe('the least-privilege policy', () => {
  test.each([
    ['iam/policy.json', policy],
    ['iam/preview-policy.json', previewPolicy]
  ])('%s lists each action once per resource, with no wildcard action', (_file, doc) => {
    const pairs = doc.Statement.flatMap(s =>
      list(s.Action).flatMap(a => list(s.Resource).map(r => `${a} ${r}`))
    )
    expect(new Set(pairs).size).toBe(pairs.length)
    expect(actionsOf(doc).filter(a => a.includes('*'))).toEqual([])
    // Only reads are unconditioned on "*": every change is conditioned, or a create (tagged on create).
    const unconditioned = doc.Statement.filter(s => !s.Condition).flatMap(s => list(s.Action))
    expect(
      unconditioned.filter(
        a => !/:(Describe|List|Create|RegisterTaskDefinition|DeregisterTaskDefinition)/.test(a)
      )
    ).toEqual([])
  })

  test('suffices for deploy + update + teardown, and each of its actions is used', async () => {
    const emu = emulators[0]
    await emu.reset()
    emu.setPolicy(policy)
    for (const step of STEPS)
      expectSuccess(await runToEnd({ inputs: step.inputs(), endpoint: emu.url }), step.name)
    const calls = emu.calls.list()
    expect(calls.filter(c => /AccessDenied/.test(c.errorCode ?? ''))).toEqual([])
    expect([...actionsNeeded(calls)].sort()).toEqual([...policyActions].sort())
  })

  test('without any single one of its actions, the scenario fails and names that action', async () => {
    const outcomes: {
      action: string
      failedAt?: string
      namesAction: boolean
      error: string
      /** The run passed and warned, naming the action (the probe's clean-up: see health-check-probe.ts). */
      warned?: boolean
    }[] = []
    const queue = [...policyActions]
    const worker = async (emu: Emulator) => {
      for (let action = queue.shift(); action; action = queue.shift()) {
        await emu.reset()
        emu.setPolicy(withoutAction(action))
        const outcome: (typeof outcomes)[number] = { action, namesAction: false, error: '' }
        for (const step of STEPS) {
          const run = await runToEnd({ inputs: step.inputs(), endpoint: emu.url })
          if (run.code === 0) {
            if (run.stdout.split('\n').some(l => /warning/.test(l) && l.includes(action)))
              outcome.warned = true
            continue
          }
          outcome.failedAt = step.name
          outcome.error = errorLines(run.stdout).join(' | ')
          outcome.namesAction = outcome.error.includes(action)
          break
        }
        outcomes.push(outcome)
      }
    }
    await Promise.all(emulators.map(worker))
    recordFigures('iam-removals', { actions: policyActions.length, outcomes })
    expect(outcomes).toHaveLength(policyActions.length)
    const notProven = outcomes.filter(o => !(o.failedAt && o.namesAction) && !o.warned)
    expect(notProven).toEqual([])
    // Each step needs something of its own: deploy, update and teardown each fail for some removal.
    expect(new Set(outcomes.flatMap(o => (o.failedAt ? [o.failedAt] : [])))).toEqual(
      new Set(STEPS.map(s => s.name))
    )
  }, 360_000)
})

describe('iam:PassRole', () => {
  test("the seed's walk passes its service role (ecsServiceRole) to ECS under the policy, and only because the condition names ecs.amazonaws.com", async () => {
    const emu = emulators[2]
    await emu.reset()
    emu.setPolicy(policy)
    expectSuccess(
      await runToEnd({ inputs: seedInputs({ 'wait-for-service-stability': 'false' }), endpoint: emu.url })
    )

    await emu.reset()
    const tasksOnly: PolicyDocument = {
      ...policy,
      Statement: policy.Statement.map(s =>
        s.Action === 'iam:PassRole'
          ? { ...s, Condition: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } } }
          : s
      )
    }
    emu.setPolicy(tasksOnly)
    const run = await runToEnd({
      inputs: seedInputs({ 'wait-for-service-stability': 'false' }),
      endpoint: emu.url
    })
    expect(run.code).toBe(1)
    expect(errorLines(run.stdout).join('\n')).toMatch(
      /CreateService .*AccessDenied.*iam:PassRole on resource: arn:aws:iam::123456789012:role\/ecsServiceRole/s
    )
  })
})

describe("ELBv2's service-linked role", () => {
  const SLR_ARN =
    'arn:aws:iam::123456789012:role/aws-service-role/elasticloadbalancing.amazonaws.com/AWSServiceRoleForElasticLoadBalancing'
  const slrFor = (serviceName: string): PolicyDocument => ({
    ...policy,
    Statement: policy.Statement.map(s =>
      s.Action === 'iam:CreateServiceLinkedRole'
        ? { ...s, Condition: { StringEquals: { 'iam:AWSServiceName': serviceName } } }
        : s
    )
  })

  test('the first load balancer of an account needs iam:CreateServiceLinkedRole for elasticloadbalancing.amazonaws.com only; later ones do not', async () => {
    const emu = emulators[2]
    await emu.reset()
    emu.setPolicy(slrFor('ecs.amazonaws.com'))
    const denied = await runToEnd({ inputs: scenarioInputs(), endpoint: emu.url })
    expect(denied.code).toBe(1)
    expect(errorLines(denied.stdout).join('\n')).toMatch(
      new RegExp(
        `CreateLoadBalancer alb-rel failed \\(AccessDenied\\).*iam:CreateServiceLinkedRole on resource: ${SLR_ARN}` +
          '[\\s\\S]*The role is not allowed iam:CreateServiceLinkedRole'
      )
    )
    expect(emu.serviceLinkedRoles.size).toBe(0)

    // Once the role exists (here: created by someone allowed to), the same policy suffices.
    emu.setPolicy(undefined)
    expectSuccess(
      await runToEnd({ inputs: seedInputs({ 'wait-for-service-stability': 'false' }), endpoint: emu.url }),
      'a deploy with full permissions'
    )
    expect([...emu.serviceLinkedRoles]).toEqual(['elasticloadbalancing.amazonaws.com'])
    emu.setPolicy(withoutAction('iam:CreateServiceLinkedRole'))
    const since = emu.calls.lastSeq()
    expectSuccess(await runToEnd({ inputs: scenarioInputs(), endpoint: emu.url }), 'deploy')
    const calls = emu.calls.list(since)
    expect(calls.some(c => c.operation === 'CreateLoadBalancer' && c.status === 200)).toBe(true)
    expect(actionsNeeded(calls).has('iam:CreateServiceLinkedRole')).toBe(false)
  })
})

describe('the emulator answers like AWS without the permission', () => {
  test('ECS says AccessDeniedException, ELBv2 AccessDenied; the action names the missing action', async () => {
    const emu = emulators[1]
    await emu.reset()
    emu.setPolicy(withoutAction('elasticloadbalancing:CreateTargetGroup'))
    const run = await runToEnd({ inputs: scenarioInputs(), endpoint: emu.url })
    expect(run.code).toBe(1)
    expect(errorLines(run.stdout).join('\n')).toMatch(
      /CreateTargetGroup rel-web failed \(AccessDenied\)[\s\S]*The role is not allowed elasticloadbalancing:CreateTargetGroup/
    )
    const denied = emu.calls.list().filter(c => /AccessDenied/.test(c.errorCode ?? ''))
    expect(denied.map(c => [c.operation, c.status, c.errorCode])).toEqual([
      ['CreateTargetGroup', 403, 'AccessDenied']
    ])

    await emu.reset()
    emu.setPolicy(withoutAction('ecs:TagResource'))
    const ecsRun = await runToEnd({ inputs: scenarioInputs(), endpoint: emu.url })
    expect(ecsRun.code).toBe(1)
    const ecsDenied = emu.calls.list().filter(c => /AccessDenied/.test(c.errorCode ?? ''))
    expect(ecsDenied.map(c => [c.operation, c.status, c.errorCode])).toEqual([
      ['RegisterTaskDefinition', 400, 'AccessDeniedException']
    ])
    expect(errorLines(ecsRun.stdout).join('\n')).toContain('ecs:TagResource')
  })
})

const clientConfig = (emu: Emulator) => ({
  region: 'ap-northeast-1',
  endpoint: emu.url,
  credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'x' }
})
/** The error code of a call, or 'ok'. */
const outcome = (p: Promise<unknown>): Promise<string> =>
  p.then(
    () => 'ok',
    (e: { name?: string }) => e.name ?? 'error'
  )

describe('the preview policy', () => {
  const previewOf = (inputs: Record<string, string>) => ({
    ...inputs,
    'preview-id': 'pr-1',
    'preview-routing': 'host'
  })
  const PREVIEW_STEPS = [
    { name: 'preview deploy', inputs: () => previewOf(scenarioInputs()) },
    { name: 'preview update', inputs: () => previewOf(scenarioInputs({ updated: true })) },
    { name: 'preview teardown', inputs: () => ({ ...previewOf(scenarioInputs()), delete: 'true' }) }
  ]

  test('suffices for a preview deploy + update + teardown, and denies every change to the base stack', async () => {
    const emu = emulators[0]
    await emu.reset()
    const baseRun = await runToEnd({ inputs: scenarioInputs(), endpoint: emu.url })
    expectSuccess(baseRun, 'base deploy')
    emu.setPolicy(previewPolicy)
    const since = emu.calls.list().length
    for (const step of PREVIEW_STEPS)
      expectSuccess(await runToEnd({ inputs: step.inputs(), endpoint: emu.url }), step.name)
    const calls = emu.calls.list().slice(since)
    expect(calls.filter(c => /AccessDenied/.test(c.errorCode ?? ''))).toEqual([])
    const needed = [...actionsNeeded(calls)]
    expect(needed.filter(a => !actionsOf(previewPolicy).includes(a))).toEqual([])
    // Nothing a preview may not do is in the preview policy.
    expect(
      actionsOf(previewPolicy).filter(
        a => /LoadBalancer|Listener|SetSubnets|SetSecurityGroups/.test(a) && !a.includes(':Describe')
      )
    ).toEqual([])

    const elb = new ElasticLoadBalancingV2Client(clientConfig(emu))
    const ecs = new ECSClient(clientConfig(emu))
    try {
      const listenerArn = baseRun.outputs['listener-arn']
      const [tg] =
        (await elb.send(new DescribeTargetGroupsCommand({ Names: ['rel-web'] }))).TargetGroups ?? []
      expect({
        ModifyListener: await outcome(
          elb.send(new ModifyListenerCommand({ ListenerArn: listenerArn, Protocol: 'HTTP', Port: 8080 }))
        ),
        ModifyTargetGroup: await outcome(
          elb.send(new ModifyTargetGroupCommand({ TargetGroupArn: tg.TargetGroupArn, HealthCheckPath: '/' }))
        ),
        DeleteTargetGroup: await outcome(
          elb.send(new DeleteTargetGroupCommand({ TargetGroupArn: tg.TargetGroupArn }))
        ),
        UpdateService: await outcome(
          ecs.send(new UpdateServiceCommand({ cluster: 'ecs-demo', service: 'rel-web', desiredCount: 0 }))
        ),
        DeleteService: await outcome(
          ecs.send(new DeleteServiceCommand({ cluster: 'ecs-demo', service: 'rel-web', force: true }))
        )
      }).toEqual({
        ModifyListener: 'AccessDenied',
        ModifyTargetGroup: 'AccessDenied',
        DeleteTargetGroup: 'AccessDenied',
        UpdateService: 'AccessDeniedException',
        DeleteService: 'AccessDeniedException'
      })
    } finally {
      elb.destroy()
      ecs.destroy()
    }
  })
})

describe("the base policy's conditions, as the emulator evaluates them", () => {
  test('tags only on create, changes only what carries the ownership tag, services only in the cluster', async () => {
    const emu = emulators[1]
    await emu.reset()
    expectSuccess(await runToEnd({ inputs: scenarioInputs(), endpoint: emu.url }), 'deploy')
    emu.setPolicy(policy)
    const elb = new ElasticLoadBalancingV2Client(clientConfig(emu))
    const ecs = new ECSClient(clientConfig(emu))
    try {
      const [owned] =
        (await elb.send(new DescribeTargetGroupsCommand({ Names: ['rel-web'] }))).TargetGroups ?? []
      const vpc = { VpcId: owned.VpcId, Protocol: 'HTTP' as const, Port: 80 }
      // Made by hand: no tags, so nothing the policy lets the action change.
      const untagged = (await elb.send(new CreateTargetGroupCommand({ Name: 'by-hand', ...vpc })))
        .TargetGroups?.[0]
      expect({
        'AddTags on an existing target group': await outcome(
          elb.send(
            new AddTagsCommand({ ResourceArns: [owned.TargetGroupArn!], Tags: [{ Key: 'k', Value: 'v' }] })
          )
        ),
        'ModifyTargetGroup of an untagged group': await outcome(
          elb.send(
            new ModifyTargetGroupCommand({ TargetGroupArn: untagged?.TargetGroupArn, HealthCheckPath: '/' })
          )
        ),
        'ModifyTargetGroup of an owned group': await outcome(
          elb.send(
            new ModifyTargetGroupCommand({
              TargetGroupArn: owned.TargetGroupArn,
              HealthCheckPath: '/hostname'
            })
          )
        ),
        'CreateTargetGroup tagged by a stack of another cluster': await outcome(
          elb.send(
            new CreateTargetGroupCommand({
              Name: 'other',
              ...vpc,
              Tags: [{ Key: OWNER_TAG, Value: 'prod/web' }]
            })
          )
        ),
        'CreateService in another cluster': await outcome(
          ecs.send(
            new CreateServiceCommand({ cluster: 'prod', serviceName: 'x', taskDefinition: 'rel-web:1' })
          )
        )
      }).toEqual({
        'AddTags on an existing target group': 'AccessDenied',
        'ModifyTargetGroup of an untagged group': 'AccessDenied',
        'ModifyTargetGroup of an owned group': 'ok',
        'CreateTargetGroup tagged by a stack of another cluster': 'AccessDenied',
        'CreateService in another cluster': 'AccessDeniedException'
      })
    } finally {
      elb.destroy()
      ecs.destroy()
    }
  })
})
