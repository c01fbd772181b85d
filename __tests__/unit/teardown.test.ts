import {
  DeleteServiceCommand,
  DeregisterTaskDefinitionCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  ListTaskDefinitionsCommand,
  UpdateServiceCommand,
  type Service,
  type Tag as EcsTag
} from '@aws-sdk/client-ecs'
import {
  DeleteListenerCommand,
  DeleteLoadBalancerCommand,
  DeleteRuleCommand,
  DeleteTargetGroupCommand,
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeRulesCommand,
  DescribeTagsCommand,
  DescribeTargetGroupsCommand,
  ElasticLoadBalancingV2Client,
  LoadBalancerNotFoundException,
  ResourceInUseException,
  TargetGroupNotFoundException,
  type Listener,
  type Rule,
  type Tag,
  type TargetGroup
} from '@aws-sdk/client-elastic-load-balancing-v2'
import { mockClient } from 'aws-sdk-client-mock'
import { applyPreview } from '../../src/inputs/preview.js'
import type { DeployRequest } from '../../src/model/request.js'
import { teardown } from '../../src/stages/teardown.js'
import { seedRequest } from '../fixtures/seed.js'

const P = 'arn:aws:elasticloadbalancing:ap-northeast-1:123456789012'
const ECS_P = 'arn:aws:ecs:ap-northeast-1:123456789012'
const LB = `${P}:loadbalancer/app/alb-demo/50dc6c495c0c9188`
const L80 = `${P}:listener/app/alb-demo/50dc6c495c0c9188/f2f7dc8efc522ab2`
const L443 = `${P}:listener/app/alb-demo/50dc6c495c0c9188/aaaaaaaaaaaaaaaa`
const BASE_TG = `${P}:targetgroup/default/73e2d6bc24d8a067`
const TG = `${P}:targetgroup/default-pr-12/1111111111111111`
const OTHER_TG = `${P}:targetgroup/default-pr-7/7777777777777777`
const RULE = `${L80.replace(':listener/', ':listener-rule/')}/0000000000000012`
const OTHER_RULE = `${L80.replace(':listener/', ':listener-rule/')}/0000000000000007`
const DEFAULT_RULE = `${L80.replace(':listener/', ':listener-rule/')}/default`
const td = (family: string, rev: number): string => `${ECS_P}:task-definition/${family}:${rev}`

const OURS = 'ecs-demo/ecs-simple-service-elb-pr-12'
const BASE_STACK = 'ecs-demo/ecs-simple-service-elb'
/** A preview's resources carry its id in the preview tag; a base stack's (preview null) none. */
const own = (stack = OURS, preview: string | null = 'pr-12'): Tag[] => [
  { Key: 'ecs-alb-deploy:stack', Value: stack },
  ...(preview ? [{ Key: 'ecs-alb-deploy:preview', Value: preview }] : [])
]
const ownEcs = (stack = OURS, preview: string | null = 'pr-12'): EcsTag[] =>
  own(stack, preview).map(t => ({ key: t.Key, value: t.Value }))

// Teardown reads only names (cluster, service, family, load balancer, target group) and the listener port.
const base = seedRequest({ maxAttempts: 1, delete: true, deleteBaseStack: true })
const request = applyPreview(base, { id: 'pr-12', routing: 'host', hostTemplate: '{id}.preview.example.com' })
const HOST = [{ Field: 'host-header', HostHeaderConfig: { Values: ['pr-12.preview.example.com'] } }]

/** What the account holds; the mocks answer from it and delete from it, so a second teardown sees the first. */
interface World {
  lbExists: boolean
  listeners: Listener[]
  rules: Rule[]
  targetGroups: TargetGroup[]
  elbTags: Record<string, Tag[]>
  services: Service[]
  taskDefinitions: { arn: string; tags: EcsTag[] }[]
  /** DeleteTargetGroup answers ResourceInUse this many times first. */
  targetGroupInUse: number
}

