import type { TargetHealthDescription } from '@aws-sdk/client-elastic-load-balancing-v2'
import type { TargetGroupHealth, Snapshot, TargetTrack } from './types.js'
import { desiredCount, targetGroupName, targetKey } from './snapshot.js'

/** "1 initial (Elb.InitialHealthChecking)", "2 unhealthy (Target.Timeout)": targets counted by state and reason. */
function byState(targets: TargetHealthDescription[], skipHealthy: boolean): string[] {
  const counts = new Map<string, number>()
  for (const t of targets) {
    const state = t.TargetHealth?.State ?? 'unknown'
    if (skipHealthy && state === 'healthy') continue
    const reason = state === 'healthy' ? undefined : t.TargetHealth?.Reason
    const label = reason ? `${state} (${reason})` : state
    counts.set(label, (counts.get(label) ?? 0) + 1)
  }
  return [...counts].map(([label, n]) => `${n} ${label}`)
}

/**
 * One target group's part: the watched deployment's targets against the desired count, then the old
 * tasks' targets still serving, then all draining ones. Old targets never count towards `healthy/desired`:
 * `2/2 healthy · running 0/2` read as if the new tasks were serving when only the old ones were.
 */
function targetPart(
  group: TargetGroupHealth,
  p: { desired: number; named: boolean; tracks?: ReadonlyMap<string, TargetTrack> }
): string {
  const isOld = (t: TargetHealthDescription) =>
    p.tracks?.get(targetKey(group.targetGroupArn, t))?.baseline === true
  const draining = group.descriptions.filter(t => t.TargetHealth?.State === 'draining')
  const serving = group.descriptions.filter(t => t.TargetHealth?.State !== 'draining')
  const old = serving.filter(isOld)
  const fresh = serving.filter(t => !isOld(t))
  const healthy = fresh.filter(t => t.TargetHealth?.State === 'healthy').length
  // "new" once the watch has seen old targets in this group, so every line of the rollout reads alike.
  const anyOld = [...(p.tracks?.values() ?? [])].some(
    t => t.baseline && t.targetGroupArn === group.targetGroupArn
  )
  const parts = [
    `${anyOld ? 'new ' : ''}${healthy}/${p.desired} healthy`,
    ...byState(fresh, true),
    ...(old.length ? [`old ${byState(old, false).join(', ')}`] : []),
    ...(draining.length ? [`${draining.length} draining`] : [])
  ]
  return (p.named ? `${targetGroupName(group.targetGroupArn)} ` : '') + parts.join(' · ')
}

/**
 * The progress line without the elapsed time, e.g.
 * `new 2/3 healthy · 1 initial (Elb.InitialHealthChecking) · old 3 healthy · deployment IN_PROGRESS · running 3/3`.
 * `tracks` (what the watch knows of each target) tells old tasks' targets from the new deployment's; without
 * it every serving target counts as new. The watch prints the line when it differs from the previous one,
 * so it must not contain the time.
 */
export function renderProgress(snapshot: Snapshot, tracks?: ReadonlyMap<string, TargetTrack>): string {
  const desired = desiredCount(snapshot)
  const named = snapshot.targetGroups.length > 1
  const parts = snapshot.targetGroups.map(g => targetPart(g, { desired, named, tracks }))
  const d = snapshot.deployment
  if (d) {
    parts.push(`deployment ${d.rolloutState ?? d.status ?? 'unknown'}`)
    const pending = d.pendingCount ? ` (${d.pendingCount} pending)` : ''
    parts.push(`running ${d.runningCount ?? 0}/${desired}${pending}`)
    if (d.failedTasks) parts.push(`${d.failedTasks} failed`)
  } else {
    parts.push(`running ${snapshot.service.runningCount ?? 0}/${desired}`)
  }
  return parts.join(' · ')
}

export function withElapsed(line: string, elapsedMs: number): string {
  return `${line} · ${Math.round(elapsedMs / 1000)} s`
}
