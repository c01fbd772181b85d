import {
  ContinueServiceDeploymentCommand,
  DescribeServiceDeploymentsCommand,
  DescribeServicesCommand,
  ECSClient,
  ListServiceDeploymentsCommand,
  StopServiceDeploymentCommand,
  type ServiceDeployment
} from '@aws-sdk/client-ecs'
import {
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  type TargetHealthDescription
} from '@aws-sdk/client-elastic-load-balancing-v2'
import { beforeEach, describe, expect, test } from '@jest/globals'
import { mockClient } from 'aws-sdk-client-mock'
import { promote } from '../../../src/stages/promote.js'
import { newestServiceDeployment, watchServiceDeployment } from '../../../src/watch/service-deployment.js'
import { seedRequest } from '../../fixtures/seed.js'

const ecs = mockClient(ECSClient)
const elbv2 = mockClient(ElasticLoadBalancingV2Client)
const clients = {
  ecs: new ECSClient({ region: 'ap-northeast-1' }),
  elbv2: new ElasticLoadBalancingV2Client({ region: 'ap-northeast-1' })
}
const SD = 'arn:aws:ecs:ap-northeast-1:123456789012:service-deployment/ecs-demo/web/abc'
const GREEN = 'arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:targetgroup/web-alt/2'
const CONFIG = { strategy: 'BLUE_GREEN' as const, bakeTimeInMinutes: 5 }

/** A fake clock: sleeping moves time on, nothing waits. */
function fakeClock() {
  let t = 0
  return { now: () => t, sleep: async (ms: number) => void (t += ms) }
}

const frame = (patch: Partial<ServiceDeployment>): ServiceDeployment => ({
  serviceDeploymentArn: SD,
  status: 'IN_PROGRESS',
  deploymentConfiguration: CONFIG,
  ...patch
})

function script(frames: ServiceDeployment[], targets: TargetHealthDescription[][] = []) {
  let poll = 0
  ecs.on(ListServiceDeploymentsCommand).resolves({
    serviceDeployments: [{ serviceDeploymentArn: SD, createdAt: new Date(), status: 'IN_PROGRESS' }]
  })
  ecs.on(DescribeServiceDeploymentsCommand).callsFake(() => {
    const sd = frames[Math.min(poll, frames.length - 1)]
    poll++
    return { serviceDeployments: [sd] }
  })
  elbv2.on(DescribeTargetHealthCommand).callsFake(() => ({
    TargetHealthDescriptions: targets[Math.min(poll - 1, targets.length - 1)] ?? []
  }))
  elbv2.on(DescribeTargetGroupsCommand).resolves({
    TargetGroups: [
      {
        TargetGroupArn: GREEN,
        TargetGroupName: 'web-alt',
        Protocol: 'HTTP',
        HealthCheckPath: '/health',
        Matcher: { HttpCode: '200' }
      }
    ]
  })
  ecs.on(StopServiceDeploymentCommand).resolves({ serviceDeploymentArn: SD })
  ecs.on(DescribeServicesCommand).callsFake(() => ({
    services: [{ serviceName: 'web', status: 'ACTIVE', events: events.slice(0, poll) }]
  }))
}

/** Service events, one more visible per poll (none unless a test sets them). */
let events: { id: string; createdAt: Date; message: string }[] = []

const watch = (more: Partial<Parameters<typeof watchServiceDeployment>[0]> = {}) =>
  watchServiceDeployment({
    clients,
    cluster: 'ecs-demo',
    serviceName: 'web',
    greenTargetGroupArn: GREEN,
    waitUntil: 'complete',
    wait: { minutes: 10, pollIntervalSeconds: 5 },
    clock: fakeClock(),
    ...more
  })

beforeEach(() => {
  events = []
  ecs.reset()
  elbv2.reset()
})

