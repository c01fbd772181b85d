import { afterEach, beforeEach, describe, expect, test } from '@jest/globals'
import {
  CreateServiceCommand,
  DescribeServicesCommand,
  DescribeTasksCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
  type CreateServiceCommandInput,
  type Service,
  type Task
} from '@aws-sdk/client-ecs'
import { startEcsHarness, until, type EcsHarness } from './ecs-harness.js'

const TG = 'arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:targetgroup/default/0123456789abcdef'
const NAME = 'svc'

let h: EcsHarness
const register = (image: string, hostPort?: number) =>
  h.ecs.send(
    new RegisterTaskDefinitionCommand({
      family: 'app',
      containerDefinitions: [
        { name: 'app', image, memory: 128, portMappings: [{ containerPort: 4567, hostPort }] }
      ]
    })
  )
beforeEach(async () => {
  h = await startEcsHarness(0.02)
  h.elb.addTargetGroup({ arn: TG })
  await register('example/app:good')
})
afterEach(async () => {
  await h.stop()
})

const base: CreateServiceCommandInput = {
  cluster: 'ecs-demo',
  serviceName: NAME,
  taskDefinition: 'app:1',
  loadBalancers: [{ targetGroupArn: TG, containerName: 'app', containerPort: 4567 }],
  desiredCount: 2
}
const service = async (): Promise<Service> =>
  (await h.ecs.send(new DescribeServicesCommand({ cluster: 'ecs-demo', services: [NAME] }))).services![0]
const stoppedTasks = async (): Promise<Task[]> => {
  const arns = (
    await h.ecs.send(
      new ListTasksCommand({ cluster: 'ecs-demo', serviceName: NAME, desiredStatus: 'STOPPED' })
    )
  ).taskArns!
  if (!arns.length) return []
  return (await h.ecs.send(new DescribeTasksCommand({ cluster: 'ecs-demo', tasks: arns }))).tasks!
}
const completed = () =>
  until(async () => {
    const s = await service()
    return s.deployments?.length === 1 && s.deployments[0].rolloutState === 'COMPLETED' && s
  })