function ownedWorld(): World {
  return {
    lbExists: true,
    listeners: [
      {
        ListenerArn: L80,
        Port: 80,
        Protocol: 'HTTP',
        DefaultActions: [{ Type: 'forward', TargetGroupArn: BASE_TG }]
      },
      { ListenerArn: L443, Port: 443, Protocol: 'HTTPS', DefaultActions: [] }
    ],
    rules: [
      { RuleArn: DEFAULT_RULE, IsDefault: true, Priority: 'default', Conditions: [] },
      {
        RuleArn: OTHER_RULE,
        Priority: '1007',
        Conditions: [{ Field: 'host-header', HostHeaderConfig: { Values: ['pr-7.preview.example.com'] } }],
        Actions: [{ Type: 'forward', TargetGroupArn: OTHER_TG }]
      },
      {
        RuleArn: RULE,
        Priority: '1012',
        Conditions: HOST,
        Actions: [{ Type: 'forward', TargetGroupArn: TG }]
      }
    ],
    targetGroups: [
      { TargetGroupArn: BASE_TG, TargetGroupName: 'default' },
      { TargetGroupArn: OTHER_TG, TargetGroupName: 'default-pr-7' },
      { TargetGroupArn: TG, TargetGroupName: 'default-pr-12' }
    ],
    elbTags: {
      [LB]: own(BASE_STACK, null),
      [L80]: own(BASE_STACK, null),
      [BASE_TG]: own(BASE_STACK, null),
      [OTHER_RULE]: own('ecs-demo/ecs-simple-service-elb-pr-7', 'pr-7'),
      [OTHER_TG]: own('ecs-demo/ecs-simple-service-elb-pr-7', 'pr-7'),
      [RULE]: own(),
      [TG]: own()
    },
    services: [
      {
        serviceName: 'ecs-simple-service-elb-pr-12',
        status: 'ACTIVE',
        desiredCount: 2,
        tags: ownEcs(),
        loadBalancers: [{ targetGroupArn: TG, containerName: 'app', containerPort: 4567 }]
      }
    ],
    taskDefinitions: [
      { arn: td('ecscompose-ecs-app-pr-12', 1), tags: ownEcs() },
      { arn: td('ecscompose-ecs-app-pr-12', 2), tags: ownEcs() },
      // familyPrefix also lists this one: it is another preview's.
      {
        arn: td('ecscompose-ecs-app-pr-123', 1),
        tags: ownEcs('ecs-demo/ecs-simple-service-elb-pr-123', 'pr-123')
      }
    ],
    targetGroupInUse: 0
  }
}

interface Harness {
  world: World
  /** Mutating calls in the order they were made. */
  mutations: string[]
  run: (req?: DeployRequest) => Promise<{ removed: string[]; skipped: string[]; warnings: string[] }>
}

