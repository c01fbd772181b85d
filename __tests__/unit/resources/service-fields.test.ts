import type { CreateServiceCommandInput, Service, UpdateServiceCommandInput } from '@aws-sdk/client-ecs'
import type { CreateTargetGroupCommandInput, TargetGroup } from '@aws-sdk/client-elastic-load-balancing-v2'
import { describe, expect, test } from '@jest/globals'
import { emptyActual } from '../../../src/model/actual.js'
import type { ChangeCall } from '../../../src/model/plan.js'
import { planService } from '../../../src/resources/service.js'
import { immutableChanges, timingProblem } from '../../../src/resources/target-group.js'
import { ecsTagOperations, elbTagOperations, tagDiff } from '../../../src/resources/tagging.js'
import { OWNER_TAG } from '../../../src/resources/ownership.js'
import { PREVIEW_TAG } from '../../../src/model/names.js'
import type { TagMap } from '../../../src/model/actual.js'
import { seedRequest, seedService, STACK_TAG } from '../../fixtures/seed.js'

const TG_ARN = 'arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:targetgroup/default/1'
const TD_ARN = 'arn:aws:ecs:ap-northeast-1:123456789012:task-definition/ecscompose-ecs-app:1'

/** The seed's service as DescribeServices answers it, with `extra` as ECS describes it. */
const described = (extra: Partial<Service> = {}): Service => ({
  serviceArn: 'arn:aws:ecs:ap-northeast-1:123456789012:service/ecs-demo/ecs-simple-service-elb',
  serviceName: 'ecs-simple-service-elb',
  status: 'ACTIVE',
  taskDefinition: TD_ARN,
  desiredCount: 2,
  roleArn: 'arn:aws:iam::123456789012:role/ecsServiceRole',
  loadBalancers: [{ targetGroupArn: TG_ARN, containerName: 'app', containerPort: 4567 }],
  tags: [{ key: STACK_TAG.Key, value: STACK_TAG.Value }],
  serviceRegistries: [],
  availabilityZoneRebalancing: 'ENABLED',
  placementStrategy: [],
  deployments: [{ id: 'ecs-svc/1', status: 'PRIMARY' }],
  ...extra
})

const plan = (file: Partial<CreateServiceCommandInput>, actual: Service) => {
  const { launchType: _l, ...base } = seedService()
  const request = seedRequest({ service: { ...base, ...file } })
  const step = planService({
    request,
    actual: { ...emptyActual(), service: actual },
    warnings: [],
    taskDefinitionArn: TD_ARN,
    targetGroupArn: TG_ARN,
    containers: [{ name: 'app', portMappings: [{ containerPort: 4567 }] }]
  })
  const op = step.operations[0]
  const input = (call: ChangeCall | undefined) => call?.input as UpdateServiceCommandInput | undefined
  return { step, input: input(op?.do as ChangeCall), inverse: input(op?.inverse) }
}

const spot = [
  { capacityProvider: 'FARGATE', base: 1, weight: 1 },
  { capacityProvider: 'FARGATE_SPOT', base: 0, weight: 3 }
]

