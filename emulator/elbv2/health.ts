import type { Clock } from '../core/clock.js'
import type { TargetAddress, TargetHealthView, TargetRef } from '../core/types.js'
import { probe, type ProbeResult } from './probe.js'

/** A target group's health check settings, in emulated milliseconds. */
export interface HealthConfig {
  enabled: boolean
  protocol: string
  path: string
  /** "traffic-port" or a port number. */
  port: string
  intervalMs: number
  timeoutMs: number
  healthyThreshold: number
  unhealthyThreshold: number
  matcher: string
  deregistrationDelayMs: number
}

export interface TargetRecord {
  ref: TargetRef
  address?: TargetAddress
  health: TargetHealthView
  okStreak: number
  failStreak: number
  timer?: NodeJS.Timeout
  /** Bumped on every lifecycle change, so that a check answered late cannot overwrite a newer state. */
  generation: number
}

export type HealthChange = {
  tgArn: string
  target: TargetRef
  previous: TargetHealthView
  current: TargetHealthView
}

interface Group {
  inUse: boolean
  targets: Map<string, TargetRecord>
}

export const targetKey = (ref: TargetRef) => `${ref.id}:${ref.port}`

export const HEALTH = {
  notInUse: {
    state: 'unused',
    reason: 'Target.NotInUse',
    description: 'Target group is not configured to receive traffic from the load balancer'
  },
  notRegistered: {
    state: 'unused',
    reason: 'Target.NotRegistered',
    description: 'Target is not registered to the target group'
  },
  registering: {
    state: 'initial',
    reason: 'Elb.RegistrationInProgress',
    description: 'Target registration is in progress'
  },
  initialChecks: {
    state: 'initial',
    reason: 'Elb.InitialHealthChecking',
    description: 'Initial health checks in progress'
  },
  draining: {
    state: 'draining',
    reason: 'Target.DeregistrationInProgress',
    description: 'Target deregistration is in progress'
  },
  disabled: {
    state: 'unavailable',
    reason: 'Target.HealthCheckDisabled',
    description: 'Health checks are disabled'
  },
  healthy: { state: 'healthy' }
} satisfies Record<string, TargetHealthView>

/** Checks in flight at once, whatever the number of targets: 500 targets must not open 500 sockets together. */
const MAX_CONCURRENT_CHECKS = 48
/** Emulated timeouts shorter than this many real ms would fail on event-loop jitter alone. */
const MIN_REAL_TIMEOUT_MS = 100

/**
 * The health checker of every target group: per-target check loops on emulated time, ELBv2's state
 * machine (initial → healthy / unhealthy, draining for the deregistration delay) and change events.
 */
export class HealthMonitor {
  private readonly groups = new Map<string, Group>()
  private readonly subscribers = new Set<(e: HealthChange) => void>()
  private readonly inflight = new Set<{ destroy(): void }>()
  private readonly waiting: (() => void)[] = []
  private active = 0
  private stopped = false

  constructor(private readonly opts: { clock: Clock; config: (tgArn: string) => HealthConfig | undefined }) {}

  onChange(fn: (e: HealthChange) => void): () => void {
    this.subscribers.add(fn)
    return () => this.subscribers.delete(fn)
  }

  addGroup(tgArn: string): void {
    if (!this.groups.has(tgArn)) this.groups.set(tgArn, { inUse: false, targets: new Map() })
  }

  removeGroup(tgArn: string): void {
    const g = this.groups.get(tgArn)
    if (!g) return
    for (const t of g.targets.values()) this.halt(t)
    this.groups.delete(tgArn)
  }

  targets(tgArn: string): TargetRecord[] {
    return [...(this.groups.get(tgArn)?.targets.values() ?? [])]
  }

  /**
   * Where a target with this Id and Port is really reached, when some target group knows it (ECS registered
   * it with its address): an instance or IP serves the same port whichever target group it is registered in.
   */
  knownAddress(ref: TargetRef): TargetAddress | undefined {
    for (const g of this.groups.values()) {
      const address = g.targets.get(targetKey(ref))?.address
      if (address) return address
    }
    return undefined
  }

  target(tgArn: string, ref: TargetRef): TargetRecord | undefined {
    return this.groups.get(tgArn)?.targets.get(targetKey(ref))
  }

  /** Attached to a load balancer or not: unused targets start checking, or checking targets become unused. */
  setInUse(tgArn: string, inUse: boolean): void {
    const g = this.groups.get(tgArn)
    if (!g || g.inUse === inUse) return
    g.inUse = inUse
    for (const t of g.targets.values()) {
      if (t.health.state === 'draining') continue
      this.halt(t)
      if (inUse) this.startChecking(tgArn, t)
      else this.set(tgArn, t, HEALTH.notInUse)
    }
  }

  register(tgArn: string, ref: TargetRef, address?: TargetAddress): void {
    const g = this.groups.get(tgArn)
    if (!g) return
    const existing = g.targets.get(targetKey(ref))
    if (existing && existing.health.state !== 'draining') {
      if (address) existing.address = address
      return
    }
    const t: TargetRecord = existing ?? {
      ref,
      address,
      health: HEALTH.notRegistered,
      okStreak: 0,
      failStreak: 0,
      generation: 0
    }
    if (address) t.address = address
    this.halt(t)
    g.targets.set(targetKey(ref), t)
    if (g.inUse) this.startChecking(tgArn, t)
    else this.set(tgArn, t, HEALTH.notInUse)
  }

