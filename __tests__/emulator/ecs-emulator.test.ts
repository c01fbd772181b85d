import { afterAll, beforeAll, beforeEach, describe, expect, test } from '@jest/globals'
import {
  CreateServiceCommand,
  DescribeServicesCommand,
  DescribeTasksCommand,
  ECSClient,
  ListServiceDeploymentsCommand,
  ListServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeServiceDeploymentsCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
  type Service,
  type Task
} from '@aws-sdk/client-ecs'
import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateTargetGroupCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  ModifyTargetGroupCommand
} from '@aws-sdk/client-elastic-load-balancing-v2'
import { startEmulator, type Emulator } from '../../emulator/server.js'
import { seedAlb, seedTargetGroup } from '../fixtures/seed.js'
import { until } from './ecs-harness.js'

const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'x' }
let emu: Emulator
let ecs: ECSClient
let elbv2: ElasticLoadBalancingV2Client

beforeAll(async () => {
  emu = await startEmulator({ timeScale: 0.02 })
  ecs = new ECSClient({ endpoint: emu.url, region: 'ap-northeast-1', credentials, maxAttempts: 1 })
  elbv2 = new ElasticLoadBalancingV2Client({
    endpoint: emu.url,
    region: 'ap-northeast-1',
    credentials,
    maxAttempts: 1
  })
})
afterAll(async () => {
  ecs.destroy()
  elbv2.destroy()
  await emu.stop()
})
beforeEach(async () => {
  await emu.reset()
})