function harness(world: World): Harness {
  const ecs = mockClient(ECSClient)
  const elbv2 = mockClient(ElasticLoadBalancingV2Client)
  const mutations: string[] = []
  const tgByArn = (arn: string) => world.targetGroups.find(t => t.TargetGroupArn === arn)

  elbv2.on(DescribeLoadBalancersCommand).callsFake(() => {
    if (!world.lbExists) throw new LoadBalancerNotFoundException({ message: 'not found', $metadata: {} })
    return { LoadBalancers: [{ LoadBalancerArn: LB, LoadBalancerName: 'alb-demo' }] }
  })
  elbv2.on(DescribeListenersCommand).callsFake(() => ({ Listeners: world.listeners }))
  elbv2.on(DescribeRulesCommand).callsFake(() => ({ Rules: world.rules }))
  elbv2.on(DescribeTagsCommand).callsFake(({ ResourceArns }: { ResourceArns: string[] }) => ({
    TagDescriptions: ResourceArns.map(arn => ({ ResourceArn: arn, Tags: world.elbTags[arn] ?? [] }))
  }))
  elbv2
    .on(DescribeTargetGroupsCommand)
    .callsFake((input: { Names?: string[]; TargetGroupArns?: string[] }) => {
      const found = input.Names
        ? world.targetGroups.filter(t => input.Names?.includes(t.TargetGroupName ?? ''))
        : (input.TargetGroupArns ?? []).map(tgByArn)
      if (found.length === 0 || found.some(t => !t)) {
        throw new TargetGroupNotFoundException({
          message: 'One or more target groups not found',
          $metadata: {}
        })
      }
      return { TargetGroups: found }
    })
  elbv2.on(DeleteRuleCommand).callsFake(({ RuleArn }: { RuleArn: string }) => {
    mutations.push(`DeleteRule ${RuleArn}`)
    world.rules = world.rules.filter(r => r.RuleArn !== RuleArn)
    return {}
  })
  elbv2.on(DeleteTargetGroupCommand).callsFake(({ TargetGroupArn }: { TargetGroupArn: string }) => {
    mutations.push(`DeleteTargetGroup ${TargetGroupArn}`)
    if (world.targetGroupInUse-- > 0) {
      throw new ResourceInUseException({
        message: 'Target group is currently in use by a listener or a rule',
        $metadata: {}
      })
    }
    world.targetGroups = world.targetGroups.filter(t => t.TargetGroupArn !== TargetGroupArn)
    return {}
  })
  elbv2.on(DeleteLoadBalancerCommand).callsFake(() => mutations.push('DeleteLoadBalancer'))
  elbv2.on(DeleteListenerCommand).callsFake(() => mutations.push('DeleteListener'))

  ecs.on(DescribeServicesCommand).callsFake(({ services }: { services: string[] }) => ({
    services: world.services.filter(s => services.includes(s.serviceName ?? '')),
    failures: world.services.some(s => services.includes(s.serviceName ?? ''))
      ? []
      : [{ arn: services[0], reason: 'MISSING' }]
  }))
  ecs
    .on(UpdateServiceCommand)
    .callsFake(({ service, desiredCount }: { service: string; desiredCount: number }) => {
      mutations.push(`UpdateService ${service} desiredCount=${desiredCount}`)
      const s = world.services.find(x => x.serviceName === service)
      if (s) s.desiredCount = desiredCount
      return { service: s }
    })
  ecs.on(DeleteServiceCommand).callsFake(({ service }: { service: string }) => {
    mutations.push(`DeleteService ${service}`)
    const s = world.services.find(x => x.serviceName === service)
    if (s) s.status = 'DRAINING'
    return { service: s }
  })
  ecs.on(ListTaskDefinitionsCommand).callsFake(({ familyPrefix }: { familyPrefix: string }) => ({
    taskDefinitionArns: world.taskDefinitions.map(t => t.arn).filter(arn => arn.includes(`/${familyPrefix}`))
  }))
  ecs.on(DescribeTaskDefinitionCommand).callsFake(({ taskDefinition }: { taskDefinition: string }) => ({
    taskDefinition: { taskDefinitionArn: taskDefinition },
    tags: world.taskDefinitions.find(t => t.arn === taskDefinition)?.tags ?? []
  }))
  ecs.on(DeregisterTaskDefinitionCommand).callsFake(({ taskDefinition }: { taskDefinition: string }) => {
    mutations.push(`DeregisterTaskDefinition ${taskDefinition}`)
    world.taskDefinitions = world.taskDefinitions.filter(t => t.arn !== taskDefinition)
    return {}
  })

  const clients = {
    ecs: new ECSClient({ region: 'ap-northeast-1' }),
    elbv2: new ElasticLoadBalancingV2Client({ region: 'ap-northeast-1' })
  }
  return {
    world,
    mutations,
    run: async (req = request) => {
      const warnings: string[] = []
      const result = await teardown({ clients, request: req, warn: w => warnings.push(w), retryDelayMs: 1 })
      return { ...result, warnings }
    }
  }
}

