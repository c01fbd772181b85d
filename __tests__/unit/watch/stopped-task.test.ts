import { classifyStoppedTask } from '../../../src/watch/stopped-task.js'
import type { DiagnosisKind } from '../../../src/watch/types.js'
import { TG, stoppedTask } from './fixtures.js'

const IMAGE = '123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/app:v2'

describe('classifyStoppedTask', () => {
  test.each<[string, Parameters<typeof stoppedTask>[0], DiagnosisKind, boolean, RegExp]>([
    [
      'image pull, reason on the container',
      {
        id: 't1',
        reason: 'Task failed to start',
        stopCode: 'TaskFailedToStart',
        containers: [
          {
            name: 'app',
            image: IMAGE,
            reason: 'CannotPullContainerError: pull image manifest has been retried 5 time(s)'
          }
        ]
      },
      'image-pull',
      true,
      new RegExp(
        `^image ${IMAGE.replace(/\./g, '\\.')} cannot be pulled: check the tag exists and the execution role can pull it`
      )
    ],
    [
      'image pull, reason on the task',
      {
        id: 't1',
        reason: 'CannotPullContainerError: ref pull has been retried',
        stopCode: 'TaskFailedToStart'
      },
      'image-pull',
      true,
      /app:v2 cannot be pulled/
    ],
    [
      'secrets',
      {
        id: 't1',
        reason:
          'ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm',
        stopCode: 'TaskFailedToStart'
      },
      'resource-initialization',
      true,
      /secretsmanager:GetSecretValue/
    ],
    [
      'log group',
      {
        id: 't1',
        reason:
          'ResourceInitializationError: failed to validate logger args: The specified log group does not exist.',
        stopCode: 'TaskFailedToStart'
      },
      'resource-initialization',
      true,
      /log group exists/
    ],
    [
      'essential container exited',
      {
        id: 't1',
        reason: 'Essential container in task exited',
        stopCode: 'EssentialContainerExited',
        containers: [
          { name: 'sidecar', exitCode: 0 },
          { name: 'app', exitCode: 1, reason: 'Error: missing DATABASE_URL' }
        ]
      },
      'container-exited',
      true,
      /logs/
    ],
    [
      'killed for memory (exit 137)',
      {
        id: 't1',
        reason: 'Essential container in task exited',
        stopCode: 'EssentialContainerExited',
        containers: [{ name: 'app', exitCode: 137 }]
      },
      'out-of-memory',
      true,
      /raise memory/
    ],
    [
      'OutOfMemoryError on the container',
      {
        id: 't1',
        reason: 'Essential container in task exited',
        stopCode: 'EssentialContainerExited',
        containers: [
          { name: 'app', exitCode: 137, reason: 'OutOfMemoryError: Container killed due to memory usage' }
        ]
      },
      'out-of-memory',
      true,
      /raise memory for container app/
    ],
    [
      'ELB health checks: counted, not fatal alone',
      {
        id: 't1',
        reason: `Task failed ELB health checks in (target-group ${TG})`,
        stopCode: 'ServiceSchedulerInitiated'
      },
      'health-check',
      false,
      /^$/
    ],
    [
      'container health check: counted, not fatal alone',
      { id: 't1', reason: 'Task failed container health checks', stopCode: 'ServiceSchedulerInitiated' },
      'container-health-check',
      false,
      /healthCheck/
    ]
  ])('%s', (_name, task, kind, repeats, hint) => {
    const cause = classifyStoppedTask(stoppedTask(task))
    expect(cause?.kind).toBe(kind)
    expect(cause?.repeats).toBe(repeats)
    expect(cause?.hint).toMatch(hint)
  })

  test('the essential exit quotes container, exit code and reason', () => {
    const cause = classifyStoppedTask(
      stoppedTask({
        id: 't1',
        reason: 'Essential container in task exited',
        stopCode: 'EssentialContainerExited',
        containers: [{ name: 'app', exitCode: 1, reason: 'Error: missing DATABASE_URL' }]
      })
    )
    expect(cause?.cause).toBe('essential container app exited with exit code 1 (Error: missing DATABASE_URL)')
    expect(cause?.evidence).toEqual([
      'task t1 stopped: Essential container in task exited',
      '  container app: exit code 1 (Error: missing DATABASE_URL)'
    ])
  })

  test('the ELB stop names its target group', () => {
    expect(
      classifyStoppedTask(
        stoppedTask({ id: 't1', reason: `Task failed ELB health checks in (target-group ${TG})` })
      )?.targetGroupArn
    ).toBe(TG)
  })

  test.each([
    'Scaling activity initiated by (deployment ecs-svc/2222222222222222222)',
    'Task stopped by user',
    'Service web: ECS is performing maintenance on the underlying infrastructure hosting the task'
  ])('a normal stop says nothing: %s', reason => {
    expect(
      classifyStoppedTask(stoppedTask({ id: 't1', reason, stopCode: 'ServiceSchedulerInitiated' }))
    ).toBeUndefined()
  })
})
