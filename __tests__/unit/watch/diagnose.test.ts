import { diagnose, diagnoseTimeout } from '../../../src/watch/diagnose.js'
import { formatDiagnosis } from '../../../src/watch/format.js'
import {
  NEW_ID,
  OLD_ID,
  ROLLBACK_ID,
  TD_NEW,
  TD_OLD,
  TG,
  code404,
  deployment,
  draining,
  event,
  healthy,
  initial,
  observe,
  oldDeployment,
  refused,
  service,
  snap,
  stoppedTask,
  timedOut
} from './fixtures.js'

const running = (n: number, p: Parameters<typeof deployment>[0] = {}) =>
  service({ deployments: [deployment({ runningCount: n, ...p }), oldDeployment({ runningCount: 2 })] })
const elbStop = (id: string, ip?: string) =>
  stoppedTask({
    id,
    ip,
    reason: `Task failed ELB health checks in (target-group ${TG})`,
    stopCode: 'ServiceSchedulerInitiated'
  })
const unhealthy404Event = (at: number) =>
  event(
    at,
    `(service web) (port 80) is unhealthy in (target-group ${TG}) due to (reason Health checks failed with these codes: [404]).`
  )

describe('diagnose: health checks', () => {
  test('the same cause on two targets fails, with the translated reason and the health check named', () => {
    const obs = observe({
      snapshots: [
        snap(10, running(2), [initial('10.0.0.1'), initial('10.0.0.2')]),
        snap(20, running(2), [code404('10.0.0.1'), code404('10.0.0.2')])
      ]
    })
    const { fatal } = diagnose(obs)
    expect(fatal?.kind).toBe('health-check')
    expect(fatal?.cause).toBe(
      'GET /healthz answered 404; the matcher expects 200. Health check web: HTTP GET /healthz on port traffic-port, matcher 200, every 10 s × 2 failures (timeout 5 s)'
    )
    expect(fatal?.evidence).toContain(
      'target 10.0.0.1:80 in web: unhealthy (Target.ResponseCodeMismatch: Health checks failed with these codes: [404])'
    )
  })

  test('one unhealthy target of two desired is only a suspect', () => {
    const obs = observe({ snapshots: [snap(10, running(2), [code404('10.0.0.1'), initial('10.0.0.2')])] })
    const verdict = diagnose(obs)
    expect(verdict.fatal).toBeUndefined()
    expect(verdict.suspect?.kind).toBe('health-check')
  })

  test('one unhealthy target is enough when one task is desired', () => {
    const svc = service({ desiredCount: 1, deployments: [deployment({ desiredCount: 1, runningCount: 1 })] })
    const obs = observe({
      snapshots: [snap(10, svc, [initial('10.0.0.1')]), snap(20, svc, [timedOut('10.0.0.1')])]
    })
    expect(diagnose(obs).fatal?.hint).toBe(
      "check that the task's security group admits the load balancer on port 80 and that the app listens on it"
    )
  })

  test('unhealthy within the grace period is not a failure, not even a suspect', () => {
    const svc = (n: number) => ({ ...running(n), healthCheckGracePeriodSeconds: 120 })
    const obs = observe({
      snapshots: [
        snap(10, svc(2), [initial('10.0.0.1'), initial('10.0.0.2')]),
        snap(60, svc(2), [refused('10.0.0.1'), refused('10.0.0.2')])
      ]
    })
    expect(diagnose(obs)).toEqual({ suspect: undefined })
  })

  test('unhealthy after the grace period is', () => {
    const svc = { ...running(2), healthCheckGracePeriodSeconds: 30 }
    const obs = observe({
      snapshots: [
        snap(10, svc, [initial('10.0.0.1'), initial('10.0.0.2')]),
        snap(60, svc, [refused('10.0.0.1'), refused('10.0.0.2')])
      ]
    })
    expect(diagnose(obs).fatal?.cause).toMatch(/^connection refused or reset: is the app listening on 80\?/)
  })

  test('a target seen unhealthy and then its task stopped count once', () => {
    const obs = observe({
      snapshots: [snap(10, running(1), [code404('10.0.0.1')]), snap(20, running(0), [])],
      stoppedTasks: [elbStop('t1', '10.0.0.1')]
    })
    expect(diagnose(obs).fatal).toBeUndefined()
  })

  test('two tasks stopped by ELB health checks fail, the reason taken from the service events', () => {
    const obs = observe({
      snapshots: [snap(30, running(0), [initial('10.0.0.3')])],
      stoppedTasks: [elbStop('t1', '10.0.0.1'), elbStop('t2', '10.0.0.2')],
      events: [unhealthy404Event(15)]
    })
    const { fatal } = diagnose(obs)
    expect(fatal?.kind).toBe('health-check')
    expect(fatal?.cause).toMatch(/^GET \/healthz answered 404; the matcher expects 200\./)
    expect(fatal?.evidence).toEqual(
      expect.arrayContaining([`task t1 stopped: Task failed ELB health checks in (target-group ${TG})`])
    )
  })

  test('two health-check cycles without one healthy new target fail, even with a single failure', () => {
    // cycle = 10 s × 2; the first new target appeared at 10 s: failing from 50 s on.
    const at = (s: number) =>
      observe({
        snapshots: [
          snap(10, running(2), [initial('10.0.0.1')]),
          snap(s, running(2), [code404('10.0.0.1'), initial('10.0.0.2')])
        ]
      })
    expect(diagnose(at(40)).fatal).toBeUndefined()
    expect(diagnose(at(50)).fatal?.kind).toBe('health-check')
  })

  test('no cycle rule once a new target was healthy', () => {
    const obs = observe({
      snapshots: [
        snap(10, running(2), [initial('10.0.0.1'), initial('10.0.0.2')]),
        snap(20, running(2), [healthy('10.0.0.1'), initial('10.0.0.2')]),
        snap(90, running(2), [healthy('10.0.0.1'), code404('10.0.0.2')])
      ]
    })
    expect(diagnose(obs).fatal).toBeUndefined()
  })

  test('targets of old tasks seen before the deployment ran anything are not blamed', () => {
    const obs = observe({
      snapshots: [
        snap(0, running(0), [code404('10.0.0.8'), code404('10.0.0.9')]),
        snap(10, running(1), [code404('10.0.0.8'), code404('10.0.0.9'), initial('10.0.0.1')])
      ]
    })
    expect(diagnose(obs)).toEqual({ suspect: undefined })
  })
})

