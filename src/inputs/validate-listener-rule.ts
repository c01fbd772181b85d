import type { RuleCondition } from '@aws-sdk/client-elastic-load-balancing-v2'
import type { ListenerRuleRequest } from '../model/request.js'
import { InputError } from './errors.js'
import type { DocumentInput } from './parse-document.js'
import { checkShape } from './schema.js'
import { listenerRuleShape } from './shapes.js'

const INPUT = 'listener-rule'
/** ALB quota: condition values per rule, counted over all conditions. */
const MAX_VALUES_PER_RULE = 5

const CONFIG_OF = {
  'path-pattern': 'PathPatternConfig',
  'host-header': 'HostHeaderConfig',
  'http-header': 'HttpHeaderConfig',
  'http-request-method': 'HttpRequestMethodConfig',
  'query-string': 'QueryStringConfig',
  'source-ip': 'SourceIpConfig'
} as const satisfies Record<string, keyof RuleCondition>
type Field = keyof typeof CONFIG_OF
/** These may appear once per rule; http-header and query-string may repeat. */
const ONCE: readonly Field[] = ['path-pattern', 'host-header', 'http-request-method', 'source-ip']

/** CreateRule's Conditions and optional Priority; the action supplies listener and actions. */
export function validateListenerRule(
  doc: DocumentInput,
  priorityRange: [number, number]
): ListenerRuleRequest | undefined {
  if (doc.kind === 'empty') return undefined
  if (doc.kind === 'reference') throw new Error('listener-rule never holds a reference') // readDocumentInput refuses it
  const rule = checkShape(listenerRuleShape, doc.value, { input: INPUT })
  const conditions = rule.Conditions ?? []
  let total = 0
  const seen = new Set<string>()
  conditions.forEach((c, i) => {
    const at = `Conditions[${i}]`
    const field = c.Field as Field
    if (ONCE.includes(field) && seen.has(field)) {
      throw new InputError(
        INPUT,
        `${at}.Field`,
        `a rule takes one "${field}" condition; put all values in it`
      )
    }
    seen.add(field)
    total += countValues(c, at)
    if (total > MAX_VALUES_PER_RULE) {
      throw new InputError(
        INPUT,
        at,
        `a rule may match at most ${MAX_VALUES_PER_RULE} values over all its conditions, got ${total} so far`
      )
    }
  })
  const out: ListenerRuleRequest = { Conditions: conditions, priorityRange }
  if (rule.Priority !== undefined) out.Priority = rule.Priority
  return out
}

/** Checks that the condition's values sit where its Field wants them, and counts them. */
function countValues(c: RuleCondition, at: string): number {
  const field = c.Field as Field
  const own = CONFIG_OF[field]
  const fail = (f: string, message: string): never => {
    throw new InputError(INPUT, `${at}.${f}`, message)
  }
  for (const config of Object.values(CONFIG_OF)) {
    if (config !== own && c[config] !== undefined)
      fail(config, `does not go with Field "${field}" (it takes ${own})`)
  }
  const config = c[own]
  const hasLegacy = c.Values !== undefined || c.RegexValues !== undefined
  if (hasLegacy && field !== 'path-pattern' && field !== 'host-header') {
    fail(c.Values ? 'Values' : 'RegexValues', `Field "${field}" takes its values in ${own}`)
  }
  if (hasLegacy && config !== undefined)
    fail(own, 'give the values either in Values or in the config, not both')
  // Each value with the path it is reported under.
  const values: { path: string; value: unknown }[] = []
  const add = (path: string, list: readonly unknown[] | undefined) =>
    list?.forEach((value, j) => values.push({ path: `${path}[${j}]`, value }))
  add('Values', c.Values)
  add('RegexValues', c.RegexValues)
  if (config) {
    add(`${own}.Values`, config.Values)
    if ('RegexValues' in config) add(`${own}.RegexValues`, config.RegexValues)
  }
  if (values.length === 0)
    fail(config ? `${own}.Values` : own, `a "${field}" condition needs at least one value`)
  if (field === 'path-pattern' || field === 'host-header') {
    for (const { path, value } of values as { path: string; value: string }[]) {
      if (value.length > 128) fail(path, `each value is at most 128 characters, got ${value.length}`)
      if (field === 'path-pattern' && !path.includes('Regex') && !/^[/*]/.test(value)) {
        fail(path, `a path pattern starts with "/", got ${JSON.stringify(value)}`)
      }
    }
  }
  return values.length
}
