/**
 * Least privilege: the README's policy (iam/policy.json) is enough for a deploy, an update, a change of the
 * tags input, a failed release that had added a tag (rolled back, the tag removed again) and a teardown
 * with the emulator enforcing it (conditions included: ownership tag, tag-on-create, the ownership keys
 * kept out of aws:TagKeys, cluster, PassRole), every action in it is used, and removing any one action, or
 * any one of the statements that share a tagging action, makes the scenario fail with an error that names
 * that action. The preview policy (iam/preview-policy.json) is enough for a preview's deploy, update, tags
 * change and teardown, and cannot touch the base stack's load balancer, listener, target group or service.
 */
import { readFileSync } from 'node:fs'
import path from 'node:path'
import {
  CreateServiceCommand,
  DeleteServiceCommand,
  DescribeServicesCommand,
  ECSClient,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateServiceCommand
} from '@aws-sdk/client-ecs'
import {
  AddTagsCommand,
  CreateTargetGroupCommand,
  DeleteTargetGroupCommand,
  DescribeLoadBalancersCommand,
  DescribeTagsCommand,
  DescribeTargetGroupsCommand,
  ElasticLoadBalancingV2Client,
  ModifyListenerCommand,
  ModifyTargetGroupCommand,
  RemoveTagsCommand
} from '@aws-sdk/client-elastic-load-balancing-v2'
import { startEmulator, type Emulator } from '../../emulator/server.js'
import { PREVIEW_TAG } from '../../src/model/names.js'
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

/** The statements that share a tagging action with another (tag on create, retag what it owns). */
const tagStatements = policy.Statement.filter(s =>
  list(s.Action).some(a => /:(AddTags|RemoveTags|TagResource|UntagResource)$/.test(a))
)
const withoutStatement = (sid: string): PolicyDocument => ({
  ...policy,
  Statement: policy.Statement.filter(s => s.Sid !== sid)
})

const TAGS = 'team=web'
const RETAGGED = 'team=payments\nenv=prod'
/** An image whose tasks fail their health checks: a release that is rolled back. */
const BROKEN_IMAGE = 'example/web:broken'

/** Back to the seeded account, with the broken image known to the emulator. */
async function resetEmulator(emu: Emulator): Promise<void> {
  await emu.reset()
  await emu.modules
    .find(m => m.service === 'ecs')
    ?.control?.('POST', 'images', { image: BROKEN_IMAGE, healthStatus: 500 })
}

interface Step {
  name: string
  inputs: () => Record<string, string>
  /** The step is a release that fails: it must end rolled back (`Rollback succeeded`). */
  fails?: boolean
}

const STEPS: readonly Step[] = [
  { name: 'deploy', inputs: () => ({ ...scenarioInputs(), tags: TAGS }) },
  { name: 'update', inputs: () => ({ ...scenarioInputs({ updated: true }), tags: TAGS }) },
  // Only the tags input changes: AddTags / TagResource on the existing load balancer, target group, service.
  { name: 'retag', inputs: () => ({ ...scenarioInputs({ updated: true }), tags: RETAGGED }) },
  // Adds a key, then fails: the rollback removes the key again (RemoveTags / UntagResource).
  {
    name: 'failed retag',
    fails: true,
    inputs: () => ({
      ...scenarioInputs({ updated: true, image: BROKEN_IMAGE }),
      tags: `${RETAGGED}\ntier=front`,
      'wait-for-minutes': '1'
    })
  },
  { name: 'teardown', inputs: () => teardownInputs() }
]

/** Whether a step ended as it should: a success, or (a failing release) a failure rolled back. */
const asExpected = (step: Step, run: { code: number | null; stdout: string }): boolean =>
  step.fails ? run.code === 1 && /Rollback succeeded/.test(run.stdout) : run.code === 0

/**
 * Every IAM action the logged calls needed, as the emulator authorized them: each call's own and those AWS
 * checks besides (tag on create, PassRole, the EC2 reads of ELBv2, ELBv2's service-linked role).
 */
const actionsNeeded = (calls: CallRecord[]): Set<string> => new Set(calls.flatMap(c => c.authorized ?? []))

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

