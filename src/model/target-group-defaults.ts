/**
 * What ELBv2 fills in when CreateTargetGroup leaves a health-check timing out, by the target group's
 * protocol (CreateTargetGroup API reference, HealthCheckTimeoutSeconds / HealthCheckIntervalSeconds).
 */
export function defaultHealthCheckTimeout(protocol: string | undefined, targetType?: string): number {
  if (targetType === 'lambda') return 30
  if (protocol === 'HTTP') return 6
  if (protocol === 'GENEVE') return 5
  return 10
}

export function defaultHealthCheckInterval(protocol: string | undefined, targetType?: string): number {
  if (targetType === 'lambda') return 35
  return protocol === 'GENEVE' ? 10 : 30
}

/** Health checks can be turned off only for lambda targets ("always enabled" for instance, ip and alb). */
export const healthCheckMayBeDisabled = (targetType: string | undefined): boolean => targetType === 'lambda'