describe('diagnose: stopped tasks', () => {
  test('an image that cannot be pulled fails on the first stop', () => {
    const obs = observe({
      snapshots: [snap(10, running(0, { failedTasks: 1 }), [])],
      stoppedTasks: [
        stoppedTask({
          id: 't1',
          reason: 'CannotPullContainerError: pull image manifest has been retried 5 time(s): not found',
          stopCode: 'TaskFailedToStart'
        })
      ]
    })
    const { fatal } = diagnose(obs)
    expect(fatal?.kind).toBe('image-pull')
    expect(fatal?.hint).toMatch(
      /app:v2 cannot be pulled: check the tag exists and the execution role can pull it/
    )
  })

  test('many stops of one kind: three in full, the rest counted', () => {
    const pull = (id: string) =>
      stoppedTask({ id, reason: 'CannotPullContainerError: not found', stopCode: 'TaskFailedToStart' })
    const obs = observe({
      snapshots: [snap(10, running(0), [])],
      stoppedTasks: ['t1', 't2', 't3', 't4', 't5'].map(pull)
    })
    expect(diagnose(obs).fatal?.evidence).toEqual([
      'task t1 stopped: CannotPullContainerError: not found',
      'task t2 stopped: CannotPullContainerError: not found',
      'task t3 stopped: CannotPullContainerError: not found',
      '… and 2 more task(s) stopped the same way'
    ])
  })

  test('container health-check stops fail when they repeat', () => {
    const stop = (id: string) => stoppedTask({ id, reason: 'Task failed container health checks' })
    expect(
      diagnose(observe({ snapshots: [snap(10, running(0), [])], stoppedTasks: [stop('t1')] })).fatal
    ).toBeUndefined()
    expect(
      diagnose(observe({ snapshots: [snap(10, running(0), [])], stoppedTasks: [stop('t1'), stop('t2')] }))
        .fatal?.kind
    ).toBe('container-health-check')
  })
})

