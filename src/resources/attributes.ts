import type { FieldChange } from '../model/plan.js'

/** A `{ Key, Value }` list as Describe…Attributes answers it, by key. */
export function attributeMap(list: { Key?: string; Value?: string }[] | undefined): Record<string, string> {
  return Object.fromEntries((list ?? []).filter(a => a.Key).map(a => [a.Key as string, a.Value ?? '']))
}

/** Record → the `{ Key, Value }` list Modify…Attributes takes. */
export function attributeList(attributes: Record<string, string>): { Key: string; Value: string }[] {
  return Object.entries(attributes).map(([Key, Value]) => ({ Key, Value }))
}

/** Attributes as one log line: `key=value, key=value`. */
export const attributesLine = (attributes: Record<string, string>): string =>
  Object.entries(attributes)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ')

/** How a change to one attribute reads in the plan: `Attributes[deregistration_delay.timeout_seconds]`. */
export const attributeField = (key: string): string => `Attributes[${key}]`

/**
 * The requested attributes whose current value differs, as plan changes. Only requested keys count: an
 * attribute the inputs leave out is not the action's to reset.
 */
export function attributeChanges(
  desired: Record<string, string> | undefined,
  actual: Record<string, string> | undefined
): FieldChange[] {
  return Object.entries(desired ?? {})
    .filter(([key, value]) => actual?.[key] !== value)
    .map(([key, value]) => ({ field: attributeField(key), from: actual?.[key], to: value }))
}

/**
 * The values the changed attributes had before (each change's `from`), as Modify…Attributes takes them
 * to put them back; a key discover did not read has nothing to go back to.
 */
export function previousAttributes(changes: FieldChange[]): Record<string, string> {
  return Object.fromEntries(
    changes.flatMap(c => {
      const key = /^Attributes\[(.*)\]$/.exec(c.field)?.[1]
      return key !== undefined && typeof c.from === 'string' ? [[key, c.from]] : []
    })
  )
}

/** The requested attributes a plan's changes name: what Modify…Attributes must send. */
export function changedAttributes(
  desired: Record<string, string> | undefined,
  changes: FieldChange[]
): Record<string, string> {
  const fields = new Set(changes.map(c => c.field))
  return Object.fromEntries(Object.entries(desired ?? {}).filter(([key]) => fields.has(attributeField(key))))
}
