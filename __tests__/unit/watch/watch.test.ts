import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  ListTasksCommand,
  UpdateServiceCommand,
  type Deployment,
  type Service,
  type ServiceEvent,
  type Task,
  type TaskDefinition
} from '@aws-sdk/client-ecs'
import {
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  type TargetHealthDescription
} from '@aws-sdk/client-elastic-load-balancing-v2'
import { mockClient } from 'aws-sdk-client-mock'
import { formatDiagnosis, watchRollout } from '../../../src/watch/index.js'
import { rollBack } from '../../../src/stages/rollback.js'
import { seedRequest } from '../../fixtures/seed.js'
import type { Operation } from '../../../src/model/plan.js'
import type { WatchResult } from '../../../src/watch/index.js'
import {
  NEW_ID,
  OLD_ID,
  ROLLBACK_ID,
  T0,
  TD_NEW,
  TD_OLD,
  TG,
  code404,
  deployment,
  draining,
  event,
  fakeClock,
  healthy,
  initial,
  oldDeployment,
  refused,
  service,
  stoppedTask,
  tgSettings,
  timedOut
} from './fixtures.js'

const ecs = mockClient(ECSClient)
const elbv2 = mockClient(ElasticLoadBalancingV2Client)
const clients = {
  ecs: new ECSClient({ region: 'ap-northeast-1' }),
  elbv2: new ElasticLoadBalancingV2Client({ region: 'ap-northeast-1' })
}
const INTERVAL_S = 10

/** What the service looks like during one poll interval. */
interface Frame {
  deployments: Deployment[]
  targets: TargetHealthDescription[]
  service?: Partial<Service>
  /** Events that appear in this interval. */
  events?: ServiceEvent[]
  /** Tasks that stop in this interval. */
  stopped?: Task[]
}

/**
 * Answers the calls from a list of frames, one per poll interval, chosen by the fake clock. Events and
 * stopped tasks accumulate the way DescribeServices and ListTasks show them.
 */
function script(clock: ReturnType<typeof fakeClock>, frames: Frame[]): void {
  const index = () => Math.min(Math.floor((clock.now() - T0) / (INTERVAL_S * 1000)), frames.length - 1)
  const upTo = () => frames.slice(0, index() + 1)
  const allStopped = frames.flatMap(f => f.stopped ?? [])
  ecs.on(DescribeServicesCommand).callsFake(() => {
    const f = frames[index()]
    const events = upTo()
      .flatMap(x => x.events ?? [])
      .reverse()
    const running = f.deployments.reduce((n, d) => n + (d.runningCount ?? 0), 0)
    return {
      services: [service({ deployments: f.deployments, events, runningCount: running, ...f.service })],
      failures: []
    }
  })
  elbv2.on(DescribeTargetHealthCommand).callsFake(input => ({
    TargetHealthDescriptions: input.TargetGroupArn === TG ? frames[index()].targets : []
  }))
  elbv2.on(DescribeTargetGroupsCommand).resolves({ TargetGroups: [tgSettings] })
  // Newest first, one page of 100, as ECS answers.
  ecs.on(ListTasksCommand).callsFake(() => ({
    taskArns: upTo()
      .flatMap(f => f.stopped ?? [])
      .reverse()
      .slice(0, 100)
      .map(t => t.taskArn)
  }))
  ecs.on(DescribeTasksCommand).callsFake((input: { tasks: string[] }) => ({
    tasks: allStopped.filter(t => input.tasks.includes(t.taskArn ?? ''))
  }))
}

function watch(
  clock: ReturnType<typeof fakeClock>,
  p: { minutes?: number; desired?: number; log?: (line: string) => void } = {}
): Promise<WatchResult> {
  return watchRollout({
    clients,
    cluster: 'demo',
    serviceName: 'web',
    deploymentId: NEW_ID,
    taskDefinitionArn: TD_NEW,
    targetGroupArns: [TG],
    wait: { minutes: p.minutes ?? 10, pollIntervalSeconds: INTERVAL_S },
    log: p.log,
    clock
  })
}

const calls = () => ({
  DescribeServices: ecs.commandCalls(DescribeServicesCommand).length,
  DescribeTargetHealth: elbv2.commandCalls(DescribeTargetHealthCommand).length,
  DescribeTargetGroups: elbv2.commandCalls(DescribeTargetGroupsCommand).length,
  ListTasks: ecs.commandCalls(ListTasksCommand).length,
  DescribeTasks: ecs.commandCalls(DescribeTasksCommand).length
})

