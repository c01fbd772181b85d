import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import {
  DeregisterTaskDefinitionCommand,
  DescribeClustersCommand,
  DescribeContainerInstancesCommand,
  DescribeTaskDefinitionCommand,
  ListContainerInstancesCommand,
  ListTaskDefinitionFamiliesCommand,
  ListTaskDefinitionsCommand,
  ListTagsForResourceCommand,
  RegisterTaskDefinitionCommand,
  TagResourceCommand,
  UntagResourceCommand,
  type RegisterTaskDefinitionCommandInput
} from '@aws-sdk/client-ecs'
import { startEcsHarness, type EcsHarness } from './ecs-harness.js'

let h: EcsHarness
beforeAll(async () => {
  h = await startEcsHarness()
})
afterAll(async () => {
  await h.stop()
})

const seedTaskDefinition: RegisterTaskDefinitionCommandInput = {
  family: 'ecscompose-ecs-app',
  containerDefinitions: [
    { name: 'app', image: 'example/ecs-app:1', memory: 128, portMappings: [{ containerPort: 4567 }] }
  ]
}

const errorOf = async (p: Promise<unknown>) => {
  try {
    await p
  } catch (e) {
    const err = e as Error & { $metadata?: { httpStatusCode?: number } }
    return { name: err.name, message: err.message, status: err.$metadata?.httpStatusCode }
  }
  throw new Error('expected an error')
}

