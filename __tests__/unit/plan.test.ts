import type { Service } from '@aws-sdk/client-ecs'
import type { Listener, LoadBalancer, TargetGroup } from '@aws-sdk/client-elastic-load-balancing-v2'
import { describe, expect, test } from '@jest/globals'
import { emptyActual, type Actual } from '../../src/model/actual.js'
import { PROBE_CALLS } from '../../src/resources/steps.js'
import { buildPlan } from '../../src/stages/plan.js'
import type { DeployRequest } from '../../src/model/request.js'
import { seedRequest, STACK_TAG } from '../fixtures/seed.js'
import { applyPreview, PREVIEW_TAG } from '../../src/inputs/preview.js'

const LB_ARN = 'arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:loadbalancer/app/alb-demo/1'
const TG_ARN = 'arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:targetgroup/default/1'
const LISTENER_ARN = 'arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:listener/app/alb-demo/1/1'
const TD_ARN = 'arn:aws:ecs:ap-northeast-1:123456789012:task-definition/ecscompose-ecs-app:1'
const SVC_ARN = 'arn:aws:ecs:ap-northeast-1:123456789012:service/ecs-demo/ecs-simple-service-elb'
const owned = { [STACK_TAG.Key]: STACK_TAG.Value }

const loadBalancer = (): LoadBalancer => ({
  LoadBalancerArn: LB_ARN,
  LoadBalancerName: 'alb-demo',
  DNSName: 'alb-demo-1.elb.amazonaws.com',
  Scheme: 'internet-facing',
  Type: 'application',
  VpcId: 'vpc-xxxxxxxx',
  SecurityGroups: ['sg-12345678'],
  AvailabilityZones: [{ SubnetId: 'subnet-abcdefgh' }, { SubnetId: 'subnet-12345678' }]
})

const targetGroup = (): TargetGroup => ({
  TargetGroupArn: TG_ARN,
  TargetGroupName: 'default',
  Protocol: 'HTTP',
  Port: 80,
  VpcId: 'vpc-xxxxxxxx',
  TargetType: 'instance',
  ProtocolVersion: 'HTTP1',
  HealthCheckProtocol: 'HTTP',
  HealthCheckPort: 'traffic-port',
  HealthCheckEnabled: true,
  HealthCheckPath: '/hostname',
  HealthCheckIntervalSeconds: 30,
  HealthCheckTimeoutSeconds: 15,
  HealthyThresholdCount: 3,
  UnhealthyThresholdCount: 3,
  Matcher: { HttpCode: '200' },
  LoadBalancerArns: [LB_ARN]
})

const listener = (): Listener => ({
  ListenerArn: LISTENER_ARN,
  LoadBalancerArn: LB_ARN,
  Port: 80,
  Protocol: 'HTTP',
  DefaultActions: [
    {
      Type: 'forward',
      TargetGroupArn: TG_ARN,
      ForwardConfig: { TargetGroups: [{ TargetGroupArn: TG_ARN, Weight: 1 }] }
    }
  ]
})

const service = (): Service => ({
  serviceArn: SVC_ARN,
  serviceName: 'ecs-simple-service-elb',
  status: 'ACTIVE',
  taskDefinition: TD_ARN,
  desiredCount: 2,
  launchType: 'EC2',
  roleArn: 'arn:aws:iam::123456789012:role/ecsServiceRole',
  loadBalancers: [{ targetGroupArn: TG_ARN, containerName: 'app', containerPort: 4567 }],
  tags: [{ key: STACK_TAG.Key, value: STACK_TAG.Value }],
  deployments: [{ id: 'ecs-svc/1', status: 'PRIMARY' }]
})

/** Everything the seed deploy made, as discover reports it. */
function deployed(): Actual {
  return {
    ...emptyActual(),
    loadBalancer: loadBalancer(),
    targetGroup: targetGroup(),
    listeners: [listener()],
    elbTags: { [LB_ARN]: owned, [TG_ARN]: owned, [LISTENER_ARN]: owned },
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
    service: service()
  }
}

const summary = (request: DeployRequest, actual: Actual): string[] =>
  buildPlan({ request, actual }).steps.map(s => `${s.resource}:${s.action}:${s.calls.join('+')}`)