describe('teardown of a preview', () => {
  test('present and owned: the exact deletes, in order; the shared load balancer and listener stay', async () => {
    const h = harness(ownedWorld())
    const result = await h.run()
    expect(h.mutations).toEqual([
      'UpdateService ecs-simple-service-elb-pr-12 desiredCount=0',
      'DeleteService ecs-simple-service-elb-pr-12',
      `DeleteRule ${RULE}`,
      `DeleteTargetGroup ${TG}`,
      `DeregisterTaskDefinition ${td('ecscompose-ecs-app-pr-12', 1)}`,
      `DeregisterTaskDefinition ${td('ecscompose-ecs-app-pr-12', 2)}`
    ])
    expect(result.removed).toEqual([
      'service ecs-simple-service-elb-pr-12 (scaled to 0, deleted)',
      `listener rule ${RULE} (priority 1012)`,
      'target group default-pr-12',
      'task definition ecscompose-ecs-app-pr-12:1 (deregistered)',
      'task definition ecscompose-ecs-app-pr-12:2 (deregistered)'
    ])
    expect(result.warnings).toEqual([])
    // The other preview and the base stack are untouched.
    expect(h.world.rules.map(r => r.RuleArn)).toEqual([DEFAULT_RULE, OTHER_RULE])
    expect(h.world.targetGroups.map(t => t.TargetGroupArn)).toEqual([BASE_TG, OTHER_TG])
    expect(h.world.taskDefinitions.map(t => t.arn)).toEqual([td('ecscompose-ecs-app-pr-123', 1)])
  })

  test('run again (everything already gone): succeeds, removes nothing, says what it skipped', async () => {
    const h = harness(ownedWorld())
    await h.run()
    h.mutations.length = 0
    const again = await h.run()
    expect(h.mutations).toEqual([])
    expect(again.removed).toEqual([])
    expect(again.skipped).toEqual([
      'service ecs-simple-service-elb-pr-12 (already being deleted)',
      'listener rule (already gone)',
      'target group default-pr-12 (already gone)',
      'task definition family ecscompose-ecs-app-pr-12 (no ACTIVE revision, already gone)'
    ])
  })

  test('nothing was ever created (no service, no load balancer): succeeds with skips only', async () => {
    const world: World = {
      ...ownedWorld(),
      lbExists: false,
      services: [],
      targetGroups: [],
      taskDefinitions: []
    }
    const h = harness(world)
    const result = await h.run()
    expect(h.mutations).toEqual([])
    expect(result.removed).toEqual([])
    expect(result.skipped).toEqual([
      'service ecs-simple-service-elb-pr-12 (already gone)',
      'listener rule: the load balancer is gone (already gone)',
      'target group default-pr-12 (already gone)',
      'task definition family ecscompose-ecs-app-pr-12 (no ACTIVE revision, already gone)'
    ])
  })

  test('present but not owned: nothing deleted, each one named in a warning', async () => {
    const world = ownedWorld()
    world.elbTags[RULE] = own('someone/else')
    world.elbTags[TG] = []
    world.services[0].tags = [{ key: 'team', value: 'web' }]
    world.taskDefinitions[0].tags = []
    world.taskDefinitions[1].tags = []
    const h = harness(world)
    const result = await h.run()
    expect(h.mutations).toEqual([])
    expect(result.removed).toEqual([])
    expect(result.warnings).toHaveLength(4)
    expect(result.warnings[1]).toMatch(
      /listener rule .*0000000000000012 \(priority 1012\).* belongs to someone\/else/
    )
    expect(result.warnings[0]).toMatch(/service ecs-simple-service-elb-pr-12 .*not created by this action/)
    expect(result.warnings[2]).toMatch(/target group default-pr-12 .*left in place/)
    expect(result.warnings[3]).toMatch(
      /ecscompose-ecs-app-pr-12:1, ecscompose-ecs-app-pr-12:2 .*left registered/
    )
  })

  test('target group still in use right after the rule went: retried, then deleted', async () => {
    const world = ownedWorld()
    world.targetGroupInUse = 2
    const h = harness(world)
    const result = await h.run()
    expect(h.mutations.filter(m => m.startsWith('DeleteTargetGroup'))).toHaveLength(3)
    expect(result.removed).toContain('target group default-pr-12')
  })

  test('target group in use for good: left in place with a warning, the rest still goes', async () => {
    const world = ownedWorld()
    world.targetGroupInUse = 100
    const h = harness(world)
    const result = await h.run()
    expect(h.mutations.filter(m => m.startsWith('DeleteTargetGroup'))).toHaveLength(5)
    expect(result.warnings).toEqual([
      expect.stringMatching(/default-pr-12 is still in use .* after 5 attempts/)
    ])
    expect(result.removed).toHaveLength(4)
  })
})

describe('teardown of a plain (non-preview) stack', () => {
  test('a target group the shared listener forwards to by default is never deleted, nor the listener', async () => {
    const world = ownedWorld()
    world.services = [
      {
        serviceName: 'ecs-simple-service-elb',
        status: 'ACTIVE',
        desiredCount: 0,
        tags: ownEcs(BASE_STACK, null),
        loadBalancers: [{ targetGroupArn: BASE_TG }]
      }
    ]
    world.taskDefinitions = [{ arn: td('ecscompose-ecs-app', 22), tags: [] }]
    const h = harness(world)
    const result = await h.run(base)
    // desiredCount already 0: no UpdateService.
    expect(h.mutations).toEqual(['DeleteService ecs-simple-service-elb'])
    expect(result.skipped).toContain('listener rule (already gone)')
    expect(result.warnings).toEqual([
      expect.stringMatching(
        /target group default: the listener on port 80 forwards to it by default.*left in place/
      ),
      expect.stringMatching(/ecscompose-ecs-app:22 do not carry/)
    ])
  })

  test('a task definition given by reference is never deregistered', async () => {
    const world = ownedWorld()
    const h = harness(world)
    const result = await h.run({
      ...request,
      taskDefinition: { kind: 'reference', ref: 'ecscompose-ecs-app:22' }
    })
    expect(h.mutations.some(m => m.startsWith('Deregister'))).toBe(false)
    expect(result.skipped).toContain(
      'task definition ecscompose-ecs-app:22 (given by reference, not registered by this action)'
    )
  })
})