  /** False when the target is not registered (or already draining). */
  deregister(tgArn: string, ref: TargetRef): boolean {
    const g = this.groups.get(tgArn)
    const t = g?.targets.get(targetKey(ref))
    if (!g || !t) return false
    if (t.health.state === 'draining') return true
    this.halt(t)
    if (!g.inUse) {
      this.remove(tgArn, g, t)
      return true
    }
    this.set(tgArn, t, HEALTH.draining)
    const gen = t.generation
    t.timer = this.opts.clock.setTimeout(
      () => {
        if (t.generation === gen) this.remove(tgArn, g, t)
      },
      this.opts.config(tgArn)?.deregistrationDelayMs ?? 0
    )
    return true
  }

  clear(): void {
    for (const tgArn of [...this.groups.keys()]) this.removeGroup(tgArn)
    for (const s of this.inflight) s.destroy()
    this.inflight.clear()
    this.waiting.length = 0
  }

  stop(): void {
    this.stopped = true
    this.clear()
    this.subscribers.clear()
  }

  private remove(tgArn: string, g: Group, t: TargetRecord): void {
    this.halt(t)
    g.targets.delete(targetKey(t.ref))
    this.set(tgArn, t, HEALTH.notRegistered)
  }

  private halt(t: TargetRecord): void {
    this.opts.clock.clearTimeout(t.timer)
    t.timer = undefined
    t.generation++
    t.okStreak = 0
    t.failStreak = 0
  }

  private startChecking(tgArn: string, t: TargetRecord): void {
    this.set(tgArn, t, HEALTH.registering)
    const interval = this.opts.config(tgArn)?.intervalMs ?? 30_000
    // Registration takes a moment in ELBv2; spreading first checks also keeps 500 targets from checking at once.
    this.schedule(tgArn, t, 1000 + Math.random() * Math.min(interval, 5000))
  }

  private schedule(tgArn: string, t: TargetRecord, delayMs: number): void {
    const gen = t.generation
    t.timer = this.opts.clock.setTimeout(() => void this.check(tgArn, t, gen), delayMs)
  }

  private async check(tgArn: string, t: TargetRecord, gen: number): Promise<void> {
    t.timer = undefined
    const cfg = this.opts.config(tgArn)
    if (!cfg || t.generation !== gen || this.stopped) return
    const started = this.opts.clock.now()
    // Registration is complete once the first check goes out: from then on ELBv2 reports initial checking.
    if (t.health === HEALTH.registering) this.set(tgArn, t, HEALTH.initialChecks)
    if (!cfg.enabled) {
      this.set(tgArn, t, HEALTH.disabled)
    } else {
      const result = await this.probeLimited(cfg, t)
      if (t.generation !== gen || this.stopped) return
      this.apply(tgArn, t, cfg, result)
    }
    const next = this.opts.config(tgArn)
    if (!next || t.generation !== gen) return
    this.schedule(tgArn, t, Math.max(0, next.intervalMs - (this.opts.clock.now() - started)))
  }

  private async probeLimited(cfg: HealthConfig, t: TargetRecord): Promise<ProbeResult> {
    if (!t.address)
      return { ok: false, reason: 'Target.FailedHealthChecks', description: 'Health checks failed' }
    if (this.active >= MAX_CONCURRENT_CHECKS) await new Promise<void>(resolve => this.waiting.push(resolve))
    this.active++
    try {
      const port =
        cfg.port === 'traffic-port' ? t.address.port : t.address.port + (Number(cfg.port) - t.ref.port)
      return await probe({
        protocol: cfg.protocol,
        host: t.address.host,
        port,
        path: cfg.path,
        matcher: cfg.matcher,
        timeoutMs: Math.max(MIN_REAL_TIMEOUT_MS, this.opts.clock.real(cfg.timeoutMs)),
        inflight: this.inflight
      })
    } finally {
      this.active--
      this.waiting.shift()?.()
    }
  }

  private apply(tgArn: string, t: TargetRecord, cfg: HealthConfig, r: ProbeResult): void {
    const state = t.health.state
    if (r.ok) {
      t.okStreak++
      t.failStreak = 0
      if (state === 'healthy') return
      // AWS: "After your target is registered, it must pass one health check to be considered healthy"
      // (ALB guide, Health checks for target groups); an unhealthy target needs HealthyThresholdCount.
      const needed = state === 'initial' ? 1 : cfg.healthyThreshold
      if (t.okStreak >= needed) this.set(tgArn, t, HEALTH.healthy)
      else if (state !== 'unhealthy') this.set(tgArn, t, HEALTH.initialChecks)
      return
    }
    t.failStreak++
    t.okStreak = 0
    const failed: TargetHealthView = { state: 'unhealthy', reason: r.reason, description: r.description }
    if (state === 'unhealthy' || t.failStreak >= cfg.unhealthyThreshold) this.set(tgArn, t, failed)
    else if (state !== 'healthy') this.set(tgArn, t, HEALTH.initialChecks)
  }

  private set(tgArn: string, t: TargetRecord, next: TargetHealthView): void {
    const previous = t.health
    if (
      previous.state === next.state &&
      previous.reason === next.reason &&
      previous.description === next.description
    )
      return
    t.health = next
    for (const fn of this.subscribers) {
      try {
        fn({ tgArn, target: t.ref, previous, current: next })
      } catch {
        // A subscriber's failure must not stop the health checker.
      }
    }
  }
}
