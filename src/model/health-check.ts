import type { TargetGroup } from '@aws-sdk/client-elastic-load-balancing-v2'

/**
 * Health checks in words: pure formatters the watch (a rollout's targets) and the probe (a temporary target
 * group's) share, so that both explain a failing check the same way.
 */

/** `name` out of `arn:…:targetgroup/name/0123abcd`, for lines a person reads. */
export function targetGroupName(arn: string): string {
  const match = /targetgroup\/([^/]+)/.exec(arn)
  return match ? match[1] : arn
}

/** A health-check failure, as a target's TargetHealth or a service event reports it. */
export interface HealthFailure {
  reason?: string
  description?: string
  /** The port the check used (TargetHealthDescription.HealthCheckPort), when known. */
  healthCheckPort?: string
}

export interface HealthCheckExplanation {
  /** What happened, e.g. "GET /healthz answered 404; the matcher expects 200". */
  cause: string
  hint: string
}

const DEFAULT_INTERVAL_SECONDS = 30
const DEFAULT_UNHEALTHY_THRESHOLD = 2

/** The status codes out of "Health checks failed with these codes: [404]" (or "[404, 502]"). */
export function failedCodes(description: string | undefined): string | undefined {
  const match = /codes:\s*\[([^\]]*)\]/i.exec(description ?? '')
  return match ? match[1].replace(/\s+/g, '') : undefined
}

/** One health-check cycle: how long a target needs to be declared unhealthy. */
export function healthCheckCycleMs(settings: TargetGroup | undefined): number {
  const interval = settings?.HealthCheckIntervalSeconds ?? DEFAULT_INTERVAL_SECONDS
  const threshold = settings?.UnhealthyThresholdCount ?? DEFAULT_UNHEALTHY_THRESHOLD
  return interval * threshold * 1000
}

function checkPath(settings: TargetGroup | undefined): string {
  return settings?.HealthCheckPath ?? '/'
}

function matcher(settings: TargetGroup | undefined): string {
  return settings?.Matcher?.HttpCode ?? settings?.Matcher?.GrpcCode ?? '200'
}

/** A health check sent to a fixed port rather than to the port each target serves on. */
function fixedCheckPort(settings: TargetGroup | undefined): string | undefined {
  const port = settings?.HealthCheckPort
  return port && port !== 'traffic-port' ? port : undefined
}

function checkPort(settings: TargetGroup | undefined, failure: HealthFailure): string {
  // A fixed port wins: the port an ECS event names is the target's (traffic) port, not the checked one.
  const fixed = fixedCheckPort(settings)
  if (fixed) return fixed
  if (failure.healthCheckPort) return failure.healthCheckPort
  return settings?.Port !== undefined ? `${settings.Port} (traffic-port)` : 'the traffic port'
}

/** For failures to connect: a fixed health-check port is the first suspect. */
function fixedPortHint(settings: TargetGroup | undefined): string {
  const fixed = fixedCheckPort(settings)
  return fixed
    ? `the target group checks fixed port ${fixed}, not the port each task serves on: set HealthCheckPort to ` +
        'traffic-port (or the port the app listens on); '
    : ''
}

/**
 * The target group's health check in one line, e.g.
 * `default: HTTP GET /hostname on traffic-port, matcher 200, every 30 s × 3 failures (timeout 15 s)`.
 */
export function describeHealthCheck(settings: TargetGroup | undefined, targetGroupArn?: string): string {
  const name =
    settings?.TargetGroupName ?? (targetGroupArn ? targetGroupName(targetGroupArn) : 'target group')
  if (!settings) return `${name}: health check settings unknown`
  const protocol = settings.HealthCheckProtocol ?? settings.Protocol ?? 'HTTP'
  const interval = settings.HealthCheckIntervalSeconds ?? DEFAULT_INTERVAL_SECONDS
  const threshold = settings.UnhealthyThresholdCount ?? DEFAULT_UNHEALTHY_THRESHOLD
  const target = protocol === 'TCP' ? '' : ` GET ${checkPath(settings)}`
  const timeout = settings.HealthCheckTimeoutSeconds
    ? ` (timeout ${settings.HealthCheckTimeoutSeconds} s)`
    : ''
  return (
    `${name}: ${protocol}${target} on port ${settings.HealthCheckPort ?? 'traffic-port'}, ` +
    `matcher ${matcher(settings)}, every ${interval} s × ${threshold} failures${timeout}`
  )
}

