import { ServiceNotActiveException } from '@aws-sdk/client-ecs'
import { describe, expect, test } from '@jest/globals'
import { applyPlan } from '../../src/stages/apply.js'
import { discover } from '../../src/stages/discover.js'
import type { Applied, Plan } from '../../src/model/plan.js'
import { buildPlan } from '../../src/stages/plan.js'
import type { DeployRequest } from '../../src/model/request.js'
import { SEED_PASTED_TG_ARN, STACK_TAG, seedRequest } from '../fixtures/seed.js'
import { emptyWorld, mockWorld, type RecordedCall, type World } from './apply-world.js'

interface Run {
  plan: Plan
  applied: Applied
  calls: RecordedCall[]
  mutating: RecordedCall[]
  reads: RecordedCall[]
  logs: string[]
}

/** discover → plan → apply against the fake world, as main.ts runs them. */
async function deploy(world: World, request: DeployRequest, waits: string[] = []): Promise<Run> {
  const mocks = mockWorld(world)
  const logs: string[] = []
  try {
    const actual = await discover({ clients: mocks.clients, request })
    const plan = buildPlan({ request, actual })
    const applied = await applyPlan({
      clients: mocks.clients,
      request,
      actual,
      plan,
      log: line => logs.push(line),
      waitForTargets: async ({ targetGroupArn }) => {
        waits.push(targetGroupArn)
      }
    })
    return { plan, applied, calls: mocks.calls, mutating: mocks.mutating(), reads: mocks.reads(), logs }
  } finally {
    mocks.restore()
  }
}

/** Runs and expects a failure; returns the message and the calls made before it. */
async function deployFails(
  world: World,
  request: DeployRequest
): Promise<{ message: string; calls: RecordedCall[] }> {
  const mocks = mockWorld(world)
  try {
    const actual = await discover({ clients: mocks.clients, request })
    const plan = buildPlan({ request, actual })
    await applyPlan({ clients: mocks.clients, request, actual, plan })
  } catch (error) {
    return { message: (error as Error).message, calls: mocks.calls }
  } finally {
    mocks.restore()
  }
  throw new Error('expected the deploy to fail')
}

const names = (calls: RecordedCall[]): string[] => calls.map(c => c.name)

/** A world in which the seed was deployed once by the action. */
async function deployedSeed(request = seedRequest()): Promise<{ world: World; first: Run }> {
  const world = emptyWorld()
  const first = await deploy(world, request)
  return { world, first }
}