/** The tags of the scenario's load balancer, target group and service (in that order), as maps. */
async function stackTags(
  elb: ElasticLoadBalancingV2Client,
  ecs: ECSClient
): Promise<Record<string, string | undefined>[]> {
  const [lb] = (await elb.send(new DescribeLoadBalancersCommand({ Names: ['alb-rel'] }))).LoadBalancers ?? []
  const [tg] = (await elb.send(new DescribeTargetGroupsCommand({ Names: ['rel-web'] }))).TargetGroups ?? []
  const described = await elb.send(
    new DescribeTagsCommand({ ResourceArns: [lb.LoadBalancerArn ?? '', tg.TargetGroupArn ?? ''] })
  )
  const [service] =
    (
      await ecs.send(
        new DescribeServicesCommand({ cluster: 'ecs-demo', services: ['rel-web'], include: ['TAGS'] })
      )
    ).services ?? []
  return [
    ...(described.TagDescriptions ?? []).map(d =>
      Object.fromEntries((d.Tags ?? []).map(t => [t.Key, t.Value]))
    ),
    Object.fromEntries((service.tags ?? []).map(t => [t.key, t.value]))
  ]
}

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

  test('suffices for deploy + update + retag + failed retag + teardown, and each of its actions is used', async () => {
    const emu = emulators[0]
    await resetEmulator(emu)
    emu.setPolicy(policy)
    const elb = new ElasticLoadBalancingV2Client(clientConfig(emu))
    const ecs = new ECSClient(clientConfig(emu))
    const tagsAfter: Record<string, Record<string, string | undefined>[]> = {}
    try {
      for (const step of STEPS) {
        const run = await runToEnd({ inputs: step.inputs(), endpoint: emu.url })
        if (!asExpected(step, run))
          throw new Error(`${step.name} did not end as expected (${run.code}):\n${run.stdout}\n${run.stderr}`)
        if (step.name !== 'teardown') tagsAfter[step.name] = await stackTags(elb, ecs)
      }
    } finally {
      elb.destroy()
      ecs.destroy()
    }
    // The retag reached every resource, the failed release's added key was removed again, and the
    // ownership tag stayed as it was.
    const own = { [OWNER_TAG]: 'ecs-demo/rel-web' }
    expect(tagsAfter.update).toEqual([0, 1, 2].map(() => ({ ...own, team: 'web' })))
    expect(tagsAfter.retag).toEqual([0, 1, 2].map(() => ({ ...own, team: 'payments', env: 'prod' })))
    expect(tagsAfter['failed retag']).toEqual(tagsAfter.retag)
    const calls = emu.calls.list()
    expect(calls.filter(c => /AccessDenied/.test(c.errorCode ?? ''))).toEqual([])
    expect([...actionsNeeded(calls)].sort()).toEqual([...policyActions].sort())
  })

  test('without any single one of its actions, the scenario fails and names that action', async () => {
    const outcomes: {
      /** An action, or the Sid of a tagging statement. */
      removed: string
      action: string
      failedAt?: string
      namesAction: boolean
      error: string
      /** The run passed and warned, naming the action (the probe's clean-up: see health-check-probe.ts). */
      warned?: boolean
    }[] = []
    // Each action removed, and each tagging statement removed (its action named in the error).
    const removals = [
      ...policyActions.map(action => ({ removed: action, action, policy: withoutAction(action) })),
      ...tagStatements.map(s => ({
        removed: s.Sid ?? '',
        action: list(s.Action)[0],
        policy: withoutStatement(s.Sid ?? '')
      }))
    ]
    const queue = [...removals]
    const worker = async (emu: Emulator) => {
      for (let removal = queue.shift(); removal; removal = queue.shift()) {
        const { action } = removal
        await resetEmulator(emu)
        emu.setPolicy(removal.policy)
        const outcome: (typeof outcomes)[number] = {
          removed: removal.removed,
          action,
          namesAction: false,
          error: ''
        }
        for (const step of STEPS) {
          const run = await runToEnd({ inputs: step.inputs(), endpoint: emu.url })
          if (asExpected(step, run)) {
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
    expect(outcomes).toHaveLength(removals.length)
    const notProven = outcomes.filter(o => !(o.failedAt && o.namesAction) && !o.warned)
    expect(notProven).toEqual([])
    // Each step needs something of its own: every step fails for some removal.
    expect(new Set(outcomes.flatMap(o => (o.failedAt ? [o.failedAt] : [])))).toEqual(
      new Set(STEPS.map(s => s.name))
    )
  }, 600_000)
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

describe('the preview policy', () => {
  const previewOf = (inputs: Record<string, string>) => ({
    ...inputs,
    'preview-id': 'pr-1',
    'preview-routing': 'host'
  })
  const PREVIEW_STEPS: Step[] = [
    { name: 'preview deploy', inputs: () => previewOf(scenarioInputs()) },
    { name: 'preview update', inputs: () => previewOf(scenarioInputs({ updated: true })) },
    {
      name: 'preview retag',
      inputs: () => ({ ...previewOf(scenarioInputs({ updated: true })), tags: RETAGGED })
    },
    {
      name: 'preview failed retag',
      fails: true,
      inputs: () => ({
        ...previewOf(scenarioInputs({ updated: true, image: BROKEN_IMAGE })),
        tags: `${RETAGGED}\ntier=front`,
        'wait-for-minutes': '1'
      })
    },
    { name: 'preview teardown', inputs: () => ({ ...previewOf(scenarioInputs()), delete: 'true' }) }
  ]

  test('suffices for a preview deploy + update + retag + failed retag + teardown, and denies every change to the base stack', async () => {
    const emu = emulators[0]
    await resetEmulator(emu)
    const baseRun = await runToEnd({ inputs: scenarioInputs(), endpoint: emu.url })
    expectSuccess(baseRun, 'base deploy')
    emu.setPolicy(previewPolicy)
    const since = emu.calls.list().length
    for (const step of PREVIEW_STEPS) {
      const run = await runToEnd({ inputs: step.inputs(), endpoint: emu.url })
      if (!asExpected(step, run))
        throw new Error(`${step.name} did not end as expected (${run.code}):\n${run.stdout}\n${run.stderr}`)
    }
    const calls = emu.calls.list().slice(since)
    expect(calls.filter(c => /AccessDenied/.test(c.errorCode ?? ''))).toEqual([])
    const needed = [...actionsNeeded(calls)]
    // The retag changed the preview's own target group and service, and the failed release's rollback
    // removed the key it had added.
    expect(
      new Set(
        calls
          .filter(c => /^(AddTags|RemoveTags|TagResource|UntagResource)$/.test(c.operation))
          .map(c => `${c.operation} ${c.status}`)
      )
    ).toEqual(new Set(['AddTags 200', 'RemoveTags 200', 'TagResource 200', 'UntagResource 200']))
    expect(needed.filter(a => !actionsOf(previewPolicy).includes(a))).toEqual([])
    expect(
      actionsOf(previewPolicy).filter(
        a => /:(AddTags|RemoveTags|TagResource|UntagResource)$/.test(a) && !needed.includes(a)
      )
    ).toEqual([])
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
        ),
        AddTags: await outcome(
          elb.send(
            new AddTagsCommand({
              ResourceArns: [tg.TargetGroupArn ?? ''],
              Tags: [{ Key: 'team', Value: 'web' }]
            })
          )
        ),
        TagResource: await outcome(
          ecs.send(
            new TagResourceCommand({
              resourceArn: 'arn:aws:ecs:ap-northeast-1:123456789012:service/ecs-demo/rel-web',
              tags: [{ key: 'team', value: 'web' }]
            })
          )
        )
      }).toEqual({
        ModifyListener: 'AccessDenied',
        ModifyTargetGroup: 'AccessDenied',
        DeleteTargetGroup: 'AccessDenied',
        UpdateService: 'AccessDeniedException',
        DeleteService: 'AccessDeniedException',
        AddTags: 'AccessDenied',
        TagResource: 'AccessDeniedException'
      })
    } finally {
      elb.destroy()
      ecs.destroy()
    }
  })
})

