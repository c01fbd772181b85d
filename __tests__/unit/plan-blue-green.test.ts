import type { Service } from '@aws-sdk/client-ecs'
import type { Action, Listener, Rule, TargetGroup } from '@aws-sdk/client-elastic-load-balancing-v2'
import { describe, expect, test } from '@jest/globals'
import { emptyActual, type Actual } from '../../src/model/actual.js'
import { catchAllRule } from '../../src/model/deployment-strategy.js'
import type { DeployRequest } from '../../src/model/request.js'
import { NO_ROUTE_ACTION } from '../../src/resources/listener.js'
import { buildPlan } from '../../src/stages/plan.js'
import { seedRequest, seedTaskDefinition, STACK_TAG } from '../fixtures/seed.js'

const P = 'arn:aws:elasticloadbalancing:ap-northeast-1:123456789012'
const LB_ARN = `${P}:loadbalancer/app/alb-demo/1`
const TG = `${P}:targetgroup/default/1`
const ALT = `${P}:targetgroup/default-alt/2`
const LISTENER = `${P}:listener/app/alb-demo/1/1`
const TEST_LISTENER = `${P}:listener/app/alb-demo/1/2`
const RULE = `${P}:listener-rule/app/alb-demo/1/1/10`
const TEST_RULE = `${P}:listener-rule/app/alb-demo/1/2/20`
const TD_ARN = 'arn:aws:ecs:ap-northeast-1:123456789012:task-definition/ecscompose-ecs-app:1'
const ROLE = 'arn:aws:iam::123456789012:role/ecsInfrastructureRoleForLoadBalancers'
const owned = { [STACK_TAG.Key]: STACK_TAG.Value }

function request(
  config: Record<string, unknown> = { strategy: 'BLUE_GREEN', bakeTimeInMinutes: 5 }
): DeployRequest {
  return seedRequest({
    service: {
      serviceName: 'ecs-simple-service-elb',
      desiredCount: 2,
      deploymentConfiguration: config,
      loadBalancers: [{ containerName: 'app', containerPort: 4567, advancedConfiguration: { roleArn: ROLE } }]
    },
    listenerRule: catchAllRule(),
    testListener: { Port: 9000, Protocol: 'HTTP' }
  })
}

const targetGroup = (arn: string, name: string): TargetGroup => ({
  TargetGroupArn: arn,
  TargetGroupName: name,
  Protocol: 'HTTP',
  Port: 80,
  VpcId: 'vpc-xxxxxxxx',
  TargetType: 'instance',
  HealthCheckPath: '/hostname',
  HealthCheckIntervalSeconds: 30,
  HealthCheckTimeoutSeconds: 15,
  HealthyThresholdCount: 3,
  UnhealthyThresholdCount: 3,
  Matcher: { HttpCode: '200' }
})

const listener = (arn: string, port: number): Listener => ({
  ListenerArn: arn,
  LoadBalancerArn: LB_ARN,
  Port: port,
  Protocol: 'HTTP',
  DefaultActions: [NO_ROUTE_ACTION]
})

/** A forward to both groups as DescribeRules answers it, with ECS's weights of the moment. */
const weighted = (weights: Record<string, number>): Action[] => [
  {
    Type: 'forward',
    ForwardConfig: {
      TargetGroups: Object.entries(weights).map(([TargetGroupArn, Weight]) => ({ TargetGroupArn, Weight }))
    }
  }
]

const rule = (arn: string, actions: Action[]): Rule => ({
  RuleArn: arn,
  Priority: '50000',
  IsDefault: false,
  Conditions: [{ Field: 'path-pattern', Values: ['/*'], PathPatternConfig: { Values: ['/*'] } }],
  Actions: actions
})

/** The service as ECS describes it; `live` is the group it names primary (they swap after a deployment). */
const service = (live = TG): Service => ({
  serviceArn: 'arn:aws:ecs:ap-northeast-1:123456789012:service/ecs-demo/ecs-simple-service-elb',
  serviceName: 'ecs-simple-service-elb',
  status: 'ACTIVE',
  taskDefinition: TD_ARN,
  desiredCount: 2,
  deploymentConfiguration: {
    strategy: 'BLUE_GREEN',
    bakeTimeInMinutes: 5,
    maximumPercent: 200,
    minimumHealthyPercent: 100
  },
  loadBalancers: [
    {
      targetGroupArn: live,
      containerName: 'app',
      containerPort: 4567,
      advancedConfiguration: {
        alternateTargetGroupArn: live === TG ? ALT : TG,
        productionListenerRule: RULE,
        testListenerRule: TEST_RULE,
        roleArn: ROLE
      }
    }
  ],
  tags: [{ key: STACK_TAG.Key, value: STACK_TAG.Value }],
  deployments: [{ id: 'ecs-svc/1', status: 'PRIMARY', rolloutState: 'COMPLETED', taskDefinition: TD_ARN }]
})

