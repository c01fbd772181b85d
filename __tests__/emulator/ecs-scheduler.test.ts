import { afterEach, beforeEach, describe, expect, test } from '@jest/globals'
import {
  CreateServiceCommand,
  DeleteServiceCommand,
  DescribeServicesCommand,
  DescribeTasksCommand,
  ListServicesCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
  type CreateServiceCommandInput,
  type Service
} from '@aws-sdk/client-ecs'
import { startEcsHarness, until, type EcsHarness } from './ecs-harness.js'

const TG = 'arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:targetgroup/default/0123456789abcdef'
const IP_TG = 'arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:targetgroup/ip/0123456789abcdef'

let h: EcsHarness
beforeEach(async () => {
  h = await startEcsHarness(0.02)
  h.elb.addTargetGroup({ arn: TG })
  await h.ecs.send(
    new RegisterTaskDefinitionCommand({
      family: 'ecscompose-ecs-app',
      containerDefinitions: [
        { name: 'app', image: 'example/ecs-app:1', memory: 128, portMappings: [{ containerPort: 4567 }] }
      ]
    })
  )
})
afterEach(async () => {
  await h.stop()
})

const seedService: CreateServiceCommandInput = {
  cluster: 'ecs-demo',
  serviceName: 'ecs-simple-service-elb',
  taskDefinition: 'ecscompose-ecs-app:1',
  loadBalancers: [{ targetGroupArn: TG, containerName: 'app', containerPort: 4567 }],
  desiredCount: 2,
  role: 'ecsServiceRole'
}

/** How many targets "(service X) registered N targets in (target-group TG)" events add up to. */
const targetsIn = (messages: (string | undefined)[], verb: 'registered' | 'deregistered'): number =>
  messages
    .map(m =>
      new RegExp(
        `^\\(service ecs-simple-service-elb\\) ${verb} (\\d+) targets in \\(target-group ${TG}\\)$`
      ).exec(m ?? '')
    )
    .reduce((sum, m) => sum + (m ? Number(m[1]) : 0), 0)

const describe1 = async (name = 'ecs-simple-service-elb'): Promise<Service> =>
  (await h.ecs.send(new DescribeServicesCommand({ cluster: 'ecs-demo', services: [name] }))).services![0]

const completed = (name?: string) =>
  until(
    async () => {
      const s = await describe1(name)
      return s.deployments?.length === 1 && s.deployments[0].rolloutState === 'COMPLETED' && s
    },
    20000,
    'deployment COMPLETED'
  )

