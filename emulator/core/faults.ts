import { AwsError } from './errors.js'

/**
 * Fault injection, set through the control API. Rules apply to API calls (throttling, failures,
 * latency); task-level faults (health check failing, image pull failing, task stop) live in the
 * ECS module and are reached through the same control API.
 */
export interface ThrottleRule {
  /** Share of calls answered with a throttling error, 0..1. */
  share: number
  /** Only these services / operations (all when absent). */
  service?: 'ecs' | 'elbv2'
  operations?: string[]
  /** Emulated-epoch ms after which the rule expires. */
  untilMs?: number
}

export interface FailRule {
  service?: 'ecs' | 'elbv2'
  operation: string
  /** How many more calls fail; -1 forever. */
  times: number
  code: string
  message?: string
  status?: number
  /** Fail *after* the call took effect (the caller sees an error, the state changed): an interrupted run. */
  after?: boolean
  /**
   * Hang instead of answering (the client times out or is killed). With `after`, the call takes effect
   * first and is logged as succeeded: the answer is what is lost.
   */
  hang?: boolean
}

export interface LatencyRule {
  service?: 'ecs' | 'elbv2'
  operations?: string[]
  /** Real milliseconds added before answering. */
  ms: number
}

export interface FaultConfig {
  throttle?: ThrottleRule[]
  fail?: FailRule[]
  latency?: LatencyRule[]
}

const matches = (
  rule: { service?: string; operations?: string[]; operation?: string },
  service: string,
  op: string
): boolean =>
  (!rule.service || rule.service === service) &&
  (!rule.operations || rule.operations.includes(op)) &&
  (!rule.operation || rule.operation === op)

export class Faults {
  throttle: ThrottleRule[] = []
  fail: FailRule[] = []
  latency: LatencyRule[] = []
  private rnd: () => number = Math.random

  set(cfg: FaultConfig): void {
    if (cfg.throttle) this.throttle.push(...cfg.throttle)
    if (cfg.fail) this.fail.push(...cfg.fail)
    if (cfg.latency) this.latency.push(...cfg.latency)
  }

  clear(): void {
    this.throttle = []
    this.fail = []
    this.latency = []
  }

  /** Deterministic throttling for tests that need a repeatable run. */
  seed(seed: number): void {
    let s = seed >>> 0 || 1
    this.rnd = () => {
      s ^= s << 13
      s ^= s >>> 17
      s ^= s << 5
      return (s >>> 0) / 0x100000000
    }
  }

  latencyFor(service: string, op: string): number {
    return this.latency.filter(r => matches(r, service, op)).reduce((a, r) => a + r.ms, 0)
  }

  /** Throws the throttling error of the service's protocol when a rule fires. */
  checkThrottle(service: 'ecs' | 'elbv2', op: string, nowMs: number): void {
    this.throttle = this.throttle.filter(r => r.untilMs === undefined || r.untilMs > nowMs)
    for (const r of this.throttle) {
      if (matches(r, service, op) && this.rnd() < r.share) {
        throw service === 'ecs'
          ? new AwsError('ThrottlingException', 'Rate exceeded', 400)
          : new AwsError('Throttling', 'Rate exceeded', 400)
      }
    }
  }

  /** The fail rule that applies to this call, consuming one of its times. */
  takeFailure(service: 'ecs' | 'elbv2', op: string): FailRule | undefined {
    const rule = this.fail.find(r => r.times !== 0 && matches(r, service, op))
    if (!rule) return undefined
    if (rule.times > 0) rule.times--
    return rule
  }
}