const ips = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}.${i + 1}`)
const dep = (p: Partial<Deployment>) => deployment({ desiredCount: 3, ...p })
const old = (running: number) => oldDeployment({ desiredCount: 3, runningCount: running })
const elbStop = (id: string, ip: string, at: number) =>
  stoppedTask({
    id,
    ip,
    atSeconds: at,
    reason: `Task failed ELB health checks in (target-group ${TG})`,
    stopCode: 'ServiceSchedulerInitiated'
  })

beforeEach(() => {
  ecs.reset()
  elbv2.reset()
})

test('success once the new targets are healthy; draining old targets do not block; one line per change', async () => {
  const clock = fakeClock()
  const oldTargets = ips('10.0.1', 3)
  const newTargets = ips('10.0.2', 3)
  const oldStops = oldTargets.map((ip, i) =>
    stoppedTask({
      id: `old${i}`,
      ip,
      startedBy: OLD_ID,
      reason: `Scaling activity initiated by (deployment ${NEW_ID})`
    })
  )
  script(clock, [
    {
      deployments: [dep({}), old(3)],
      service: { desiredCount: 3 },
      targets: oldTargets.map(healthy),
      events: [event(-3600, '(service web) has reached a steady state.')]
    },
    {
      deployments: [dep({ runningCount: 3 }), old(3)],
      service: { desiredCount: 3 },
      targets: [...oldTargets.map(healthy), ...newTargets.map(initial)],
      events: [event(5, '(service web) has started 3 tasks: (task a) (task b) (task c).')]
    },
    {
      deployments: [dep({ runningCount: 3 }), old(3)],
      service: { desiredCount: 3 },
      targets: [...oldTargets.map(healthy), ...newTargets.map(initial)]
    },
    {
      deployments: [dep({ runningCount: 3 }), old(0)],
      service: { desiredCount: 3 },
      targets: [
        ...oldTargets.map(draining),
        healthy(newTargets[0]),
        healthy(newTargets[1]),
        initial(newTargets[2])
      ],
      events: [event(25, '(service web) has stopped 3 running tasks: (task x) (task y) (task z).')],
      stopped: oldStops
    },
    {
      deployments: [dep({ runningCount: 3, rolloutState: 'COMPLETED' })],
      service: { desiredCount: 3 },
      targets: [...oldTargets.map(draining), ...newTargets.map(healthy)]
    }
  ])
  const logged: string[] = []
  const result = await watch(clock, { log: line => logged.push(line) })

  expect(result.ok).toBe(true)
  expect(result.diagnosis).toBeUndefined()
  expect(result.deploymentId).toBe(NEW_ID)
  // Complete at the poll of 40 s: within one poll of the last target turning healthy.
  expect(result.durationMs).toBe(40_000)
  // The log carries the elapsed time on progress lines; the timeline has its own time column.
  expect(logged).toEqual([
    'new 0/3 healthy · old 3 healthy · deployment IN_PROGRESS · running 0/3 · 0 s',
    'event: (service web) has started 3 tasks: (task a) (task b) (task c).',
    'new 0/3 healthy · 3 initial (Elb.InitialHealthChecking) · old 3 healthy · deployment IN_PROGRESS · running 3/3 · 10 s',
    'event: (service web) has stopped 3 running tasks: (task x) (task y) (task z).',
    'new 2/3 healthy · 1 initial (Elb.InitialHealthChecking) · 3 draining · deployment IN_PROGRESS · running 3/3 · 30 s',
    'new 3/3 healthy · 3 draining · deployment COMPLETED · running 3/3 · 40 s',
    'rollout complete in 40 s'
  ])
  expect(result.timeline).toEqual([
    { atMs: 0, line: 'new 0/3 healthy · old 3 healthy · deployment IN_PROGRESS · running 0/3' },
    { atMs: 10_000, line: 'event: (service web) has started 3 tasks: (task a) (task b) (task c).' },
    {
      atMs: 10_000,
      line: 'new 0/3 healthy · 3 initial (Elb.InitialHealthChecking) · old 3 healthy · deployment IN_PROGRESS · running 3/3'
    },
    { atMs: 30_000, line: 'event: (service web) has stopped 3 running tasks: (task x) (task y) (task z).' },
    {
      atMs: 30_000,
      line: 'new 2/3 healthy · 1 initial (Elb.InitialHealthChecking) · 3 draining · deployment IN_PROGRESS · running 3/3'
    },
    { atMs: 40_000, line: 'new 3/3 healthy · 3 draining · deployment COMPLETED · running 3/3' },
    { atMs: 40_000, line: 'rollout complete in 40 s' }
  ])
  expect(result.lastProgress).toBe('new 3/3 healthy · 3 draining · deployment COMPLETED · running 3/3')
  expect(result.events).toHaveLength(2)
  expect(result.targets).toEqual([
    { targetGroupArn: TG, descriptions: expect.arrayContaining(newTargets.map(healthy)) }
  ])
  // The old tasks' stops were looked up (running dropped) and ignored.
  expect(calls()).toEqual({
    DescribeServices: 5,
    DescribeTargetHealth: 5,
    DescribeTargetGroups: 1,
    ListTasks: 1,
    DescribeTasks: 1
  })
})

test('a deployment already complete at the first poll: done at once, its old events not printed', async () => {
  const clock = fakeClock()
  script(clock, [
    {
      deployments: [
        deployment({ runningCount: 2, rolloutState: 'COMPLETED', createdAt: new Date(T0 - 86_400_000) })
      ],
      targets: [healthy('10.0.0.1'), healthy('10.0.0.2')],
      events: [event(-60, '(service web) has reached a steady state.')]
    }
  ])
  const result = await watch(clock)
  expect(result.ok).toBe(true)
  expect(result.durationMs).toBe(0)
  expect(result.events).toEqual([])
  expect(calls()).toMatchObject({ DescribeServices: 1, ListTasks: 0 })
})

test('wrong health-check path: fails after two tasks stopped by ELB health checks, with the 404 translated', async () => {
  const clock = fakeClock()
  const unhealthyEvent = event(
    15,
    `(service web) (port 80) is unhealthy in (target-group ${TG}) due to (reason Health checks failed with these codes: [404]).`
  )
  script(clock, [
    { deployments: [deployment()], targets: [] },
    { deployments: [deployment({ runningCount: 2 })], targets: [initial('10.0.0.1'), initial('10.0.0.2')] },
    {
      deployments: [deployment({ runningCount: 1, failedTasks: 1 })],
      targets: [draining('10.0.0.1'), initial('10.0.0.2')],
      events: [unhealthyEvent],
      stopped: [elbStop('t1', '10.0.0.1', 18)]
    },
    {
      deployments: [deployment({ runningCount: 1, failedTasks: 2 })],
      targets: [draining('10.0.0.2'), initial('10.0.0.3')],
      stopped: [elbStop('t2', '10.0.0.2', 28)]
    },
    {
      deployments: [deployment({ runningCount: 2, failedTasks: 2 })],
      targets: [initial('10.0.0.3'), initial('10.0.0.4')]
    }
  ])
  const result = await watch(clock)

  expect(result.ok).toBe(false)
  expect(result.durationMs).toBe(30_000)
  expect(result.diagnosis?.kind).toBe('health-check')
  expect(result.diagnosis?.cause).toMatch(
    /^GET \/healthz answered 404; the matcher expects 200\. Health check web: HTTP GET \/healthz/
  )
  const text = formatDiagnosis(result.diagnosis!)
  expect(text).toContain(`task t1 stopped: Task failed ELB health checks in (target-group ${TG})`)
  expect(text).toContain(`task t2 stopped: Task failed ELB health checks in (target-group ${TG})`)
  expect(result.timeline.map(t => t.line)).toContain(
    `task t1 stopped: Task failed ELB health checks in (target-group ${TG})`
  )
})

test('Target.Timeout: fails once two new targets time out, pointing at the security group', async () => {
  const clock = fakeClock()
  script(clock, [
    { deployments: [deployment({ runningCount: 2 })], targets: [initial('10.0.0.1'), initial('10.0.0.2')] },
    { deployments: [deployment({ runningCount: 2 })], targets: [timedOut('10.0.0.1'), initial('10.0.0.2')] },
    { deployments: [deployment({ runningCount: 2 })], targets: [timedOut('10.0.0.1'), timedOut('10.0.0.2')] }
  ])
  const result = await watch(clock)

  expect(result.ok).toBe(false)
  expect(result.durationMs).toBe(20_000)
  expect(result.diagnosis?.cause).toMatch(/^GET \/healthz on port 80 got no answer within 5 s/)
  expect(result.diagnosis?.hint).toBe(
    "check that the task's security group admits the load balancer on port 80 and that the app listens on it"
  )
})

test('image pull failure: fails on the first stop, looking up stopped tasks only then', async () => {
  const clock = fakeClock()
  const image = '123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/app:v2-typo'
  script(clock, [
    { deployments: [deployment({ pendingCount: 2 })], targets: [] },
    {
      deployments: [deployment({ pendingCount: 1, failedTasks: 1 })],
      targets: [],
      stopped: [
        stoppedTask({
          id: 't1',
          reason: 'Task failed to start',
          stopCode: 'TaskFailedToStart',
          containers: [
            {
              name: 'app',
              image,
              reason: `CannotPullContainerError: pull image manifest has been retried 7 time(s): ${image}: not found`
            }
          ]
        })
      ]
    }
  ])
  const result = await watch(clock)

  expect(result.ok).toBe(false)
  expect(result.durationMs).toBe(10_000)
  expect(result.diagnosis?.kind).toBe('image-pull')
  expect(result.diagnosis?.hint).toContain(
    `image ${image} cannot be pulled: check the tag exists and the execution role can pull it`
  )
  expect(calls()).toMatchObject({ DescribeServices: 2, ListTasks: 1, DescribeTasks: 1 })
})

test('essential container exit: quotes the container, its exit code and reason', async () => {
  const clock = fakeClock()
  script(clock, [
    { deployments: [deployment({ runningCount: 2 })], targets: [initial('10.0.0.1'), initial('10.0.0.2')] },
    {
      deployments: [deployment({ runningCount: 1, failedTasks: 1 })],
      targets: [draining('10.0.0.1'), initial('10.0.0.2')],
      events: [event(12, '(service web) has stopped 1 running tasks: (task t1).')],
      stopped: [
        stoppedTask({
          id: 't1',
          ip: '10.0.0.1',
          reason: 'Essential container in task exited',
          stopCode: 'EssentialContainerExited',
          containers: [{ name: 'app', exitCode: 1, reason: 'Error: DATABASE_URL is not set' }]
        })
      ]
    }
  ])
  const result = await watch(clock)

  expect(result.ok).toBe(false)
  expect(result.diagnosis?.title).toBe('Essential container in task exited')
  expect(result.diagnosis?.cause).toBe(
    'essential container app exited with exit code 1 (Error: DATABASE_URL is not set)'
  )
})

test('circuit breaker rollback is detected and named', async () => {
  const clock = fakeClock()
  script(clock, [
    { deployments: [deployment(), old(2)], targets: [healthy('10.0.1.1'), healthy('10.0.1.2')] },
    {
      deployments: [deployment({ failedTasks: 1 }), old(2)],
      targets: [healthy('10.0.1.1'), healthy('10.0.1.2')],
      stopped: [stoppedTask({ id: 't1', reason: 'Task failed container health checks' })]
    },
    {
      deployments: [
        deployment({ id: ROLLBACK_ID, taskDefinition: TD_OLD, runningCount: 2 }),
        deployment({
          status: 'ACTIVE',
          rolloutState: 'FAILED',
          rolloutStateReason: 'ECS deployment circuit breaker: tasks failed to start.',
          failedTasks: 3
        })
      ],
      targets: [healthy('10.0.1.1'), healthy('10.0.1.2')],
      events: [
        event(
          25,
          `(service web) (deployment ${NEW_ID}) deployment failed: tasks failed to start. rolling back to deployment ${OLD_ID}.`
        )
      ]
    }
  ])
  const result = await watch(clock)

  expect(result.ok).toBe(false)
  expect(result.durationMs).toBe(20_000)
  expect(result.diagnosis?.kind).toBe('circuit-breaker')
  expect(result.diagnosis?.cause).toContain('"ECS deployment circuit breaker: tasks failed to start."')
  expect(result.diagnosis?.cause).toContain('Underlying cause: Task failed container health checks')
})

test('timeout: fails with the last progress line and what it waited for', async () => {
  const clock = fakeClock()
  script(clock, [
    { deployments: [deployment({ runningCount: 2 })], targets: [initial('10.0.0.1'), initial('10.0.0.2')] }
  ])
  const result = await watch(clock, { minutes: 1 })

  expect(result.ok).toBe(false)
  expect(result.durationMs).toBe(60_000)
  expect(result.diagnosis?.kind).toBe('timeout')
  expect(result.diagnosis?.cause).toBe(
    'last state: 0/2 healthy · 2 initial (Elb.InitialHealthChecking) · deployment IN_PROGRESS · running 2/2; waiting for deployment IN_PROGRESS, web: 0/2 healthy'
  )
  expect(calls().DescribeServices).toBe(7)
})

describe('slow start', () => {
  const frames = (): Frame[] => {
    const starting = {
      deployments: [deployment({ runningCount: 2 })],
      targets: [refused('10.0.0.1'), refused('10.0.0.2')]
    }
    return [
      { deployments: [deployment({ runningCount: 2 })], targets: [initial('10.0.0.1'), initial('10.0.0.2')] },
      starting,
      starting,
      starting,
      starting,
      { deployments: [deployment({ runningCount: 2 })], targets: [healthy('10.0.0.1'), healthy('10.0.0.2')] },
      {
        deployments: [deployment({ runningCount: 2, rolloutState: 'COMPLETED' })],
        targets: [healthy('10.0.0.1'), healthy('10.0.0.2')]
      }
    ]
  }

  test('unhealthy within the grace period, then healthy: success, no false alarm', async () => {
    const clock = fakeClock()
    script(
      clock,
      frames().map(f => ({ ...f, service: { healthCheckGracePeriodSeconds: 60 } }))
    )
    const result = await watch(clock)
    expect(result.diagnosis).toBeUndefined()
    expect(result.ok).toBe(true)
    expect(result.durationMs).toBe(60_000)
  })

  test('the same start without a grace period is a failure', async () => {
    const clock = fakeClock()
    script(clock, frames())
    const result = await watch(clock)
    expect(result.ok).toBe(false)
    expect(result.durationMs).toBe(10_000)
    expect(result.diagnosis?.cause).toMatch(/^connection refused or reset: is the app listening on 80\?/)
  })
})

test('throttling on a poll: backs off (doubling, at most 4×) and goes on', async () => {
  const clock = fakeClock()
  script(clock, [
    { deployments: [deployment({ runningCount: 2 })], targets: [initial('10.0.0.1'), initial('10.0.0.2')] },
    {
      deployments: [deployment({ runningCount: 2, rolloutState: 'COMPLETED' })],
      targets: [healthy('10.0.0.1'), healthy('10.0.0.2')]
    }
  ])
  // The polls after the first are throttled three times in a row, then answered from the frames.
  let throttles = 3
  ecs.on(DescribeServicesCommand).callsFake(() => {
    if (clock.now() > T0 && throttles-- > 0) {
      throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' })
    }
    const d =
      clock.now() === T0
        ? deployment({ runningCount: 2 })
        : deployment({ runningCount: 2, rolloutState: 'COMPLETED' })
    return { services: [service({ deployments: [d] })] }
  })
  const result = await watch(clock)

  expect(result.ok).toBe(true)
  expect(clock.sleeps).toEqual([10_000, 20_000, 40_000, 40_000])
  expect(result.timeline.map(t => t.line)).toContain('throttled (ThrottlingException); next poll in 20 s')
})

test('a throttled DescribeTargetGroups does not stop the watch', async () => {
  const clock = fakeClock()
  script(clock, [
    {
      deployments: [deployment({ runningCount: 2, rolloutState: 'COMPLETED' })],
      targets: [healthy('10.0.0.1'), healthy('10.0.0.2')]
    }
  ])
  elbv2
    .on(DescribeTargetGroupsCommand)
    .rejects(Object.assign(new Error('Rate exceeded'), { name: 'Throttling' }))
  expect((await watch(clock)).ok).toBe(true)
})

test('other errors are not swallowed', async () => {
  const clock = fakeClock()
  script(clock, [{ deployments: [deployment()], targets: [] }])
  ecs
    .on(DescribeServicesCommand)
    .rejects(Object.assign(new Error('User is not authorized'), { name: 'AccessDeniedException' }))
  await expect(watch(clock)).rejects.toThrow('User is not authorized')
})

test.each([3, 300])('calls per poll do not grow with the task count (%i tasks)', async n => {
  const clock = fakeClock()
  const oldTargets = ips('10.1', n)
  const newTargets = ips('10.2', n)
  const oldStops = oldTargets.map((ip, i) =>
    stoppedTask({
      id: `old${i}`,
      ip,
      startedBy: OLD_ID,
      reason: 'Scaling activity initiated by (deployment)'
    })
  )
  const d = (p: Partial<Deployment>) => deployment({ desiredCount: n, ...p })
  const o = (running: number) => oldDeployment({ desiredCount: n, runningCount: running })
  script(clock, [
    { deployments: [d({}), o(n)], service: { desiredCount: n }, targets: oldTargets.map(healthy) },
    {
      deployments: [d({ runningCount: n }), o(n)],
      service: { desiredCount: n },
      targets: [...oldTargets.map(healthy), ...newTargets.map(initial)]
    },
    {
      deployments: [d({ runningCount: n }), o(0)],
      service: { desiredCount: n },
      targets: [...oldTargets.map(draining), ...newTargets.map(healthy)],
      stopped: oldStops
    },
    {
      deployments: [d({ runningCount: n, rolloutState: 'COMPLETED' })],
      service: { desiredCount: n },
      targets: [...oldTargets.map(draining), ...newTargets.map(healthy)]
    }
  ])
  const result = await watch(clock)
  expect(result.ok).toBe(true)
  // 4 polls: DescribeServices + DescribeTargetHealth each; stopped tasks looked up once (≤100 per call).
  expect(calls()).toEqual({
    DescribeServices: 4,
    DescribeTargetHealth: 4,
    DescribeTargetGroups: 1,
    ListTasks: 1,
    DescribeTasks: 1
  })
  for (const call of ecs.commandCalls(DescribeTasksCommand))
    expect(call.args[0].input.tasks!.length).toBeLessThanOrEqual(100)
})

describe('a concurrent run of the same deploy registered its own revision', () => {
  const TD_24 = 'arn:aws:ecs:ap-northeast-1:123456789012:task-definition/app:24'
  const TD_25 = 'arn:aws:ecs:ap-northeast-1:123456789012:task-definition/app:25'
  const B_ID = 'ecs-svc/4444444444444444444'
  const C_ID = 'ecs-svc/5555555555555555555'
  const image = '123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/app:v2'

  /** As DescribeTaskDefinition answers: read-only fields differ by revision, the content does not. */
  const taskDefinition = (arn: string, p: Partial<TaskDefinition> = {}): TaskDefinition => ({
    taskDefinitionArn: arn,
    family: 'app',
    revision: Number(arn.slice(arn.lastIndexOf(':') + 1)),
    status: 'ACTIVE',
    registeredAt: new Date(T0 - Number(arn.slice(arn.lastIndexOf(':') + 1)) * 1000),
    networkMode: 'awsvpc',
    requiresCompatibilities: ['FARGATE'],
    cpu: '256',
    memory: '512',
    containerDefinitions: [
      {
        name: 'app',
        image,
        essential: true,
        portMappings: [{ containerPort: 80, hostPort: 80, protocol: 'tcp' }],
        environment: [
          { name: 'A', value: '1' },
          { name: 'B', value: '2' }
        ]
      }
    ],
    ...p
  })

  function definitions(defs: TaskDefinition[]): void {
    ecs.on(DescribeTaskDefinitionCommand).callsFake((input: { taskDefinition: string }) => ({
      taskDefinition: defs.find(d => d.taskDefinitionArn === input.taskDefinition)
    }))
  }

  const described = () =>
    ecs.commandCalls(DescribeTaskDefinitionCommand).map(c => c.args[0].input.taskDefinition)
  const ours = (p: Partial<Deployment> = {}) => deployment({ status: 'ACTIVE', runningCount: 0, ...p })
  const starting = [initial('10.0.0.1'), initial('10.0.0.2')]
  const up = [healthy('10.0.0.1'), healthy('10.0.0.2')]

  test('a newer PRIMARY of another revision with the same content is followed, each revision described once', async () => {
    const clock = fakeClock()
    const reordered = taskDefinition(TD_25)
    // The same content as AWS may list it: environment in another order, defaults spelled out or not.
    reordered.containerDefinitions = [
      {
        ...reordered.containerDefinitions![0],
        portMappings: [{ containerPort: 80 }],
        environment: [...reordered.containerDefinitions![0].environment!].reverse()
      }
    ]
    definitions([taskDefinition(TD_NEW), taskDefinition(TD_24), reordered])
    script(clock, [
      { deployments: [deployment()], targets: [] },
      { deployments: [deployment({ id: B_ID, taskDefinition: TD_24 }), ours()], targets: [] },
      {
        deployments: [deployment({ id: B_ID, taskDefinition: TD_24, runningCount: 2 }), ours()],
        targets: starting
      },
      {
        deployments: [
          deployment({ id: C_ID, taskDefinition: TD_25, runningCount: 2 }),
          deployment({ id: B_ID, taskDefinition: TD_24, status: 'ACTIVE', runningCount: 2 })
        ],
        targets: starting
      },
      {
        deployments: [deployment({ id: C_ID, taskDefinition: TD_25, runningCount: 2 })],
        targets: up
      },
      {
        deployments: [
          deployment({ id: C_ID, taskDefinition: TD_25, runningCount: 2, rolloutState: 'COMPLETED' })
        ],
        targets: up
      }
    ])
    const result = await watch(clock)

    expect(result.diagnosis).toBeUndefined()
    expect(result.ok).toBe(true)
    expect(result.deploymentId).toBe(C_ID)
    expect(result.timeline.map(t => t.line)).toEqual(
      expect.arrayContaining([
        `deployment ${B_ID} of ${TD_24} (the same content as ${TD_NEW}) took over from ${NEW_ID}; watching it`,
        `deployment ${C_ID} of ${TD_25} (the same content as ${TD_NEW}) took over from ${B_ID}; watching it`
      ])
    )
    // Ours once, each newer revision once, however many polls saw them.
    expect(described().sort()).toEqual([TD_NEW, TD_24, TD_25].sort())
    expect(calls()).toMatchObject({ DescribeServices: 6, DescribeTargetHealth: 6 })
  })

  test('a newer PRIMARY of another revision with other content: another deployment changed the service', async () => {
    const clock = fakeClock()
    definitions([
      taskDefinition(TD_NEW),
      taskDefinition(TD_24, {
        containerDefinitions: [
          { name: 'app', image: `${image}-other`, portMappings: [{ containerPort: 80 }] }
        ]
      })
    ])
    script(clock, [
      { deployments: [deployment()], targets: [] },
      { deployments: [deployment({ id: B_ID, taskDefinition: TD_24 }), ours()], targets: [] }
    ])
    const result = await watch(clock)

    expect(result.ok).toBe(false)
    expect(result.durationMs).toBe(10_000)
    expect(result.diagnosis?.kind).toBe('superseded')
    expect(result.diagnosis?.cause).toBe(
      `deployment ${NEW_ID} is ACTIVE; the service now runs deployment ${B_ID} (${TD_24}, whose content differs from ${TD_NEW})`
    )
    expect(described().sort()).toEqual([TD_NEW, TD_24].sort())
  })

  test('a newer PRIMARY of another family differs without a look', async () => {
    const clock = fakeClock()
    const other = 'arn:aws:ecs:ap-northeast-1:123456789012:task-definition/worker:24'
    definitions([taskDefinition(TD_NEW), taskDefinition(other, { family: 'worker' })])
    script(clock, [
      { deployments: [deployment()], targets: [] },
      { deployments: [deployment({ id: B_ID, taskDefinition: other }), ours()], targets: [] }
    ])
    const result = await watch(clock)

    expect(result.diagnosis?.kind).toBe('superseded')
    expect(result.diagnosis?.cause).toContain(`(${other}, whose content differs from ${TD_NEW})`)
    expect(described()).toEqual([])
  })

  test('the same task definition ARN is followed without describing anything', async () => {
    const clock = fakeClock()
    definitions([])
    script(clock, [
      { deployments: [deployment()], targets: [] },
      { deployments: [deployment({ id: B_ID, runningCount: 2 }), ours()], targets: up },
      { deployments: [deployment({ id: B_ID, runningCount: 2, rolloutState: 'COMPLETED' })], targets: up }
    ])
    const result = await watch(clock)

    expect(result.ok).toBe(true)
    expect(result.deploymentId).toBe(B_ID)
    expect(described()).toEqual([])
  })

  test('a throttled DescribeTaskDefinition throttles that poll; the next one compares and follows', async () => {
    const clock = fakeClock()
    script(clock, [
      { deployments: [deployment()], targets: [] },
      {
        deployments: [deployment({ id: B_ID, taskDefinition: TD_24, runningCount: 2 }), ours()],
        targets: up
      },
      {
        deployments: [
          deployment({ id: B_ID, taskDefinition: TD_24, runningCount: 2, rolloutState: 'COMPLETED' })
        ],
        targets: up
      }
    ])
    const defs = [taskDefinition(TD_NEW), taskDefinition(TD_24)]
    let throttles = 1
    ecs.on(DescribeTaskDefinitionCommand).callsFake((input: { taskDefinition: string }) => {
      if (input.taskDefinition === TD_24 && throttles-- > 0)
        throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' })
      return { taskDefinition: defs.find(d => d.taskDefinitionArn === input.taskDefinition) }
    })
    const result = await watch(clock)

    expect(result.ok).toBe(true)
    expect(result.deploymentId).toBe(B_ID)
    expect(result.timeline.map(t => t.line)).toContain('throttled (ThrottlingException); next poll in 20 s')
    // Ours was read once; only the throttled one was asked again.
    expect(described().filter(a => a === TD_NEW)).toHaveLength(1)
    expect(described().filter(a => a === TD_24)).toHaveLength(2)
  })
})

describe('rollback', () => {
  const rolledBack = (p: Partial<Deployment> = {}) =>
    deployment({ id: ROLLBACK_ID, taskDefinition: TD_OLD, runningCount: 2, ...p })
  const request = seedRequest({
    cluster: 'demo',
    wait: { ...seedRequest().wait, minutes: 5, pollIntervalSeconds: INTERVAL_S }
  })
  request.service = { ...request.service, serviceName: 'web' }
  const imageChange: Operation = {
    do: { call: 'UpdateService', input: { cluster: 'demo', service: 'web', taskDefinition: TD_NEW } },
    inverse: { call: 'UpdateService', input: { cluster: 'demo', service: 'web', taskDefinition: TD_OLD } },
    says: 'updated service web: taskDefinition'
  }
  const options = {
    clients,
    request,
    previousTaskDefinitionArn: TD_OLD,
    service: 'existed' as const,
    targetGroupArns: [TG]
  }

  test('sends the inverse UpdateService and counts it a success only once that deployment is healthy', async () => {
    const clock = fakeClock()
    ecs
      .on(DescribeServicesCommand)
      .resolvesOnce({ services: [service({ deployments: [deployment({ rolloutState: 'FAILED' })] })] })
      .resolvesOnce({
        services: [service({ deployments: [rolledBack(), deployment({ status: 'ACTIVE' })] })]
      })
      .resolvesOnce({
        services: [service({ deployments: [rolledBack(), deployment({ status: 'ACTIVE' })] })]
      })
      .resolves({ services: [service({ deployments: [rolledBack({ rolloutState: 'COMPLETED' })] })] })
    ecs
      .on(UpdateServiceCommand)
      .resolves({ service: service({ deployments: [rolledBack({ runningCount: 0 })] }) })
    elbv2.on(DescribeTargetGroupsCommand).resolves({ TargetGroups: [tgSettings] })
    elbv2
      .on(DescribeTargetHealthCommand)
      .resolves({ TargetHealthDescriptions: [healthy('10.0.1.1'), healthy('10.0.1.2')] })
    const lines: string[] = []
    const out = await rollBack({ ...options, journal: [imageChange], log: line => lines.push(line), clock })
    expect(out.ok).toBe(true)
    expect(out.result?.deploymentId).toBe(ROLLBACK_ID)
    expect(out.summary).toMatch(
      new RegExp(`^succeeded: the service runs ${TD_OLD} again, with every target healthy`)
    )
    expect(out.restored).toEqual([`service web back to taskDefinition ${TD_OLD}`])
    expect(ecs.commandCalls(UpdateServiceCommand).map(c => c.args[0].input)).toEqual([
      { cluster: 'demo', service: 'web', taskDefinition: TD_OLD }
    ])
  })

  test('after the circuit breaker rolled back: no second UpdateService, its deployment is watched', async () => {
    const clock = fakeClock()
    elbv2.on(DescribeTargetGroupsCommand).resolves({ TargetGroups: [tgSettings] })
    ecs.on(DescribeServicesCommand).resolves({
      services: [
        service({
          deployments: [
            rolledBack({ rolloutState: 'COMPLETED' }),
            deployment({ status: 'ACTIVE', rolloutState: 'FAILED' })
          ]
        })
      ]
    })
    elbv2.on(DescribeTargetHealthCommand).resolves({
      TargetHealthDescriptions: [healthy('10.0.1.1'), healthy('10.0.1.2'), draining('10.0.0.9')]
    })
    const out = await rollBack({ ...options, journal: [imageChange], log: () => undefined, clock })
    expect(ecs.commandCalls(UpdateServiceCommand)).toHaveLength(0)
    expect(out.result?.deploymentId).toBe(ROLLBACK_ID)
    expect(out.ok).toBe(true)
  })

  /** CreateService with new-service-on-failure: scale-to-zero: its inverse scales the service to 0. */
  const created: Operation = {
    do: {
      call: 'CreateService',
      input: { cluster: 'demo', serviceName: 'web' },
      produces: { arn: 'arn:svc' }
    },
    inverse: { call: 'UpdateService', input: { cluster: 'demo', service: 'web', desiredCount: 0 } },
    says: 'created service web'
  }

  test('a service this run created is scaled to 0 when asked, and not called rolled back', async () => {
    ecs.on(UpdateServiceCommand).resolves({})
    const out = await rollBack({ ...options, service: 'created', journal: [created], log: () => undefined })
    expect(out.ok).toBe(false)
    expect(out.summary).toMatch(/scaled to 0/)
    expect(ecs.commandCalls(UpdateServiceCommand).map(c => c.args[0].input)).toEqual([
      { cluster: 'demo', service: 'web', desiredCount: 0 }
    ])
  })

  test('a scale to 0 ECS refuses is said to have failed, not called a keep', async () => {
    ecs.on(UpdateServiceCommand).rejects(
      Object.assign(
        new Error('The daemon scheduling strategy does not support a desired count for services.'),
        {
          name: 'InvalidParameterException'
        }
      )
    )
    const scaleToZero = {
      ...request,
      wait: { ...request.wait, newServiceOnFailure: 'scale-to-zero' as const }
    }
    const out = await rollBack({
      ...options,
      request: scaleToZero,
      service: 'created',
      journal: [created],
      log: () => undefined
    })
    expect(out.summary).toMatch(
      /^did not succeed: the service was created by this run and could not be scaled to 0 \(new-service-on-failure: scale-to-zero\); created service web could not be undone: .*daemon scheduling strategy/
    )
    expect(out.summary).not.toContain('new-service-on-failure: keep')
  })

  test('a CreateService that failed: no service to roll back or watch, and what the run created is named as kept', async () => {
    const kept = (says: string): Operation => ({
      do: { call: 'CreateLoadBalancer', input: { Name: 'alb' }, produces: { arn: 'arn:lb' } },
      kept: "created by this run, the service's first deploy: kept for inspection",
      says
    })
    const journal = [kept('registered task definition web'), kept('created load balancer alb')]
    const out = await rollBack({ ...options, service: 'not-created', journal, log: () => undefined })
    expect(out).toMatchObject({
      ok: false,
      summary:
        'none: the service was not created (CreateService failed), so there is no service to roll back (kept: registered task definition web, created load balancer alb; a re-run reuses them, a teardown removes them)',
      restored: []
    })
    expect(out.kept).toHaveLength(2)
    expect(ecs.commandCalls(DescribeServicesCommand)).toHaveLength(0)
    expect(ecs.commandCalls(UpdateServiceCommand)).toHaveLength(0)
  })
})

describe('a health-check change of this run', () => {
  // Interval 10 s, timeout 5 s, 2 failures: a target failing the new check is unhealthy within 25 s.
  const change = (proven: boolean) => ({
    at: T0,
    intervalSeconds: 10,
    timeoutSeconds: 5,
    unhealthyThreshold: 2,
    proven
  })
  const settled = { deployments: [deployment({ runningCount: 2, rolloutState: 'COMPLETED' })] }
  const run = (clock: ReturnType<typeof fakeClock>, proven: boolean, log?: (l: string) => void) =>
    watchRollout({
      clients,
      cluster: 'demo',
      serviceName: 'web',
      taskDefinitionArn: TD_NEW,
      targetGroupArns: [TG],
      wait: { minutes: 10, pollIntervalSeconds: INTERVAL_S },
      healthCheckChange: change(proven),
      clock,
      log
    })

  test('unproven: healthy targets count only once the new check had time to fail them', async () => {
    const clock = fakeClock()
    script(clock, [{ ...settled, targets: ['10.0.1.1', '10.0.1.2'].map(healthy) }])
    const logged: string[] = []
    const result = await run(clock, false, l => logged.push(l))
    expect(result.ok).toBe(true)
    // 2 × 10 s + 5 s = 25 s: the poll at 30 s is the first to count.
    expect(result.durationMs).toBe(30_000)
    expect(logged).toContain(
      'every target healthy, but the health check changed 0 s ago and no probe proved it: waiting until ' +
        '25 s (2 × 10 s + 5 s timeout) after the change, until the new check has had time to fail a target'
    )
  })

  test('proven by a probe: done at once', async () => {
    const clock = fakeClock()
    script(clock, [{ ...settled, targets: ['10.0.1.1', '10.0.1.2'].map(healthy) }])
    const result = await run(clock, true)
    expect(result.ok).toBe(true)
    expect(result.durationMs).toBe(0)
  })

  test('unproven, and the targets fail the new check meanwhile: the health-check diagnosis, not success', async () => {
    const clock = fakeClock()
    const ips = ['10.0.1.1', '10.0.1.2']
    elbv2.on(DescribeTargetGroupsCommand).resolves({ TargetGroups: [tgSettings] })
    script(clock, [
      { ...settled, targets: ips.map(healthy) },
      { ...settled, targets: ips.map(healthy) },
      { ...settled, targets: ips.map(code404) }
    ])
    const result = await run(clock, false)
    expect(result.ok).toBe(false)
    expect(result.durationMs).toBe(20_000)
    expect(result.diagnosis?.kind).toBe('health-check')
    expect(result.diagnosis?.cause).toMatch(/^GET \/healthz answered 404; the matcher expects 200/)
  })

  test('the wait runs out first: the timeout names the unproven change', async () => {
    const clock = fakeClock()
    script(clock, [{ ...settled, targets: ['10.0.1.1', '10.0.1.2'].map(healthy) }])
    const result = await watchRollout({
      clients,
      cluster: 'demo',
      serviceName: 'web',
      taskDefinitionArn: TD_NEW,
      targetGroupArns: [TG],
      wait: { minutes: 0.25, pollIntervalSeconds: INTERVAL_S },
      healthCheckChange: { ...change(false), intervalSeconds: 30, unhealthyThreshold: 3 },
      clock
    })
    expect(result.ok).toBe(false)
    expect(result.diagnosis?.kind).toBe('timeout')
    expect(result.diagnosis?.cause).toContain(
      'waiting for 95 s (3 × 30 s + 5 s timeout) after the unproven health-check change'
    )
  })
})
