import { afterAll, beforeAll, beforeEach, describe, expect, test } from '@jest/globals'
import {
  AddTagsCommand,
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateRuleCommand,
  CreateTargetGroupCommand,
  DeleteListenerCommand,
  DeleteLoadBalancerCommand,
  DeleteRuleCommand,
  DeleteTargetGroupCommand,
  DescribeListenersCommand,
  DescribeLoadBalancerAttributesCommand,
  DescribeLoadBalancersCommand,
  DescribeRulesCommand,
  DescribeTagsCommand,
  DescribeTargetGroupAttributesCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  DuplicateListenerException,
  DuplicateLoadBalancerNameException,
  DuplicateTargetGroupNameException,
  ElasticLoadBalancingV2Client,
  LoadBalancerNotFoundException,
  ModifyListenerCommand,
  ModifyLoadBalancerAttributesCommand,
  ModifyRuleCommand,
  ModifyTargetGroupAttributesCommand,
  ModifyTargetGroupCommand,
  PriorityInUseException,
  RegisterTargetsCommand,
  RemoveTagsCommand,
  ResourceInUseException,
  SetRulePrioritiesCommand,
  SetSecurityGroupsCommand,
  SetSubnetsCommand,
  TargetGroupNotFoundException,
  TooManyRulesException,
  type Action
} from '@aws-sdk/client-elastic-load-balancing-v2'
import { startEmulator, type Emulator } from '../../emulator/server.js'
import { seedAlb, seedTargetGroup } from '../fixtures/seed.js'

const SEED_ALB = seedAlb()
const SEED_TG = seedTargetGroup()

let emulator: Emulator
let elb: ElasticLoadBalancingV2Client

beforeAll(async () => {
  emulator = await startEmulator({ timeScale: 0.02 })
  elb = new ElasticLoadBalancingV2Client({
    endpoint: emulator.url,
    region: 'ap-northeast-1',
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'x' },
    maxAttempts: 1
  })
})
afterAll(async () => {
  elb.destroy()
  await emulator.stop()
})
beforeEach(async () => {
  await emulator.reset()
})

/** The error a call fails with (the test fails if it succeeds). */
const failure = async (p: Promise<unknown>): Promise<Error & { Code?: string }> => {
  try {
    await p
  } catch (e) {
    return e as Error & { Code?: string }
  }
  throw new Error('expected the call to fail')
}

const seedWalk = async () => {
  const lb = (await elb.send(new CreateLoadBalancerCommand(SEED_ALB))).LoadBalancers![0]
  const tg = (await elb.send(new CreateTargetGroupCommand(SEED_TG))).TargetGroups![0]
  const forward: Action[] = [{ Type: 'forward', TargetGroupArn: tg.TargetGroupArn }]
  const listener = (
    await elb.send(
      new CreateListenerCommand({
        LoadBalancerArn: lb.LoadBalancerArn,
        Protocol: 'HTTP',
        Port: 80,
        DefaultActions: forward
      })
    )
  ).Listeners![0]
  return { lb, tg, listener, forward }
}