describe('stacks whose ids collide: <service>-<id> as a preview and as a real service', () => {
  // The preview pr-12 of ecs-simple-service-elb and a real service ecs-simple-service-elb-pr-12 both get the
  // ownership tag ecs-demo/ecs-simple-service-elb-pr-12: only the preview tag tells them apart.
  const realStack = { ...request, preview: undefined, deleteBaseStack: true }

  test("a preview's teardown leaves the real stack of the same id alone", async () => {
    const world = ownedWorld()
    for (const arn of [RULE, TG]) world.elbTags[arn] = own(OURS, null)
    world.services[0].tags = ownEcs(OURS, null)
    for (const t of world.taskDefinitions.slice(0, 2)) t.tags = ownEcs(OURS, null)
    const h = harness(world)
    const result = await h.run()
    expect(h.mutations).toEqual([])
    expect(result.removed).toEqual([])
    expect(result.warnings).toEqual([
      expect.stringMatching(/service ecs-simple-service-elb-pr-12 .*not a preview.*left in place/),
      expect.stringMatching(/listener rule .*0000000000000012.*not a preview.*left in place/),
      expect.stringMatching(/target group default-pr-12 .*not a preview.*left in place/),
      expect.stringMatching(/ecscompose-ecs-app-pr-12:1, ecscompose-ecs-app-pr-12:2 .*left registered/)
    ])
  })

  test("a preview's teardown leaves another preview's resources alone, even with the same stack tag", async () => {
    const world = ownedWorld()
    world.services[0].tags = ownEcs(OURS, 'pr-99')
    const h = harness(world)
    const result = await h.run()
    expect(h.mutations.filter(m => m.includes('Service'))).toEqual([])
    expect(result.warnings[0]).toMatch(/belongs to preview pr-99/)
  })

  test("a non-preview teardown never removes what carries a preview tag (the preview's stack id is its own)", async () => {
    const h = harness(ownedWorld())
    const result = await h.run(realStack)
    expect(h.mutations).toEqual([])
    expect(result.removed).toEqual([])
    expect(result.warnings).toHaveLength(4)
    for (const w of result.warnings) expect(w).toMatch(/preview pr-12|left registered/)
  })

  test('the real stack itself is still removed by its own (confirmed) teardown', async () => {
    const world = ownedWorld()
    for (const arn of [RULE, TG]) world.elbTags[arn] = own(OURS, null)
    world.services[0].tags = ownEcs(OURS, null)
    for (const t of world.taskDefinitions.slice(0, 2)) t.tags = ownEcs(OURS, null)
    const h = harness(world)
    const result = await h.run(realStack)
    expect(result.removed).toHaveLength(5)
  })
})

describe('a base stack (no preview) is removed only when confirmed', () => {
  test('delete without a preview and without deleteBaseStack: refused before any call', async () => {
    const h = harness(ownedWorld())
    const calls: string[] = []
    await expect(
      teardown({
        clients: {
          ecs: { send: (c: object) => calls.push(c.constructor.name) },
          elbv2: { send: (c: object) => calls.push(c.constructor.name) }
        } as never,
        request: { ...base, deleteBaseStack: false }
      })
    ).rejects.toThrow(/delete-base-stack: true/)
    expect(calls).toEqual([])
    expect(h.mutations).toEqual([])
  })
})

describe('dry run', () => {
  test('reads, lists what it would remove with the calls, and makes no mutating call', async () => {
    const h = harness(ownedWorld())
    const lines: string[] = []
    const result = await teardown({
      clients: {
        ecs: new ECSClient({ region: 'ap-northeast-1' }),
        elbv2: new ElasticLoadBalancingV2Client({ region: 'ap-northeast-1' })
      },
      request,
      dryRun: true,
      log: l => lines.push(l)
    })
    expect(h.mutations).toEqual([])
    expect(result.removed).toEqual([])
    expect(result.plan.removals.map(r => [r.resource, r.name, r.calls])).toEqual([
      ['service', 'ecs-simple-service-elb-pr-12', ['UpdateService', 'DeleteService']],
      ['listener-rule', RULE, ['DeleteRule']],
      ['target-group', 'default-pr-12', ['DeleteTargetGroup']],
      ['task-definition', 'ecscompose-ecs-app-pr-12:1', ['DeregisterTaskDefinition']],
      ['task-definition', 'ecscompose-ecs-app-pr-12:2', ['DeregisterTaskDefinition']]
    ])
    expect(lines.filter(l => l.startsWith('would remove'))).toHaveLength(5)
    // The world is as it was: the real run after it removes all five.
    expect((await h.run()).removed).toHaveLength(5)
  })
})
