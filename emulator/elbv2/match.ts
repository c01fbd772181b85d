import type { IncomingHttpHeaders } from 'node:http'
import type { RuleCondition } from '@aws-sdk/client-elastic-load-balancing-v2'
import { conditionValues } from './actions.js'

/** What an ALB rule can look at in a request. */
export interface RequestFacts {
  method: string
  path: string
  query: URLSearchParams
  /** Host header without its port. */
  host: string
  headers: IncomingHttpHeaders
  sourceIp: string
}

const patterns = new Map<string, RegExp>()

/** ALB wildcards: `*` any run of characters, `?` exactly one. */
export function wildcard(pattern: string, value: string, ignoreCase: boolean): boolean {
  const key = `${ignoreCase ? 'i' : 's'}${pattern}`
  let re = patterns.get(key)
  if (!re) {
    const body = [...pattern]
      .map(ch => (ch === '*' ? '.*' : ch === '?' ? '.' : ch.replace(/[.+^${}()|[\]\\/]/g, '\\$&')))
      .join('')
    re = new RegExp(`^${body}$`, ignoreCase ? 'is' : 's')
    if (patterns.size > 1000) patterns.clear()
    patterns.set(key, re)
  }
  return re.test(value)
}

const ipv4 = (ip: string): number | undefined => {
  const m = /^(?:::ffff:)?(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(ip)
  return m ? m.slice(1).reduce((n, o) => n * 256 + Number(o), 0) : undefined
}

const inCidr = (ip: string, cidr: string): boolean => {
  const [base, bits = '32'] = cidr.split('/')
  const a = ipv4(ip)
  const b = ipv4(base)
  if (a === undefined || b === undefined) return ip === base
  const size = 2 ** (32 - Number(bits))
  return Math.floor(a / size) === Math.floor(b / size)
}

export function conditionMatches(c: RuleCondition, r: RequestFacts): boolean {
  switch (c.Field) {
    case 'path-pattern':
      return conditionValues(c).some(v => wildcard(v, r.path, false))
    case 'host-header':
      return conditionValues(c).some(v => wildcard(v, r.host, true))
    case 'http-header': {
      const raw = r.headers[(c.HttpHeaderConfig?.HttpHeaderName ?? '').toLowerCase()]
      const values = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw]
      return conditionValues(c).some(p => values.some(v => wildcard(p, v, true)))
    }
    case 'http-request-method':
      return conditionValues(c).includes(r.method)
    case 'query-string':
      return (c.QueryStringConfig?.Values ?? []).some(kv =>
        [...r.query].some(
          ([k, v]) => (kv.Key === undefined || wildcard(kv.Key, k, true)) && wildcard(kv.Value ?? '', v, true)
        )
      )
    case 'source-ip':
      return conditionValues(c).some(cidr => inCidr(r.sourceIp, cidr))
    default:
      return false
  }
}

export const ruleMatches = (conditions: RuleCondition[], r: RequestFacts): boolean =>
  conditions.every(c => conditionMatches(c, r))