describe('the seed walkthrough', () => {
  test('creates the load balancer, target group and listener as AWS reports them', async () => {
    const { lb, tg, listener } = await seedWalk()
    expect(lb.LoadBalancerArn).toMatch(
      /^arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:loadbalancer\/app\/alb-demo\/[0-9a-f]{16}$/
    )
    expect(lb.DNSName).toMatch(/^alb-demo-\d{10}\.ap-northeast-1\.elb\.amazonaws\.com$/)
    expect(lb).toMatchObject({
      CanonicalHostedZoneId: 'Z14GRHDCWA56QT',
      Scheme: 'internet-facing',
      Type: 'application',
      IpAddressType: 'ipv4',
      VpcId: 'vpc-xxxxxxxx',
      State: { Code: 'provisioning' },
      SecurityGroups: ['sg-12345678']
    })
    expect(lb.CreatedTime).toBeInstanceOf(Date)
    expect(lb.AvailabilityZones?.map(z => z.SubnetId)).toEqual(['subnet-12345678', 'subnet-abcdefgh'])

    expect(tg.TargetGroupArn).toMatch(/:targetgroup\/default\/[0-9a-f]{16}$/)
    expect(tg).toMatchObject({
      Protocol: 'HTTP',
      Port: 80,
      HealthCheckProtocol: 'HTTP',
      HealthCheckPort: 'traffic-port',
      HealthCheckPath: '/hostname',
      HealthCheckTimeoutSeconds: 15,
      HealthyThresholdCount: 3,
      TargetType: 'instance',
      ProtocolVersion: 'HTTP1',
      Matcher: { HttpCode: '200' },
      LoadBalancerArns: []
    })

    expect(listener.ListenerArn).toMatch(/:listener\/app\/alb-demo\/[0-9a-f]{16}\/[0-9a-f]{16}$/)
    expect(listener.DefaultActions).toEqual([
      {
        Type: 'forward',
        TargetGroupArn: tg.TargetGroupArn,
        ForwardConfig: {
          TargetGroups: [{ TargetGroupArn: tg.TargetGroupArn, Weight: 1 }],
          TargetGroupStickinessConfig: { Enabled: false }
        }
      }
    ])
    const described = await elb.send(new DescribeTargetGroupsCommand({ Names: ['default'] }))
    expect(described.TargetGroups?.[0].LoadBalancerArns).toEqual([lb.LoadBalancerArn])
    const byLb = await elb.send(new DescribeTargetGroupsCommand({ LoadBalancerArn: lb.LoadBalancerArn }))
    expect(byLb.TargetGroups?.map(t => t.TargetGroupName)).toEqual(['default'])
    const dns = await elb.send(new DescribeLoadBalancersCommand({}))
    expect(dns.LoadBalancers?.map(l => l.DNSName)).toEqual([lb.DNSName])
  })

  test('a load balancer turns active after ten emulated seconds', async () => {
    await seedWalk()
    await emulator.clock.sleep(10_500)
    const lbs = await elb.send(new DescribeLoadBalancersCommand({ Names: ['alb-demo'] }))
    expect(lbs.LoadBalancers?.[0].State?.Code).toBe('active')
  })

  test('fills the AWS defaults of a target group and its attributes', async () => {
    const tg = (
      await elb.send(
        new CreateTargetGroupCommand({ Name: 'bare', Protocol: 'HTTP', Port: 8080, VpcId: 'vpc-xxxxxxxx' })
      )
    ).TargetGroups![0]
    expect(tg).toMatchObject({
      HealthCheckPath: '/',
      HealthCheckIntervalSeconds: 30,
      HealthCheckTimeoutSeconds: 6,
      HealthyThresholdCount: 5,
      UnhealthyThresholdCount: 2,
      Matcher: { HttpCode: '200' }
    })
    const attrs = await elb.send(
      new DescribeTargetGroupAttributesCommand({ TargetGroupArn: tg.TargetGroupArn })
    )
    const map = Object.fromEntries(attrs.Attributes!.map(a => [a.Key, a.Value]))
    expect(map).toMatchObject({
      'deregistration_delay.timeout_seconds': '300',
      'stickiness.enabled': 'false',
      'stickiness.type': 'lb_cookie',
      'load_balancing.algorithm.type': 'round_robin',
      'slow_start.duration_seconds': '0'
    })
    const changed = await elb.send(
      new ModifyTargetGroupAttributesCommand({
        TargetGroupArn: tg.TargetGroupArn,
        Attributes: [{ Key: 'deregistration_delay.timeout_seconds', Value: '30' }]
      })
    )
    expect(changed.Attributes).toContainEqual({ Key: 'deregistration_delay.timeout_seconds', Value: '30' })
    const bad = await failure(
      elb.send(
        new ModifyTargetGroupAttributesCommand({
          TargetGroupArn: tg.TargetGroupArn,
          Attributes: [{ Key: 'nope', Value: '1' }]
        })
      )
    )
    expect(bad.name).toBe('ValidationError')
  })
})