describe('buildPlan', () => {
  test.each<{
    title: string
    request?: (r: DeployRequest) => void
    actual?: (a: Actual) => void
    steps: string[]
  }>([
    {
      title: 'nothing exists: everything is created in dependency order',
      actual: a => {
        delete a.loadBalancer
        delete a.targetGroup
        delete a.taskDefinition
        delete a.service
        a.listeners = []
      },
      steps: [
        'task-definition:create:RegisterTaskDefinition',
        'load-balancer:create:CreateLoadBalancer',
        'target-group:create:CreateTargetGroup',
        'listener:create:CreateListener',
        'service:create:CreateService'
      ]
    },
    {
      title: 'everything as asked: nothing to do',
      steps: [
        'task-definition:none:',
        'load-balancer:none:',
        'target-group:none:',
        'listener:none:',
        'service:none:'
      ]
    },
    {
      title: 'an owned load balancer with other security groups is updated in place',
      request: r => {
        if (r.loadBalancer?.kind === 'manage') r.loadBalancer.input.SecurityGroups = ['sg-new']
      },
      steps: [
        'task-definition:none:',
        'load-balancer:update:SetSecurityGroups',
        'target-group:none:',
        'listener:none:',
        'service:none:'
      ]
    },
    {
      title: 'a not-owned load balancer is left alone',
      request: r => {
        if (r.loadBalancer?.kind === 'manage') r.loadBalancer.input.Subnets = ['subnet-other']
      },
      actual: a => {
        a.elbTags[LB_ARN] = {}
      },
      steps: [
        'task-definition:none:',
        'load-balancer:none:',
        'target-group:none:',
        'listener:none:',
        'service:none:'
      ]
    },
    {
      title: 'an INACTIVE service (reported absent) is created anew',
      actual: a => {
        delete a.service
      },
      steps: [
        'task-definition:none:',
        'load-balancer:none:',
        'target-group:none:',
        'listener:none:',
        'service:create:CreateService'
      ]
    },
    {
      title: 'an existing revision with images it already has: nothing registered',
      request: r => {
        r.taskDefinition = {
          kind: 'reference',
          ref: 'ecscompose-ecs-app:1',
          images: { app: 'inokara/ecs-app:latest' }
        }
      },
      actual: a => {
        a.baseTaskDefinition = { taskDefinition: a.taskDefinition, tags: [] }
      },
      steps: [
        'task-definition:none:',
        'load-balancer:none:',
        'target-group:none:',
        'listener:none:',
        'service:none:'
      ]
    },
    {
      title: 'an existing revision with another image: registered anew, the service moved to it',
      request: r => {
        r.taskDefinition = {
          kind: 'reference',
          ref: 'ecscompose-ecs-app',
          images: { app: 'inokara/ecs-app:v2' }
        }
      },
      actual: a => {
        a.baseTaskDefinition = { taskDefinition: a.taskDefinition, tags: [] }
      },
      steps: [
        'task-definition:update:RegisterTaskDefinition',
        'load-balancer:none:',
        'target-group:none:',
        'listener:none:',
        'service:update:UpdateService'
      ]
    },
    {
      title: 'target group attributes as asked: nothing to do',
      request: r => {
        r.targetGroupAttributes = { 'deregistration_delay.timeout_seconds': '30' }
      },
      actual: a => {
        a.targetGroupAttributes = {
          [TG_ARN]: { 'deregistration_delay.timeout_seconds': '30', 'stickiness.enabled': 'false' }
        }
      },
      steps: [
        'task-definition:none:',
        'load-balancer:none:',
        'target-group:none:',
        'listener:none:',
        'service:none:'
      ]
    },
    {
      title: 'a target group attribute that differs: only ModifyTargetGroupAttributes',
      request: r => {
        r.targetGroupAttributes = {
          'deregistration_delay.timeout_seconds': '30',
          'stickiness.enabled': 'false'
        }
      },
      actual: a => {
        a.targetGroupAttributes = {
          [TG_ARN]: { 'deregistration_delay.timeout_seconds': '300', 'stickiness.enabled': 'false' }
        }
      },
      steps: [
        // A target group changed in place leads the plan, probe or not.
        'target-group:update:ModifyTargetGroupAttributes',
        'task-definition:none:',
        'load-balancer:none:',
        'listener:none:',
        'service:none:'
      ]
    },
    {
      title: 'a health check and an attribute that differ: both calls, health check first',
      request: r => {
        r.targetGroupAttributes = { 'slow_start.duration_seconds': '30' }
        if (r.targetGroup) r.targetGroup.HealthCheckPath = '/healthz'
      },
      actual: a => {
        a.targetGroupAttributes = { [TG_ARN]: { 'slow_start.duration_seconds': '0' } }
      },
      steps: [
        // The probe's calls come first: the new check is proven on the current targets before the change,
        // and the step that carries it leads the plan (apply makes its calls in the plan's order).
        'target-group:update:CreateTargetGroup+CreateRule+RegisterTargets+DeleteRule+DeleteTargetGroup+ModifyTargetGroup+ModifyTargetGroupAttributes',
        'task-definition:none:',
        'load-balancer:none:',
        'listener:none:',
        'service:none:'
      ]
    },
    {
      title: 'attributes on a new load balancer and target group are set right after each is created',
      request: r => {
        r.loadBalancerAttributes = { 'idle_timeout.timeout_seconds': '120' }
        r.targetGroupAttributes = { 'deregistration_delay.timeout_seconds': '30' }
      },
      actual: a => {
        delete a.loadBalancer
        delete a.targetGroup
        a.listeners = []
      },
      steps: [
        'task-definition:none:',
        'load-balancer:create:CreateLoadBalancer+ModifyLoadBalancerAttributes',
        'target-group:create:CreateTargetGroup+ModifyTargetGroupAttributes',
        'listener:create:CreateListener',
        'service:update:UpdateService'
      ]
    },
    {
      title: 'an owned load balancer whose attribute differs is modified',
      request: r => {
        r.loadBalancerAttributes = { 'idle_timeout.timeout_seconds': '120' }
      },
      actual: a => {
        a.loadBalancerAttributes = { 'idle_timeout.timeout_seconds': '60' }
      },
      steps: [
        'task-definition:none:',
        'load-balancer:update:ModifyLoadBalancerAttributes',
        'target-group:none:',
        'listener:none:',
        'service:none:'
      ]
    },
    {
      title: 'a not-owned load balancer keeps its attributes (warned, not modified)',
      request: r => {
        r.loadBalancerAttributes = { 'idle_timeout.timeout_seconds': '120' }
      },
      actual: a => {
        a.loadBalancerAttributes = { 'idle_timeout.timeout_seconds': '60' }
        a.elbTags[LB_ARN] = {}
      },
      steps: [
        'task-definition:none:',
        'load-balancer:none:',
        'target-group:none:',
        'listener:none:',
        'service:none:'
      ]
    },
    {
      title: 'a listener forwarding elsewhere is pointed at the target group',
      actual: a => {
        a.listeners = [{ ...listener(), DefaultActions: [{ Type: 'forward', TargetGroupArn: 'arn:other' }] }]
      },
      steps: [
        'task-definition:none:',
        'load-balancer:none:',
        'target-group:none:',
        'listener:update:ModifyListener',
        'service:none:'
      ]
    },
    {
      title: 'a listener rule on the shared listener: the listener is left alone, the rule created',
      request: r => {
        r.listenerRule = {
          Conditions: [{ Field: 'path-pattern', Values: ['/app/*'] }],
          priorityRange: [1, 10]
        }
      },
      steps: [
        'task-definition:none:',
        'load-balancer:none:',
        'target-group:none:',
        'listener:none:',
        'listener-rule:create:CreateRule',
        'service:none:'
      ]
    },
    {
      title: 'an existing rule with equal conditions in the *Config form is found, not duplicated',
      request: r => {
        r.listenerRule = {
          Conditions: [{ Field: 'path-pattern', Values: ['/app/*'] }],
          priorityRange: [1, 10]
        }
      },
      actual: a => {
        a.rules = [
          { RuleArn: 'rule-default', IsDefault: true, Priority: 'default' },
          {
            RuleArn: 'rule-1',
            Priority: '5',
            Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/app/*'] } }],
            Actions: [
              { Type: 'forward', ForwardConfig: { TargetGroups: [{ TargetGroupArn: TG_ARN, Weight: 1 }] } }
            ]
          }
        ]
      },
      steps: [
        'task-definition:none:',
        'load-balancer:none:',
        'target-group:none:',
        'listener:none:',
        'listener-rule:none:',
        'service:none:'
      ]
    },
    {
      title: 'HTTPS with redirect on an HTTP:80 listener: a new :443 listener, :80 becomes the redirect',
      request: r => {
        r.listener = { Port: 443, Protocol: 'HTTPS', Certificates: [{ CertificateArn: 'arn:cert' }] }
        r.redirectHttpToHttps = true
      },
      steps: [
        'task-definition:none:',
        'load-balancer:none:',
        'target-group:none:',
        'listener:create:CreateListener',
        'redirect-listener:update:ModifyListener',
        'service:none:'
      ]
    }
  ])('$title', ({ request: editRequest, actual: editActual, steps }) => {
    const request = seedRequest()
    editRequest?.(request)
    const actual = deployed()
    editActual?.(actual)
    expect(summary(request, actual)).toEqual(steps)
  })

  test.each<{
    title: string
    request?: (r: DeployRequest) => void
    actual?: (a: Actual) => void
    error: RegExp
  }>([
    {
      title: 'a load balancer scheme cannot change',
      request: r => {
        if (r.loadBalancer?.kind === 'manage') r.loadBalancer.input.Scheme = 'internal'
      },
      error: /Scheme is internet-facing .* cannot change/
    },
    {
      title: "the target group's VPC must be the load balancer's",
      request: r => {
        r.targetGroup!.VpcId = 'vpc-other'
      },
      error: /VpcId vpc-other .* is not the load balancer's VPC vpc-xxxxxxxx/
    },
    {
      title: 'a DRAINING service cannot be updated',
      actual: a => {
        a.service!.status = 'DRAINING'
      },
      error: /DRAINING .* run the action again/
    },
    {
      title: 'launch type cannot change',
      request: r => {
        r.service.launchType = 'FARGATE'
      },
      error: /launchType is EC2, the service input asks for FARGATE/
    },
    {
      title: 'a referenced task definition must exist',
      request: r => {
        r.taskDefinition = { kind: 'reference', ref: 'missing:3' }
      },
      actual: a => {
        delete a.taskDefinition
      },
      error: /Task definition missing:3 .*does not exist/
    },
    {
      title: 'images for a container the referenced revision lacks',
      request: r => {
        r.taskDefinition = {
          kind: 'reference',
          ref: 'ecscompose-ecs-app:1',
          images: { web: 'example/web:2' }
        }
      },
      actual: a => {
        a.baseTaskDefinition = { taskDefinition: a.taskDefinition, tags: [] }
      },
      error: /images: task definition .*ecscompose-ecs-app:1 has no container "web" \(its containers: app\)/
    },
    {
      title: 'images for a referenced revision that does not exist',
      request: r => {
        r.taskDefinition = { kind: 'reference', ref: 'missing:3', images: { app: 'example/app:2' } }
      },
      actual: a => {
        a.baseTaskDefinition = { tags: [] }
      },
      error: /Task definition missing:3 does not exist .*images input/
    },
    {
      title: 'a service without the ownership tag is not updated without adopt-existing',
      request: r => {
        r.desiredCount = 5
      },
      actual: a => {
        a.service!.tags = []
      },
      error: /Service ecs-simple-service-elb exists but was not created by this action.*adopt-existing/
    },
    {
      title: 'a listener without the ownership tag is not modified without adopt-existing',
      actual: a => {
        a.listeners = [{ ...listener(), DefaultActions: [{ Type: 'forward', TargetGroupArn: 'arn:other' }] }]
        a.elbTags[LISTENER_ARN] = {}
      },
      error: /Listener :80 HTTP .*adopt-existing/
    },
    {
      title: 'adopt-existing does not adopt a service another stack tagged: the error names that stack',
      request: r => {
        r.desiredCount = 5
        r.adoptExisting = true
      },
      actual: a => {
        a.service!.tags = [{ key: STACK_TAG.Key, value: 'ecs-demo/billing' }]
      },
      error: /Service ecs-simple-service-elb belongs to stack ecs-demo\/billing .*even with adopt-existing/
    },
    {
      title: 'adopt-existing does not adopt a target group another preview tagged',
      request: r => {
        r.targetGroup!.HealthCheckTimeoutSeconds = 10
        r.adoptExisting = true
      },
      actual: a => {
        a.elbTags[TG_ARN] = { ...owned, [PREVIEW_TAG]: 'pr-9' }
      },
      error: /Target group default belongs to preview pr-9 of stack ecs-demo\/ecs-simple-service-elb/
    },
    {
      title: 'adopt-existing does not adopt a listener another stack tagged',
      request: r => {
        r.adoptExisting = true
      },
      actual: a => {
        a.listeners = [{ ...listener(), DefaultActions: [{ Type: 'forward', TargetGroupArn: 'arn:other' }] }]
        a.elbTags[LISTENER_ARN] = { [STACK_TAG.Key]: 'ecs-demo/billing' }
      },
      error: /Listener :80 HTTP belongs to stack ecs-demo\/billing/
    },
    {
      title: 'a preview never modifies the shared listener, even untagged and with adopt-existing',
      request: r => {
        const base: DeployRequest = {
          ...seedRequest(),
          adoptExisting: true,
          listener: {
            Port: 80,
            Protocol: 'HTTPS',
            Certificates: [{ CertificateArn: 'arn:aws:acm:ap-northeast-1:123456789012:certificate/1' }]
          }
        }
        Object.assign(
          r,
          applyPreview(base, { id: 'pr-1', routing: 'host', hostTemplate: '{id}.example.com' })
        )
      },
      actual: a => {
        a.elbTags[LISTENER_ARN] = {}
      },
      error:
        /preview pr-1: listener :80 HTTPS is the base stack's.*Protocol, Certificates differ.*not even with adopt-existing/
    }
  ])('fails before any call: $title', ({ request: editRequest, actual: editActual, error }) => {
    const request = seedRequest()
    editRequest?.(request)
    const actual = deployed()
    editActual?.(actual)
    expect(() => buildPlan({ request, actual })).toThrow(error)
  })

  test('a target group seen before its load balancer (a concurrent first deploy) is not replaced', () => {
    // Discover found the target group another run just created, but not yet the load balancer: the VPC
    // this run would create it in is unknown, which is no reason to replace the group.
    const actual = deployed()
    actual.loadBalancer = undefined
    actual.listeners = []
    const request = seedRequest()
    delete request.targetGroup!.VpcId
    const plan = buildPlan({ request, actual })
    expect(plan.steps.find(s => s.resource === 'target-group')?.action).toBe('none')
  })

  test('health-check fields AWS filled in are not differences; a changed one is, alone', () => {
    const request = seedRequest()
    request.targetGroup!.HealthCheckTimeoutSeconds = 10
    const plan = buildPlan({ request, actual: deployed() })
    const tg = plan.steps.find(s => s.resource === 'target-group')
    expect(tg).toMatchObject({
      resource: 'target-group',
      action: 'update',
      arn: TG_ARN,
      changes: [{ field: 'HealthCheckTimeoutSeconds', from: 15, to: 10 }],
      calls: [...PROBE_CALLS, 'ModifyTargetGroup']
    })
    // The probe proves the changed settings, and only them, before ModifyTargetGroup sends them.
    expect(tg?.operations.map(o => o.do)).toEqual([
      {
        call: 'ProbeHealthCheck',
        input: expect.objectContaining({
          settings: { TargetGroupArn: TG_ARN, HealthCheckTimeoutSeconds: 10 }
        })
      },
      { call: 'ModifyTargetGroup', input: { TargetGroupArn: TG_ARN, HealthCheckTimeoutSeconds: 10 } }
    ])
    expect(tg?.operations[1]?.inverse).toEqual({
      call: 'ModifyTargetGroup',
      input: { TargetGroupArn: TG_ARN, HealthCheckTimeoutSeconds: 15 }
    })
    expect(plan.changed).toBe(true)
  })

  test('the service file desiredCount is used on create, left alone on update', () => {
    const request = seedRequest()
    request.service.desiredCount = 9
    const updating = buildPlan({ request, actual: deployed() })
    expect(updating.steps.at(-1)?.action).toBe('none')
    const actual = deployed()
    delete actual.service
    const creating = buildPlan({ request, actual })
    expect(creating.steps.at(-1)?.changes).toContainEqual({ field: 'desiredCount', to: 9 })
  })

  test('the user-pasted target group ARN is replaced, with a warning naming both', () => {
    const plan = buildPlan({ request: seedRequest(), actual: deployed() })
    expect(plan.warnings).toEqual([
      expect.stringMatching(/targetgroup\/default\/zzzz.* is replaced by .*targetgroup\/default\/1/)
    ])
  })
})
