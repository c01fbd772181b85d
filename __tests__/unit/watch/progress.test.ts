import { renderProgress, withElapsed } from '../../../src/watch/progress.js'
import type { Snapshot } from '../../../src/watch/types.js'
import { trackTargets } from '../../../src/watch/snapshot.js'
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
      '1/3 healthy · 1 unhealthy (Target.ResponseCodeMismatch) · 2 draining · deployment IN_PROGRESS · running 1/3 (2 pending) · 1 failed'
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

  test("old tasks' targets never count towards the new deployment's healthy/desired", () => {
    // Seen while the new deployment ran no task: old targets (baseline), as the watch tracks them.
    const first = snap(0, svc({ runningCount: 0 }), [healthy('o1'), healthy('o2'), healthy('o3')])
    const second = snap(10, svc({ runningCount: 3 }), [
      healthy('o1'),
      code404('o2'),
      draining('o3'),
      healthy('n1'),
      initial('n2')
    ])
    const tracks = trackTargets({ tracks: new Map(), snapshot: first }).tracks
    expect(renderProgress(first, tracks)).toBe(
      'new 0/3 healthy · old 3 healthy · deployment IN_PROGRESS · running 0/3'
    )
    const next = trackTargets({ tracks, snapshot: second }).tracks
    expect(renderProgress(second, next)).toBe(
      'new 1/3 healthy · 1 initial (Elb.InitialHealthChecking) · ' +
        'old 1 healthy, 1 unhealthy (Target.ResponseCodeMismatch) · 1 draining · deployment IN_PROGRESS · running 3/3'
    )
  })

  test('a scale to zero: the old targets leaving are not "2/0 healthy"', () => {
    const zero = service({ desiredCount: 0, deployments: [deployment({ desiredCount: 0, runningCount: 0 })] })
    const first = snap(0, zero, [healthy('o1'), draining('o2')])
    const tracks = trackTargets({ tracks: new Map(), snapshot: first }).tracks
    expect(renderProgress(first, tracks)).toBe(
      'new 0/0 healthy · old 1 healthy · 1 draining · deployment IN_PROGRESS · running 0/0'
    )
  })

  test('the line carries no time, so unchanged state renders the same line', () => {
    const a = snap(10, svc({ runningCount: 3 }), [initial('a')])
    const b = snap(20, svc({ runningCount: 3 }), [initial('a')])
    expect(renderProgress(a)).toBe(renderProgress(b))
    expect(withElapsed(renderProgress(a), 41_400)).toMatch(/ · 41 s$/)
  })
})
