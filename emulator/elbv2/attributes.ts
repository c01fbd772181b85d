import { validation } from './validate.js'

/** An application load balancer's attributes as DescribeLoadBalancerAttributes reports them untouched. */
export const loadBalancerAttributeDefaults = (): Record<string, string> => ({
  'access_logs.s3.enabled': 'false',
  'access_logs.s3.bucket': '',
  'access_logs.s3.prefix': '',
  'connection_logs.s3.enabled': 'false',
  'connection_logs.s3.bucket': '',
  'connection_logs.s3.prefix': '',
  'health_check_logs.s3.enabled': 'false',
  'health_check_logs.s3.bucket': '',
  'health_check_logs.s3.prefix': '',
  'deletion_protection.enabled': 'false',
  'idle_timeout.timeout_seconds': '60',
  'ipv6.deny_all_igw_traffic': 'false',
  'client_keep_alive.seconds': '3600',
  'routing.http.desync_mitigation_mode': 'defensive',
  'routing.http.drop_invalid_header_fields.enabled': 'false',
  'routing.http.preserve_host_header.enabled': 'false',
  'routing.http.x_amzn_tls_version_and_cipher_suite.enabled': 'false',
  'routing.http.xff_client_port.enabled': 'false',
  'routing.http.xff_header_processing.mode': 'append',
  'routing.http2.enabled': 'true',
  'waf.fail_open.enabled': 'false',
  'zonal_shift.config.enabled': 'false'
})

/** An HTTP/HTTPS instance or ip target group's attributes untouched. */
export const targetGroupAttributeDefaults = (): Record<string, string> => ({
  'deregistration_delay.timeout_seconds': '300',
  'stickiness.enabled': 'false',
  'stickiness.type': 'lb_cookie',
  'stickiness.lb_cookie.duration_seconds': '86400',
  'stickiness.app_cookie.cookie_name': '',
  'stickiness.app_cookie.duration_seconds': '86400',
  'load_balancing.algorithm.type': 'round_robin',
  'load_balancing.algorithm.anomaly_mitigation': 'off',
  'load_balancing.cross_zone.enabled': 'use_load_balancer_configuration',
  'slow_start.duration_seconds': '0',
  'target_group_health.dns_failover.minimum_healthy_targets.count': '1',
  'target_group_health.dns_failover.minimum_healthy_targets.percentage': 'off',
  'target_group_health.unhealthy_state_routing.minimum_healthy_targets.count': '1',
  'target_group_health.unhealthy_state_routing.minimum_healthy_targets.percentage': 'off'
})

const BOOL = /^(true|false)$/
const intIn = (min: number, max: number) => (v: string) =>
  /^\d+$/.test(v) && Number(v) >= min && Number(v) <= max

/** Value checks for the attributes callers commonly set; others accept any string. */
const CHECKS: Record<string, (v: string) => boolean> = {
  'deletion_protection.enabled': v => BOOL.test(v),
  'idle_timeout.timeout_seconds': intIn(1, 4000),
  'routing.http2.enabled': v => BOOL.test(v),
  'access_logs.s3.enabled': v => BOOL.test(v),
  'deregistration_delay.timeout_seconds': intIn(0, 3600),
  'stickiness.enabled': v => BOOL.test(v),
  'stickiness.type': v => ['lb_cookie', 'app_cookie'].includes(v),
  'stickiness.lb_cookie.duration_seconds': intIn(1, 604800),
  'load_balancing.algorithm.type': v =>
    ['round_robin', 'least_outstanding_requests', 'weighted_random'].includes(v),
  'slow_start.duration_seconds': v => v === '0' || intIn(30, 900)(v)
}

/** Applies Key/Value pairs onto the current attributes, as Modify*Attributes does, or fails on the first bad one. */
export function applyAttributes(
  kind: 'Load balancer' | 'Target group',
  current: Record<string, string>,
  changes: { Key?: string; Value?: string }[] | undefined
): Record<string, string> {
  const next = { ...current }
  for (const { Key, Value } of changes ?? []) {
    if (!Key || !(Key in current)) throw validation(`${kind} attribute key '${Key ?? ''}' is not recognized`)
    const value = Value ?? ''
    const check = CHECKS[Key]
    if (check && !check(value))
      throw validation(`${kind} attribute value '${value}' is not valid for key '${Key}'`)
    next[Key] = value
  }
  return next
}

export const asAttributeList = (attrs: Record<string, string>) =>
  Object.entries(attrs).map(([Key, Value]) => ({ Key, Value }))