describe('task definitions', () => {
  test('register fills in the defaults AWS returns', async () => {
    const out = await h.ecs.send(
      new RegisterTaskDefinitionCommand({ ...seedTaskDefinition, tags: [{ key: 'k', value: 'v' }] })
    )
    const td = out.taskDefinition!
    expect(td.taskDefinitionArn).toBe(
      'arn:aws:ecs:ap-northeast-1:123456789012:task-definition/ecscompose-ecs-app:1'
    )
    expect(td.revision).toBe(1)
    expect(td.status).toBe('ACTIVE')
    expect(td.networkMode).toBe('bridge')
    expect(td.registeredAt).toBeInstanceOf(Date)
    expect(td.registeredBy).toMatch(/^arn:aws:iam::123456789012:/)
    expect(td.volumes).toEqual([])
    expect(td.placementConstraints).toEqual([])
    expect(td.compatibilities).toContain('EC2')
    expect(td.requiresAttributes?.length).toBeGreaterThan(0)
    expect(td.containerDefinitions![0]).toEqual({
      name: 'app',
      image: 'example/ecs-app:1',
      memory: 128,
      cpu: 0,
      essential: true,
      portMappings: [{ containerPort: 4567, hostPort: 0, protocol: 'tcp' }],
      environment: [],
      mountPoints: [],
      volumesFrom: [],
      systemControls: []
    })
    expect(out.tags).toEqual([{ key: 'k', value: 'v' }])
  })

  test('a container health check is described with the interval, timeout and retries AWS defaults to', async () => {
    const container = {
      ...seedTaskDefinition.containerDefinitions![0]!,
      healthCheck: { command: ['CMD', 'true'] }
    }
    const out = await h.ecs.send(
      new RegisterTaskDefinitionCommand({
        ...seedTaskDefinition,
        family: 'hc',
        containerDefinitions: [container]
      })
    )
    expect(out.taskDefinition?.containerDefinitions?.[0]?.healthCheck).toEqual({
      command: ['CMD', 'true'],
      interval: 30,
      timeout: 5,
      retries: 3
    })
  })

  test('revisions count up; a family alone describes the latest ACTIVE one, with tags on request', async () => {
    await h.ecs.send(
      new RegisterTaskDefinitionCommand({
        ...seedTaskDefinition,
        containerDefinitions: [{ ...seedTaskDefinition.containerDefinitions![0], image: 'example/ecs-app:2' }]
      })
    )
    const latest = await h.ecs.send(
      new DescribeTaskDefinitionCommand({ taskDefinition: 'ecscompose-ecs-app', include: ['TAGS'] })
    )
    expect(latest.taskDefinition?.revision).toBe(2)
    expect(latest.tags).toEqual([])
    const first = await h.ecs.send(
      new DescribeTaskDefinitionCommand({ taskDefinition: 'ecscompose-ecs-app:1', include: ['TAGS'] })
    )
    expect(first.tags).toEqual([{ key: 'k', value: 'v' }])
    await h.ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: 'ecscompose-ecs-app:2' }))
    const afterDeregister = await h.ecs.send(
      new DescribeTaskDefinitionCommand({ taskDefinition: 'ecscompose-ecs-app' })
    )
    expect(afterDeregister.taskDefinition?.revision).toBe(1)
    const inactive = await h.ecs.send(
      new DescribeTaskDefinitionCommand({ taskDefinition: 'ecscompose-ecs-app:2' })
    )
    expect(inactive.taskDefinition?.status).toBe('INACTIVE')
    expect(inactive.taskDefinition?.deregisteredAt).toBeInstanceOf(Date)
  })

  test('list by family, status, sort and pages; families by prefix', async () => {
    for (let i = 0; i < 3; i++)
      await h.ecs.send(new RegisterTaskDefinitionCommand({ ...seedTaskDefinition, family: 'paged' }))
    const asc = await h.ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: 'paged', maxResults: 2 }))
    expect(asc.taskDefinitionArns?.map(a => a.split('/')[1])).toEqual(['paged:1', 'paged:2'])
    const rest = await h.ecs.send(
      new ListTaskDefinitionsCommand({ familyPrefix: 'paged', nextToken: asc.nextToken })
    )
    expect(rest.taskDefinitionArns?.map(a => a.split('/')[1])).toEqual(['paged:3'])
    expect(rest.nextToken).toBeUndefined()
    const desc = await h.ecs.send(
      new ListTaskDefinitionsCommand({ familyPrefix: 'paged', sort: 'DESC', maxResults: 1 })
    )
    expect(desc.taskDefinitionArns?.[0]).toMatch(/paged:3$/)
    const inactive = await h.ecs.send(new ListTaskDefinitionsCommand({ status: 'INACTIVE' }))
    expect(inactive.taskDefinitionArns?.map(a => a.split('/')[1])).toEqual(['ecscompose-ecs-app:2'])
    const families = await h.ecs.send(new ListTaskDefinitionFamiliesCommand({ familyPrefix: 'pag' }))
    expect(families.families).toEqual(['paged'])
  })

  test('awsvpc host ports equal container ports; FARGATE gets its compatibility', async () => {
    const out = await h.ecs.send(
      new RegisterTaskDefinitionCommand({
        family: 'web',
        networkMode: 'awsvpc',
        requiresCompatibilities: ['FARGATE'],
        cpu: '256',
        memory: '512',
        containerDefinitions: [{ name: 'web', image: 'nginx', portMappings: [{ containerPort: 80 }] }]
      })
    )
    expect(out.taskDefinition?.containerDefinitions?.[0].portMappings).toEqual([
      { containerPort: 80, hostPort: 80, protocol: 'tcp' }
    ])
    expect(out.taskDefinition?.compatibilities).toEqual(['EC2', 'FARGATE'])
    expect(out.taskDefinition?.requiresCompatibilities).toEqual(['FARGATE'])
  })

  test.each([
    [{ family: 'bad name!' }, 'ClientException', /Family/],
    [{ containerDefinitions: [] }, 'ClientException', /Container list cannot be empty/],
    [
      { requiresCompatibilities: ['FARGATE' as const], networkMode: 'bridge' as const },
      'ClientException',
      /awsvpc/
    ],
    [
      { requiresCompatibilities: ['FARGATE' as const], networkMode: 'awsvpc' as const },
      'ClientException',
      /'cpu' be defined/
    ],
    [
      { containerDefinitions: [{ name: 'app', image: 'x' }] },
      'ClientException',
      /At least one of 'memory' or 'memoryReservation'/
    ],
    [
      {
        containerDefinitions: [
          { name: 'app', image: 'x', memory: 64 },
          { name: 'app', image: 'y', memory: 64 }
        ]
      },
      'ClientException',
      /Duplicate container names/
    ]
  ])('rejects %j', async (patch, code, message) => {
    const err = await errorOf(
      h.ecs.send(new RegisterTaskDefinitionCommand({ ...seedTaskDefinition, ...patch }))
    )
    expect(err.name).toBe(code)
    expect(err.message).toMatch(message)
    expect(err.status).toBe(400)
  })

  const fargate = (task: Record<string, unknown>, container: Record<string, unknown> = {}) => ({
    family: 'web',
    networkMode: 'awsvpc' as const,
    requiresCompatibilities: ['FARGATE' as const],
    cpu: '256',
    memory: '512',
    ...task,
    containerDefinitions: [{ name: 'web', image: 'nginx', ...container }]
  })
  test.each([
    [
      'a left-out network mode (bridge)',
      fargate({ networkMode: undefined }),
      /Fargate only supports network mode/
    ],
    [
      'cpu 256 with 4096 MiB',
      fargate({ memory: '4096' }),
      /^No Fargate configuration exists for given values\.$/
    ],
    ['cpu 8192 off the 4 GB steps', fargate({ cpu: '8192', memory: '18432' }), /No Fargate configuration/],
    [
      'awslogs without an execution role',
      fargate({}, { logConfiguration: { logDriver: 'awslogs' } }),
      /^Fargate requires task definition to have execution role ARN to support log driver awslogs\.$/
    ],
    [
      'an ECR image without an execution role',
      fargate({}, { image: '123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/web:1' }),
      /execution role ARN to support ECR images/
    ],
    ['a container above the task memory', fargate({}, { memory: 1024 }), /container memory \(1024\)/],
    ['containers above the task cpu', fargate({}, { cpu: 512 }), /total cpu/]
  ])('FARGATE: refuses %s', async (_what, input, message) => {
    const err = await errorOf(h.ecs.send(new RegisterTaskDefinitionCommand(input)))
    expect(err.name).toBe('ClientException')
    expect(err.message).toMatch(message)
  })

  test.each([
    ['1 vCPU / 2 GB', { cpu: '1 vCPU', memory: '2 GB' }],
    ['16 vCPU / 120 GB', { cpu: '16384', memory: '122880' }],
    ['8 vCPU / 16 GB', { cpu: '8192', memory: '16384' }]
  ])('FARGATE: accepts %s', async (_what, size) => {
    const out = await h.ecs.send(
      new RegisterTaskDefinitionCommand(
        fargate(
          { ...size, executionRoleArn: 'arn:aws:iam::123456789012:role/exec' },
          { logConfiguration: { logDriver: 'awslogs' } }
        )
      )
    )
    expect(out.taskDefinition?.status).toBe('ACTIVE')
  })

  test('describing a missing task definition is a ClientException', async () => {
    const err = await errorOf(h.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'nope:1' })))
    expect(err).toMatchObject({ name: 'ClientException', message: 'Unable to describe task definition.' })
  })
})