describe('diagnose: a container that exits', () => {
  const exit = (id: string, ip: string) =>
    stoppedTask({
      id,
      ip,
      reason: 'Essential container in task exited',
      stopCode: 'EssentialContainerExited',
      containers: [{ name: 'app', exitCode: 1 }]
    })
  const oom = (id: string, ip: string) =>
    stoppedTask({
      id,
      ip,
      reason: 'Essential container in task exited',
      stopCode: 'EssentialContainerExited',
      containers: [
        { name: 'app', exitCode: 137, reason: 'OutOfMemoryError: Container killed due to memory usage' }
      ]
    })
  const neverServed = [
    snap(10, running(2), [initial('10.0.0.1'), initial('10.0.0.2')]),
    snap(20, running(1), [draining('10.0.0.1'), initial('10.0.0.2')])
  ]
  const servedThenStopped = [
    snap(10, running(2), [initial('10.0.0.1'), initial('10.0.0.2')]),
    snap(20, running(2), [healthy('10.0.0.1'), healthy('10.0.0.2')]),
    snap(30, running(1), [draining('10.0.0.1'), healthy('10.0.0.2')])
  ]
  const bothServedThenStopped = [
    ...servedThenStopped,
    snap(40, running(0), [draining('10.0.0.1'), draining('10.0.0.2')])
  ]

  test.each([
    ['an exit', exit, 'container-exited'],
    ['an OOM kill', oom, 'out-of-memory']
  ])('%s of a task that never served fails at the first stop', (_name, stop, kind) => {
    const { fatal } = diagnose(observe({ snapshots: neverServed, stoppedTasks: [stop('t1', '10.0.0.1')] }))
    expect(fatal?.kind).toBe(kind)
    expect(fatal?.evidence[0]).toBe('task t1 stopped: Essential container in task exited')
  })

  test.each([
    ['an exit', exit, 'container-exited'],
    ['an OOM kill', oom, 'out-of-memory']
  ])('%s of a task seen healthy waits for a second task stopping the same way', (_name, stop, kind) => {
    const once = diagnose(observe({ snapshots: servedThenStopped, stoppedTasks: [stop('t1', '10.0.0.1')] }))
    expect(once.fatal).toBeUndefined()
    expect(once.suspect?.kind).toBe(kind)
    const twice = diagnose(
      observe({
        snapshots: bothServedThenStopped,
        stoppedTasks: [stop('t1', '10.0.0.1'), stop('t2', '10.0.0.2')]
      })
    )
    expect(twice.fatal?.kind).toBe(kind)
    expect(twice.fatal?.evidence).toEqual(
      expect.arrayContaining([
        'task t1 stopped: Essential container in task exited',
        'task t2 stopped: Essential container in task exited'
      ])
    )
  })

  test('a served task stopping and a task that never served: the second stop fails the deploy', () => {
    // t2's target 10.0.0.3 was never healthy: its exit alone is enough.
    const obs = observe({
      snapshots: [
        ...servedThenStopped,
        snap(40, running(1), [draining('10.0.0.1'), healthy('10.0.0.2'), initial('10.0.0.3')]),
        snap(50, running(1), [draining('10.0.0.1'), healthy('10.0.0.2'), draining('10.0.0.3')])
      ],
      stoppedTasks: [exit('t1', '10.0.0.1'), exit('t3', '10.0.0.3')]
    })
    expect(diagnose(obs).fatal?.kind).toBe('container-exited')
  })

  test('one desired task: a served task that exits fails at once (no second task to wait for)', () => {
    const svc = (n: number) =>
      service({ desiredCount: 1, deployments: [deployment({ desiredCount: 1, runningCount: n })] })
    const obs = observe({
      snapshots: [snap(10, svc(1), [healthy('10.0.0.1')]), snap(20, svc(0), [draining('10.0.0.1')])],
      stoppedTasks: [exit('t1', '10.0.0.1')]
    })
    expect(diagnose(obs).fatal?.kind).toBe('container-exited')
  })
})