describe('watchServiceDeployment', () => {
  test('each stage and the weights in the timeline, the bake time named, complete on SUCCESSFUL; calls per poll constant', async () => {
    script([
      frame({ lifecycleStage: 'SCALE_UP' }),
      frame({
        lifecycleStage: 'TEST_TRAFFIC_SHIFT',
        targetServiceRevision: { requestedTestTrafficWeight: 100, requestedProductionTrafficWeight: 0 }
      }),
      frame({
        lifecycleStage: 'PRODUCTION_TRAFFIC_SHIFT',
        targetServiceRevision: { requestedTestTrafficWeight: 100, requestedProductionTrafficWeight: 100 }
      }),
      frame({
        lifecycleStage: 'BAKE_TIME',
        targetServiceRevision: { requestedTestTrafficWeight: 100, requestedProductionTrafficWeight: 100 }
      }),
      frame({ lifecycleStage: 'CLEAN_UP', status: 'SUCCESSFUL' })
    ])
    const result = await watch()
    expect(result).toMatchObject({
      outcome: 'complete',
      serviceDeploymentArn: SD,
      lifecycleStage: 'complete'
    })
    expect(result.timeline.map(t => t.line)).toEqual([
      `BLUE_GREEN, bake time 5 min: following ${SD}`,
      'service deployment IN_PROGRESS SCALE_UP',
      'service deployment IN_PROGRESS TEST_TRAFFIC_SHIFT (production 0% new, test 100% new)',
      'service deployment IN_PROGRESS PRODUCTION_TRAFFIC_SHIFT (production 100% new, test 100% new)',
      'service deployment IN_PROGRESS BAKE_TIME (production 100% new, test 100% new): bake time 5 min',
      'service deployment SUCCESSFUL CLEAN_UP'
    ])
    const polls = ecs.commandCalls(DescribeServiceDeploymentsCommand).length
    expect(polls).toBe(5)
    expect(elbv2.commandCalls(DescribeTargetHealthCommand).length).toBe(polls)
    expect(ecs.commandCalls(DescribeServicesCommand).length).toBe(polls)
    expect(ecs.commandCalls(ListServiceDeploymentsCommand).length).toBe(1)
  })

  test('a new revision failing its health check: ECS is asked to roll back, and its rollback reported', async () => {
    const unhealthy = (id: string): TargetHealthDescription => ({
      Target: { Id: id, Port: 80 },
      TargetHealth: {
        State: 'unhealthy',
        Reason: 'Target.ResponseCodeMismatch',
        Description: 'Health checks failed with these codes: [404]'
      }
    })
    script(
      [
        frame({ lifecycleStage: 'SCALE_UP' }),
        frame({ lifecycleStage: 'SCALE_UP' }),
        frame({ status: 'ROLLBACK_IN_PROGRESS' }),
        frame({
          status: 'ROLLBACK_SUCCESSFUL',
          statusReason: 'Service deployment rolled back because of a stop request',
          rollback: { reason: 'StopServiceDeployment' }
        })
      ],
      [
        [
          {
            Target: { Id: '10.0.0.1' },
            TargetHealth: { State: 'initial', Reason: 'Elb.InitialHealthChecking' }
          }
        ],
        [unhealthy('10.0.0.1'), unhealthy('10.0.0.2')]
      ]
    )
    const result = await watch()
    expect(ecs.commandCalls(StopServiceDeploymentCommand).map(c => c.args[0].input)).toEqual([
      { serviceDeploymentArn: SD, stopType: 'ROLLBACK' }
    ])
    expect(result.outcome).toBe('failed')
    expect(result.reason).toMatch(/fail the health check: .*\/health.*404/)
    expect(result.reason).toMatch(/ECS rolled back: ROLLBACK_SUCCESSFUL/)
  })

  test('targets replaced between two polls are seen through the service events', async () => {
    const at = new Date(Date.now() + 60_000)
    events = [1, 2].map(n => ({
      id: `e${n}`,
      createdAt: at,
      message: `(service web) (port 3200${n}) is unhealthy in (target-group ${GREEN}) due to (reason Health checks failed with these codes: [500]).`
    }))
    script([
      frame({ lifecycleStage: 'SCALE_UP' }),
      frame({ lifecycleStage: 'SCALE_UP' }),
      frame({ lifecycleStage: 'SCALE_UP' }),
      frame({ status: 'ROLLBACK_SUCCESSFUL' })
    ])
    const result = await watch()
    expect(ecs.commandCalls(StopServiceDeploymentCommand)).toHaveLength(1)
    expect(result.reason).toMatch(/GET \/health answered 500/)
  })

  test('rollback-on-failure false: the step fails without asking ECS to roll back', async () => {
    const unhealthy: TargetHealthDescription = {
      Target: { Id: '10.0.0.1', Port: 80 },
      TargetHealth: { State: 'unhealthy', Reason: 'Target.Timeout', Description: 'Request timed out' }
    }
    script([frame({ lifecycleStage: 'SCALE_UP' })], [[unhealthy]])
    const result = await watch({ rollbackOnFailure: false })
    expect(result.outcome).toBe('failed')
    expect(result.reason).toMatch(/fail the health check/)
    expect(ecs.commandCalls(StopServiceDeploymentCommand)).toHaveLength(0)
  })

  test('any ROLLBACK_* status fails with its reason, without a stop request of ours', async () => {
    script([frame({ status: 'ROLLBACK_SUCCESSFUL', statusReason: 'alarm high-5xx in ALARM' })])
    const result = await watch()
    expect(result).toMatchObject({
      outcome: 'failed',
      reason: expect.stringMatching(/ROLLBACK_SUCCESSFUL: alarm high-5xx/)
    })
    expect(ecs.commandCalls(StopServiceDeploymentCommand)).toHaveLength(0)
  })

  test("a Lambda hook's FAILED: the function and the stage it ran at are named with ECS's rollback", async () => {
    const fn = 'arn:aws:lambda:ap-northeast-1:123456789012:function:validate'
    const hook = (status: 'IN_PROGRESS' | 'FAILED') => ({
      hookId: 'hook-7',
      targetType: 'AWS_LAMBDA' as const,
      targetArn: fn,
      status
    })
    script([
      frame({ lifecycleStage: 'POST_TEST_TRAFFIC_SHIFT', lifecycleHookDetails: [hook('IN_PROGRESS')] }),
      frame({
        status: 'ROLLBACK_SUCCESSFUL',
        lifecycleStage: 'CLEAN_UP',
        statusReason: 'Lifecycle hook hook-7 failed.',
        lifecycleHookDetails: [hook('FAILED')]
      })
    ])
    expect((await watch()).reason).toBe(
      `lifecycle hook ${fn} (hook hook-7) answered FAILED at POST_TEST_TRAFFIC_SHIFT. ECS rolled back: ROLLBACK_SUCCESSFUL (Lifecycle hook hook-7 failed.)`
    )
    expect(ecs.commandCalls(StopServiceDeploymentCommand)).toHaveLength(0)
  })

  test('a PAUSE hook ends the watch as paused, with its id', async () => {
    script([
      frame({
        lifecycleStage: 'POST_TEST_TRAFFIC_SHIFT',
        lifecycleHookDetails: [{ hookId: 'hook-1', targetType: 'PAUSE', status: 'AWAITING_ACTION' }]
      })
    ])
    expect(await watch()).toMatchObject({
      outcome: 'paused',
      hookId: 'hook-1',
      lifecycleStage: 'POST_TEST_TRAFFIC_SHIFT'
    })
  })

  test('wait-until: the step ends once the stage is reached', async () => {
    script([
      frame({ lifecycleStage: 'SCALE_UP' }),
      frame({ lifecycleStage: 'BAKE_TIME' }),
      frame({ status: 'SUCCESSFUL' })
    ])
    const result = await watch({ waitUntil: 'PRODUCTION_TRAFFIC_SHIFT' })
    expect(result).toMatchObject({ outcome: 'reached', lifecycleStage: 'BAKE_TIME' })
    expect(result.timeline.at(-1)?.line).toBe(
      'stopped waiting at BAKE_TIME (wait-until: PRODUCTION_TRAFFIC_SHIFT): ECS continues the deployment on its own'
    )
  })
})