const control = async (method: string, route: string, body?: unknown) => {
  const res = await fetch(`${emu.url}/_emulator/${route}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body)
  })
  return (await res.json()) as Record<string, unknown>
}

/** The seed's walk: ALB, target group (health check on /hostname, 30 s / 15 s / 3 / 3), listener on :80. */
async function seedLoadBalancing(targetType: 'instance' | 'ip' = 'instance', name = 'default') {
  const lb = await elbv2.send(new CreateLoadBalancerCommand(seedAlb()))
  const tg = await elbv2.send(
    new CreateTargetGroupCommand({ ...seedTargetGroup(), Name: name, TargetType: targetType })
  )
  const lbArn = lb.LoadBalancers![0].LoadBalancerArn!
  const tgArn = tg.TargetGroups![0].TargetGroupArn!
  return { lbArn, tgArn }
}
const listen = (lbArn: string, tgArn: string) =>
  elbv2.send(
    new CreateListenerCommand({
      LoadBalancerArn: lbArn,
      Protocol: 'HTTP',
      Port: 80,
      DefaultActions: [{ Type: 'forward', TargetGroupArn: tgArn }]
    })
  )

const registerApp = (image = 'example/ecs-app:1') =>
  ecs.send(
    new RegisterTaskDefinitionCommand({
      family: 'ecscompose-ecs-app',
      containerDefinitions: [{ name: 'app', image, memory: 128, portMappings: [{ containerPort: 4567 }] }]
    })
  )

const NAME = 'ecs-simple-service-elb'
const service = async (): Promise<Service> =>
  (await ecs.send(new DescribeServicesCommand({ cluster: 'ecs-demo', services: [NAME] }))).services![0]
const tasksOf = async (desiredStatus: 'RUNNING' | 'STOPPED' = 'RUNNING'): Promise<Task[]> => {
  const arns = (
    await ecs.send(new ListTasksCommand({ cluster: 'ecs-demo', serviceName: NAME, desiredStatus }))
  ).taskArns!
  return arns.length
    ? (await ecs.send(new DescribeTasksCommand({ cluster: 'ecs-demo', tasks: arns }))).tasks!
    : []
}
const completedOther = (notId?: string) =>
  until(
    async () => {
      const s = await service()
      const d = s.deployments
      return d?.length === 1 && d[0].id !== notId && d[0].rolloutState === 'COMPLETED' && s
    },
    40000,
    'deployment COMPLETED'
  )

describe('ECS through the whole emulator (real ELBv2 module)', () => {
  test('the seed: bridge service behind an ALB reaches COMPLETED with 2 healthy targets', async () => {
    const { lbArn, tgArn } = await seedLoadBalancing()
    await registerApp()
    const loadBalancers = [{ targetGroupArn: tgArn, containerName: 'app', containerPort: 4567 }]
    const create = {
      cluster: 'ecs-demo',
      serviceName: NAME,
      taskDefinition: 'ecscompose-ecs-app:1',
      loadBalancers,
      desiredCount: 2,
      role: 'ecsServiceRole'
    }
    // The target group must be attached to a load balancer first, as in AWS.
    await expect(ecs.send(new CreateServiceCommand(create))).rejects.toMatchObject({
      name: 'InvalidParameterException',
      message: `The target group with targetGroupArn ${tgArn} does not have an associated load balancer.`
    })
    await listen(lbArn, tgArn)
    await ecs.send(new CreateServiceCommand(create))
    const s = await completedOther()
    expect(s.runningCount).toBe(2)
    const health = await elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: tgArn }))
    const healthy = health.TargetHealthDescriptions!.filter(d => d.TargetHealth?.State === 'healthy')
    expect(healthy).toHaveLength(2)
    expect(healthy.map(d => d.Target?.Id).sort()).toEqual(['i-0a1b2c3d4e5f60001', 'i-0a1b2c3d4e5f60002'])
    for (const t of await tasksOf()) {
      const port = t.containers![0].networkBindings![0].hostPort!
      expect(healthy.map(d => d.Target?.Port)).toContain(port)
      expect(await (await fetch(`http://127.0.0.1:${port}/hostname`)).text()).toMatch(/^[0-9a-f]{12}$/)
    }
    const deployments = await ecs.send(
      new ListServiceDeploymentsCommand({ cluster: 'ecs-demo', service: NAME })
    )
    expect(deployments.serviceDeployments?.[0].status).toBe('SUCCESSFUL')
    const detail = await ecs.send(
      new DescribeServiceDeploymentsCommand({
        serviceDeploymentArns: [deployments.serviceDeployments![0].serviceDeploymentArn!]
      })
    )
    expect(detail.serviceDeployments?.[0].targetServiceRevision?.runningTaskCount).toBe(2)
    const state = (await control('GET', 'state')) as { ecs: { clusters: { services: Service[] }[] } }
    expect(state.ecs.clusters[0].services[0].serviceName).toBe(NAME)
  })

  test('a health check path that answers 404: unhealthy with ResponseCodeMismatch, tasks replaced', async () => {
    const { lbArn, tgArn } = await seedLoadBalancing()
    await listen(lbArn, tgArn)
    await registerApp()
    await ecs.send(
      new CreateServiceCommand({
        cluster: 'ecs-demo',
        serviceName: NAME,
        taskDefinition: 'ecscompose-ecs-app',
        loadBalancers: [{ targetGroupArn: tgArn, containerName: 'app', containerPort: 4567 }],
        desiredCount: 2
      })
    )
    await completedOther()
    await elbv2.send(new ModifyTargetGroupCommand({ TargetGroupArn: tgArn, HealthCheckPath: '/nope' }))
    const unhealthy = await until(
      async () => {
        const h = await elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: tgArn }))
        return h.TargetHealthDescriptions!.find(d => d.TargetHealth?.State === 'unhealthy')
      },
      40000,
      'an unhealthy target'
    )
    expect(unhealthy.TargetHealth?.Reason).toBe('Target.ResponseCodeMismatch')
    const replaced = await until(
      async () => {
        const t = (await tasksOf('STOPPED')).filter(
          x => x.stoppedReason === `Task failed ELB health checks in (target-group ${tgArn})`
        )
        return t.length > 0 && t
      },
      40000,
      'a task replaced'
    )
    expect(replaced[0].stopCode).toBe('ServiceSchedulerInitiated')
    const s = await service()
    expect(s.events!.map(e => e.message)).toContainEqual(
      expect.stringMatching(/failed ELB health checks in \(target-group /)
    )
    const draining = await elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: tgArn }))
    expect(draining.TargetHealthDescriptions!.map(d => d.TargetHealth?.State)).toContain('draining')
  })

  test('awsvpc on Fargate with ip targets, then an image change rolls to a new deployment', async () => {
    const { lbArn, tgArn } = await seedLoadBalancing('ip', 'web')
    await listen(lbArn, tgArn)
    const register = (image: string) =>
      ecs.send(
        new RegisterTaskDefinitionCommand({
          family: 'web',
          networkMode: 'awsvpc',
          requiresCompatibilities: ['FARGATE'],
          cpu: '256',
          memory: '512',
          containerDefinitions: [{ name: 'web', image, portMappings: [{ containerPort: 4567 }] }]
        })
      )
    await register('example/web:1')
    await ecs.send(
      new CreateServiceCommand({
        cluster: 'ecs-demo',
        serviceName: NAME,
        taskDefinition: 'web',
        launchType: 'FARGATE',
        desiredCount: 2,
        loadBalancers: [{ targetGroupArn: tgArn, containerName: 'web', containerPort: 4567 }],
        networkConfiguration: {
          awsvpcConfiguration: {
            subnets: ['subnet-12345678', 'subnet-abcdefgh'],
            securityGroups: ['sg-12345678']
          }
        }
      })
    )
    const first = await completedOther()
    const ips = (await elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: tgArn })))
      .TargetHealthDescriptions!
    expect(ips.map(d => d.Target?.Id)).toEqual([
      expect.stringMatching(/^10\.0\.[12]\.\d+$/),
      expect.stringMatching(/^10\.0\.[12]\.\d+$/)
    ])
    await register('example/web:2')
    await ecs.send(new UpdateServiceCommand({ cluster: 'ecs-demo', service: NAME, taskDefinition: 'web' }))
    const second = await completedOther(first.deployments![0].id)
    expect(second.taskDefinition).toMatch(/web:2$/)
    const images = (await tasksOf()).map(t => t.containers![0].image)
    expect(images).toEqual(['example/web:2', 'example/web:2'])
  })

  test('circuit breaker with rollback on an image that cannot be pulled', async () => {
    const { lbArn, tgArn } = await seedLoadBalancing()
    await listen(lbArn, tgArn)
    await registerApp()
    await ecs.send(
      new CreateServiceCommand({
        cluster: 'ecs-demo',
        serviceName: NAME,
        taskDefinition: 'ecscompose-ecs-app',
        loadBalancers: [{ targetGroupArn: tgArn, containerName: 'app', containerPort: 4567 }],
        desiredCount: 2,
        deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: true } }
      })
    )
    const good = await completedOther()
    await control('POST', 'images', { image: '*:broken', pullFails: true })
    await registerApp('example/ecs-app:broken')
    const update = await ecs.send(
      new UpdateServiceCommand({ cluster: 'ecs-demo', service: NAME, taskDefinition: 'ecscompose-ecs-app' })
    )
    const failedId = update.service!.deployments![0].id!
    const back = await completedOther(failedId)
    expect(back.taskDefinition).toMatch(/ecscompose-ecs-app:1$/)
    const messages = back.events!.map(e => e.message)
    expect(messages).toContain(
      `(service ${NAME}) deployment ${failedId} deployment failed: tasks failed to start.`
    )
    expect(messages).toContain(`(service ${NAME}) rolling back to deployment ${good.deployments![0].id}`)
    const pullFailed = (await tasksOf('STOPPED')).find(t => t.stopCode === 'TaskFailedToStart')!
    expect(pullFailed.stoppedReason).toMatch(
      /^CannotPullContainerError: .*example\/ecs-app:broken: not found$/
    )
    const list = await ecs.send(new ListServiceDeploymentsCommand({ cluster: 'ecs-demo', service: NAME }))
    expect(list.serviceDeployments?.map(d => d.status)).toEqual([
      'SUCCESSFUL',
      'ROLLBACK_SUCCESSFUL',
      'SUCCESSFUL'
    ])
  })

  test('reset closes every task server and returns to the seeded cluster', async () => {
    await registerApp()
    await ecs.send(
      new CreateServiceCommand({
        cluster: 'ecs-demo',
        serviceName: NAME,
        taskDefinition: 'ecscompose-ecs-app',
        desiredCount: 1
      })
    )
    const [task] = await until(async () => {
      const t = await tasksOf()
      return t[0]?.lastStatus === 'RUNNING' && t
    })
    const port = task.containers![0].networkBindings![0].hostPort!
    expect((await fetch(`http://127.0.0.1:${port}/hostname`)).status).toBe(200)
    await emu.reset()
    await expect(fetch(`http://127.0.0.1:${port}/hostname`)).rejects.toThrow()
    expect((await ecs.send(new ListServicesCommand({ cluster: 'ecs-demo' }))).serviceArns).toEqual([])
    await expect(
      ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'ecscompose-ecs-app' }))
    ).rejects.toMatchObject({
      name: 'ClientException'
    })
  })

  test('errors carry the code as error.name; ECS calls land in the call log as mutating or not', async () => {
    await expect(
      ecs.send(new DescribeServicesCommand({ cluster: 'nope', services: ['x'] }))
    ).rejects.toMatchObject({ name: 'ClusterNotFoundException', $metadata: { httpStatusCode: 400 } })
    await registerApp()
    const calls = (await (await fetch(`${emu.url}/_emulator/calls`)).json()) as {
      operation: string
      mutating: boolean
    }[]
    expect(calls.map(c => [c.operation, c.mutating])).toEqual([
      ['DescribeServices', false],
      ['RegisterTaskDefinition', true]
    ])
  })
})
