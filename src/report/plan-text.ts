import type { FieldChange, Plan, PlanStep } from '../model/plan.js'
import type { TeardownPlan } from '../model/teardown.js'

const SYMBOL: Record<PlanStep['action'], string> = { create: '+', update: '~', replace: '±', none: '=' }

/**
 * A value as the plan prints it, long JSON shortened. Environment values arrive as fingerprints already
 * (model/redact.ts): this is not where secrets are hidden.
 */
export function showValue(v: unknown): string {
  if (v === undefined) return '(unset)'
  const s = typeof v === 'string' ? JSON.stringify(v) : JSON.stringify(v)
  return s.length > 120 ? `${s.slice(0, 117)}...` : s
}

/** A change's values: "from → to", or only the value for a create (there is no "before" to show). */
export function changeValues(step: PlanStep, c: FieldChange): string {
  return step.action === 'create' ? showValue(c.to) : `${showValue(c.from)} → ${showValue(c.to)}`
}

/** How one change of a step reads: "field: value" for a create, "field: from → to" otherwise. */
export function stepChangeLine(step: PlanStep, c: FieldChange): string {
  return `${c.field}: ${changeValues(step, c)}`
}

export function planCounts(plan: Plan): Record<PlanStep['action'], number> {
  const counts = { create: 0, update: 0, replace: 0, none: 0 }
  for (const s of plan.steps) counts[s.action]++
  return counts
}

/** The plan as a person reads it in the log, terraform-style. */
export function renderPlanText(plan: Plan): string {
  const c = planCounts(plan)
  const lines = [
    `Plan: ${c.create} to create, ${c.update} to update, ${c.replace} to replace, ${c.none} unchanged`
  ]
  const width = Math.max(...plan.steps.map(s => s.resource.length), 8)
  for (const s of plan.steps) {
    lines.push(`  ${SYMBOL[s.action]} ${s.resource.padEnd(width)}  ${s.name}  (${s.action})`)
    if (s.reason) lines.push(`      why: ${s.reason}`)
    for (const ch of s.changes) lines.push(`      ${stepChangeLine(s, ch)}`)
  }
  for (const w of plan.warnings) lines.push(`  ! ${w}`)
  return lines.join('\n')
}

/** The `plan` output: resource, action and changed fields (environment values as fingerprints). */
export function planJson(plan: Plan): string {
  return JSON.stringify(
    plan.steps.map(s => ({
      resource: s.resource,
      name: s.name,
      action: s.action,
      ...(s.arn ? { arn: s.arn } : {}),
      ...(s.reason ? { reason: s.reason } : {}),
      calls: s.calls,
      changes: s.changes.map(c => ({ field: c.field, from: c.from, to: c.to }))
    }))
  )
}

/** The `plan` output of a teardown, in the deploy plan's shape: one `delete` entry per resource removed. */
export function teardownPlanJson(plan: TeardownPlan): string {
  return JSON.stringify(
    plan.removals.map(r => ({
      resource: r.resource,
      name: r.name,
      action: 'delete',
      ...(r.arn ? { arn: r.arn } : {}),
      calls: r.calls,
      changes: []
    }))
  )
}
