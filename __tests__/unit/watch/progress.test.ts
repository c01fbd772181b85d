import { renderProgress, withElapsed } from '../../../src/watch/progress.js'
import type { Snapshot } from '../../../src/watch/types.js'
import { TG, TG2, deployment, draining, healthy, initial, service, code404, snap } from './fixtures.js'

const svc = (p: Parameters<typeof deployment>[0]) =>
  service({ desiredCount: 3, deployments: [deployment({ desiredCount: 3, ...p })] })

describe('renderProgress', () => {
  test.each<[string, Snapshot, string]>([
    [
      'the example of the spec',
      snap(41, svc({ runningCount: 3 }), [healthy('a'), healthy('b'), initial('c')]),
      '2/3 healthy · 1 initial (Elb.InitialHealthChecking) · deployment IN_PROGRESS · running 3/3'
    ],
    [
      'draining without its reason, unhealthy with it, pending and failed tasks',
      snap(41, svc({ runningCount: 1, pendingCount: 2, failedTasks: 1 }), [
        draining('x'),
        draining('y'),
        code404('c'),
        healthy('a')
      ]),
      '1/3 healthy · 2 draining · 1 unhealthy (Target.ResponseCodeMismatch) · deployment IN_PROGRESS · running 1/3 (2 pending) · 1 failed'
    ],
    [
      'completed',
      snap(90, svc({ runningCount: 3, rolloutState: 'COMPLETED' }), [
        healthy('a'),
        healthy('b'),
        healthy('c')
      ]),
      '3/3 healthy · deployment COMPLETED · running 3/3'
    ]
  ])('%s', (_name, snapshot, expected) => {
    expect(renderProgress(snapshot)).toBe(expected)
  })

  test('names the target groups when there are several', () => {
    const snapshot: Snapshot = {
      ...snap(10, svc({ runningCount: 3 }), []),
      targetGroups: [
        { targetGroupArn: TG, descriptions: [healthy('a')] },
        { targetGroupArn: TG2, descriptions: [initial('a')] }
      ]
    }
    expect(renderProgress(snapshot)).toBe(
      'web 1/3 healthy · api 0/3 healthy · 1 initial (Elb.InitialHealthChecking) · deployment IN_PROGRESS · running 3/3'
    )
  })

  test('the line carries no time, so unchanged state renders the same line', () => {
    const a = snap(10, svc({ runningCount: 3 }), [initial('a')])
    const b = snap(20, svc({ runningCount: 3 }), [initial('a')])
    expect(renderProgress(a)).toBe(renderProgress(b))
    expect(withElapsed(renderProgress(a), 41_400)).toMatch(/ · 41 s$/)
  })
})