describe("the base policy's conditions, as the emulator evaluates them", () => {
  test('tags what it owns but never its ownership keys, changes only what carries the ownership tag, services only in the cluster', async () => {
    const emu = emulators[1]
    await emu.reset()
    const deployed = await runToEnd({ inputs: scenarioInputs(), endpoint: emu.url })
    expectSuccess(deployed, 'deploy')
    const elb = new ElasticLoadBalancingV2Client(clientConfig(emu))
    const ecs = new ECSClient(clientConfig(emu))
    try {
      const [owned] =
        (await elb.send(new DescribeTargetGroupsCommand({ Names: ['rel-web'] }))).TargetGroups ?? []
      const ownedArn = owned.TargetGroupArn ?? ''
      const lbArn = deployed.outputs['load-balancer-arn']
      const serviceArn = `arn:aws:ecs:ap-northeast-1:123456789012:service/ecs-demo/rel-web`
      const vpc = { VpcId: owned.VpcId, Protocol: 'HTTP' as const, Port: 80 }
      // Another stack's (of another cluster, as the policy's ownership pattern is per cluster), made with
      // full permissions before the policy applies.
      const theirs = { key: OWNER_TAG, value: 'prod/web' }
      const [otherGroup] =
        (
          await elb.send(
            new CreateTargetGroupCommand({
              Name: 'prod-web',
              ...vpc,
              Tags: [{ Key: theirs.key, Value: theirs.value }]
            })
          )
        ).TargetGroups ?? []
      const service = JSON.parse(scenarioInputs().service) as { networkConfiguration: object }
      const otherService = (
        await ecs.send(
          new CreateServiceCommand({
            cluster: 'ecs-demo',
            serviceName: 'prod-web',
            taskDefinition: 'rel-web:1',
            desiredCount: 0,
            launchType: 'FARGATE',
            networkConfiguration: service.networkConfiguration,
            tags: [theirs]
          })
        )
      ).service?.serviceArn
      emu.setPolicy(policy)
      // Made by hand: no tags, so nothing the policy lets the action change.
      const untagged = (await elb.send(new CreateTargetGroupCommand({ Name: 'by-hand', ...vpc })))
        .TargetGroups?.[0]
      const addTags = (arn: string | undefined, Key: string, Value = 'v') =>
        outcome(elb.send(new AddTagsCommand({ ResourceArns: [arn ?? ''], Tags: [{ Key, Value }] })))
      const tagService = (arn: string | undefined, key: string, value = 'v') =>
        outcome(ecs.send(new TagResourceCommand({ resourceArn: arn, tags: [{ key, value }] })))
      expect({
        'AddTags of a key of its own on the owned target group': await addTags(ownedArn, 'team'),
        'AddTags of a key of its own on the owned load balancer': await addTags(lbArn, 'team'),
        'RemoveTags of that key': await outcome(
          elb.send(new RemoveTagsCommand({ ResourceArns: [ownedArn], TagKeys: ['team'] }))
        ),
        'AddTags setting the ownership key on the owned target group': await addTags(
          ownedArn,
          OWNER_TAG,
          'ecs-demo/other'
        ),
        'AddTags setting the preview key on the owned target group': await addTags(
          ownedArn,
          PREVIEW_TAG,
          'pr-1'
        ),
        'AddTags of the ownership key among others': await outcome(
          elb.send(
            new AddTagsCommand({
              ResourceArns: [ownedArn],
              Tags: [
                { Key: 'team', Value: 'web' },
                { Key: OWNER_TAG, Value: 'ecs-demo/rel-web' }
              ]
            })
          )
        ),
        'RemoveTags of the ownership key': await outcome(
          elb.send(new RemoveTagsCommand({ ResourceArns: [ownedArn], TagKeys: [OWNER_TAG] }))
        ),
        'AddTags on an untagged target group': await addTags(untagged?.TargetGroupArn, 'team'),
        'AddTags claiming an untagged target group': await addTags(
          untagged?.TargetGroupArn,
          OWNER_TAG,
          'ecs-demo/rel-web'
        ),
        "AddTags on another stack's target group": await addTags(otherGroup.TargetGroupArn, 'team'),
        'TagResource of a key of its own on the owned service': await tagService(serviceArn, 'team'),
        'UntagResource of that key': await outcome(
          ecs.send(new UntagResourceCommand({ resourceArn: serviceArn, tagKeys: ['team'] }))
        ),
        'TagResource setting the ownership key on the owned service': await tagService(
          serviceArn,
          OWNER_TAG,
          'ecs-demo/other'
        ),
        'UntagResource of the ownership key': await outcome(
          ecs.send(new UntagResourceCommand({ resourceArn: serviceArn, tagKeys: [OWNER_TAG] }))
        ),
        "TagResource on another stack's service": await tagService(otherService, 'team'),
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
        'AddTags of a key of its own on the owned target group': 'ok',
        'AddTags of a key of its own on the owned load balancer': 'ok',
        'RemoveTags of that key': 'ok',
        'AddTags setting the ownership key on the owned target group': 'AccessDenied',
        'AddTags setting the preview key on the owned target group': 'AccessDenied',
        'AddTags of the ownership key among others': 'AccessDenied',
        'RemoveTags of the ownership key': 'AccessDenied',
        'AddTags on an untagged target group': 'AccessDenied',
        'AddTags claiming an untagged target group': 'AccessDenied',
        "AddTags on another stack's target group": 'AccessDenied',
        'TagResource of a key of its own on the owned service': 'ok',
        'UntagResource of that key': 'ok',
        'TagResource setting the ownership key on the owned service': 'AccessDeniedException',
        'UntagResource of the ownership key': 'AccessDeniedException',
        "TagResource on another stack's service": 'AccessDeniedException',
        'ModifyTargetGroup of an untagged group': 'AccessDenied',
        'ModifyTargetGroup of an owned group': 'ok',
        'CreateTargetGroup tagged by a stack of another cluster': 'AccessDenied',
        'CreateService in another cluster': 'AccessDeniedException'
      })
      emu.setPolicy(undefined)
      // What was denied left the tags as they were.
      const [tags] =
        (await elb.send(new DescribeTagsCommand({ ResourceArns: [ownedArn] }))).TagDescriptions ?? []
      expect(Object.fromEntries((tags.Tags ?? []).map(t => [t.Key, t.Value]))).toEqual({
        [OWNER_TAG]: 'ecs-demo/rel-web'
      })
    } finally {
      elb.destroy()
      ecs.destroy()
    }
  })
})
