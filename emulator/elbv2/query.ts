import { AwsError } from '../core/errors.js'
import type { DecodedRequest } from '../core/types.js'

/**
 * The AWS query protocol's form body as a nested object: `Subnets.member.1=a` becomes `{ Subnets: ['a'] }`,
 * `DefaultActions.member.1.ForwardConfig.TargetGroups.member.1.Weight=2` a nested structure. The wire
 * carries only strings, so the members whose shape is a number or a boolean are coerced here, once, and the
 * operations can read the SDK's own input types.
 */
const NUMBER_KEYS = new Set([
  'Port',
  'HealthCheckIntervalSeconds',
  'HealthCheckTimeoutSeconds',
  'HealthyThresholdCount',
  'UnhealthyThresholdCount',
  'Priority',
  'PageSize',
  'Weight',
  'DurationSeconds'
])
const BOOLEAN_KEYS = new Set([
  'HealthCheckEnabled',
  'Enabled',
  'IgnoreClientCertificateExpiry',
  'IncludeInactive'
])
/** List members that the SDK sends as `Key=` when the caller passes an empty list. */
const LIST_KEYS = new Set([
  'Names',
  'LoadBalancerArns',
  'TargetGroupArns',
  'ListenerArns',
  'RuleArns',
  'ResourceArns',
  'Subnets',
  'SubnetMappings',
  'SecurityGroups',
  'Tags',
  'TagKeys',
  'Targets',
  'Conditions',
  'Actions',
  'DefaultActions',
  'Certificates',
  'Attributes',
  'RulePriorities',
  'AlpnPolicy',
  'Values',
  'TargetGroups'
])
/** Containers whose `Port` is a string in the API (a redirect's "#{port}"). */
const STRING_PORT_PARENTS = new Set(['RedirectConfig'])

type Node = Record<string, unknown> | unknown[]

const setPath = (root: Record<string, unknown>, path: string[], value: string): void => {
  let node: Node = root
  for (let i = 0; i < path.length; i++) {
    const seg = path[i]
    const last = i === path.length - 1
    if (Array.isArray(node)) {
      const idx = Number(seg) - 1
      if (!Number.isInteger(idx) || idx < 0)
        throw new AwsError('MalformedQueryString', `Bad list index in ${path.join('.')}`)
      if (last) node[idx] = value
      else node = (node[idx] ??= path[i + 1] === 'member' ? [] : {}) as Node
      continue
    }
    if (seg === 'member' && !last) continue // handled by the parent turning into an array
    if (last) {
      node[seg] = value
    } else {
      const wantsArray = path[i + 1] === 'member'
      const existing = node[seg]
      if (existing === undefined || existing === '') node[seg] = wantsArray ? [] : {}
      node = node[seg] as Node
      if (wantsArray) i++ // skip "member"; the next segment is the index
    }
  }
}

const coerce = (value: unknown, key: string, parent: string): unknown => {
  if (Array.isArray(value)) return value.filter(v => v !== undefined).map(v => coerce(v, '', key))
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, coerce(v, k, key)]))
  }
  if (typeof value !== 'string') return value
  if (value === '' && LIST_KEYS.has(key)) return []
  if (NUMBER_KEYS.has(key) && !(key === 'Port' && STRING_PORT_PARENTS.has(parent))) {
    const n = Number(value)
    if (value.trim() === '' || !Number.isFinite(n)) {
      throw new AwsError(
        'ValidationError',
        `Value '${value}' at '${key}' failed to satisfy constraint: Member must be a number`
      )
    }
    return n
  }
  if (BOOLEAN_KEYS.has(key)) return value === 'true'
  return value
}

export function decodeQuery(body: string): DecodedRequest {
  const form = new URLSearchParams(body)
  const operation = form.get('Action')
  if (!operation) throw new AwsError('MissingAction', 'Missing Action')
  const params: Record<string, unknown> = {}
  for (const [key, value] of form) {
    if (key === 'Action' || key === 'Version') continue
    setPath(params, key.split('.'), value)
  }
  return { operation, params: coerce(params, '', '') as Record<string, unknown> }
}

export const isQueryRequest = (
  headers: Record<string, string | string[] | undefined>,
  body: string
): boolean => !headers['x-amz-target'] && /(^|&)Action=/.test(body)