describe('failure modes', () => {
  test('image pull failure: TaskFailedToStart with CannotPullContainerError, failedTasks counts up', async () => {
    await h.control('POST', 'images', { image: '*:missing', pullFails: true })
    await register('example/app:missing')
    await h.ecs.send(new CreateServiceCommand({ ...base, taskDefinition: 'app:2' }))
    const stopped = await until(async () => {
      const t = (await stoppedTasks()).filter(x => x.lastStatus === 'STOPPED')
      return t.length > 0 && t
    })
    expect(stopped[0].stopCode).toBe('TaskFailedToStart')
    expect(stopped[0].stoppedReason).toBe(
      'CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref example/app:missing: not found'
    )
    await until(async () => ((await service()).deployments![0].failedTasks ?? 0) >= 4)
    expect((await service()).deployments![0].rolloutState).toBe('IN_PROGRESS') // no breaker: ECS keeps trying
  })

  test('a broken health check path: targets unhealthy, tasks replaced with the ELB reason', async () => {
    await h.ecs.send(new CreateServiceCommand(base))
    await completed()
    h.elb.groups.get(TG)!.healthCheckPath = '/nope'
    const replaced = await until(async () => {
      const t = (await stoppedTasks()).filter(x => x.stoppedReason?.startsWith('Task failed ELB'))
      return t.length >= 2 && t
    })
    expect(replaced[0].stoppedReason).toBe(`Task failed ELB health checks in (target-group ${TG})`)
    expect(replaced[0].stopCode).toBe('ServiceSchedulerInitiated')
    const s = await service()
    const id = replaced[0].taskArn!.split('/').pop()
    expect(s.events!.map(e => e.message)).toContain(
      `(service ${NAME}) (task ${id}) failed ELB health checks in (target-group ${TG})`
    )
    expect(
      (await h.ecs.send(new ListTasksCommand({ cluster: 'ecs-demo', serviceName: NAME }))).taskArns
    ).toHaveLength(2)
  })

  test('circuit breaker with rollback returns to the last completed task definition', async () => {
    await h.ecs.send(
      new CreateServiceCommand({
        ...base,
        deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: true } }
      })
    )
    const good = await completed()
    await h.control('POST', 'images', { image: '*:crash', exitAfterSeconds: 1, exitCode: 2 })
    await register('example/app:crash')
    await h.ecs.send(
      new UpdateServiceCommand({ cluster: 'ecs-demo', service: NAME, taskDefinition: 'app:2' })
    )
    const failedId = (await service()).deployments![0].id
    const rolled = await until(async () => {
      const s = await service()
      return (
        s.deployments?.length === 1 &&
        s.deployments[0].id !== failedId &&
        s.deployments[0].rolloutState === 'COMPLETED' &&
        s
      )
    }, 30000)
    expect(rolled.taskDefinition).toMatch(/:task-definition\/app:1$/)
    const messages = rolled.events!.map(e => e.message)
    expect(messages).toContain(
      `(service ${NAME}) deployment ${failedId} deployment failed: tasks failed to start.`
    )
    expect(messages).toContain(`(service ${NAME}) rolling back to deployment ${good.deployments![0].id}`)
    const crashed = (await stoppedTasks()).find(t => t.stopCode === 'EssentialContainerExited')!
    expect(crashed.stoppedReason).toBe('Essential container in task exited')
    expect(crashed.containers![0].exitCode).toBe(2)
  })

  test('app-down keeps the task RUNNING until its health checks fail; exit stops it at once', async () => {
    await h.ecs.send(new CreateServiceCommand(base))
    await completed()
    const down = (await h.control('POST', 'tasks/stop', { service: NAME, mode: 'app-down' })) as {
      taskArns: string[]
    }
    expect(down.taskArns).toHaveLength(1)
    const [t] = (await h.ecs.send(new DescribeTasksCommand({ cluster: 'ecs-demo', tasks: down.taskArns })))
      .tasks!
    expect(t.lastStatus).toBe('RUNNING')
    await until(async () => {
      const [x] = (await h.ecs.send(new DescribeTasksCommand({ cluster: 'ecs-demo', tasks: down.taskArns })))
        .tasks!
      return x.stoppedReason === `Task failed ELB health checks in (target-group ${TG})`
    })
    const exited = (await h.control('POST', 'tasks/stop', { service: NAME, mode: 'exit' })) as {
      taskArns: string[]
    }
    const [e] = (await h.ecs.send(new DescribeTasksCommand({ cluster: 'ecs-demo', tasks: exited.taskArns })))
      .tasks!
    expect(e).toMatchObject({ desiredStatus: 'STOPPED', stopCode: 'EssentialContainerExited' })
    await until(async () => (await service()).runningCount === 2 && h.elb.healthy(TG) === 2)
  })

  test('a fixed host port places one task per instance, and says why the rest cannot be placed', async () => {
    await register('example/app:good', 8080)
    await h.ecs.send(
      new CreateServiceCommand({
        ...base,
        taskDefinition: 'app:2',
        desiredCount: 3,
        deploymentConfiguration: { maximumPercent: 100, minimumHealthyPercent: 0 }
      })
    )
    const s = await until(async () => {
      const x = await service()
      return x.events?.some(e => e.message?.includes('already using a port required by your task')) && x
    })
    expect(s.events!.map(e => e.message)).toContainEqual(
      expect.stringMatching(
        /^\(service svc\) was unable to place a task because no container instance met all of its requirements\. The closest matching \(container-instance [0-9a-f]{32}\) is already using a port required by your task\./
      )
    )
    await until(async () => (await service()).runningCount === 2)
    const ports = [...h.elb.targets.get(TG)!.values()].map(t => `${t.ref.id}:${t.ref.port}`).sort()
    expect(ports).toEqual(['i-0a1b2c3d4e5f60001:8080', 'i-0a1b2c3d4e5f60002:8080'])
  })

  test('slow start inside the grace period does not get the task replaced', async () => {
    await h.control('POST', 'images', { image: 'example/app:slow', startDelaySeconds: 15 })
    await register('example/app:slow')
    await h.ecs.send(
      new CreateServiceCommand({ ...base, taskDefinition: 'app:2', healthCheckGracePeriodSeconds: 60 })
    )
    await completed()
    expect(await stoppedTasks()).toEqual([])
  })
})