/** A converged blue/green stack; the rules' weights as ECS left them. */
function deployed(weights: Record<string, number> = { [TG]: 100, [ALT]: 0 }, live = TG): Actual {
  return {
    ...emptyActual(),
    loadBalancer: {
      LoadBalancerArn: LB_ARN,
      LoadBalancerName: 'alb-demo',
      DNSName: 'alb-demo-1.elb.amazonaws.com',
      Type: 'application',
      Scheme: 'internet-facing',
      VpcId: 'vpc-xxxxxxxx',
      SecurityGroups: ['sg-12345678'],
      AvailabilityZones: [{ SubnetId: 'subnet-abcdefgh' }, { SubnetId: 'subnet-12345678' }]
    },
    targetGroup: targetGroup(TG, 'default'),
    alternateTargetGroup: targetGroup(ALT, 'default-alt'),
    listeners: [listener(LISTENER, 80), listener(TEST_LISTENER, 9000)],
    rules: [rule(RULE, weighted(weights))],
    testRules: [rule(TEST_RULE, weighted(weights))],
    elbTags: Object.fromEntries(
      [LB_ARN, TG, ALT, LISTENER, TEST_LISTENER, RULE, TEST_RULE].map(a => [a, owned])
    ),
    taskDefinition: {
      taskDefinitionArn: TD_ARN,
      family: 'ecscompose-ecs-app',
      revision: 1,
      status: 'ACTIVE',
      networkMode: 'bridge',
      containerDefinitions: [
        {
          name: 'app',
          image: 'inokara/ecs-app:latest',
          cpu: 0,
          memory: 128,
          essential: true,
          portMappings: [{ containerPort: 4567, hostPort: 0, protocol: 'tcp' }]
        }
      ]
    },
    service: service(live)
  }
}

const summary = (r: DeployRequest, a: Actual): string[] =>
  buildPlan({ request: r, actual: a }).steps.map(s => `${s.resource}:${s.action}:${s.calls.join('+')}`)

const ALL_NONE = [
  'task-definition:none:',
  'load-balancer:none:',
  'target-group:none:',
  'target-group:none:',
  'listener:none:',
  'test-listener:none:',
  'listener-rule:none:',
  'test-listener-rule:none:',
  'service:none:'
]

