import type { Deployment, Service, ServiceEvent, Task } from '@aws-sdk/client-ecs'
import type { TargetGroup, TargetHealthDescription } from '@aws-sdk/client-elastic-load-balancing-v2'

/** Injectable time source, so the poll loop can be tested without waiting. */
export interface Clock {
  now(): number
  sleep(ms: number): Promise<void>
}

export type DiagnosisKind =
  | 'rollout-failed'
  | 'circuit-breaker'
  | 'superseded'
  | 'service-missing'
  | 'image-pull'
  | 'resource-initialization'
  | 'out-of-memory'
  | 'container-exited'
  | 'container-health-check'
  | 'task-stopped'
  | 'health-check'
  | 'timeout'

/** Why a rollout failed, in words an operator can act on. */
export interface Diagnosis {
  kind: DiagnosisKind
  /** One line, e.g. "Targets fail the load balancer health check". */
  title: string
  /** What went wrong, concretely (paths, ports, codes, images, exit codes). */
  cause: string
  /** The observations behind it: target states, stopped reasons, service events. */
  evidence: string[]
  /** What to check or change. */
  hint: string
}

/** One target group's health as DescribeTargetHealth returned it. */
export interface TargetGroupHealth {
  targetGroupArn: string
  descriptions: TargetHealthDescription[]
}

/**
 * A change of a watched target group's health check (ModifyTargetGroup) made by this run. Until the new
 * check has had time to fail a target, a target's `healthy` is the old check's verdict.
 */
export interface HealthCheckChange {
  /** When ModifyTargetGroup answered, in the watch clock's time (epoch ms with the system clock). */
  at: number
  /** The new settings' HealthCheckIntervalSeconds, HealthCheckTimeoutSeconds and UnhealthyThresholdCount. */
  intervalSeconds: number
  timeoutSeconds: number
  unhealthyThreshold: number
  /** A probe proved the new settings on the current targets before the change: their states can be trusted. */
  proven: boolean
}

/** What one poll saw. */
export interface Snapshot {
  /** Milliseconds since the watch started. */
  atMs: number
  service: Service
  /** The deployment being watched, when the service still lists it. */
  deployment?: Deployment
  targetGroups: TargetGroupHealth[]
}

/** The last time a target was seen failing its health check. */
export interface UnhealthySighting {
  atMs: number
  /** `unhealthy` or `unused`. */
  state: string
  reason?: string
  description?: string
  healthCheckPort?: string
}

/** What the diagnosis knows about a target across polls. */
export interface TargetTrack {
  targetGroupArn: string
  /** `id:port` */
  targetId: string
  /** When a poll first listed it (ms since the watch started). */
  firstSeenMs: number
  /** Listed before the watched deployment ran any task: a target of an old task. */
  baseline: boolean
  everHealthy: boolean
  /** Cleared when the target turns healthy again. */
  unhealthy?: UnhealthySighting
}

/** Everything the watch has observed so far; the input of the pure diagnosis. */
export interface Observations {
  nowMs: number
  snapshot: Snapshot
  watchedDeploymentId: string
  taskDefinitionArn: string
  /**
   * Task definition ARN → whether its content equals ours, for those compared (ours included): a newer
   * deployment of an equal revision is the same deploy, not another one.
   */
  sameContent?: ReadonlyMap<string, boolean>
  /** Stopped tasks of the watched deployment, in the order they were seen. */
  stoppedTasks: Task[]
  /** Service events that appeared during the watch, oldest first. */
  events: ServiceEvent[]
  /** Health-check settings of the watched target groups (may be empty when they could not be read). */
  targetGroupSettings: TargetGroup[]
  /** Keyed by targetKey(). */
  targets: Map<string, TargetTrack>
  /** When the first target of a new task appeared. */
  firstNewTargetMs?: number
}

export interface WatchResult {
  ok: boolean
  deploymentId?: string
  durationMs: number
  diagnosis?: Diagnosis
  /** Every target of every watched target group at the end, per target group. */
  targets: TargetGroupHealth[]
  /** Progress lines and events as they were printed. */
  timeline: { atMs: number; line: string }[]
  /** Service event messages seen during the deploy, oldest first. */
  events: string[]
  /** The last progress line (without elapsed time), for summaries. */
  lastProgress?: string
  lastSnapshot?: Snapshot
}