describe('diagnose: the deployment', () => {
  test('rollout FAILED by the circuit breaker quotes the reason and keeps the underlying cause', () => {
    const svc = service({
      deployments: [
        deployment({ id: ROLLBACK_ID, taskDefinition: TD_OLD }),
        deployment({
          status: 'ACTIVE',
          rolloutState: 'FAILED',
          rolloutStateReason: 'ECS deployment circuit breaker: tasks failed to start.',
          failedTasks: 3
        })
      ]
    })
    const obs = observe({
      snapshots: [snap(60, svc, [])],
      events: [
        event(
          55,
          `(service web) (deployment ${NEW_ID}) deployment failed: tasks failed to start. rolling back to deployment ${ROLLBACK_ID}.`
        )
      ],
      stoppedTasks: [
        stoppedTask({
          id: 't1',
          reason: 'Essential container in task exited',
          stopCode: 'EssentialContainerExited',
          containers: [{ name: 'app', exitCode: 3 }]
        })
      ]
    })
    const { fatal } = diagnose(obs)
    expect(fatal?.kind).toBe('circuit-breaker')
    expect(fatal?.cause).toBe(
      `ECS marked deployment ${NEW_ID} FAILED: "ECS deployment circuit breaker: tasks failed to start.". Underlying cause: essential container app exited with exit code 3`
    )
  })

  test('rollout FAILED without the breaker', () => {
    const svc = service({
      deployments: [deployment({ rolloutState: 'FAILED', rolloutStateReason: 'tasks failed to start' })]
    })
    expect(diagnose(observe({ snapshots: [snap(60, svc, [])] })).fatal?.kind).toBe('rollout-failed')
  })

  test('the watched deployment vanished and the service is rolling back', () => {
    const svc = service({ deployments: [deployment({ id: ROLLBACK_ID, taskDefinition: TD_OLD })] })
    const obs = observe({
      snapshots: [snap(60, svc, [])],
      events: [event(50, `(service web) rolling back to deployment ${OLD_ID}.`)]
    })
    const { fatal } = diagnose(obs)
    expect(fatal?.kind).toBe('circuit-breaker')
    expect(fatal?.cause).toContain(`the service went back to deployment ${ROLLBACK_ID} (${TD_OLD})`)
  })

  test('replaced by another task definition without a breaker: superseded', () => {
    const other = 'arn:aws:ecs:ap-northeast-1:123456789012:task-definition/app:24'
    const svc = service({ deployments: [deployment({ id: ROLLBACK_ID, taskDefinition: other })] })
    expect(diagnose(observe({ snapshots: [snap(60, svc, [])] })).fatal?.kind).toBe('superseded')
  })

  test('replaced by another task definition with the breaker enabled but no rollback event: superseded', () => {
    // recover rolls back a circuit-breaker verdict; here that would undo another run's deploy.
    const other = 'arn:aws:ecs:ap-northeast-1:123456789012:task-definition/app:24'
    const svc = service({
      deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: true } },
      deployments: [deployment({ id: ROLLBACK_ID, taskDefinition: other })]
    })
    expect(diagnose(observe({ snapshots: [snap(60, svc, [])] })).fatal?.kind).toBe('superseded')
  })

  test('a newer deployment of another revision: followed when its content is ours, superseded when not', () => {
    const other = 'arn:aws:ecs:ap-northeast-1:123456789012:task-definition/app:24'
    const svc = service({
      deployments: [deployment({ id: ROLLBACK_ID, taskDefinition: other }), deployment({ status: 'ACTIVE' })]
    })
    const withContent = (same: boolean) => ({
      ...observe({ snapshots: [snap(60, svc, [])] }),
      sameContent: new Map([[other, same]])
    })
    expect(diagnose(withContent(true)).fatal).toBeUndefined()
    const { fatal } = diagnose(withContent(false))
    expect(fatal?.kind).toBe('superseded')
    expect(fatal?.cause).toBe(
      `deployment ${NEW_ID} is ACTIVE; the service now runs deployment ${ROLLBACK_ID} (${other}, whose content differs from ${TD_NEW})`
    )
  })

  test('a newer deployment of the same task definition is not a failure', () => {
    const svc = service({ deployments: [deployment({ id: ROLLBACK_ID, taskDefinition: TD_NEW })] })
    expect(diagnose(observe({ snapshots: [snap(60, svc, [])] })).fatal).toBeUndefined()
  })
})

describe('diagnoseTimeout and formatDiagnosis', () => {
  test('timeout: the last state and the most likely cause so far', () => {
    const obs = observe({ snapshots: [snap(300, running(2), [code404('10.0.0.1'), healthy('10.0.0.2')])] })
    // A healthy new target suspends the cycle rule: the 404 stays a suspect until the timeout.
    expect(diagnose(obs).fatal).toBeUndefined()
    const d = diagnoseTimeout({
      obs,
      minutes: 5,
      progress: '1/2 healthy · 1 unhealthy',
      waitingFor: ['web: 1/2 healthy']
    })
    expect(d.kind).toBe('timeout')
    expect(d.title).toBe('The rollout did not finish within 5 min')
    expect(d.cause).toBe(
      'last state: 1/2 healthy · 1 unhealthy; waiting for web: 1/2 healthy. Most likely cause: GET /healthz answered 404; the matcher expects 200. Health check web: HTTP GET /healthz on port traffic-port, matcher 200, every 10 s × 2 failures (timeout 5 s)'
    )
  })

  test('formatDiagnosis: title and cause, evidence once each, what to check', () => {
    const text = formatDiagnosis({
      kind: 'image-pull',
      title: 'The container image cannot be pulled',
      cause: 'image app:v2 cannot be pulled: not found',
      evidence: ['task t1 stopped: CannotPullContainerError', 'task t1 stopped: CannotPullContainerError'],
      hint: 'check the tag exists'
    })
    expect(text).toBe(
      [
        'The container image cannot be pulled: image app:v2 cannot be pulled: not found',
        'Evidence:',
        '  - task t1 stopped: CannotPullContainerError',
        'What to check: check the tag exists'
      ].join('\n')
    )
  })
})
