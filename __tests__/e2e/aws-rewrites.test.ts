/**
 * The bundled action against what AWS does to the fields it is given: defaults filled in, case rewritten,
 * refusals of changes ECS and ELBv2 do not take as sent, and UpdateService fields the file may change.
 * Each test runs dist/index.js against the emulator, which models those rules (emulator/FIDELITY.md).
 */
import { DescribeServicesCommand, ECSClient, type Service } from '@aws-sdk/client-ecs'
import { DescribeTagsCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2'
import { useEmulator } from '../../test-support/use-emulator.js'
import { runAction, type ActionRun } from '../../test-support/run-action.js'
import { fargateInputs, seedInputs } from '../../test-support/fixtures.js'
import { SEED_SERVICE, SEED_TARGET_GROUP } from '../fixtures/bad-inputs.js'

const suite = useEmulator({ timeScale: 0.01 })

const deploy = (inputs: Record<string, string>) => runAction({ inputs, endpoint: suite.emulator.url })

const expectSuccess = (run: ActionRun): void => {
  if (run.code !== 0) throw new Error(`action failed (${run.code}):\n${run.stdout}\n${run.stderr}`)
}

const lastSeq = async (): Promise<number> => (await suite.control.calls()).at(-1)?.seq ?? 0

/** Every mutating call since `seq`, whatever its answer (a refused call is still an attempt). */
const attempted = async (since: number) => (await suite.control.calls(since)).filter(c => c.mutating)

const describeService = async (name: string): Promise<Service> => {
  const ecs = new ECSClient({
    endpoint: suite.emulator.url,
    region: 'ap-northeast-1',
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'x' }
  })
  try {
    const out = await ecs.send(
      new DescribeServicesCommand({ cluster: 'ecs-demo', services: [name], include: ['TAGS'] })
    )
    return out.services![0]
  } finally {
    ecs.destroy()
  }
}

const errorText = (run: ActionRun): string =>
  run.stdout
    .split('\n')
    .filter(l => l.startsWith('::error'))
    .join('\n')

/** A Fargate service on a capacity provider strategy instead of a launch type. */
const onStrategy = (strategy: unknown[]): Record<string, string> => {
  const base = fargateInputs()
  const { launchType: _l, ...service } = JSON.parse(base.service) as Record<string, unknown>
  return { ...base, service: JSON.stringify({ ...service, capacityProviderStrategy: strategy }) }
}

describe('capacity provider strategy', () => {
  test('base left out and items in another order: no churn; a new strategy is sent with forceNewDeployment', async () => {
    // ECS describes the omitted base as 0, and its own order: neither is a difference.
    const file = [
      { capacityProvider: 'FARGATE_SPOT', weight: 3 },
      { capacityProvider: 'FARGATE', base: 1, weight: 1 }
    ]
    expectSuccess(await deploy(onStrategy(file)))
    const described = await describeService('web')
    expect(described.capacityProviderStrategy).toEqual(
      expect.arrayContaining([{ capacityProvider: 'FARGATE_SPOT', weight: 3, base: 0 }])
    )

    const before = await lastSeq()
    const again = await deploy(onStrategy(file))
    expectSuccess(again)
    expect(await attempted(before)).toEqual([])
    expect(again.outputs.changed).toBe('false')

    // A change of strategy: ECS takes it only with a new deployment, and the plan says so.
    const changed = [{ capacityProvider: 'FARGATE_SPOT', weight: 1 }]
    const seq = await lastSeq()
    const run = await deploy(onStrategy(changed))
    expectSuccess(run)
    const updates = (await attempted(seq)).filter(c => c.operation === 'UpdateService')
    expect(updates).toHaveLength(1)
    expect(updates[0].params).toMatchObject({ capacityProviderStrategy: changed, forceNewDeployment: true })
    expect(run.stdout).toMatch(/why: capacityProviderStrategy changes: ECS requires a new deployment/)
    expect((await describeService('web')).capacityProviderStrategy).toEqual([
      { capacityProvider: 'FARGATE_SPOT', weight: 1, base: 0 }
    ])
  })
})

describe('placement strategy', () => {
  test('binpack on "memory" (described MEMORY) deploys once, then a re-run changes nothing', async () => {
    const service = JSON.stringify({
      ...SEED_SERVICE,
      placementStrategy: [{ type: 'binpack', field: 'memory' }]
    })
    expectSuccess(await deploy(seedInputs({ service })))
    expect((await describeService('ecs-simple-service-elb')).placementStrategy).toEqual([
      { type: 'binpack', field: 'MEMORY' }
    ])
    const before = await lastSeq()
    const again = await deploy(seedInputs({ service }))
    expectSuccess(again)
    expect(await attempted(before)).toEqual([])
  })
})

