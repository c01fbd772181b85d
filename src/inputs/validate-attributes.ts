import { InputError } from './errors.js'
import { parseKeyValues } from './scalars.js'
import { closest } from './schema.js'

/** What a value must be, in words for the message; undefined when the value fits. */
type Check = (value: string) => string | undefined

const oneOf =
  (...values: string[]): Check =>
  v =>
    values.includes(v)
      ? undefined
      : values
          .map(x => JSON.stringify(x))
          .join(', ')
          .replace(/, ([^,]*)$/, ' or $1')

const bool = oneOf('true', 'false')

const int =
  (min: number, max?: number): Check =>
  v => {
    const n = /^\d+$/.test(v) ? Number(v) : NaN
    if (Number.isSafeInteger(n) && n >= min && (max === undefined || n <= max)) return undefined
    return max === undefined ? `an integer of at least ${min}` : `an integer from ${min} to ${max}`
  }

const offOr =
  (check: Check): Check =>
  v => {
    const expected = v === 'off' ? undefined : check(v)
    return expected && `"off" or ${expected}`
  }

const text: Check = v => (v.length <= 1024 ? undefined : 'at most 1024 characters')

const appCookieName: Check = v =>
  /^AWSALB/i.test(v)
    ? 'a cookie name not starting with AWSALB, AWSALBAPP or AWSALBTG (the load balancer keeps those)'
    : /^[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,255}$/.test(v)
      ? undefined
      : "a cookie name: 1 to 255 letters, digits and !#$%&'*+-.^_`|~"

/**
 * The attributes of an Application Load Balancer's target group whose targets are instances or IPs (what
 * ECS registers), with AWS's ranges: the ELBv2 API reference, TargetGroupAttribute.
 */
export const TARGET_GROUP_ATTRIBUTES: Readonly<Record<string, Check>> = {
  'deregistration_delay.timeout_seconds': int(0, 3600),
  'stickiness.enabled': bool,
  'stickiness.type': oneOf('lb_cookie', 'app_cookie'),
  'stickiness.lb_cookie.duration_seconds': int(1, 604800),
  'stickiness.app_cookie.cookie_name': appCookieName,
  'stickiness.app_cookie.duration_seconds': int(1, 604800),
  'load_balancing.algorithm.type': oneOf('round_robin', 'least_outstanding_requests', 'weighted_random'),
  'load_balancing.algorithm.anomaly_mitigation': oneOf('on', 'off'),
  'load_balancing.cross_zone.enabled': oneOf('true', 'false', 'use_load_balancer_configuration'),
  'slow_start.duration_seconds': v =>
    v === '0' || int(30, 900)(v) === undefined ? undefined : '0 (off) or an integer from 30 to 900',
  'target_group_health.dns_failover.minimum_healthy_targets.count': offOr(int(1)),
  'target_group_health.dns_failover.minimum_healthy_targets.percentage': offOr(int(1, 100)),
  'target_group_health.unhealthy_state_routing.minimum_healthy_targets.count': int(1),
  'target_group_health.unhealthy_state_routing.minimum_healthy_targets.percentage': offOr(int(1, 100))
}

/** The attributes of an Application Load Balancer: the ELBv2 API reference, LoadBalancerAttribute. */
export const LOAD_BALANCER_ATTRIBUTES: Readonly<Record<string, Check>> = {
  'deletion_protection.enabled': bool,
  'access_logs.s3.enabled': bool,
  'access_logs.s3.bucket': text,
  'access_logs.s3.prefix': text,
  'connection_logs.s3.enabled': bool,
  'connection_logs.s3.bucket': text,
  'connection_logs.s3.prefix': text,
  'health_check_logs.s3.enabled': bool,
  'health_check_logs.s3.bucket': text,
  'health_check_logs.s3.prefix': text,
  'idle_timeout.timeout_seconds': int(1, 4000),
  'client_keep_alive.seconds': int(60, 604800),
  'ipv6.deny_all_igw_traffic': bool,
  'routing.http.desync_mitigation_mode': oneOf('monitor', 'defensive', 'strictest'),
  'routing.http.drop_invalid_header_fields.enabled': bool,
  'routing.http.preserve_host_header.enabled': bool,
  'routing.http.x_amzn_tls_version_and_cipher_suite.enabled': bool,
  'routing.http.xff_client_port.enabled': bool,
  'routing.http.xff_header_processing.mode': oneOf('append', 'preserve', 'remove'),
  'routing.http2.enabled': bool,
  'waf.fail_open.enabled': bool,
  'zonal_shift.config.enabled': bool
}

/** Keys AWS knows but refuses here: said plainly rather than "did you mean". */
const NOT_HERE: Readonly<Record<string, string>> = {
  'load_balancing.cross_zone.enabled':
    'is always true on an Application Load Balancer and cannot be changed (set it per target group in target-group-attributes instead)',
  'dns_record.client_routing_policy': 'is a Network Load Balancer attribute',
  'secondary_ips.auto_assigned.per_subnet': 'is a Network Load Balancer attribute',
  'deregistration_delay.connection_termination.enabled': 'is a Network Load Balancer target group attribute',
  'preserve_client_ip.enabled': 'is a Network Load Balancer target group attribute',
  'proxy_protocol_v2.enabled': 'is a Network Load Balancer target group attribute',
  'target_health_state.unhealthy.connection_termination.enabled':
    'is a Network Load Balancer target group attribute',
  'target_health_state.unhealthy.draining_interval_seconds':
    'is a Network Load Balancer target group attribute',
  'lambda.multi_value_headers.enabled': 'is for target groups of Lambda functions, not of ECS tasks'
}

export type AttributeKind = 'target group' | 'load balancer'

/**
 * An attributes input (`key=value` lines or a YAML/JSON map) checked key by key against AWS's list and
 * ranges, so that a typo fails here rather than in Modify…Attributes after other resources changed.
 * Absent when the input is empty: the action then leaves every attribute as it is.
 */
export function parseAttributes(opts: {
  input: string
  text: string
  kind: AttributeKind
}): Record<string, string> | undefined {
  const pairs = parseKeyValues({ input: opts.input, text: opts.text, noun: 'attribute' })
  if (pairs.length === 0) return undefined
  const known = opts.kind === 'target group' ? TARGET_GROUP_ATTRIBUTES : LOAD_BALANCER_ATTRIBUTES
  const attributes: Record<string, string> = {}
  for (const { Key, Value } of pairs) {
    const check = known[Key]
    if (!check) {
      const why = NOT_HERE[Key]
      if (why) throw new InputError(opts.input, Key, why)
      const guess = closest(Key, Object.keys(known))
      throw new InputError(
        opts.input,
        Key,
        `is not an Application Load Balancer ${opts.kind} attribute` +
          (guess ? `: did you mean "${guess}"?` : `; known: ${Object.keys(known).join(', ')}`)
      )
    }
    if (Key in attributes) throw new InputError(opts.input, Key, 'is given twice')
    const expected = check(Value)
    if (expected) throw new InputError(opts.input, Key, `must be ${expected}, got ${JSON.stringify(Value)}`)
    attributes[Key] = Value
  }
  const algorithm = attributes['load_balancing.algorithm.type']
  if (
    attributes['load_balancing.algorithm.anomaly_mitigation'] === 'on' &&
    algorithm &&
    algorithm !== 'weighted_random'
  ) {
    throw new InputError(
      opts.input,
      'load_balancing.algorithm.anomaly_mitigation',
      `"on" needs load_balancing.algorithm.type "weighted_random", got ${JSON.stringify(algorithm)}`
    )
  }
  return attributes
}
