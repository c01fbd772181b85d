import type { Deployment, Service, ServiceEvent, Task } from '@aws-sdk/client-ecs'
import type { TargetGroup, TargetHealthDescription } from '@aws-sdk/client-elastic-load-balancing-v2'
import type { Clock, Observations, Snapshot, TargetTrack } from '../../../src/watch/types.js'
import { trackTargets } from '../../../src/watch/snapshot.js'

export const T0 = Date.parse('2025-01-01T00:00:00Z')
export const TG = 'arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:targetgroup/web/0123456789abcdef'
export const TG2 = 'arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:targetgroup/api/fedcba9876543210'
export const TD_NEW = 'arn:aws:ecs:ap-northeast-1:123456789012:task-definition/app:23'
export const TD_OLD = 'arn:aws:ecs:ap-northeast-1:123456789012:task-definition/app:22'
export const NEW_ID = 'ecs-svc/1111111111111111111'
export const OLD_ID = 'ecs-svc/2222222222222222222'
export const ROLLBACK_ID = 'ecs-svc/3333333333333333333'

export const tgSettings: TargetGroup = {
  TargetGroupArn: TG,
  TargetGroupName: 'web',
  Protocol: 'HTTP',
  Port: 80,
  HealthCheckProtocol: 'HTTP',
  HealthCheckPort: 'traffic-port',
  HealthCheckPath: '/healthz',
  HealthCheckIntervalSeconds: 10,
  HealthCheckTimeoutSeconds: 5,
  HealthyThresholdCount: 2,
  UnhealthyThresholdCount: 2,
  Matcher: { HttpCode: '200' }
}

export function deployment(p: Partial<Deployment> = {}): Deployment {
  return {
    id: NEW_ID,
    status: 'PRIMARY',
    taskDefinition: TD_NEW,
    desiredCount: 2,
    runningCount: 0,
    pendingCount: 0,
    failedTasks: 0,
    rolloutState: 'IN_PROGRESS',
    createdAt: new Date(T0 - 1000),
    ...p
  }
}

export function oldDeployment(p: Partial<Deployment> = {}): Deployment {
  return deployment({ id: OLD_ID, status: 'ACTIVE', taskDefinition: TD_OLD, rolloutState: 'COMPLETED', ...p })
}

export function service(p: Partial<Service> = {}): Service {
  return {
    serviceName: 'web',
    status: 'ACTIVE',
    desiredCount: 2,
    runningCount: 2,
    healthCheckGracePeriodSeconds: 0,
    deployments: [deployment()],
    events: [],
    ...p
  }
}

export function target(
  id: string,
  state: string,
  reason?: string,
  description?: string,
  port = 80
): TargetHealthDescription {
  return {
    Target: { Id: id, Port: port },
    HealthCheckPort: String(port),
    TargetHealth: {
      State: state as 'healthy',
      Reason: reason as 'Elb.InitialHealthChecking',
      Description: description
    }
  }
}

export const initial = (id: string): TargetHealthDescription =>
  target(id, 'initial', 'Elb.InitialHealthChecking', 'Target registration is in progress')
export const healthy = (id: string): TargetHealthDescription => target(id, 'healthy')
export const draining = (id: string): TargetHealthDescription =>
  target(id, 'draining', 'Target.DeregistrationInProgress', 'Target deregistration is in progress')
export const code404 = (id: string): TargetHealthDescription =>
  target(id, 'unhealthy', 'Target.ResponseCodeMismatch', 'Health checks failed with these codes: [404]')
export const timedOut = (id: string): TargetHealthDescription =>
  target(id, 'unhealthy', 'Target.Timeout', 'Request timed out')
export const refused = (id: string): TargetHealthDescription =>
  target(id, 'unhealthy', 'Target.FailedHealthChecks', 'Health checks failed')

export function event(atSeconds: number, message: string): ServiceEvent {
  return { id: `ev-${atSeconds}-${message.length}`, createdAt: new Date(T0 + atSeconds * 1000), message }
}

export function stoppedTask(p: {
  id: string
  ip?: string
  startedBy?: string
  reason: string
  stopCode?: Task['stopCode']
  containers?: Task['containers']
  atSeconds?: number
}): Task {
  return {
    taskArn: `arn:aws:ecs:ap-northeast-1:123456789012:task/demo/${p.id}`,
    taskDefinitionArn: TD_NEW,
    startedBy: p.startedBy ?? NEW_ID,
    lastStatus: 'STOPPED',
    desiredStatus: 'STOPPED',
    stoppedReason: p.reason,
    stopCode: p.stopCode,
    stoppedAt: new Date(T0 + (p.atSeconds ?? 0) * 1000),
    containers: p.containers ?? [
      { name: 'app', image: '123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/app:v2' }
    ],
    attachments: p.ip
      ? [{ type: 'ElasticNetworkInterface', details: [{ name: 'privateIPv4Address', value: p.ip }] }]
      : undefined
  }
}

/** A clock whose sleep advances time at once; it records the sleeps. */
export function fakeClock(): Clock & { sleeps: number[] } {
  let now = T0
  const sleeps: number[] = []
  return {
    sleeps,
    now: () => now,
    sleep: async ms => {
      sleeps.push(ms)
      now += ms
    }
  }
}

/** Observations for the pure diagnosis, built the way the watch builds them: snapshots folded in order. */
export function observe(p: {
  snapshots: Snapshot[]
  stoppedTasks?: Task[]
  events?: ServiceEvent[]
  settings?: TargetGroup[]
}): Observations {
  let tracks = new Map<string, TargetTrack>()
  let firstNewTargetMs: number | undefined
  for (const snapshot of p.snapshots) {
    const out = trackTargets({ tracks, snapshot, firstNewTargetMs })
    tracks = out.tracks
    firstNewTargetMs = out.firstNewTargetMs
  }
  const last = p.snapshots[p.snapshots.length - 1]
  return {
    nowMs: last.atMs,
    snapshot: last,
    watchedDeploymentId: NEW_ID,
    taskDefinitionArn: TD_NEW,
    stoppedTasks: p.stoppedTasks ?? [],
    events: p.events ?? [],
    targetGroupSettings: p.settings ?? [tgSettings],
    targets: tracks,
    firstNewTargetMs
  }
}

export function snap(atSeconds: number, svc: Service, targets: TargetHealthDescription[], tg = TG): Snapshot {
  return {
    atMs: atSeconds * 1000,
    service: svc,
    deployment: svc.deployments?.find(d => d.id === NEW_ID),
    targetGroups: [{ targetGroupArn: tg, descriptions: targets }]
  }
}
