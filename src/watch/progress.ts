import type { TargetGroupHealth, Snapshot } from './types.js'
import { desiredCount, targetGroupName } from './snapshot.js'

function targetPart(group: TargetGroupHealth, desired: number, named: boolean): string {
  const healthy = group.descriptions.filter(t => t.TargetHealth?.State === 'healthy').length
  // Group the rest by state and reason: "1 initial (Elb.InitialHealthChecking)", "2 draining".
  const others = new Map<string, number>()
  for (const t of group.descriptions) {
    const state = t.TargetHealth?.State ?? 'unknown'
    if (state === 'healthy') continue
    const reason = state === 'draining' ? undefined : t.TargetHealth?.Reason
    const label = reason ? `${state} (${reason})` : state
    others.set(label, (others.get(label) ?? 0) + 1)
  }
  const parts = [`${healthy}/${desired} healthy`, ...[...others].map(([label, n]) => `${n} ${label}`)]
  return (named ? `${targetGroupName(group.targetGroupArn)} ` : '') + parts.join(' · ')
}

/**
 * The progress line without the elapsed time, e.g.
 * `2/3 healthy · 1 initial (Elb.InitialHealthChecking) · deployment IN_PROGRESS · running 3/3`.
 * The watch prints it when it differs from the previous one, so it must not contain the time.
 */
export function renderProgress(snapshot: Snapshot): string {
  const desired = desiredCount(snapshot)
  const named = snapshot.targetGroups.length > 1
  const parts = snapshot.targetGroups.map(g => targetPart(g, desired, named))
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