describe('scheduler against a fake ELB', () => {
  test('the seed service reaches COMPLETED with 2 healthy targets; each task answers /hostname', async () => {
    const created = await h.ecs.send(new CreateServiceCommand(seedService))
    expect(created.service).toMatchObject({
      status: 'ACTIVE',
      desiredCount: 2,
      launchType: 'EC2',
      schedulingStrategy: 'REPLICA',
      roleArn: 'arn:aws:iam::123456789012:role/ecsServiceRole',
      healthCheckGracePeriodSeconds: 0,
      propagateTags: 'NONE',
      enableECSManagedTags: false,
      deploymentController: { type: 'ECS' },
      deploymentConfiguration: {
        maximumPercent: 200,
        minimumHealthyPercent: 100,
        deploymentCircuitBreaker: { enable: false, rollback: false }
      }
    })
    expect(created.service?.deployments?.[0]).toMatchObject({
      status: 'PRIMARY',
      rolloutState: 'IN_PROGRESS'
    })
    expect(created.service?.deployments?.[0].id).toMatch(/^ecs-svc\/\d{19}$/)
    const s = await completed()
    expect(s.runningCount).toBe(2)
    expect(h.elb.healthy(TG)).toBe(2)
    const messages = s.events!.map(e => e.message)
    expect(messages[0]).toBe('(service ecs-simple-service-elb) has reached a steady state.')
    expect(messages[1]).toBe(
      `(service ecs-simple-service-elb) (deployment ${s.deployments![0].id}) deployment completed.`
    )
    // Tasks that come up in the same scheduler tick share one event; under load they may not.
    expect(targetsIn(messages, 'registered')).toBe(2)
    expect(messages.find(m => m?.includes('has started 2 tasks'))).toMatch(
      /^\(service ecs-simple-service-elb\) has started 2 tasks: \(task [0-9a-f]{32}\) \(task [0-9a-f]{32}\)\.$/
    )

    const list = await h.ecs.send(
      new ListTasksCommand({ cluster: 'ecs-demo', serviceName: 'ecs-simple-service-elb' })
    )
    const tasks = (await h.ecs.send(new DescribeTasksCommand({ cluster: 'ecs-demo', tasks: list.taskArns })))
      .tasks!
    expect(tasks).toHaveLength(2)
    expect(new Set(tasks.map(t => t.availabilityZone))).toEqual(
      new Set(['ap-northeast-1a', 'ap-northeast-1c'])
    )
    const hostnames = new Set<string>()
    for (const t of tasks) {
      expect(t).toMatchObject({
        lastStatus: 'RUNNING',
        desiredStatus: 'RUNNING',
        group: 'service:ecs-simple-service-elb'
      })
      expect(t.startedBy).toBe(s.deployments![0].id)
      expect(t.containerInstanceArn).toMatch(/:container-instance\/ecs-demo\//)
      const port = t.containers![0].networkBindings![0].hostPort!
      const res = await fetch(`http://127.0.0.1:${port}/hostname`)
      const body = await res.text()
      expect(body).toMatch(/^[0-9a-f]{12}$/)
      hostnames.add(body)
      expect((await fetch(`http://127.0.0.1:${port}/`)).status).toBe(404)
    }
    expect(hostnames.size).toBe(2)
  })

  test('create is idempotent only with the same clientToken', async () => {
    const a = await h.ecs.send(new CreateServiceCommand({ ...seedService, clientToken: 'tok-1' }))
    const b = await h.ecs.send(new CreateServiceCommand({ ...seedService, clientToken: 'tok-1' }))
    expect(b.service?.serviceArn).toBe(a.service?.serviceArn)
    expect(b.service?.deployments?.[0].id).toBe(a.service?.deployments?.[0].id)
    await expect(
      h.ecs.send(new CreateServiceCommand({ ...seedService, clientToken: 'tok-2' }))
    ).rejects.toMatchObject({
      name: 'InvalidParameterException',
      message: 'Creation of service was not idempotent.'
    })
  })

  test.each([
    [{ taskDefinition: 'nope:1' }, 'ClientException', 'TaskDefinition not found.'],
    [{ cluster: 'other' }, 'ClusterNotFoundException', 'Cluster not found.'],
    [
      { loadBalancers: [{ targetGroupArn: TG, containerName: 'web', containerPort: 4567 }] },
      'InvalidParameterException',
      'The container web does not exist in the task definition.'
    ],
    [
      { loadBalancers: [{ targetGroupArn: TG, containerName: 'app', containerPort: 80 }] },
      'InvalidParameterException',
      'The container app did not have a container port 80 defined.'
    ]
  ])('CreateService %j fails as AWS does', async (patch, code, message) => {
    await expect(h.ecs.send(new CreateServiceCommand({ ...seedService, ...patch }))).rejects.toMatchObject({
      name: code,
      message
    })
  })

  test('a target group without a load balancer is refused', async () => {
    const lonely = h.elb.addTargetGroup({ arn: TG.replace('default', 'lonely'), loadBalancerArns: [] })
    await expect(
      h.ecs.send(
        new CreateServiceCommand({
          ...seedService,
          loadBalancers: [{ targetGroupArn: lonely.arn, containerName: 'app', containerPort: 4567 }]
        })
      )
    ).rejects.toMatchObject({
      name: 'InvalidParameterException',
      message: `The target group with targetGroupArn ${lonely.arn} does not have an associated load balancer.`
    })
  })

  test('awsvpc: ip target groups only, no role, targets are private IPs of the subnets', async () => {
    h.elb.addTargetGroup({ arn: IP_TG, targetType: 'ip' })
    await h.ecs.send(
      new RegisterTaskDefinitionCommand({
        family: 'web',
        networkMode: 'awsvpc',
        requiresCompatibilities: ['FARGATE'],
        cpu: '256',
        memory: '512',
        containerDefinitions: [
          { name: 'web', image: 'example/web:1', portMappings: [{ containerPort: 8080 }] }
        ]
      })
    )
    const base: CreateServiceCommandInput = {
      cluster: 'ecs-demo',
      serviceName: 'web',
      taskDefinition: 'web',
      launchType: 'FARGATE',
      desiredCount: 2,
      loadBalancers: [{ targetGroupArn: IP_TG, containerName: 'web', containerPort: 8080 }],
      networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-12345678', 'subnet-abcdefgh'] } }
    }
    await expect(
      h.ecs.send(new CreateServiceCommand({ ...base, networkConfiguration: undefined }))
    ).rejects.toMatchObject({
      name: 'InvalidParameterException',
      message: expect.stringMatching(/Network Configuration/)
    })
    await expect(
      h.ecs.send(new CreateServiceCommand({ ...base, role: 'ecsServiceRole' }))
    ).rejects.toMatchObject({
      name: 'InvalidParameterException',
      message: 'You cannot specify an IAM role for services that require a service linked role.'
    })
    await expect(
      h.ecs.send(
        new CreateServiceCommand({
          ...base,
          loadBalancers: [{ targetGroupArn: TG, containerName: 'web', containerPort: 8080 }]
        })
      )
    ).rejects.toMatchObject({
      name: 'InvalidParameterException',
      message: expect.stringMatching(/target type instance/)
    })
    await expect(
      h.ecs.send(
        new CreateServiceCommand({
          ...base,
          networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-nope'] } }
        })
      )
    ).rejects.toMatchObject({
      name: 'InvalidParameterException',
      message: expect.stringMatching(/subnet-nope/)
    })

    await h.ecs.send(new CreateServiceCommand(base))
    await completed('web')
    const ids = [...h.elb.targets.get(IP_TG)!.values()].map(t => t.ref)
    expect(ids).toHaveLength(2)
    for (const ref of ids) {
      expect(ref.port).toBe(8080)
      expect(ref.id).toMatch(/^10\.0\.[12]\.\d+$/)
    }
    const list = await h.ecs.send(new ListTasksCommand({ cluster: 'ecs-demo', serviceName: 'web' }))
    const tasks = (await h.ecs.send(new DescribeTasksCommand({ cluster: 'ecs-demo', tasks: list.taskArns })))
      .tasks!
    for (const t of tasks) {
      expect(t.launchType).toBe('FARGATE')
      expect(t.containerInstanceArn).toBeUndefined()
      const eni = t.attachments![0]
      expect(eni.type).toBe('ElasticNetworkInterface')
      const ip = eni.details!.find(d => d.name === 'privateIPv4Address')!.value
      expect(ids.map(r => r.id)).toContain(ip)
      expect(t.containers![0].networkInterfaces![0].privateIpv4Address).toBe(ip)
    }
  })

  test('a new image rolls to a new deployment; old tasks stop with the scaling reason', async () => {
    await h.ecs.send(new CreateServiceCommand(seedService))
    const first = await completed()
    const oldTasks = (
      await h.ecs.send(new ListTasksCommand({ cluster: 'ecs-demo', serviceName: seedService.serviceName }))
    ).taskArns!
    await h.ecs.send(
      new RegisterTaskDefinitionCommand({
        family: 'ecscompose-ecs-app',
        containerDefinitions: [
          { name: 'app', image: 'example/ecs-app:2', memory: 128, portMappings: [{ containerPort: 4567 }] }
        ]
      })
    )
    const updated = await h.ecs.send(
      new UpdateServiceCommand({
        cluster: 'ecs-demo',
        service: seedService.serviceName,
        taskDefinition: 'ecscompose-ecs-app'
      })
    )
    expect(updated.service?.deployments?.map(d => d.status)).toEqual(['PRIMARY', 'ACTIVE'])
    const second = await until(async () => {
      const s = await describe1()
      return (
        s.deployments?.length === 1 &&
        s.deployments[0].id !== first.deployments![0].id &&
        s.deployments[0].rolloutState === 'COMPLETED' &&
        s
      )
    })
    expect(second.taskDefinition).toMatch(/ecscompose-ecs-app:2$/)
    const stopped = (await h.ecs.send(new DescribeTasksCommand({ cluster: 'ecs-demo', tasks: oldTasks })))
      .tasks!
    for (const t of stopped) {
      expect(t.lastStatus).toBe('STOPPED')
      expect(t.stopCode).toBe('ServiceSchedulerInitiated')
      expect(t.stoppedReason).toBe(`Scaling activity initiated by (deployment ${second.deployments![0].id})`)
    }
    expect(
      targetsIn(
        second.events!.map(e => e.message),
        'deregistered'
      )
    ).toBe(2)
    expect(h.elb.healthy(TG)).toBe(2)

    // desiredCount alone adjusts the PRIMARY deployment, no new deployment
    const scaled = await h.ecs.send(
      new UpdateServiceCommand({ cluster: 'ecs-demo', service: seedService.serviceName, desiredCount: 3 })
    )
    expect(scaled.service?.deployments).toHaveLength(1)
    expect(scaled.service?.deployments?.[0]).toMatchObject({ id: second.deployments![0].id, desiredCount: 3 })
    await until(async () => (await describe1()).runningCount === 3)
  })

  test('delete: refused while scaled up, then DRAINING → INACTIVE; a new service may take the name', async () => {
    await h.ecs.send(new CreateServiceCommand(seedService))
    await completed()
    await expect(
      h.ecs.send(new DeleteServiceCommand({ cluster: 'ecs-demo', service: seedService.serviceName }))
    ).rejects.toMatchObject({ name: 'InvalidParameterException' })
    const deleted = await h.ecs.send(
      new DeleteServiceCommand({ cluster: 'ecs-demo', service: seedService.serviceName, force: true })
    )
    expect(deleted.service?.status).toBe('DRAINING')
    await expect(h.ecs.send(new CreateServiceCommand(seedService))).rejects.toMatchObject({
      message: 'Unable to Start a service that is still Draining.'
    })
    await expect(
      h.ecs.send(
        new UpdateServiceCommand({ cluster: 'ecs-demo', service: seedService.serviceName, desiredCount: 1 })
      )
    ).rejects.toMatchObject({ name: 'ServiceNotActiveException' })
    await until(async () => (await describe1()).status === 'INACTIVE')
    expect((await h.ecs.send(new ListServicesCommand({ cluster: 'ecs-demo' }))).serviceArns).toEqual([])
    const again = await h.ecs.send(new CreateServiceCommand(seedService))
    expect(again.service?.status).toBe('ACTIVE')
    const missing = await h.ecs.send(
      new DescribeServicesCommand({ cluster: 'ecs-demo', services: ['ghost'] })
    )
    expect(missing.failures).toEqual([
      { arn: 'arn:aws:ecs:ap-northeast-1:123456789012:service/ecs-demo/ghost', reason: 'MISSING' }
    ])
    await expect(
      h.ecs.send(new UpdateServiceCommand({ cluster: 'ecs-demo', service: 'ghost', desiredCount: 1 }))
    ).rejects.toMatchObject({ name: 'ServiceNotFoundException' })
  })
})