describe('idempotent creates and duplicates', () => {
  test('identical creates return the existing resources, different settings fail with Duplicate*', async () => {
    const { lb, tg, listener, forward } = await seedWalk()
    const again = await elb.send(new CreateLoadBalancerCommand(SEED_ALB))
    expect(again.LoadBalancers?.[0].LoadBalancerArn).toBe(lb.LoadBalancerArn)
    expect((await elb.send(new CreateTargetGroupCommand(SEED_TG))).TargetGroups?.[0].TargetGroupArn).toBe(
      tg.TargetGroupArn
    )
    const sameListener = await elb.send(
      new CreateListenerCommand({
        LoadBalancerArn: lb.LoadBalancerArn,
        Protocol: 'HTTP',
        Port: 80,
        DefaultActions: forward
      })
    )
    expect(sameListener.Listeners?.[0].ListenerArn).toBe(listener.ListenerArn)

    const dupLb = await failure(elb.send(new CreateLoadBalancerCommand({ ...SEED_ALB, Scheme: 'internal' })))
    expect(dupLb).toBeInstanceOf(DuplicateLoadBalancerNameException)
    const dupTg = await failure(
      elb.send(new CreateTargetGroupCommand({ ...SEED_TG, HealthCheckPath: '/health' }))
    )
    // The SDK names the modeled error class "<Code>Exception"; the wire code is in `Code`.
    expect(dupTg).toBeInstanceOf(DuplicateTargetGroupNameException)
    expect(dupTg.name).toBe('DuplicateTargetGroupNameException')
    expect(dupTg.Code).toBe('DuplicateTargetGroupName')
    expect(dupTg.message).toBe(
      "A target group with the same name 'default' exists, but with different settings"
    )
    const dupListener = await failure(
      elb.send(
        new CreateListenerCommand({
          LoadBalancerArn: lb.LoadBalancerArn,
          Protocol: 'HTTP',
          Port: 80,
          DefaultActions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '404' } }]
        })
      )
    )
    expect(dupListener).toBeInstanceOf(DuplicateListenerException)
    const mutating = (await fetch(`${emulator.url}/_emulator/calls`).then(r => r.json())) as {
      operation: string
      mutating: boolean
    }[]
    expect(mutating.find(c => c.operation === 'CreateTargetGroup')?.mutating).toBe(true)
  })

  test('CreateRule is not idempotent: a taken priority fails with PriorityInUse', async () => {
    const { listener, forward } = await seedWalk()
    const rule = {
      ListenerArn: listener.ListenerArn,
      Priority: 10,
      Conditions: [{ Field: 'path-pattern', Values: ['/api/*'] }],
      Actions: forward
    }
    await elb.send(new CreateRuleCommand(rule))
    const err = await failure(elb.send(new CreateRuleCommand(rule)))
    expect(err).toBeInstanceOf(PriorityInUseException)
    expect(err.Code).toBe('PriorityInUse')
    const second = await elb.send(new CreateRuleCommand({ ...rule, Priority: 11 }))
    expect(second.Rules?.[0].Priority).toBe('11')
  })
})