describe('what ECS fills in or rewrites is not a change', () => {
  test.each<{ title: string; file: Partial<CreateServiceCommandInput>; actual: Partial<Service> }>([
    {
      title: 'a strategy without base (described as 0), in another order',
      file: {
        capacityProviderStrategy: [
          { capacityProvider: 'FARGATE_SPOT', weight: 3 },
          { capacityProvider: 'FARGATE', base: 1, weight: 1 }
        ]
      },
      actual: { capacityProviderStrategy: spot }
    },
    {
      title: 'a strategy item without weight (described as 0)',
      file: { capacityProviderStrategy: [{ capacityProvider: 'FARGATE', base: 2 }] },
      actual: { capacityProviderStrategy: [{ capacityProvider: 'FARGATE', base: 2, weight: 0 }] }
    },
    {
      title: 'binpack on memory, described MEMORY',
      file: { placementStrategy: [{ type: 'binpack', field: 'memory' }] },
      actual: { placementStrategy: [{ type: 'binpack', field: 'MEMORY' }] }
    },
    {
      title: 'spread on cpu in mixed case, described CPU',
      file: { placementStrategy: [{ type: 'binpack', field: 'Cpu' }] },
      actual: { placementStrategy: [{ type: 'binpack', field: 'CPU' }] }
    },
    {
      title: 'availabilityZoneRebalancing left out (ECS describes ENABLED)',
      file: {},
      actual: { availabilityZoneRebalancing: 'ENABLED' }
    },
    {
      title: 'Service Connect as the PRIMARY deployment describes it',
      file: { serviceConnectConfiguration: { enabled: true, namespace: 'demo' } },
      actual: {
        deployments: [
          {
            id: 'ecs-svc/1',
            status: 'PRIMARY',
            serviceConnectConfiguration: { enabled: true, namespace: 'demo' }
          }
        ]
      }
    }
  ])('$title', ({ file, actual }) => {
    const { step } = plan(file, described(actual))
    expect(step.action).toBe('none')
    expect(step.operations).toEqual([])
  })
})

describe('a field UpdateService can change is changed, with its previous value as the inverse', () => {
  test.each<{
    title: string
    file: Partial<CreateServiceCommandInput>
    actual: Partial<Service>
    sent: Partial<UpdateServiceCommandInput>
    restored: Partial<UpdateServiceCommandInput>
  }>([
    {
      title: 'a new capacity provider strategy: forced, both ways',
      file: { capacityProviderStrategy: [{ capacityProvider: 'FARGATE_SPOT', weight: 1 }] },
      actual: { capacityProviderStrategy: spot },
      sent: {
        capacityProviderStrategy: [{ capacityProvider: 'FARGATE_SPOT', weight: 1 }],
        forceNewDeployment: true
      },
      restored: { capacityProviderStrategy: spot, forceNewDeployment: true }
    },
    {
      title: 'a strategy on a launch-type service: forced',
      file: { capacityProviderStrategy: [{ capacityProvider: 'FARGATE', weight: 1 }] },
      actual: { launchType: 'FARGATE' },
      sent: {
        capacityProviderStrategy: [{ capacityProvider: 'FARGATE', weight: 1 }],
        forceNewDeployment: true
      },
      restored: {}
    },
    {
      title: 'availabilityZoneRebalancing turned off',
      file: { availabilityZoneRebalancing: 'DISABLED' },
      actual: {},
      sent: { availabilityZoneRebalancing: 'DISABLED' },
      restored: { availabilityZoneRebalancing: 'ENABLED' }
    },
    {
      title: 'service registries added: the inverse removes them',
      file: {
        serviceRegistries: [{ registryArn: 'arn:aws:servicediscovery:ap-northeast-1:1:service/srv-1' }]
      },
      actual: {},
      sent: {
        serviceRegistries: [{ registryArn: 'arn:aws:servicediscovery:ap-northeast-1:1:service/srv-1' }]
      },
      restored: { serviceRegistries: [] }
    },
    {
      title: 'Service Connect turned on: the inverse turns it off',
      file: { serviceConnectConfiguration: { enabled: true, namespace: 'demo' } },
      actual: {},
      sent: { serviceConnectConfiguration: { enabled: true, namespace: 'demo' } },
      restored: { serviceConnectConfiguration: { enabled: false } }
    },
    {
      title: 'volume configurations changed: the inverse sends the PRIMARY deployment’s',
      file: { volumeConfigurations: [{ name: 'data', managedEBSVolume: { roleArn: 'r', sizeInGiB: 20 } }] },
      actual: {
        deployments: [
          {
            id: 'ecs-svc/1',
            status: 'PRIMARY',
            volumeConfigurations: [{ name: 'data', managedEBSVolume: { roleArn: 'r', sizeInGiB: 10 } }]
          }
        ]
      },
      sent: { volumeConfigurations: [{ name: 'data', managedEBSVolume: { roleArn: 'r', sizeInGiB: 20 } }] },
      restored: {
        volumeConfigurations: [{ name: 'data', managedEBSVolume: { roleArn: 'r', sizeInGiB: 10 } }]
      }
    },
    {
      title: 'VPC Lattice added: the inverse removes it',
      file: { vpcLatticeConfigurations: [{ roleArn: 'r', targetGroupArn: 't', portName: 'web' }] },
      actual: {},
      sent: { vpcLatticeConfigurations: [{ roleArn: 'r', targetGroupArn: 't', portName: 'web' }] },
      restored: { vpcLatticeConfigurations: [] }
    },
    {
      title: 'binpack moved from memory to cpu',
      file: { placementStrategy: [{ type: 'binpack', field: 'cpu' }] },
      actual: { placementStrategy: [{ type: 'binpack', field: 'MEMORY' }] },
      sent: { placementStrategy: [{ type: 'binpack', field: 'cpu' }] },
      restored: { placementStrategy: [{ type: 'binpack', field: 'MEMORY' }] }
    }
  ])('$title', ({ file, actual, sent, restored }) => {
    const { step, input, inverse } = plan(file, described(actual))
    expect(step.action).toBe('update')
    const target = { cluster: 'ecs-demo', service: 'ecs-simple-service-elb' }
    expect(input).toEqual({ ...target, ...sent })
    expect(inverse).toEqual({ ...target, ...restored })
  })

  test('the plan says why a strategy change starts a new deployment', () => {
    const { step } = plan(
      { capacityProviderStrategy: [{ capacityProvider: 'FARGATE_SPOT', weight: 1 }] },
      described({ capacityProviderStrategy: spot })
    )
    expect(step.reason).toMatch(/capacityProviderStrategy.*forceNewDeployment/)
  })
})