describe('buildPlan under a native strategy (ECS owns the weights)', () => {
  test.each<{ title: string; actual: Actual }>([
    { title: 'converged, all traffic on the primary', actual: deployed() },
    {
      title: 'mid-deployment, ECS has moved 30% to the alternate',
      actual: deployed({ [TG]: 70, [ALT]: 30 })
    },
    { title: 'after a swap: the alternate is live', actual: deployed({ [TG]: 0, [ALT]: 100 }, ALT) },
    {
      title: 'after a swap, weights spelled as a single forward',
      actual: {
        ...deployed({ [ALT]: 100 }, ALT),
        rules: [
          rule(RULE, [
            {
              Type: 'forward',
              TargetGroupArn: ALT,
              ForwardConfig: {
                TargetGroups: [
                  { TargetGroupArn: ALT, Weight: 100 },
                  { TargetGroupArn: TG, Weight: 0 }
                ]
              }
            }
          ])
        ]
      }
    }
  ])('an identical re-run changes nothing: $title', ({ actual }) => {
    expect(summary(request(), actual)).toEqual(ALL_NONE)
  })

  test('nothing exists: both groups, both listeners, both rules and the service with advancedConfiguration', () => {
    const plan = buildPlan({ request: request(), actual: emptyActual() })
    expect(plan.steps.map(s => `${s.resource}:${s.action}`)).toEqual([
      'task-definition:create',
      'load-balancer:create',
      'target-group:create',
      'target-group:create',
      'listener:create',
      'test-listener:create',
      'listener-rule:create',
      'test-listener-rule:create',
      'service:create'
    ])
    const tgs = plan.steps.filter(s => s.resource === 'target-group')
    expect(tgs.map(s => s.name)).toEqual(['default', 'default-alt'])
    const [primaryCreate, alternateCreate] = tgs.map(
      s => s.operations[0]?.do.input as Record<string, unknown>
    )
    const { Name: _a, ...primarySettings } = primaryCreate ?? {}
    const { Name: _b, ...alternateSettings } = alternateCreate ?? {}
    expect(alternateSettings).toEqual(primarySettings)

    const ruleInput = (kind: string) =>
      plan.steps.find(s => s.resource === kind)?.operations[0]?.do.input as {
        Actions: Action[]
        Priority: number
      }
    for (const kind of ['listener-rule', 'test-listener-rule']) {
      expect(ruleInput(kind).Priority).toBe(50000)
      expect(ruleInput(kind).Actions).toEqual(
        weighted({ '(new target group default)': 100, '(new target group default-alt)': 0 })
      )
    }
    const testListener = plan.steps.find(s => s.resource === 'test-listener')?.operations[0]?.do.input
    expect(testListener).toMatchObject({ Port: 9000, DefaultActions: [NO_ROUTE_ACTION] })

    const create = plan.steps.find(s => s.resource === 'service')?.operations[0]?.do.input as Service
    expect(create.loadBalancers).toEqual([
      {
        targetGroupArn: '(new target group default)',
        containerName: 'app',
        containerPort: 4567,
        advancedConfiguration: {
          roleArn: ROLE,
          alternateTargetGroupArn: '(new target group default-alt)',
          productionListenerRule: expect.stringMatching(/^\(new listener rule \{/),
          testListenerRule: expect.stringMatching(/^\(new listener rule test /)
        }
      }
    ])
    expect(create.deploymentConfiguration).toEqual({ strategy: 'BLUE_GREEN', bakeTimeInMinutes: 5 })
  })

  test('a new image after a swap: only the task definition and the service, loadBalancers untouched', () => {
    const r = request()
    if (r.taskDefinition.kind !== 'register') throw new Error('fixture')
    r.taskDefinition.input = {
      ...seedTaskDefinition(),
      containerDefinitions: [
        { ...seedTaskDefinition().containerDefinitions?.[0], name: 'app', image: 'inokara/ecs-app:v2' }
      ]
    }
    const plan = buildPlan({ request: r, actual: deployed({ [TG]: 0, [ALT]: 100 }, ALT) })
    expect(plan.steps.filter(s => s.action !== 'none').map(s => `${s.resource}:${s.action}`)).toEqual([
      'task-definition:update',
      'service:update'
    ])
    const update = plan.steps.find(s => s.resource === 'service')?.operations[0]?.do.input
    expect(Object.keys(update ?? {}).sort()).toEqual(['cluster', 'service', 'taskDefinition'])
  })

  test('a rule whose conditions changed is modified without its actions (ECS holds the weights)', () => {
    const actual = deployed({ [TG]: 40, [ALT]: 60 })
    actual.rules = [
      {
        ...rule(RULE, weighted({ [TG]: 40, [ALT]: 60 })),
        Conditions: [{ Field: 'path-pattern', Values: ['/old/*'] }]
      }
    ]
    const step = buildPlan({ request: request(), actual }).steps.find(s => s.resource === 'listener-rule')
    const op = step?.operations[0]
    expect(op?.do).toEqual({
      call: 'ModifyRule',
      input: { RuleArn: RULE, Conditions: catchAllRule().Conditions }
    })
    expect(op?.inverse?.input).not.toHaveProperty('Actions')
  })

  test('a ROLLING service turned BLUE_GREEN: the alternate group and the rules are created, the service updated', () => {
    const actual = deployed()
    delete actual.alternateTargetGroup
    actual.rules = []
    actual.testRules = []
    actual.listeners = [listener(LISTENER, 80)]
    actual.service = {
      ...service(),
      deploymentConfiguration: { strategy: 'ROLLING', maximumPercent: 200, minimumHealthyPercent: 100 },
      loadBalancers: [{ targetGroupArn: TG, containerName: 'app', containerPort: 4567 }]
    }
    expect(summary(request(), actual)).toEqual([
      'task-definition:none:',
      'load-balancer:none:',
      'target-group:none:',
      'target-group:create:CreateTargetGroup',
      'listener:none:',
      'test-listener:create:CreateListener',
      'listener-rule:create:CreateRule',
      'test-listener-rule:create:CreateRule',
      'service:update:UpdateService'
    ])
  })

  test('a protocol change of the primary group is refused, not swapped in under ECS', () => {
    const r = request()
    r.targetGroup = { ...(r.targetGroup as NonNullable<DeployRequest['targetGroup']>), Port: 8080 }
    expect(() => buildPlan({ request: r, actual: deployed() })).toThrow(
      /ECS moves traffic between the two target groups itself/
    )
  })
})