describe('fields UpdateService changes', () => {
  test('availabilityZoneRebalancing, serviceRegistries and vpcLatticeConfigurations are applied, then held', async () => {
    expectSuccess(await deploy(seedInputs()))
    const registry = 'arn:aws:servicediscovery:ap-northeast-1:123456789012:service/srv-0123456789abcdef'
    const lattice = {
      roleArn: 'arn:aws:iam::123456789012:role/ecsInfrastructureRole',
      targetGroupArn: 'arn:aws:vpc-lattice:ap-northeast-1:123456789012:targetgroup/tg-0123456789abcdef0',
      portName: 'app'
    }
    const service = JSON.stringify({
      ...SEED_SERVICE,
      availabilityZoneRebalancing: 'DISABLED',
      serviceRegistries: [{ registryArn: registry, containerName: 'app', containerPort: 4567 }],
      vpcLatticeConfigurations: [lattice]
    })
    const before = await lastSeq()
    const run = await deploy(seedInputs({ service }))
    expectSuccess(run)
    const updates = (await attempted(before)).filter(c => c.operation === 'UpdateService')
    expect(updates).toHaveLength(1)
    expect(updates[0].params).toMatchObject({
      availabilityZoneRebalancing: 'DISABLED',
      serviceRegistries: [{ registryArn: registry }],
      vpcLatticeConfigurations: [lattice]
    })
    const described = await describeService('ecs-simple-service-elb')
    expect(described.availabilityZoneRebalancing).toBe('DISABLED')
    expect(described.serviceRegistries).toEqual([
      { registryArn: registry, containerName: 'app', containerPort: 4567 }
    ])
    expect(described.deployments?.find(d => d.status === 'PRIMARY')?.vpcLatticeConfigurations).toEqual([
      lattice
    ])

    const seq = await lastSeq()
    expectSuccess(await deploy(seedInputs({ service })))
    expect(await attempted(seq)).toEqual([])
  })
})

describe('target group health-check rules', () => {
  test('an interval below the current timeout (timeout left out): refused before any mutating call, naming both', async () => {
    expectSuccess(await deploy(seedInputs()))
    // The seed's group has timeout 15; the file now drops the timeout and asks for a 10 s interval.
    const { HealthCheckTimeoutSeconds: _t, ...rest } = SEED_TARGET_GROUP
    const before = await lastSeq()
    const run = await deploy(
      seedInputs({ 'target-group': JSON.stringify({ ...rest, HealthCheckIntervalSeconds: 10 }) })
    )
    expect(run.code).not.toBe(0)
    expect(await attempted(before)).toEqual([])
    expect(errorText(run)).toMatch(
      /HealthCheckTimeoutSeconds 15 \(its current value\) must be less than HealthCheckIntervalSeconds 10/
    )
  })

  test('a target group without HealthCheckTimeoutSeconds is created with the HTTP default and left alone after', async () => {
    const { HealthCheckTimeoutSeconds: _t, ...rest } = SEED_TARGET_GROUP
    const inputs = seedInputs({
      'target-group': JSON.stringify({ ...rest, HealthCheckIntervalSeconds: 10 })
    })
    expectSuccess(await deploy(inputs))
    const before = await lastSeq()
    expectSuccess(await deploy(inputs))
    expect(await attempted(before)).toEqual([])
  })

  test('a changed IpAddressType is a replacement, not "none"', async () => {
    expectSuccess(await deploy(seedInputs()))
    const run = await deploy({
      ...seedInputs({ 'target-group': JSON.stringify({ ...SEED_TARGET_GROUP, IpAddressType: 'ipv6' }) }),
      'dry-run': 'true'
    })
    expectSuccess(run)
    const plan = JSON.parse(run.outputs.plan) as { resource: string; action: string; reason?: string }[]
    const tg = plan.find(s => s.resource === 'target-group')!
    expect(tg.action).toBe('replace')
    expect(tg.reason).toMatch(/IpAddressType ipv4 → ipv6/)
  })
})

describe('the tags input on existing resources', () => {
  const elbTagsOf = async (arns: string[]) => {
    const elbv2 = new ElasticLoadBalancingV2Client({
      endpoint: suite.emulator.url,
      region: 'ap-northeast-1',
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'x' }
    })
    try {
      const out = await elbv2.send(new DescribeTagsCommand({ ResourceArns: arns }))
      return (out.TagDescriptions ?? []).map(d =>
        Object.fromEntries((d.Tags ?? []).map(t => [t.Key, t.Value]))
      )
    } finally {
      elbv2.destroy()
    }
  }

  test('new and changed tags reach the load balancer, target group and service; the ownership tag stays', async () => {
    const first = await deploy(seedInputs({ tags: 'team=web\ncost-center=1' }))
    expectSuccess(first)
    const before = await lastSeq()
    const run = await deploy(seedInputs({ tags: 'team=payments\nenv=prod' }))
    expectSuccess(run)
    const ops = (await attempted(before)).map(c => c.operation)
    expect(ops.filter(o => o === 'AddTags')).toHaveLength(4)
    expect(ops.filter(o => o === 'TagResource')).toHaveLength(2)
    expect(ops).not.toContain('UpdateService')

    const o = first.outputs
    const [lb, tg] = await elbTagsOf([o['load-balancer-arn'], o['target-group-arn']])
    for (const tags of [lb, tg]) {
      // Changed and added; a key no longer listed is left; the ownership tag is untouched.
      expect(tags).toMatchObject({
        team: 'payments',
        env: 'prod',
        'cost-center': '1',
        'ecs-alb-deploy:stack': 'ecs-demo/ecs-simple-service-elb'
      })
    }
    const service = await describeService('ecs-simple-service-elb')
    expect(Object.fromEntries((service.tags ?? []).map(t => [t.key, t.value]))).toMatchObject({
      team: 'payments',
      env: 'prod',
      'ecs-alb-deploy:stack': 'ecs-demo/ecs-simple-service-elb'
    })

    const seq = await lastSeq()
    expectSuccess(await deploy(seedInputs({ tags: 'team=payments\nenv=prod' })))
    expect(await attempted(seq)).toEqual([])
  })
})