const liveGroup = (extra: Partial<TargetGroup> = {}): TargetGroup => ({
  TargetGroupArn: TG_ARN,
  Protocol: 'HTTP',
  Port: 80,
  VpcId: 'vpc-xxxxxxxx',
  TargetType: 'instance',
  IpAddressType: 'ipv4',
  HealthCheckIntervalSeconds: 30,
  HealthCheckTimeoutSeconds: 15,
  ...extra
})

describe('target group timings are checked against the live group', () => {
  test.each<{
    title: string
    file: Partial<CreateTargetGroupCommandInput>
    problem: RegExp | undefined
  }>([
    {
      title: 'an interval below the current timeout',
      file: { HealthCheckIntervalSeconds: 10 },
      problem:
        /HealthCheckTimeoutSeconds 15 \(its current value\).*HealthCheckIntervalSeconds 10 \(the requested/
    },
    {
      title: 'a timeout above the current interval',
      file: { HealthCheckTimeoutSeconds: 30 },
      problem:
        /HealthCheckTimeoutSeconds 30 \(the requested value\).*HealthCheckIntervalSeconds 30 \(its current/
    },
    {
      title: 'both given and consistent',
      file: { HealthCheckIntervalSeconds: 10, HealthCheckTimeoutSeconds: 5 },
      problem: undefined
    },
    {
      title: 'an interval above the current timeout',
      file: { HealthCheckIntervalSeconds: 20 },
      problem: undefined
    }
  ])('$title', ({ file, problem }) => {
    const found = timingProblem({ Name: 'default', ...file }, liveGroup())
    if (problem) expect(found).toMatch(problem)
    else expect(found).toBeUndefined()
  })
})

describe('IpAddressType is fixed at creation', () => {
  test.each<{ title: string; file: Partial<CreateTargetGroupCommandInput>; fields: string[] }>([
    { title: 'left out: whatever exists is kept', file: {}, fields: [] },
    { title: 'the same', file: { IpAddressType: 'ipv4' }, fields: [] },
    { title: 'changed: a replacement', file: { IpAddressType: 'ipv6' }, fields: ['IpAddressType'] }
  ])('$title', ({ file, fields }) => {
    const desired = { Name: 'default', Protocol: 'HTTP' as const, Port: 80, ...file }
    expect(immutableChanges(desired, liveGroup()).map(c => c.field)).toEqual(fields)
  })
})

describe('the tags input on existing resources', () => {
  test.each<{
    title: string
    wanted: TagMap
    have: TagMap
    added: TagMap
    changed: TagMap
    previous: TagMap
  }>([
    {
      title: 'the same tags: nothing',
      wanted: { team: 'web' },
      have: { team: 'web', x: '1' },
      added: {},
      changed: {},
      previous: {}
    },
    {
      title: 'a new key is added',
      wanted: { team: 'web' },
      have: {},
      added: { team: 'web' },
      changed: {},
      previous: {}
    },
    {
      title: 'a new value replaces the old, which is kept for the inverse',
      wanted: { team: 'web' },
      have: { team: 'api' },
      added: {},
      changed: { team: 'web' },
      previous: { team: 'api' }
    },
    {
      title: 'the ownership and preview tags are never touched',
      wanted: { [OWNER_TAG]: 'ecs-demo/web', [PREVIEW_TAG]: 'pr-1' },
      have: { [OWNER_TAG]: 'ecs-demo/other' },
      added: {},
      changed: {},
      previous: {}
    },
    {
      title: 'a key the inputs no longer list is left',
      wanted: {},
      have: { old: 'x' },
      added: {},
      changed: {},
      previous: {}
    }
  ])('$title', ({ wanted, have, added, changed, previous }) => {
    expect(tagDiff(wanted, have)).toEqual({ added, changed, previous })
  })

  test('each AddTags / TagResource has the inverse that restores the tags as they were', () => {
    const diff = tagDiff({ team: 'web', env: 'prod' }, { team: 'api' })
    const arn = 'arn:x'
    expect(elbTagOperations({ arn, what: 'target group t', diff }).map(o => [o.do, o.inverse])).toEqual([
      [
        { call: 'AddTags', input: { ResourceArns: [arn], Tags: [{ Key: 'team', Value: 'web' }] } },
        { call: 'AddTags', input: { ResourceArns: [arn], Tags: [{ Key: 'team', Value: 'api' }] } }
      ],
      [
        { call: 'AddTags', input: { ResourceArns: [arn], Tags: [{ Key: 'env', Value: 'prod' }] } },
        { call: 'RemoveTags', input: { ResourceArns: [arn], TagKeys: ['env'] } }
      ]
    ])
    expect(ecsTagOperations({ arn, what: 'service s', diff }).map(o => [o.do, o.inverse])).toEqual([
      [
        { call: 'TagResource', input: { resourceArn: arn, tags: [{ key: 'team', value: 'web' }] } },
        { call: 'TagResource', input: { resourceArn: arn, tags: [{ key: 'team', value: 'api' }] } }
      ],
      [
        { call: 'TagResource', input: { resourceArn: arn, tags: [{ key: 'env', value: 'prod' }] } },
        { call: 'UntagResource', input: { resourceArn: arn, tagKeys: ['env'] } }
      ]
    ])
  })

  test('a service whose fields match but whose tags differ is tagged, without an UpdateService', () => {
    const { launchType: _l, ...base } = seedService()
    const request = seedRequest({ service: base, tags: [{ Key: 'team', Value: 'web' }] })
    const step = planService({
      request,
      actual: { ...emptyActual(), service: described() },
      warnings: [],
      taskDefinitionArn: TD_ARN,
      targetGroupArn: TG_ARN,
      containers: [{ name: 'app', portMappings: [{ containerPort: 4567 }] }]
    })
    expect(step.action).toBe('update')
    expect(step.calls).toEqual(['TagResource'])
    expect(step.changes).toEqual([{ field: 'tags.team', to: 'web' }])
  })
})
