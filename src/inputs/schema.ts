import { InputError, fieldPath, show as showValue } from './errors.js'

/*
 * A small declarative schema for the AWS input shapes. The tables in shapes.ts are typed against the
 * SDK's own interfaces (`Fields<CreateTargetGroupCommandInput>` must name every key of it, with a spec
 * that fits the key's type), so an SDK upgrade that adds or retypes a field fails the type check here
 * instead of being rejected at run time as "unknown".
 */

interface Common {
  required?: boolean
  /**
   * Values here (and anywhere below) may be secrets: a message about them names the field and the kind
   * of value, never the value itself (task definition `environment`, whatever the variables are called).
   */
  quiet?: boolean
}
export interface StringSpec<T extends string = string> extends Common {
  type: 'string'
  enum?: readonly T[]
}
export interface IntegerSpec extends Common {
  type: 'integer'
  min?: number
  max?: number
}
export interface BooleanSpec extends Common {
  type: 'boolean'
}
export interface ObjectSpec<T = unknown> extends Common {
  type: 'object'
  fields: Fields<T>
}
export interface ArraySpec<E = unknown> extends Common {
  type: 'array'
  of: SpecFor<E>
  min?: number
  max?: number
}
export interface MapSpec extends Common {
  type: 'map'
  of: StringSpec
}
/** Accepted as the user wrote it (only its JSON kind is checked): AWS validates the inside. */
export interface LooseSpec extends Common {
  type: 'loose'
  kind: 'object' | 'array'
}
/** A key of the SDK shape that the action sets itself or does not support. */
export interface ForbiddenSpec {
  type: 'forbidden'
  why: string
}

/** The spec a field of SDK type T may have. */
export type SpecFor<T> =
  | ForbiddenSpec
  | ([T] extends [string]
      ? StringSpec<T>
      : [T] extends [number]
        ? IntegerSpec
        : [T] extends [boolean]
          ? BooleanSpec
          : [T] extends [readonly (infer E)[]]
            ? ArraySpec<E> | LooseSpec
            : [T] extends [Record<string, string>]
              ? MapSpec | LooseSpec
              : [T] extends [object]
                ? ObjectSpec<T> | LooseSpec
                : never)

/** One spec per key of T, none missing and none extra. */
export type Fields<T> = { [K in keyof Required<T>]-?: SpecFor<NonNullable<T[K]>> }

/** The same specs with the SDK types erased, as the checker walks them. */
export type Spec =
  | StringSpec
  | IntegerSpec
  | BooleanSpec
  | { type: 'object'; required?: boolean; quiet?: boolean; fields: Record<string, Spec> }
  | { type: 'array'; required?: boolean; quiet?: boolean; of: Spec; min?: number; max?: number }
  | MapSpec
  | LooseSpec
  | ForbiddenSpec

// Builders, so the tables read like the API reference.
export const str = <T extends string = never>(opts: { enum?: readonly T[]; required?: boolean } = {}) =>
  ({ type: 'string', ...opts }) as StringSpec<T>
export const int = (opts: { min?: number; max?: number; required?: boolean } = {}): IntegerSpec => ({
  type: 'integer',
  ...opts
})
export const bool = (opts: Common = {}): BooleanSpec => ({ type: 'boolean', ...opts })
export const obj = <T>(fields: Fields<T>, opts: Common = {}): ObjectSpec<T> => ({
  type: 'object',
  fields,
  ...opts
})
export const arr = <E>(of: SpecFor<E>, opts: { min?: number; max?: number } & Common = {}) =>
  ({ type: 'array', of, ...opts }) as ArraySpec<E>
export const map = (opts: Common = {}): MapSpec => ({ type: 'map', of: { type: 'string' }, ...opts })
export const looseObject = (opts: Common = {}): LooseSpec => ({ type: 'loose', kind: 'object', ...opts })
export const looseArray = (opts: Common = {}): LooseSpec => ({ type: 'loose', kind: 'array', ...opts })
export const forbidden = (why: string): ForbiddenSpec => ({ type: 'forbidden', why })

export interface CheckContext {
  input: string
  /** Path of the value inside the document; undefined for the document itself. */
  path?: string
  /** Inside a `quiet` spec: messages do not quote values. */
  quiet?: boolean
}

/**
 * Checks a parsed document against a shape: unknown keys (with the closest known one), missing
 * required keys, wrong JSON types, integer ranges, enum values. Throws the first problem found.
 */
export function checkShape<T>(spec: ObjectSpec<T>, value: unknown, ctx: CheckContext): T {
  checkValue(spec as unknown as Spec, value, ctx)
  return value as T
}

