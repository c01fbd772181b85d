import type { Deployment, Service, Task } from '@aws-sdk/client-ecs'
import type { TargetHealthDescription } from '@aws-sdk/client-elastic-load-balancing-v2'
import type { Snapshot, TargetTrack } from './types.js'

export { targetGroupName } from '../model/health-check.js'

/** `0123abcd…` out of `arn:…:task/cluster/0123abcd…`. */
export function taskId(task: Task): string {
  const arn = task.taskArn ?? ''
  return arn.slice(arn.lastIndexOf('/') + 1)
}

/** `id:port` of a target, unique within a target group. */
export function targetId(desc: TargetHealthDescription): string {
  return `${desc.Target?.Id ?? '?'}:${desc.Target?.Port ?? ''}`
}

/** Unique across target groups: the key of `Observations.targets`. */
export function targetKey(targetGroupArn: string, desc: TargetHealthDescription): string {
  return `${targetGroupArn}|${targetId(desc)}`
}

export function findDeployment(service: Service, id: string | undefined): Deployment | undefined {
  if (!id) return undefined
  return service.deployments?.find(d => d.id === id)
}

export function primaryDeployment(service: Service): Deployment | undefined {
  return service.deployments?.find(d => d.status === 'PRIMARY')
}

/** The number of tasks the watched deployment should run (the service's when it has no deployment). */
export function desiredCount(snapshot: Snapshot): number {
  return snapshot.deployment?.desiredCount ?? snapshot.service.desiredCount ?? 0
}

export interface TrackInput {
  tracks: Map<string, TargetTrack>
  snapshot: Snapshot
  firstNewTargetMs?: number
}

export interface TrackOutput {
  tracks: Map<string, TargetTrack>
  firstNewTargetMs?: number
}

/**
 * Folds one snapshot into what is known about each target. A target is "baseline" (an old task's)
 * when it was first seen while the watched deployment ran no task yet and it was past its initial
 * checks: a new task's target starts in `initial`, even when DescribeServices was answered a moment
 * before the task registered.
 */
export function trackTargets(input: TrackInput): TrackOutput {
  const tracks = new Map(input.tracks)
  let firstNewTargetMs = input.firstNewTargetMs
  const { snapshot } = input
  const deploymentRunning = snapshot.deployment?.runningCount ?? 0
  for (const group of snapshot.targetGroups) {
    for (const desc of group.descriptions) {
      const key = targetKey(group.targetGroupArn, desc)
      const state = desc.TargetHealth?.State
      const known = tracks.get(key)
      const track: TargetTrack = known
        ? { ...known }
        : {
            targetGroupArn: group.targetGroupArn,
            targetId: targetId(desc),
            firstSeenMs: snapshot.atMs,
            baseline: deploymentRunning === 0 && state !== 'initial' && snapshot.deployment !== undefined,
            everHealthy: false
          }
      if (state === 'healthy') {
        track.everHealthy = true
        delete track.unhealthy
      } else if (state === 'unhealthy' || state === 'unused') {
        track.unhealthy = {
          atMs: snapshot.atMs,
          state,
          reason: desc.TargetHealth?.Reason,
          description: desc.TargetHealth?.Description,
          healthCheckPort: desc.HealthCheckPort
        }
      }
      tracks.set(key, track)
      if (!track.baseline && (firstNewTargetMs === undefined || track.firstSeenMs < firstNewTargetMs)) {
        firstNewTargetMs = track.firstSeenMs
      }
    }
  }
  return { tracks, firstNewTargetMs }
}

/** The task's private IP (awsvpc), which is the target id of an `ip` target group. */
export function taskIp(task: Task): string | undefined {
  for (const attachment of task.attachments ?? []) {
    const ip = attachment.details?.find(d => d.name === 'privateIPv4Address')?.value
    if (ip) return ip
  }
  return task.containers?.flatMap(c => c.networkInterfaces ?? []).find(n => n.privateIpv4Address)
    ?.privateIpv4Address
}

/**
 * Which target a stopped task was, so that a target seen unhealthy and then its task stopped count as
 * one failure, not two. `ip` targets match the task's IP; `instance` targets (bridge, dynamic host
 * ports) match a host port of the task. Unmatched: the task itself.
 */
export function taskEntity(task: Task, targetIds: Iterable<string>): string {
  const ids = [...targetIds]
  const ip = taskIp(task)
  if (ip) {
    const hit = ids.find(id => id.startsWith(`${ip}:`))
    return hit ?? `${ip}:`
  }
  const hostPorts = new Set(
    (task.containers ?? []).flatMap(c => (c.networkBindings ?? []).map(b => String(b.hostPort ?? '')))
  )
  const hit = ids.find(id => hostPorts.has(id.slice(id.lastIndexOf(':') + 1)) && id.startsWith('i-'))
  return hit ?? `task:${taskId(task)}`
}