describe('newestServiceDeployment after this run started one', () => {
  const notBefore = new Date('2026-01-01T12:00:00Z')
  const at = (iso: string) => new Date(iso)
  test.each([
    ['an older finished one is not it (yet)', 'SUCCESSFUL', '2026-01-01T11:55:00Z', undefined],
    ['one under way is ours, whatever the clocks say', 'IN_PROGRESS', '2026-01-01T11:55:00Z', SD],
    ['a finished one within the clock slack is ours', 'SUCCESSFUL', '2026-01-01T11:59:30Z', SD]
  ] as const)('%s', async (_title, status, createdAt, expected) => {
    ecs.on(ListServiceDeploymentsCommand).resolves({
      serviceDeployments: [{ serviceDeploymentArn: SD, status, createdAt: at(createdAt) }]
    })
    expect(
      await newestServiceDeployment({ clients, cluster: 'ecs-demo', serviceName: 'web', notBefore })
    ).toBe(expected)
  })
})

describe('promote', () => {
  const request = { ...seedRequest(), promote: 'continue' as const }

  test('no paused deployment: a clear error and no mutating call', async () => {
    ecs
      .on(ListServiceDeploymentsCommand)
      .resolves({ serviceDeployments: [{ serviceDeploymentArn: SD, status: 'IN_PROGRESS' }] })
    ecs
      .on(DescribeServiceDeploymentsCommand)
      .resolves({ serviceDeployments: [frame({ lifecycleStage: 'SCALE_UP' })] })
    await expect(promote({ clients, request, log: () => undefined })).rejects.toThrow(
      /has no deployment paused by a PAUSE lifecycle hook/
    )
    expect(ecs.commandCalls(ContinueServiceDeploymentCommand)).toHaveLength(0)
    expect(ecs.commandCalls(StopServiceDeploymentCommand)).toHaveLength(0)
  })

  test('rollback answers the hook with ROLLBACK and succeeds once ECS rolled back', async () => {
    const paused = frame({
      lifecycleStage: 'POST_TEST_TRAFFIC_SHIFT',
      lifecycleHookDetails: [{ hookId: 'hook-1', targetType: 'PAUSE', status: 'AWAITING_ACTION' }]
    })
    let continued = false
    ecs
      .on(ListServiceDeploymentsCommand)
      .resolves({ serviceDeployments: [{ serviceDeploymentArn: SD, status: 'IN_PROGRESS' }] })
    ecs
      .on(DescribeServicesCommand)
      .resolves({ services: [{ serviceName: request.service.serviceName, status: 'ACTIVE' }] })
    ecs.on(ContinueServiceDeploymentCommand).callsFake(() => {
      continued = true
      return { serviceDeploymentArn: SD }
    })
    ecs.on(DescribeServiceDeploymentsCommand).callsFake(() => ({
      serviceDeployments: [continued ? frame({ status: 'ROLLBACK_SUCCESSFUL' }) : paused]
    }))
    const result = await promote({
      clients,
      request: { ...request, promote: 'rollback' },
      log: () => undefined
    })
    expect(ecs.commandCalls(ContinueServiceDeploymentCommand).map(c => c.args[0].input)).toEqual([
      { serviceDeploymentArn: SD, hookId: 'hook-1', action: 'ROLLBACK' }
    ])
    expect(result.outcome).toBe('rolled-back')
  })
})
