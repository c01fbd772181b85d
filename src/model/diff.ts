import type { FieldChange } from './plan.js'

/**
 * Field-level comparison helpers shared by every resource. AWS answers a Describe* with defaults filled
 * in for everything the caller left out, so "equal" here usually means "the request is a subset of what
 * exists" (see isSubset) rather than deep equality.
 */

type Plain = Record<string, unknown>

export function isPlainObject(value: unknown): value is Plain {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date)
}

/** True for undefined, null, [] and {} — values AWS treats as "not set". */
export function isEmpty(value: unknown): boolean {
  if (value === undefined || value === null) return true
  if (Array.isArray(value)) return value.length === 0
  if (isPlainObject(value)) return Object.keys(value).length === 0
  return false
}

/** Recursively drops empty values so that `[]`, `{}` and absent compare equal. */
export function stripEmpty<T>(value: T): T {
  if (Array.isArray(value)) return value.map(v => stripEmpty(v)).filter(v => !isEmpty(v)) as T
  if (isPlainObject(value)) {
    const out: Plain = {}
    for (const [k, v] of Object.entries(value)) {
      const s = stripEmpty(v)
      if (!isEmpty(s)) out[k] = s
    }
    return out as T
  }
  return value
}

/** Key-order independent JSON, for hashing and for comparing arrays as sets. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`
  if (value instanceof Date) return JSON.stringify(value.toISOString())
  if (isPlainObject(value)) {
    const keys = Object.keys(value)
      .filter(k => value[k] !== undefined)
      .sort()
    return `{${keys.map(k => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(',')}}`
  }
  return JSON.stringify(value) ?? 'null'
}

export function deepEqual(a: unknown, b: unknown): boolean {
  return canonicalJson(a) === canonicalJson(b)
}

/** Sorted copy, by canonical JSON: for lists whose order AWS does not keep (subnets, security groups). */
export function sortedSet<T>(values: readonly T[] | undefined): T[] {
  return [...(values ?? [])].sort((a, b) => canonicalJson(a).localeCompare(canonicalJson(b)))
}

/**
 * True when every field the `desired` value sets has the same value in `actual`. Objects recurse, so an
 * unset field is never a difference; arrays must match element-wise (sort them first when order does not
 * matter); an empty array or object in `desired` matches an absent one in `actual`.
 */
export function isSubset(desired: unknown, actual: unknown): boolean {
  if (desired === undefined) return true
  if (isEmpty(desired) && isEmpty(actual)) return true
  if (Array.isArray(desired)) {
    return (
      Array.isArray(actual) &&
      desired.length === actual.length &&
      desired.every((d, i) => isSubset(d, actual[i]))
    )
  }
  if (isPlainObject(desired)) {
    if (!isPlainObject(actual)) return false
    return Object.entries(desired).every(([k, v]) => isSubset(v, actual[k]))
  }
  return desired === actual
}

/** The element key used to match arrays of named things (containers, environment, secrets). */
function nameKey(item: unknown): string | undefined {
  if (!isPlainObject(item)) return undefined
  const name = item.name ?? item.Name
  return typeof name === 'string' ? name : undefined
}

function isNamedList(value: unknown): value is unknown[] {
  return Array.isArray(value) && value.length > 0 && value.every(v => nameKey(v) !== undefined)
}

interface DiffOptions {
  /** Compare only the fields `to` sets (AWS defaults in `from` are not differences). */
  subset?: boolean
}

/**
 * Field-level changes from `from` (what exists) to `to` (what is asked). Nested objects give dotted paths,
 * lists of named objects are matched by name (`containerDefinitions[app].image`), any other list is one
 * field. Values are reported as given: a task definition goes through redactTaskDefinition (redact.ts)
 * on both sides first, so that no environment value reaches a change.
 */
export function diff(from: unknown, to: unknown, opts: DiffOptions = {}): FieldChange[] {
  const changes: FieldChange[] = []
  walk({ from, to, path: '', opts, out: changes })
  return changes
}

interface Walk {
  from: unknown
  to: unknown
  path: string
  opts: DiffOptions
  out: FieldChange[]
}

function walk(w: Walk): void {
  const { from, to, path, opts, out } = w
  if (opts.subset ? isSubset(to, from) : deepEqual(stripEmpty(from), stripEmpty(to))) return
  if (isPlainObject(to) && (isPlainObject(from) || from === undefined)) {
    const source: Plain = isPlainObject(from) ? from : {}
    const keys = new Set([...Object.keys(to), ...(opts.subset ? [] : Object.keys(source))])
    for (const key of keys) {
      walk({
        ...w,
        from: source[key],
        to: to[key],
        path: path ? `${path}.${key}` : key
      })
    }
    return
  }
  if (isNamedList(to) && (isNamedList(from) || isEmpty(from))) {
    const source = new Map((Array.isArray(from) ? from : []).map(item => [nameKey(item), item]))
    const target = new Map(to.map(item => [nameKey(item), item]))
    const names = new Set([...target.keys(), ...(opts.subset ? [] : source.keys())])
    for (const name of names) {
      walk({ ...w, from: source.get(name), to: target.get(name), path: `${path}[${name}]` })
    }
    return
  }
  out.push({ field: path, from, to })
}

/**
 * What a create step shows: only the key fields (`keys` matches their dotted paths), from nothing. Every
 * field of a new resource is "new", so listing them all would bury the updates a reader looks for.
 */
export function creationChanges(to: unknown, keys?: RegExp): FieldChange[] {
  if (!keys) return []
  return diff(undefined, stripEmpty(to)).filter(c => keys.test(c.field))
}
