import { parseDocument } from 'yaml'
import { InputError } from './errors.js'
import { AWS_REGION, CLUSTER_ARN, ECS_NAME } from './identifiers.js'
import { isPlainObject } from './schema.js'

interface IntegerOptions {
  input: string
  text: string
  min: number
  max: number
}

/** A whole number in range, written as plain digits: no `parseInt('10s')`, no silent fallback. */
export function parseInteger(opts: IntegerOptions): number {
  const t = opts.text.trim()
  const n = /^[+]?\d+$/.test(t) ? Number(t) : NaN
  if (!Number.isSafeInteger(n) || n < opts.min || n > opts.max) {
    throw new InputError(
      opts.input,
      undefined,
      `must be an integer from ${opts.min} to ${opts.max}, got ${JSON.stringify(opts.text)}`
    )
  }
  return n
}

/** Like parseInteger, but '' means "not set". */
export function parseOptionalInteger(opts: IntegerOptions): number | undefined {
  return opts.text.trim() === '' ? undefined : parseInteger(opts)
}

export function parseChoice<T extends string>(opts: {
  input: string
  text: string
  choices: readonly T[]
}): T {
  const t = opts.text.trim() as T
  if (!opts.choices.includes(t)) {
    const list = opts.choices.map(c => JSON.stringify(c)).join(' or ')
    throw new InputError(opts.input, undefined, `must be ${list}, got ${JSON.stringify(opts.text)}`)
  }
  return t
}

/** `from-to`, both within ALB's rule priorities 1–50000. */
export function parsePriorityRange(opts: { input: string; text: string }): [number, number] {
  const m = /^\s*(\d+)\s*-\s*(\d+)\s*$/.exec(opts.text)
  const from = m ? Number(m[1]) : NaN
  const to = m ? Number(m[2]) : NaN
  if (!m || from < 1 || to > 50000 || from > to) {
    throw new InputError(
      opts.input,
      undefined,
      `must be "from-to" with 1 <= from <= to <= 50000, got ${JSON.stringify(opts.text)}`
    )
  }
  return [from, to]
}

export function parseCluster(opts: { input: string; text: string }): string {
  const t = opts.text.trim()
  if (t === '') throw new InputError(opts.input, undefined, 'is required: the name or ARN of the ECS cluster')
  if (!ECS_NAME.test(t) && !CLUSTER_ARN.test(t)) {
    throw new InputError(
      opts.input,
      undefined,
      `must be a cluster name (up to 255 letters, digits, _ and -) or a cluster ARN, got ${JSON.stringify(t)}`
    )
  }
  return t
}

export function parseRegion(opts: { input: string; text: string }): string | undefined {
  const t = opts.text.trim()
  if (t === '') return undefined
  if (!AWS_REGION.test(t)) {
    throw new InputError(
      opts.input,
      undefined,
      `must be an AWS region such as us-east-1, got ${JSON.stringify(t)}`
    )
  }
  return t
}

export interface Tag {
  Key: string
  Value: string
}

/**
 * `key=value` lines, or a YAML/JSON map. Limits are ELBv2's and ECS's (50 tags, keys up to 128
 * characters, values up to 256, the `aws:` prefix reserved). The field named in errors is the tag key,
 * or the line when there is no key.
 */
export function parseTags(opts: { input: string; text: string }): Tag[] {
  return checkTags({ input: opts.input, tags: parseKeyValues({ ...opts, noun: 'tag' }) })
}

/**
 * Key/value pairs as a workflow writes them: `key=value` lines (blank lines and `#` comments skipped), or
 * a YAML/JSON map whose values are text, numbers or booleans (kept as written: `30`, `true`). A key given
 * twice is the caller's to refuse (a map refuses it already).
 */
export function parseKeyValues(opts: { input: string; text: string; noun: string }): Tag[] {
  const text = opts.text.trim()
  if (text === '') return []
  return /^[{[]/.test(text) || /^[^=\n]*:\s/.test(text)
    ? pairsFromMap(opts.input, text, opts.noun)
    : pairsFromLines(opts.input, text)
}

function pairsFromLines(input: string, text: string): Tag[] {
  const pairs: Tag[] = []
  text.split('\n').forEach((rawLine, i) => {
    const line = rawLine.trim()
    if (line === '' || line.startsWith('#')) return
    const eq = line.indexOf('=')
    if (eq < 0) throw new InputError(input, `line ${i + 1}`, `must be key=value, got ${JSON.stringify(line)}`)
    pairs.push({ Key: line.slice(0, eq).trim(), Value: line.slice(eq + 1).trim() })
  })
  return pairs
}

function pairsFromMap(input: string, text: string, noun: string): Tag[] {
  const doc = parseDocument(text, { uniqueKeys: true })
  const err = doc.errors[0]
  if (err) {
    const pos = err.linePos?.[0]
    const msg = err.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '')
    throw new InputError(
      input,
      undefined,
      `is not valid YAML at line ${pos?.line ?? 1}, column ${pos?.col ?? 1}: ${msg}`
    )
  }
  const value: unknown = doc.toJS()
  if (!isPlainObject(value)) {
    throw new InputError(input, undefined, `must be key=value lines or a map of ${noun} keys to values`)
  }
  return Object.entries(value).map(([Key, v]) => {
    if (v !== null && typeof v === 'object') {
      throw new InputError(
        input,
        Key,
        `${/^[aeiou]/.test(noun) ? 'an' : 'a'} ${noun} value must be text, got ${Array.isArray(v) ? 'a list' : 'an object'}`
      )
    }
    return { Key, Value: v === null || v === undefined ? '' : String(v) }
  })
}

const TAG_TEXT = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u

interface CheckTagsOptions {
  input: string
  tags: Tag[]
  /**
   * Names the field for a problem with tag i. The tags input names the tag by its key; a document names
   * the path of its entry (`Tags[2].Key`).
   */
  fieldFor?: (i: number, part: 'Key' | 'Value') => string
}

/** ELBv2's and ECS's tag limits, for the tags input and for Tags/tags inside documents alike. */
export function checkTags(opts: CheckTagsOptions): Tag[] {
  const fieldFor = opts.fieldFor ?? ((i: number) => opts.tags[i].Key || `tag ${i + 1}`)
  const fail = (i: number, part: 'Key' | 'Value', message: string): never => {
    throw new InputError(opts.input, fieldFor(i, part), message)
  }
  if (opts.tags.length > 50) fail(50, 'Key', `at most 50 tags are allowed, got ${opts.tags.length}`)
  const seen = new Set<string>()
  opts.tags.forEach(({ Key, Value }, i) => {
    if (Key === '') fail(i, 'Key', 'a tag key must not be empty')
    if (Key.length > 128) fail(i, 'Key', `a tag key is at most 128 characters, got ${Key.length}`)
    if (/^aws:/i.test(Key))
      fail(i, 'Key', `tag keys starting with "aws:" are reserved by AWS, got ${JSON.stringify(Key)}`)
    if (!TAG_TEXT.test(Key))
      fail(i, 'Key', `a tag key may hold letters, digits, spaces and _.:/=+-@, got ${JSON.stringify(Key)}`)
    if (Value.length > 256) fail(i, 'Value', `a tag value is at most 256 characters, got ${Value.length}`)
    if (!TAG_TEXT.test(Value)) {
      fail(
        i,
        'Value',
        `a tag value may hold letters, digits, spaces and _.:/=+-@, got ${JSON.stringify(Value)}`
      )
    }
    if (seen.has(Key)) fail(i, 'Key', `the tag key ${JSON.stringify(Key)} is given twice`)
    seen.add(Key)
  })
  return opts.tags
}