describe('rules', () => {
  test('DescribeRules lists rules by priority, then the default rule', async () => {
    const { listener, forward } = await seedWalk()
    await elb.send(
      new CreateRuleCommand({
        ListenerArn: listener.ListenerArn,
        Priority: 20,
        Conditions: [{ Field: 'host-header', HostHeaderConfig: { Values: ['api.example.com'] } }],
        Actions: forward,
        Tags: [{ Key: 'ecs-alb-deploy:stack', Value: 'ecs-demo/web' }]
      })
    )
    const first = await elb.send(
      new CreateRuleCommand({
        ListenerArn: listener.ListenerArn,
        Priority: 5,
        Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/img/*'] } }],
        Actions: [
          {
            Type: 'fixed-response',
            FixedResponseConfig: { StatusCode: '200', ContentType: 'text/plain', MessageBody: 'img' }
          }
        ]
      })
    )
    const rules = (await elb.send(new DescribeRulesCommand({ ListenerArn: listener.ListenerArn }))).Rules!
    expect(rules.map(r => [r.Priority, r.IsDefault])).toEqual([
      ['5', false],
      ['20', false],
      ['default', true]
    ])
    expect(rules[0].Conditions).toEqual([
      { Field: 'path-pattern', Values: ['/img/*'], PathPatternConfig: { Values: ['/img/*'] } }
    ])
    expect(rules[2].Conditions).toEqual([])
    expect(rules[2].Actions).toEqual(listener.DefaultActions)
    expect(rules[0].RuleArn).toMatch(
      /:listener-rule\/app\/alb-demo\/[0-9a-f]{16}\/[0-9a-f]{16}\/[0-9a-f]{16}$/
    )

    const tags = await elb.send(new DescribeTagsCommand({ ResourceArns: [rules[1].RuleArn!] }))
    expect(tags.TagDescriptions?.[0].Tags).toEqual([{ Key: 'ecs-alb-deploy:stack', Value: 'ecs-demo/web' }])

    const swapped = await elb.send(
      new SetRulePrioritiesCommand({
        RulePriorities: [
          { RuleArn: rules[0].RuleArn, Priority: 20 },
          { RuleArn: rules[1].RuleArn, Priority: 5 }
        ]
      })
    )
    expect(swapped.Rules?.map(r => r.Priority)).toEqual(['20', '5'])
    const modified = await elb.send(
      new ModifyRuleCommand({
        RuleArn: first.Rules![0].RuleArn,
        Conditions: [{ Field: 'path-pattern', Values: ['/pics/*'] }]
      })
    )
    expect(modified.Rules?.[0].Conditions?.[0].Values).toEqual(['/pics/*'])
    const defaultDelete = await failure(elb.send(new DeleteRuleCommand({ RuleArn: rules[2].RuleArn })))
    expect(defaultDelete.name).toBe('OperationNotPermittedException')
    await elb.send(new DeleteRuleCommand({ RuleArn: rules[0].RuleArn }))
    const missing = await failure(elb.send(new DescribeRulesCommand({ RuleArns: [rules[0].RuleArn!] })))
    expect(missing.name).toBe('RuleNotFoundException')
  })

  test('validates conditions and the per-load-balancer rule quota', async () => {
    const { listener, forward } = await seedWalk()
    const six = await failure(
      elb.send(
        new CreateRuleCommand({
          ListenerArn: listener.ListenerArn,
          Priority: 1,
          Conditions: [{ Field: 'path-pattern', Values: ['/a', '/b', '/c', '/d', '/e', '/f'] }],
          Actions: forward
        })
      )
    )
    expect(six.name).toBe('ValidationError')
    for (let p = 1; p <= 100; p++) {
      await elb.send(
        new CreateRuleCommand({
          ListenerArn: listener.ListenerArn,
          Priority: p,
          Conditions: [{ Field: 'path-pattern', Values: [`/r${p}`] }],
          Actions: forward
        })
      )
    }
    const tooMany = await failure(
      elb.send(
        new CreateRuleCommand({
          ListenerArn: listener.ListenerArn,
          Priority: 101,
          Conditions: [{ Field: 'path-pattern', Values: ['/x'] }],
          Actions: forward
        })
      )
    )
    expect(tooMany).toBeInstanceOf(TooManyRulesException)
    const page1 = await elb.send(
      new DescribeRulesCommand({ ListenerArn: listener.ListenerArn, PageSize: 60 })
    )
    expect(page1.Rules).toHaveLength(60)
    const page2 = await elb.send(
      new DescribeRulesCommand({ ListenerArn: listener.ListenerArn, PageSize: 60, Marker: page1.NextMarker })
    )
    expect(page2.Rules).toHaveLength(41)
    expect(page2.NextMarker).toBeUndefined()
  })
})

describe('validation and not-found errors', () => {
  test.each([
    ['a name longer than 32 characters', { ...SEED_ALB, Name: 'a'.repeat(33) }, 'ValidationError'],
    ['a name with an underscore', { ...SEED_ALB, Name: 'alb_demo' }, 'ValidationError'],
    ['a name ending with a hyphen', { ...SEED_ALB, Name: 'alb-' }, 'ValidationError'],
    ['a name starting with internal-', { ...SEED_ALB, Name: 'internal-alb' }, 'ValidationError'],
    ['a single availability zone', { ...SEED_ALB, Subnets: ['subnet-12345678'] }, 'ValidationError'],
    [
      'an unknown subnet',
      { ...SEED_ALB, Subnets: ['subnet-12345678', 'subnet-nope'] },
      'SubnetNotFoundException'
    ],
    [
      'an unknown security group',
      { ...SEED_ALB, SecurityGroups: ['sg-nope'] },
      'InvalidSecurityGroupException'
    ],
    [
      'subnets of two VPCs',
      { ...SEED_ALB, Subnets: ['subnet-12345678', 'subnet-0fedcba9876543210'] },
      'InvalidConfigurationRequestException'
    ]
  ])('CreateLoadBalancer rejects %s', async (_what, input, name) => {
    expect((await failure(elb.send(new CreateLoadBalancerCommand(input)))).name).toBe(name)
  })

  test.each([
    ['a timeout not below the interval', { HealthCheckIntervalSeconds: 10, HealthCheckTimeoutSeconds: 10 }],
    ['port 0', { Port: 0 }],
    ['an unknown VPC', { VpcId: 'vpc-nope' }],
    ['a bad matcher', { Matcher: { HttpCode: '600' } }],
    ['a health check path without a slash', { HealthCheckPath: 'health' }]
  ])('CreateTargetGroup rejects %s', async (_what, change) => {
    const err = await failure(elb.send(new CreateTargetGroupCommand({ ...SEED_TG, Name: 'tg-x', ...change })))
    expect(err.name).toBe('ValidationError')
  })

  test('listener checks: certificates, VPC of the target group, unknown ARNs', async () => {
    const { lb, tg } = await seedWalk()
    const https = await failure(
      elb.send(
        new CreateListenerCommand({
          LoadBalancerArn: lb.LoadBalancerArn,
          Protocol: 'HTTPS',
          Port: 443,
          DefaultActions: [{ Type: 'forward', TargetGroupArn: tg.TargetGroupArn }]
        })
      )
    )
    expect(https.name).toBe('ValidationError')
    expect(https.message).toBe('A certificate must be specified for HTTPS listeners')
    const other = (
      await elb.send(
        new CreateTargetGroupCommand({
          Name: 'other-vpc',
          Protocol: 'HTTP',
          Port: 80,
          VpcId: 'vpc-0a1b2c3d4e5f60718'
        })
      )
    ).TargetGroups![0]
    const wrongVpc = await failure(
      elb.send(
        new CreateListenerCommand({
          LoadBalancerArn: lb.LoadBalancerArn,
          Protocol: 'HTTP',
          Port: 8080,
          DefaultActions: [{ Type: 'forward', TargetGroupArn: other.TargetGroupArn }]
        })
      )
    )
    expect(wrongVpc.name).toBe('ValidationError')
    const arn = lb.LoadBalancerArn!.replace(/[0-9a-f]{16}$/, '0000000000000000')
    const noLb = await failure(elb.send(new DescribeListenersCommand({ LoadBalancerArn: arn })))
    expect(noLb).toBeInstanceOf(LoadBalancerNotFoundException)
    expect(noLb.name).toBe('LoadBalancerNotFoundException')
    const noTg = await failure(elb.send(new DescribeTargetGroupsCommand({ Names: ['nope'] })))
    expect(noTg).toBeInstanceOf(TargetGroupNotFoundException)
    const noListener = await failure(
      elb.send(
        new DescribeListenersCommand({ ListenerArns: [`${arn}/x`.replace('loadbalancer', 'listener')] })
      )
    )
    expect(noListener.name).toBe('ListenerNotFoundException')
    const unknown = await failure(elb.send(new DescribeLoadBalancersCommand({ Names: ['nope'] })))
    expect(unknown.name).toBe('LoadBalancerNotFoundException')
  })

  test('a target group in use cannot be deleted; deleting the load balancer frees it', async () => {
    const { lb, tg, listener } = await seedWalk()
    const inUse = await failure(elb.send(new DeleteTargetGroupCommand({ TargetGroupArn: tg.TargetGroupArn })))
    expect(inUse).toBeInstanceOf(ResourceInUseException)
    await elb.send(new DeleteListenerCommand({ ListenerArn: listener.ListenerArn }))
    expect(
      (await elb.send(new DescribeTargetGroupsCommand({ Names: ['default'] }))).TargetGroups?.[0]
        .LoadBalancerArns
    ).toEqual([])
    await elb.send(new DeleteLoadBalancerCommand({ LoadBalancerArn: lb.LoadBalancerArn }))
    await elb.send(new DeleteLoadBalancerCommand({ LoadBalancerArn: lb.LoadBalancerArn })) // gone: still succeeds
    await elb.send(new DeleteTargetGroupCommand({ TargetGroupArn: tg.TargetGroupArn }))
    expect((await elb.send(new DescribeLoadBalancersCommand({}))).LoadBalancers).toEqual([])
    expect((await elb.send(new DescribeTargetGroupsCommand({}))).TargetGroups).toEqual([])
  })

  test('deletion protection blocks DeleteLoadBalancer', async () => {
    const { lb } = await seedWalk()
    await elb.send(
      new ModifyLoadBalancerAttributesCommand({
        LoadBalancerArn: lb.LoadBalancerArn,
        Attributes: [{ Key: 'deletion_protection.enabled', Value: 'true' }]
      })
    )
    const attrs = await elb.send(
      new DescribeLoadBalancerAttributesCommand({ LoadBalancerArn: lb.LoadBalancerArn })
    )
    const map = Object.fromEntries(attrs.Attributes!.map(a => [a.Key, a.Value]))
    expect(map).toMatchObject({
      'deletion_protection.enabled': 'true',
      'idle_timeout.timeout_seconds': '60',
      'routing.http2.enabled': 'true'
    })
    const err = await failure(
      elb.send(new DeleteLoadBalancerCommand({ LoadBalancerArn: lb.LoadBalancerArn }))
    )
    expect(err.name).toBe('OperationNotPermittedException')
  })
})

describe('changes in place', () => {
  test('ModifyTargetGroup, ModifyListener, SetSecurityGroups and SetSubnets', async () => {
    const { lb, tg, listener } = await seedWalk()
    const modified = await elb.send(
      new ModifyTargetGroupCommand({
        TargetGroupArn: tg.TargetGroupArn,
        HealthCheckPath: '/health',
        Matcher: { HttpCode: '200-299' }
      })
    )
    expect(modified.TargetGroups?.[0]).toMatchObject({
      HealthCheckPath: '/health',
      Matcher: { HttpCode: '200-299' },
      HealthCheckIntervalSeconds: 30
    })
    const badTimeout = await failure(
      elb.send(
        new ModifyTargetGroupCommand({ TargetGroupArn: tg.TargetGroupArn, HealthCheckTimeoutSeconds: 30 })
      )
    )
    expect(badTimeout.name).toBe('ValidationError')
    const moved = await elb.send(
      new ModifyListenerCommand({
        ListenerArn: listener.ListenerArn,
        Port: 8080,
        DefaultActions: [
          { Type: 'redirect', RedirectConfig: { Protocol: 'HTTPS', Port: '443', StatusCode: 'HTTP_301' } }
        ]
      })
    )
    expect(moved.Listeners?.[0]).toMatchObject({
      Port: 8080,
      DefaultActions: [
        {
          Type: 'redirect',
          RedirectConfig: {
            Protocol: 'HTTPS',
            Port: '443',
            Host: '#{host}',
            Path: '/#{path}',
            Query: '#{query}',
            StatusCode: 'HTTP_301'
          }
        }
      ]
    })
    const sgs = await elb.send(
      new SetSecurityGroupsCommand({ LoadBalancerArn: lb.LoadBalancerArn, SecurityGroups: ['sg-12345678'] })
    )
    expect(sgs.SecurityGroupIds).toEqual(['sg-12345678'])
    const subnets = await elb.send(
      new SetSubnetsCommand({
        LoadBalancerArn: lb.LoadBalancerArn,
        Subnets: ['subnet-abcdefgh', 'subnet-12345678']
      })
    )
    expect(subnets.AvailabilityZones?.map(z => z.ZoneName)).toEqual(['ap-northeast-1c', 'ap-northeast-1a'])
  })
})

describe('tags', () => {
  test('AddTags, RemoveTags and DescribeTags on every kind of resource', async () => {
    const { lb, tg, listener } = await seedWalk()
    const arns = [lb.LoadBalancerArn!, tg.TargetGroupArn!, listener.ListenerArn!]
    await elb.send(
      new AddTagsCommand({
        ResourceArns: arns,
        Tags: [
          { Key: 'team', Value: 'web' },
          { Key: 'env', Value: 'dev' }
        ]
      })
    )
    await elb.send(
      new AddTagsCommand({ ResourceArns: [lb.LoadBalancerArn!], Tags: [{ Key: 'env', Value: 'prod' }] })
    )
    await elb.send(new RemoveTagsCommand({ ResourceArns: [tg.TargetGroupArn!], TagKeys: ['team'] }))
    const described = await elb.send(new DescribeTagsCommand({ ResourceArns: arns }))
    expect(described.TagDescriptions).toEqual([
      {
        ResourceArn: arns[0],
        Tags: [
          { Key: 'team', Value: 'web' },
          { Key: 'env', Value: 'prod' }
        ]
      },
      { ResourceArn: arns[1], Tags: [{ Key: 'env', Value: 'dev' }] },
      {
        ResourceArn: arns[2],
        Tags: [
          { Key: 'team', Value: 'web' },
          { Key: 'env', Value: 'dev' }
        ]
      }
    ])
    const dup = await failure(
      elb.send(
        new AddTagsCommand({
          ResourceArns: arns,
          Tags: [
            { Key: 'a', Value: '1' },
            { Key: 'a', Value: '2' }
          ]
        })
      )
    )
    expect(dup.name).toBe('DuplicateTagKeysException')
    const tooMany = await failure(
      elb.send(new DescribeTagsCommand({ ResourceArns: Array(21).fill(arns[0]) }))
    )
    expect(tooMany.name).toBe('ValidationError')
  })
})

describe('targets registered through the API', () => {
  test('an instance target without an address on this machine fails its health checks', async () => {
    const { tg } = await seedWalk()
    await elb.send(
      new ModifyTargetGroupCommand({
        TargetGroupArn: tg.TargetGroupArn,
        HealthCheckIntervalSeconds: 5,
        HealthCheckTimeoutSeconds: 2,
        UnhealthyThresholdCount: 2
      })
    )
    await elb.send(
      new RegisterTargetsCommand({
        TargetGroupArn: tg.TargetGroupArn,
        Targets: [{ Id: 'i-0123456789abcdef0' }]
      })
    )
    const first = await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: tg.TargetGroupArn }))
    expect(first.TargetHealthDescriptions?.[0]).toMatchObject({
      Target: { Id: 'i-0123456789abcdef0', Port: 80 },
      HealthCheckPort: '80',
      TargetHealth: { State: 'initial', Reason: 'Elb.RegistrationInProgress' }
    })
    const deadline = Date.now() + 10_000
    let later = first
    while (later.TargetHealthDescriptions?.[0].TargetHealth?.State !== 'unhealthy' && Date.now() < deadline) {
      await emulator.clock.sleep(1000)
      later = await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: tg.TargetGroupArn }))
    }
    expect(later.TargetHealthDescriptions?.[0].TargetHealth).toEqual({
      State: 'unhealthy',
      Reason: 'Target.FailedHealthChecks',
      Description: 'Health checks failed'
    })
  })

  test('the state dump and the listeners control route', async () => {
    const { lb, listener } = await seedWalk()
    const rows = (await fetch(`${emulator.url}/_emulator/listeners`).then(r => r.json())) as Record<
      string,
      unknown
    >[]
    expect(rows).toEqual([
      {
        listenerArn: listener.ListenerArn,
        loadBalancerArn: lb.LoadBalancerArn,
        loadBalancerName: 'alb-demo',
        dnsName: lb.DNSName,
        port: 80,
        protocol: 'HTTP',
        localUrl: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/)
      }
    ])
    const state = (await fetch(`${emulator.url}/_emulator/state`).then(r => r.json())) as {
      elbv2: { loadBalancers: unknown[]; targetGroups: unknown[]; listeners: unknown[]; rules: unknown[] }
    }
    expect(state.elbv2.loadBalancers).toHaveLength(1)
    expect(state.elbv2.targetGroups).toHaveLength(1)
    expect(state.elbv2.rules).toHaveLength(1)
    await emulator.reset()
    expect(await fetch(`${emulator.url}/_emulator/listeners`).then(r => r.json())).toEqual([])
  })
})