describe('first deploy of the seed', () => {
  test('creates everything in order with the managed ARNs filled in', async () => {
    const { world, first } = await deployedSeed()
    expect(names(first.mutating)).toEqual([
      'RegisterTaskDefinition',
      'CreateLoadBalancer',
      'CreateTargetGroup',
      'CreateListener',
      'CreateService'
    ])
    const [td, lb, tg, listener, svc] = first.mutating.map(c => c.input)
    expect(lb).toEqual({
      Name: 'alb-demo',
      Subnets: ['subnet-12345678', 'subnet-abcdefgh'],
      SecurityGroups: ['sg-12345678'],
      Tags: [STACK_TAG]
    })
    expect(tg).toEqual({
      Name: 'default',
      Protocol: 'HTTP',
      Port: 80,
      VpcId: 'vpc-xxxxxxxx',
      TargetType: 'instance',
      HealthCheckPath: '/hostname',
      HealthCheckIntervalSeconds: 30,
      HealthCheckTimeoutSeconds: 15,
      HealthyThresholdCount: 3,
      UnhealthyThresholdCount: 3,
      Matcher: { HttpCode: '200' },
      Tags: [STACK_TAG]
    })
    const lbArn = world.loadBalancers[0]?.LoadBalancerArn
    const tgArn = world.targetGroups[0]?.TargetGroupArn
    expect(listener).toEqual({
      LoadBalancerArn: lbArn,
      Protocol: 'HTTP',
      Port: 80,
      DefaultActions: [{ Type: 'forward', TargetGroupArn: tgArn }],
      Tags: [STACK_TAG]
    })
    expect(td).toEqual({
      family: 'ecscompose-ecs-app',
      networkMode: 'bridge',
      containerDefinitions: [
        {
          name: 'app',
          image: 'inokara/ecs-app:latest',
          memory: 128,
          essential: true,
          portMappings: [{ containerPort: 4567 }]
        }
      ],
      tags: [{ key: STACK_TAG.Key, value: STACK_TAG.Value }]
    })
    expect(svc).toEqual({
      serviceName: 'ecs-simple-service-elb',
      cluster: 'ecs-demo',
      taskDefinition: world.taskDefinitions[0]?.taskDefinitionArn,
      loadBalancers: [{ targetGroupArn: tgArn, containerName: 'app', containerPort: 4567 }],
      desiredCount: 2,
      role: 'ecsServiceRole',
      tags: [{ key: STACK_TAG.Key, value: STACK_TAG.Value }],
      clientToken: expect.stringMatching(/^[0-9a-f]{32}$/)
    })
    expect(first.plan.warnings).toContainEqual(expect.stringContaining(SEED_PASTED_TG_ARN))
    expect(first.applied).toMatchObject({
      loadBalancerArn: lbArn,
      dnsName: expect.stringContaining('alb-demo'),
      url: `http://${world.loadBalancers[0]?.DNSName}`,
      targetGroupArn: tgArn,
      serviceCreated: true,
      deploymentId: expect.stringMatching(/^ecs-svc\//),
      changed: true
    })
    expect(first.applied.previousTaskDefinitionArn).toBeUndefined()
    expect(first.logs).toHaveLength(5)
    expect(first.logs[1]).toMatch(/^created load balancer alb-demo \(arn:/)
  })

  test('the client token is stable for the same request and differs for another', async () => {
    const a = await deployedSeed()
    const b = await deployedSeed()
    const c = await deployedSeed(seedRequest({ desiredCount: 3 }))
    const token = (r: Run): unknown => r.mutating.find(x => x.name === 'CreateService')?.input.clientToken
    expect(token(a.first)).toBe(token(b.first))
    expect(token(c.first)).not.toBe(token(a.first))
  })
})

describe('re-runs and changes after a first deploy', () => {
  test('an identical re-run makes no mutating call and at most 7 reads', async () => {
    const { world } = await deployedSeed()
    const again = await deploy(world, seedRequest())
    expect(again.mutating).toEqual([])
    expect(again.reads.length).toBeLessThanOrEqual(7)
    expect(again.plan.changed).toBe(false)
    expect(again.plan.steps.map(s => s.action)).toEqual(['none', 'none', 'none', 'none', 'none'])
    expect(again.applied).toMatchObject({ changed: false, serviceCreated: false })
    expect(again.applied.previousTaskDefinitionArn).toBe(again.applied.taskDefinitionArn)
  })

  test.each<{ title: string; change: (r: DeployRequest) => void; calls: string[] }>([
    {
      title: 'image change: one RegisterTaskDefinition, one UpdateService',
      change: r => {
        if (r.taskDefinition.kind === 'register')
          r.taskDefinition.input.containerDefinitions![0]!.image = 'inokara/ecs-app:v2'
      },
      calls: ['RegisterTaskDefinition', 'UpdateService']
    },
    {
      title: 'health-check path change: one ModifyTargetGroup',
      change: r => {
        r.targetGroup!.HealthCheckPath = '/health'
      },
      calls: ['ModifyTargetGroup']
    },
    {
      title: 'desired-count input: one UpdateService',
      change: r => {
        r.desiredCount = 4
      },
      calls: ['UpdateService']
    },
    {
      title: "the service file's desiredCount alone is left to autoscaling on update",
      change: r => {
        r.service.desiredCount = 7
      },
      calls: []
    },
    {
      title: 'force-new-deployment: one UpdateService',
      change: r => {
        r.forceNewDeployment = true
      },
      calls: ['UpdateService']
    }
  ])('$title', async ({ change, calls }) => {
    const { world } = await deployedSeed()
    const request = seedRequest()
    change(request)
    const run = await deploy(world, request)
    expect(names(run.mutating)).toEqual(calls)
  })

  test('image change: the new revision is rolled out and the previous one kept for rollback', async () => {
    const { world, first } = await deployedSeed()
    const request = seedRequest()
    if (request.taskDefinition.kind === 'register')
      request.taskDefinition.input.containerDefinitions![0]!.image = 'x:2'
    const run = await deploy(world, request)
    const update = run.mutating[1]?.input
    expect(update).toEqual({
      cluster: 'ecs-demo',
      service: 'ecs-simple-service-elb',
      taskDefinition: 'arn:aws:ecs:ap-northeast-1:123456789012:task-definition/ecscompose-ecs-app:2'
    })
    expect(run.applied.previousTaskDefinitionArn).toBe(first.applied.taskDefinitionArn)
    expect(run.applied.deploymentId).not.toBe(first.applied.deploymentId)
    const step = run.plan.steps.find(s => s.resource === 'task-definition')
    expect(step?.changes).toEqual([
      { field: 'containerDefinitions[app].image', from: 'inokara/ecs-app:latest', to: 'x:2' }
    ])
  })

  test('health-check path change sends only the changed field', async () => {
    const { world, first } = await deployedSeed()
    const request = seedRequest()
    request.targetGroup!.HealthCheckPath = '/health'
    const run = await deploy(world, request)
    expect(run.mutating[0]?.input).toEqual({
      TargetGroupArn: first.applied.targetGroupArn,
      HealthCheckPath: '/health'
    })
  })

  test('a changed immutable target group setting replaces it: associated without traffic, filled, then switched', async () => {
    const { world, first } = await deployedSeed()
    const request = seedRequest()
    request.targetGroup!.Port = 8080
    const waits: string[] = []
    const run = await deploy(world, request, waits)
    expect(names(run.mutating)).toEqual([
      'CreateTargetGroup',
      'ModifyListener',
      'UpdateService',
      'ModifyListener',
      'UpdateService',
      'ModifyListener'
    ])
    const newName = run.mutating[0]?.input.Name as string
    expect(newName).toMatch(/^default-[0-9a-f]{6}$/)
    const newArn = world.targetGroups.find(t => t.TargetGroupName === newName)?.TargetGroupArn
    const oldArn = first.applied.targetGroupArn
    const entry = (targetGroupArn?: string) => ({ targetGroupArn, containerName: 'app', containerPort: 4567 })
    expect(run.mutating[1]?.input).toEqual({
      ListenerArn: first.applied.listenerArn,
      DefaultActions: [
        {
          Type: 'forward',
          ForwardConfig: {
            TargetGroups: [
              { TargetGroupArn: oldArn, Weight: 1 },
              { TargetGroupArn: newArn, Weight: 0 }
            ]
          }
        }
      ]
    })
    expect(run.mutating[2]?.input).toEqual({
      cluster: 'ecs-demo',
      service: 'ecs-simple-service-elb',
      loadBalancers: [entry(oldArn), entry(newArn)]
    })
    // Traffic moves only after the new group's targets were waited for, each time.
    expect(waits).toEqual([newArn, newArn])
    expect(run.mutating[3]?.input).toEqual({
      ListenerArn: first.applied.listenerArn,
      DefaultActions: [
        {
          Type: 'forward',
          ForwardConfig: {
            TargetGroups: [
              { TargetGroupArn: oldArn, Weight: 0 },
              { TargetGroupArn: newArn, Weight: 1 }
            ]
          }
        }
      ]
    })
    expect(run.mutating[4]?.input).toEqual({
      cluster: 'ecs-demo',
      service: 'ecs-simple-service-elb',
      loadBalancers: [entry(newArn)]
    })
    expect(run.mutating[5]?.input).toEqual({
      ListenerArn: first.applied.listenerArn,
      DefaultActions: [{ Type: 'forward', TargetGroupArn: newArn }]
    })
    const step = run.plan.steps.find(s => s.resource === 'target-group')
    expect(step).toMatchObject({ action: 'replace', name: newName })
    expect(step?.reason).toContain('Port 80 → 8080')
    expect(run.plan.warnings).toContainEqual(
      expect.stringContaining('delete it once its targets have drained')
    )
    expect(run.applied.targetGroupArn).toBe(newArn)

    const again = await deploy(world, request)
    expect(again.mutating).toEqual([])
    expect(again.reads.length).toBeLessThanOrEqual(7)
  })
})

describe('other shapes', () => {
  test('reuses an existing ALB by name without changing it', async () => {
    const world = emptyWorld()
    world.loadBalancers.push({
      LoadBalancerArn: 'arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:loadbalancer/app/shared/abc',
      LoadBalancerName: 'shared',
      DNSName: 'shared-1.ap-northeast-1.elb.amazonaws.com',
      VpcId: 'vpc-xxxxxxxx',
      Type: 'application',
      SecurityGroups: ['sg-other']
    })
    const run = await deploy(world, seedRequest({ loadBalancer: { kind: 'reuse', name: 'shared' } }))
    expect(names(run.mutating)).toEqual([
      'RegisterTaskDefinition',
      'CreateTargetGroup',
      'CreateListener',
      'CreateService'
    ])
    expect(run.mutating[2]?.input.LoadBalancerArn).toBe(world.loadBalancers[0]?.LoadBalancerArn)
    expect(run.applied.dnsName).toBe('shared-1.ap-northeast-1.elb.amazonaws.com')
  })

  test('a reused ALB that does not exist fails before any mutating call', async () => {
    const failure = await deployFails(
      emptyWorld(),
      seedRequest({ loadBalancer: { kind: 'reuse', name: 'nope' } })
    )
    expect(failure.message).toMatch(/Load balancer nope .*does not exist/)
    expect(failure.calls.filter(c => !c.name.startsWith('Describe'))).toEqual([])
  })

  describe('a listener rule on an existing shared listener', () => {
    async function sharedListener(): Promise<World> {
      const world = emptyWorld()
      // Somebody else's ALB and :80 listener, with a rule at 1000 already.
      const setup = await deploy(
        world,
        seedRequest({
          service: { serviceName: 'other', loadBalancers: [] },
          targetGroup: { Name: 'other', Protocol: 'HTTP', Port: 80 },
          taskDefinition: {
            kind: 'register',
            input: {
              family: 'other',
              containerDefinitions: [
                { name: 'web', image: 'w', memory: 64, portMappings: [{ containerPort: 80 }] }
              ]
            },
            source: ''
          }
        })
      )
      expect(setup.mutating).toHaveLength(5)
      return world
    }
    const ruleRequest = (): DeployRequest =>
      seedRequest({
        loadBalancer: { kind: 'reuse', name: 'alb-demo' },
        listenerRule: {
          Conditions: [{ Field: 'path-pattern', Values: ['/app/*'] }],
          priorityRange: [1000, 1009]
        }
      })

    test('creates the rule at the deterministic priority and leaves the listener alone', async () => {
      const world = await sharedListener()
      const run = await deploy(world, ruleRequest())
      expect(names(run.mutating)).toEqual([
        'RegisterTaskDefinition',
        'CreateTargetGroup',
        'CreateRule',
        'CreateService'
      ])
      const rule = run.mutating[2]?.input
      expect(rule).toMatchObject({
        ListenerArn: world.listeners[0]?.ListenerArn,
        Conditions: [{ Field: 'path-pattern', Values: ['/app/*'] }],
        Actions: [{ Type: 'forward', TargetGroupArn: run.applied.targetGroupArn }],
        Tags: [STACK_TAG]
      })
      expect(rule?.Priority).toBeGreaterThanOrEqual(1000)
      expect(rule?.Priority).toBeLessThanOrEqual(1009)
      expect(run.applied.listenerRuleArn).toBe(
        world.rules.find(r => r.Priority === String(rule?.Priority))?.RuleArn
      )
      expect(run.applied.url).toBe(`http://${world.loadBalancers[0]?.DNSName}/app/`)

      const again = await deploy(world, ruleRequest())
      expect(again.mutating).toEqual([])
      expect(again.reads.length).toBeLessThanOrEqual(7)
    })

    test('PriorityInUse from a concurrent run: retried with the next free priority', async () => {
      const probe = await sharedListener()
      const expected = (await deploy(probe, ruleRequest())).mutating.find(c => c.name === 'CreateRule')?.input
        .Priority as number
      const world = await sharedListener()
      world.stolenPriorities.push(expected)
      const run = await deploy(world, ruleRequest())
      const tries = run.calls
        .filter(c => c.name === 'CreateRule' || c.name === 'DescribeRules')
        .map(c => [c.name, c.input.Priority])
      const next = expected === 1009 ? 1000 : expected + 1
      expect(tries).toEqual([
        ['DescribeRules', undefined],
        ['CreateRule', expected],
        ['DescribeRules', undefined],
        ['CreateRule', next]
      ])
    })
  })

  test('HTTPS listener with a certificate and an HTTP → HTTPS redirect listener', async () => {
    const world = emptyWorld()
    const cert = 'arn:aws:acm:ap-northeast-1:123456789012:certificate/abc'
    const request = seedRequest({
      listener: { Port: 443, Protocol: 'HTTPS', Certificates: [{ CertificateArn: cert }] },
      redirectHttpToHttps: true
    })
    const run = await deploy(world, request)
    const listeners = run.mutating.filter(c => c.name === 'CreateListener').map(c => c.input)
    expect(listeners).toEqual([
      expect.objectContaining({ Protocol: 'HTTPS', Port: 443, Certificates: [{ CertificateArn: cert }] }),
      expect.objectContaining({
        Protocol: 'HTTP',
        Port: 80,
        DefaultActions: [
          { Type: 'redirect', RedirectConfig: { Protocol: 'HTTPS', Port: '443', StatusCode: 'HTTP_301' } }
        ]
      })
    ])
    expect(run.applied.url).toBe(`https://${world.loadBalancers[0]?.DNSName}`)
    expect(run.applied.listenerArn).toBe(world.listeners.find(l => l.Port === 443)?.ListenerArn)
    expect((await deploy(world, request)).mutating).toEqual([])
  })

  test('awsvpc service gets an ip target group and its network configuration', async () => {
    const world = emptyWorld()
    const request = seedRequest()
    if (request.taskDefinition.kind === 'register') request.taskDefinition.input.networkMode = 'awsvpc'
    const { role: _role, ...service } = request.service
    request.service = {
      ...service,
      networkConfiguration: {
        awsvpcConfiguration: { subnets: ['subnet-12345678'], securityGroups: ['sg-12345678'] }
      }
    }
    const run = await deploy(world, request)
    expect(run.mutating.find(c => c.name === 'CreateTargetGroup')?.input.TargetType).toBe('ip')
    expect(run.mutating.find(c => c.name === 'CreateService')?.input.networkConfiguration).toEqual({
      awsvpcConfiguration: { subnets: ['subnet-12345678'], securityGroups: ['sg-12345678'] }
    })
    expect((await deploy(world, request)).mutating).toEqual([])
  })

  test('awsvpc with an explicit instance target group fails before any mutating call', async () => {
    const request = seedRequest()
    if (request.taskDefinition.kind === 'register') request.taskDefinition.input.networkMode = 'awsvpc'
    request.targetGroup!.TargetType = 'instance'
    const failure = await deployFails(emptyWorld(), request)
    expect(failure.message).toMatch(/TargetType instance does not fit .* awsvpc/)
    expect(failure.calls.filter(c => !c.name.startsWith('Describe'))).toEqual([])
  })

  test('a target group the action does not own is not modified without adopt-existing', async () => {
    const { world } = await deployedSeed()
    const tgArn = world.targetGroups[0]?.TargetGroupArn ?? ''
    world.elbTags[tgArn] = []
    const request = seedRequest()
    request.targetGroup!.HealthCheckPath = '/health'
    const failure = await deployFails(world, request)
    expect(failure.message).toContain('adopt-existing')
    expect(failure.calls.filter(c => !c.name.startsWith('Describe'))).toEqual([])

    const adopted = await deploy(world, { ...request, adoptExisting: true })
    expect(names(adopted.mutating)).toEqual(['ModifyTargetGroup'])
  })

  test('an AWS error during apply names the failed call and what to do', async () => {
    const world = emptyWorld()
    world.failures.CreateService = new ServiceNotActiveException({
      message: 'Service was not ACTIVE.',
      $metadata: {}
    })
    const failure = await deployFails(world, seedRequest())
    expect(failure.message).toMatch(
      /^CreateService ecs-simple-service-elb failed \(ServiceNotActive\): Service was not ACTIVE\.\nThe service is not ACTIVE/
    )
  })

  test('access denied names the IAM action to add', async () => {
    const world = emptyWorld()
    world.failures.CreateTargetGroup = Object.assign(
      new Error(
        'User: arn:aws:sts::123456789012:assumed-role/deploy/gh is not authorized to perform: elasticloadbalancing:CreateTargetGroup'
      ),
      { name: 'AccessDenied', $metadata: {} }
    )
    const failure = await deployFails(world, seedRequest())
    expect(failure.message).toContain(
      "The role is not allowed elasticloadbalancing:CreateTargetGroup: add it to the role's policy (see README"
    )
    expect(failure.calls.filter(c => !c.name.startsWith('Describe')).map(c => c.name)).toEqual([
      'RegisterTaskDefinition',
      'CreateLoadBalancer',
      'CreateTargetGroup'
    ])
  })
})
