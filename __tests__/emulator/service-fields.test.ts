/**
 * What the emulator does to service and target group fields, as AWS does (emulator/FIDELITY.md): defaults
 * filled in, case rewritten, and the changes it refuses.
 */
import {
  CreateServiceCommand,
  DescribeServicesCommand,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
  type CreateServiceCommandInput
} from '@aws-sdk/client-ecs'
import {
  CreateTargetGroupCommand,
  ModifyTargetGroupCommand,
  type CreateTargetGroupCommandInput
} from '@aws-sdk/client-elastic-load-balancing-v2'
import { describe, expect, test } from '@jest/globals'
import { useEmulatorWithClients } from '../../test-support/use-sdk-clients.js'

const suite = useEmulatorWithClients({ timeScale: 0.01, maxAttempts: 1 })

const SUBNET = 'subnet-0123456789abcdef0'

async function fargateService(extra: Partial<CreateServiceCommandInput>) {
  const { ecs } = suite.clients
  const td = await ecs.send(
    new RegisterTaskDefinitionCommand({
      family: 'web',
      networkMode: 'awsvpc',
      requiresCompatibilities: ['FARGATE'],
      cpu: '256',
      memory: '512',
      containerDefinitions: [{ name: 'web', image: 'example/web:1.0' }]
    })
  )
  const out = await ecs.send(
    new CreateServiceCommand({
      cluster: 'ecs-demo',
      serviceName: 'web',
      taskDefinition: td.taskDefinition!.taskDefinitionArn,
      desiredCount: 0,
      networkConfiguration: { awsvpcConfiguration: { subnets: [SUBNET] } },
      ...extra
    })
  )
  return out.service!
}

const described = async () =>
  (await suite.clients.ecs.send(new DescribeServicesCommand({ cluster: 'ecs-demo', services: ['web'] })))
    .services![0]

describe('ECS service fields', () => {
  test('a strategy is described with base and weight filled in', async () => {
    await fargateService({ capacityProviderStrategy: [{ capacityProvider: 'FARGATE', weight: 1 }] })
    expect((await described()).capacityProviderStrategy).toEqual([
      { capacityProvider: 'FARGATE', weight: 1, base: 0 }
    ])
  })

  test('a change of strategy is refused without forceNewDeployment, taken with it', async () => {
    await fargateService({ capacityProviderStrategy: [{ capacityProvider: 'FARGATE', weight: 1 }] })
    const update = (force: boolean) =>
      suite.clients.ecs.send(
        new UpdateServiceCommand({
          cluster: 'ecs-demo',
          service: 'web',
          capacityProviderStrategy: [{ capacityProvider: 'FARGATE_SPOT', weight: 1 }],
          ...(force ? { forceNewDeployment: true } : {})
        })
      )
    await expect(update(false)).rejects.toThrow(
      /making a change to a capacity provider strategy on a service that is already using one, you must force a new deployment/
    )
    await update(true)
    expect((await described()).capacityProviderStrategy).toEqual([
      { capacityProvider: 'FARGATE_SPOT', weight: 1, base: 0 }
    ])
  })

  test('the same strategy, base left out, needs no forced deployment', async () => {
    await fargateService({ capacityProviderStrategy: [{ capacityProvider: 'FARGATE', weight: 1, base: 0 }] })
    await suite.clients.ecs.send(
      new UpdateServiceCommand({
        cluster: 'ecs-demo',
        service: 'web',
        capacityProviderStrategy: [{ capacityProvider: 'FARGATE', weight: 1 }]
      })
    )
  })

  test('a first strategy on a launch-type service is refused without forceNewDeployment', async () => {
    await fargateService({ launchType: 'FARGATE' })
    await expect(
      suite.clients.ecs.send(
        new UpdateServiceCommand({
          cluster: 'ecs-demo',
          service: 'web',
          capacityProviderStrategy: [{ capacityProvider: 'FARGATE', weight: 1 }]
        })
      )
    ).rejects.toThrow(/When switching from launch type to capacity provider strategy/)
  })

  test('binpack on memory / cpu is described upper-case; other fields as given', async () => {
    await fargateService({
      launchType: 'FARGATE',
      placementStrategy: [
        { type: 'binpack', field: 'memory' },
        { type: 'spread', field: 'attribute:ecs.availability-zone' }
      ]
    })
    expect((await described()).placementStrategy).toEqual([
      { type: 'binpack', field: 'MEMORY' },
      { type: 'spread', field: 'attribute:ecs.availability-zone' }
    ])
  })

  test('per-deployment fields are described on the new deployment; availabilityZoneRebalancing on the service', async () => {
    await fargateService({ launchType: 'FARGATE' })
    const before = await described()
    expect(before.availabilityZoneRebalancing).toBe('ENABLED')
    const lattice = [{ roleArn: 'r', targetGroupArn: 't', portName: 'web' }]
    await suite.clients.ecs.send(
      new UpdateServiceCommand({
        cluster: 'ecs-demo',
        service: 'web',
        vpcLatticeConfigurations: lattice,
        availabilityZoneRebalancing: 'DISABLED'
      })
    )
    const after = await described()
    expect(after.availabilityZoneRebalancing).toBe('DISABLED')
    const primary = after.deployments?.find(d => d.status === 'PRIMARY')
    expect(primary?.id).not.toBe(before.deployments?.[0].id)
    expect(primary?.vpcLatticeConfigurations).toEqual(lattice)
  })
})

describe('ELBv2 target group health checks', () => {
  const create = (extra: Partial<CreateTargetGroupCommandInput>) =>
    suite.clients.elbv2.send(
      new CreateTargetGroupCommand({
        Name: 'tg',
        Protocol: 'HTTP',
        Port: 80,
        VpcId: 'vpc-xxxxxxxx',
        ...extra
      })
    )

  test.each([
    ['HTTP', 6],
    ['HTTPS', 10]
  ] as const)('the default timeout of an %s group is %i s', async (protocol, timeout) => {
    const tg = (await create({ Protocol: protocol })).TargetGroups![0]
    expect(tg.HealthCheckTimeoutSeconds).toBe(timeout)
    expect(tg.HealthCheckIntervalSeconds).toBe(30)
  })

  test.each(['instance', 'ip'] as const)(
    'health checks cannot be turned off for %s targets',
    async targetType => {
      await expect(create({ TargetType: targetType, HealthCheckEnabled: false })).rejects.toThrow(
        /Health checks cannot be disabled/
      )
      const tg = (await create({ TargetType: targetType })).TargetGroups![0]
      await expect(
        suite.clients.elbv2.send(
          new ModifyTargetGroupCommand({ TargetGroupArn: tg.TargetGroupArn, HealthCheckEnabled: false })
        )
      ).rejects.toThrow(/Health checks cannot be disabled/)
    }
  )

  test('ModifyTargetGroup counts the current timeout against a new interval', async () => {
    const tg = (await create({ HealthCheckTimeoutSeconds: 15 })).TargetGroups![0]
    await expect(
      suite.clients.elbv2.send(
        new ModifyTargetGroupCommand({ TargetGroupArn: tg.TargetGroupArn, HealthCheckIntervalSeconds: 10 })
      )
    ).rejects.toThrow(/timeout '15' must be smaller than the interval '10'/)
  })
})