describe('clusters and tags', () => {
  test('the seeded cluster has two container instances in two AZs; others are missing', async () => {
    const out = await h.ecs.send(new DescribeClustersCommand({ clusters: ['ecs-demo', 'other'] }))
    expect(out.clusters?.[0]).toMatchObject({
      clusterName: 'ecs-demo',
      status: 'ACTIVE',
      registeredContainerInstancesCount: 2,
      capacityProviders: ['FARGATE', 'FARGATE_SPOT']
    })
    expect(out.failures).toEqual([
      { arn: 'arn:aws:ecs:ap-northeast-1:123456789012:cluster/other', reason: 'MISSING' }
    ])
    const list = await h.ecs.send(new ListContainerInstancesCommand({ cluster: 'ecs-demo' }))
    expect(list.containerInstanceArns).toHaveLength(2)
    const described = await h.ecs.send(
      new DescribeContainerInstancesCommand({
        cluster: 'ecs-demo',
        containerInstances: list.containerInstanceArns
      })
    )
    expect(described.containerInstances?.map(i => i.ec2InstanceId)).toEqual([
      'i-0a1b2c3d4e5f60001',
      'i-0a1b2c3d4e5f60002'
    ])
    const azs = described.containerInstances?.map(
      i => i.attributes?.find(a => a.name === 'ecs.availability-zone')?.value
    )
    expect(azs).toEqual(['ap-northeast-1a', 'ap-northeast-1c'])
    const err = await errorOf(h.ecs.send(new ListContainerInstancesCommand({ cluster: 'other' })))
    expect(err.name).toBe('ClusterNotFoundException')
  })

  test('tag, list and untag a task definition', async () => {
    const arn = 'arn:aws:ecs:ap-northeast-1:123456789012:task-definition/web:1'
    await h.ecs.send(
      new TagResourceCommand({
        resourceArn: arn,
        tags: [
          { key: 'a', value: '1' },
          { key: 'b', value: '2' }
        ]
      })
    )
    await h.ecs.send(new UntagResourceCommand({ resourceArn: arn, tagKeys: ['a'] }))
    const out = await h.ecs.send(new ListTagsForResourceCommand({ resourceArn: arn }))
    expect(out.tags).toEqual([{ key: 'b', value: '2' }])
    const err = await errorOf(
      h.ecs.send(new ListTagsForResourceCommand({ resourceArn: arn.replace('web:1', 'nope:1') }))
    )
    expect(err.name).toBe('ResourceNotFoundException')
  })
})