/**
 * ECS reports health-check failures in service events, in two wordings:
 * `(service web) (port 80) is unhealthy in (target-group arn:…) due to (reason Health checks failed with
 * these codes: [404]).` and the older `service web (port 80) is unhealthy in target-group web due to
 * (reason Request timed out).` Returns the target group (ARN or name, as written) and the failure with
 * an ELB reason code.
 */
export function healthFailureFromEvent(
  message: string
): { targetGroup: string; failure: HealthFailure } | undefined {
  const match = /is unhealthy in \(?target-group ([^)\s]+)\)? due to \(reason (.*)\)\.?\s*$/.exec(message)
  if (!match) return undefined
  const text = match[2]
  let reason: string | undefined
  if (/codes:\s*\[/i.test(text)) reason = 'Target.ResponseCodeMismatch'
  else if (/timed out|timeout/i.test(text)) reason = 'Target.Timeout'
  else if (/health checks failed/i.test(text)) reason = 'Target.FailedHealthChecks'
  const port = /\(port (\d+)\)/.exec(message)?.[1]
  return { targetGroup: match[1], failure: { reason, description: text, healthCheckPort: port } }
}

/** The reason seen most often, so one odd target does not name the cause. */
export function dominantFailure(failures: HealthFailure[]): HealthFailure | undefined {
  const counts = new Map<string, { n: number; failure: HealthFailure }>()
  for (const f of failures) {
    const key = `${f.reason ?? ''}|${f.description ?? ''}`
    const entry = counts.get(key) ?? { n: 0, failure: f }
    entry.n += 1
    counts.set(key, entry)
  }
  let best: { n: number; failure: HealthFailure } | undefined
  for (const entry of counts.values()) if (!best || entry.n > best.n) best = entry
  return best?.failure
}

/** Does a target group named in a message (by ARN or by name) mean this one? */
export function sameTargetGroup(named: string, targetGroupArn: string): boolean {
  return named === targetGroupArn || named === targetGroupName(targetGroupArn)
}

/** Turns an ELB reason code into what it means for this target group's health check. */
export function explainHealthFailure(
  settings: TargetGroup | undefined,
  failure: HealthFailure
): HealthCheckExplanation {
  const path = checkPath(settings)
  const port = checkPort(settings, failure)
  const expects = matcher(settings)
  switch (failure.reason) {
    case 'Target.ResponseCodeMismatch': {
      const codes = failedCodes(failure.description) ?? 'another code'
      return {
        cause: `GET ${path} answered ${codes}; the matcher expects ${expects}`,
        hint:
          `make the app answer ${expects} on ${path} (port ${port}), or set the target group's ` +
          'HealthCheckPath / Matcher to what the app answers'
      }
    }
    case 'Target.Timeout': {
      const timeout = settings?.HealthCheckTimeoutSeconds
      return {
        cause: `GET ${path} on port ${port} got no answer${timeout ? ` within ${timeout} s` : ''}`,
        hint:
          fixedPortHint(settings) +
          `check that the task's security group admits the load balancer on port ${port} ` +
          'and that the app listens on it'
      }
    }
    case 'Target.FailedHealthChecks':
      return {
        cause: `connection refused or reset: is the app listening on ${port}? is the health check port right?`,
        hint:
          fixedPortHint(settings) +
          `check the container's port mapping and that the app binds 0.0.0.0:${port} (not 127.0.0.1); ` +
          "the target group's HealthCheckPort should be traffic-port or the port the app serves"
      }
    case 'Target.NotInUse':
      return {
        cause:
          'the target group is not used by any listener, or the target is in an Availability Zone the load balancer does not serve',
        hint: "forward a listener or rule to the target group; enable the tasks' subnets' zones on the load balancer"
      }
    case 'Target.IpUnusable':
      return {
        cause: 'the target IP cannot be used (it belongs to a load balancer or is outside the VPC)',
        hint: 'check the subnets the tasks run in'
      }
    default:
      return {
        cause: `the health check GET ${path} on port ${port} failed${
          failure.reason ? ` (${failure.reason}${failure.description ? `: ${failure.description}` : ''})` : ''
        }`,
        hint: `check that the app answers ${expects} on ${path}, port ${port}, and that the security group admits the load balancer`
      }
  }
}
