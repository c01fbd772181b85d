import { checkCompletion, healthyTrustedFrom } from '../../../src/watch/completion.js'
import type { Snapshot } from '../../../src/watch/types.js'
import {
  TG,
  TG2,
  deployment,
  draining,
  healthy,
  initial,
  oldDeployment,
  service,
  code404,
  snap
} from './fixtures.js'

const done = (p: Parameters<typeof deployment>[0] = {}) =>
  service({ deployments: [deployment({ rolloutState: 'COMPLETED', runningCount: 2, ...p })] })

describe('checkCompletion', () => {
  test.each<[string, Snapshot, boolean]>([
    ['completed, all healthy', snap(60, done(), [healthy('10.0.0.1'), healthy('10.0.0.2')]), true],
    [
      'draining targets of old tasks do not hold success back',
      snap(60, done(), [
        healthy('10.0.0.1'),
        healthy('10.0.0.2'),
        draining('10.0.0.8'),
        draining('10.0.0.9')
      ]),
      true
    ],
    [
      'rollout still IN_PROGRESS',
      snap(60, done({ rolloutState: 'IN_PROGRESS' }), [healthy('a'), healthy('b')]),
      false
    ],
    ['running below desired', snap(60, done({ runningCount: 1 }), [healthy('a'), healthy('b')]), false],
    ['one target still initial', snap(60, done(), [healthy('a'), healthy('b'), initial('c')]), false],
    ['one target unhealthy', snap(60, done(), [healthy('a'), code404('b')]), false],
    ['fewer healthy targets than desired', snap(60, done(), [healthy('a')]), false],
    [
      'watched deployment not PRIMARY',
      snap(
        60,
        service({
          deployments: [deployment({ status: 'ACTIVE', rolloutState: 'COMPLETED', runningCount: 2 })]
        }),
        [healthy('a'), healthy('b')]
      ),
      false
    ],
    [
      'desired 0: done when the deployment completed, no targets needed',
      snap(
        60,
        service({
          desiredCount: 0,
          deployments: [deployment({ rolloutState: 'COMPLETED', desiredCount: 0 })]
        }),
        []
      ),
      true
    ],
    [
      'no rolloutState (CODE_DEPLOY/EXTERNAL): PRIMARY alone and running = desired',
      snap(60, service({ deployments: [deployment({ rolloutState: undefined, runningCount: 2 })] }), [
        healthy('a'),
        healthy('b')
      ]),
      true
    ],
    [
      'no rolloutState and an older deployment still active',
      snap(
        60,
        service({ deployments: [deployment({ rolloutState: undefined, runningCount: 2 }), oldDeployment()] }),
        [healthy('a'), healthy('b')]
      ),
      false
    ],
    ['a watched target group with no target yet', snap(60, done(), []), false]
  ])('%s', (_name, snapshot, expected) => {
    expect(checkCompletion(snapshot).done).toBe(expected)
  })

  test('ECS only (no target groups watched): done on the deployment alone', () => {
    const snapshot: Snapshot = { ...snap(60, done(), []), targetGroups: [] }
    expect(checkCompletion(snapshot)).toEqual({ done: true, waitingFor: [] })
  })

  test('every target group must be healthy', () => {
    const snapshot: Snapshot = {
      ...snap(60, done(), [healthy('a'), healthy('b')]),
      targetGroups: [
        { targetGroupArn: TG, descriptions: [healthy('a'), healthy('b')] },
        { targetGroupArn: TG2, descriptions: [healthy('a'), initial('b')] }
      ]
    }
    expect(checkCompletion(snapshot)).toEqual({ done: false, waitingFor: ['api: 1/2 healthy'] })
  })

  test('says what it waits for', () => {
    const snapshot = snap(60, done({ rolloutState: 'IN_PROGRESS', runningCount: 1 }), [
      healthy('a'),
      initial('b')
    ])
    expect(checkCompletion(snapshot).waitingFor).toEqual([
      'deployment IN_PROGRESS',
      'running 1/2',
      'web: 1/2 healthy'
    ])
  })
})

describe('healthyTrustedFrom', () => {
  const change = { at: 1_000, intervalSeconds: 30, timeoutSeconds: 15, unhealthyThreshold: 3, proven: false }
  test('an unproven change: UnhealthyThresholdCount × interval + timeout after it', () => {
    expect(healthyTrustedFrom(change)).toBe(1_000 + 105_000)
  })
  test('a proven change, or none: nothing to wait for', () => {
    expect(healthyTrustedFrom({ ...change, proven: true })).toBeUndefined()
    expect(healthyTrustedFrom(undefined)).toBeUndefined()
  })
})