function checkValue(spec: Spec, value: unknown, outer: CheckContext): void {
  const ctx: CheckContext = spec.type !== 'forbidden' && spec.quiet ? { ...outer, quiet: true } : outer
  const fail = (message: string): never => {
    throw new InputError(ctx.input, ctx.path, message)
  }
  // A value that may be a secret is described by its kind only.
  const show = (v: unknown): string => (ctx.quiet ? '(value not shown)' : showValue(v))
  switch (spec.type) {
    case 'forbidden':
      return fail(`not allowed here: ${spec.why}`)
    case 'string':
      if (typeof value !== 'string') {
        const hint = typeof value === 'number' || typeof value === 'boolean' ? ' (quote it)' : ''
        return fail(`must be a string, got ${kindOf(value)} ${show(value)}${hint}`)
      }
      if (spec.enum && !spec.enum.includes(value)) {
        const choices = spec.enum.map(e => JSON.stringify(e))
        const wanted = choices.length === 1 ? choices[0] : `one of ${choices.join(', ')}`
        return fail(`must be ${wanted}, got ${show(value)}`)
      }
      return
    case 'integer': {
      const lo = spec.min ?? Number.MIN_SAFE_INTEGER
      const hi = spec.max ?? Number.MAX_SAFE_INTEGER
      if (typeof value !== 'number' || !Number.isInteger(value) || value < lo || value > hi) {
        return fail(`must be ${integerRange(spec)}, got ${show(value)}`)
      }
      return
    }
    case 'boolean':
      if (typeof value !== 'boolean') return fail(`must be true or false, got ${show(value)}`)
      return
    case 'loose':
      if (spec.kind === 'array' ? !Array.isArray(value) : !isPlainObject(value)) {
        return fail(`must be ${spec.kind === 'array' ? 'a list' : 'an object'}, got ${kindOf(value)}`)
      }
      return
    case 'map':
      if (!isPlainObject(value)) return fail(`must be an object, got ${kindOf(value)}`)
      for (const [k, v] of Object.entries(value))
        checkValue(spec.of, v, { ...ctx, path: fieldPath(ctx.path, k) })
      return
    case 'array':
      if (!Array.isArray(value)) return fail(`must be a list, got ${kindOf(value)} ${show(value)}`)
      if (spec.min !== undefined && value.length < spec.min) {
        return fail(`must have at least ${spec.min} ${spec.min === 1 ? 'entry' : 'entries'}`)
      }
      if (spec.max !== undefined && value.length > spec.max) {
        return fail(`must have at most ${spec.max} entries, got ${value.length}`)
      }
      value.forEach((item, i) => checkValue(spec.of, item, { ...ctx, path: fieldPath(ctx.path, i) }))
      return
    case 'object':
      return checkObject(spec.fields, value, ctx)
  }
}

function checkObject(fields: Record<string, Spec>, value: unknown, ctx: CheckContext): void {
  if (!isPlainObject(value)) {
    const shown = ctx.quiet ? '(value not shown)' : showValue(value)
    throw new InputError(ctx.input, ctx.path, `must be an object, got ${kindOf(value)} ${shown}`)
  }
  const known = Object.keys(fields)
  for (const key of Object.keys(value)) {
    if (Object.hasOwn(fields, key)) continue
    const guess = closest(key, known)
    const advice = guess ? `did you mean "${guess}"?` : `known fields: ${known.join(', ')}`
    throw new InputError(ctx.input, fieldPath(ctx.path, key), `"${key}" is not a known field — ${advice}`)
  }
  for (const [key, spec] of Object.entries(fields)) {
    const path = fieldPath(ctx.path, key)
    const v = value[key]
    if (v === undefined) {
      if (spec.type !== 'forbidden' && spec.required) throw new InputError(ctx.input, path, 'is required')
      continue
    }
    checkValue(spec, v, { ...ctx, path })
  }
}

export function integerRange(spec: { min?: number; max?: number }): string {
  if (spec.min !== undefined && spec.max !== undefined) return `an integer from ${spec.min} to ${spec.max}`
  if (spec.min !== undefined) return `an integer of at least ${spec.min}`
  if (spec.max !== undefined) return `an integer of at most ${spec.max}`
  return 'an integer'
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function kindOf(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'a list'
  if (typeof value === 'object') return 'an object'
  return typeof value
}

/** The known key the user most likely meant: same letters in another case first, else a near spelling. */
export function closest(key: string, known: readonly string[]): string | undefined {
  const lower = key.toLowerCase()
  const sameCase = known.find(k => k.toLowerCase() === lower)
  if (sameCase) return sameCase
  let best: string | undefined
  let bestDistance = Infinity
  for (const k of known) {
    const d = distance(lower, k.toLowerCase())
    if (d < bestDistance) {
      best = k
      bestDistance = d
    }
  }
  return bestDistance <= Math.max(2, Math.floor(key.length / 3)) ? best : undefined
}

/** Levenshtein distance; the keys are short, the quadratic table is fine. */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const cur = [i]
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1))
    }
    prev = cur
  }
  return prev[b.length]
}
