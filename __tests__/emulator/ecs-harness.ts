import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { ECSClient } from '@aws-sdk/client-ecs'
import { Clock } from '../../emulator/core/clock.js'
import { AwsError } from '../../emulator/core/errors.js'
import { seededVpcs } from '../../emulator/core/network.js'
import type {
  ElbFacade,
  ServiceModule,
  TargetAddress,
  TargetGroupView,
  TargetHealthView,
  TargetRef
} from '../../emulator/core/types.js'
import { createEcsModule } from '../../emulator/ecs/module.js'

type Listener = Parameters<ElbFacade['onHealthChange']>[0]

interface FakeTarget {
  ref: TargetRef
  address: TargetAddress
  health: TargetHealthView
  streak: number
  timer?: NodeJS.Timeout
}

/**
 * A stand-in for the ELBv2 module: target groups made by the test, and real HTTP health checks
 * on the emulated clock with the group's path, interval and thresholds.
 */
export class FakeElb implements ElbFacade {
  readonly groups = new Map<string, TargetGroupView>()
  readonly targets = new Map<string, Map<string, FakeTarget>>()
  private listeners = new Set<Listener>()

  constructor(private readonly clock: Clock) {}

  addTargetGroup(tg: Partial<TargetGroupView> & { arn: string }): TargetGroupView {
    const view: TargetGroupView = {
      name: tg.arn.split('/')[1] ?? 'tg',
      protocol: 'HTTP',
      port: 80,
      targetType: 'instance',
      loadBalancerArns: ['arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:loadbalancer/app/alb/1'],
      healthCheckPath: '/hostname',
      healthCheckPort: 'traffic-port',
      healthCheckIntervalSeconds: 5,
      healthCheckTimeoutSeconds: 2,
      healthyThresholdCount: 2,
      unhealthyThresholdCount: 2,
      matcher: '200',
      deregistrationDelaySeconds: 5,
      ...tg
    }
    this.groups.set(tg.arn, view)
    this.targets.set(tg.arn, new Map())
    return view
  }

  getTargetGroup(arn: string): TargetGroupView | undefined {
    return this.groups.get(arn)
  }

  registerTarget(tgArn: string, ref: TargetRef, address: TargetAddress): void {
    const tg = this.groups.get(tgArn)
    if (!tg) throw new Error('no target group')
    const t: FakeTarget = { ref, address, health: { state: 'initial' }, streak: 0 }
    this.targets.get(tgArn)!.set(`${ref.id}:${ref.port}`, t)
    t.timer = this.clock.setInterval(() => void this.check(tg, t), tg.healthCheckIntervalSeconds * 1000)
  }

  deregisterTarget(tgArn: string, ref: TargetRef): void {
    const t = this.targets.get(tgArn)?.get(`${ref.id}:${ref.port}`)
    if (!t) return
    this.clock.clearInterval(t.timer)
    this.set(tgArn, t, { state: 'draining', reason: 'Target.DeregistrationInProgress' })
    const delay = this.groups.get(tgArn)?.deregistrationDelaySeconds ?? 0
    this.clock.setTimeout(() => this.targets.get(tgArn)?.delete(`${ref.id}:${ref.port}`), delay * 1000)
  }

  targetHealth(tgArn: string, ref: TargetRef): TargetHealthView | undefined {
    return this.targets.get(tgArn)?.get(`${ref.id}:${ref.port}`)?.health
  }

  ruleForwards(): undefined {
    return undefined
  }

  setForwardWeights(): void {
    throw new Error('no listener rules in this fake')
  }

  onHealthChange(listener: Listener): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  healthy(tgArn: string): number {
    return [...(this.targets.get(tgArn)?.values() ?? [])].filter(t => t.health.state === 'healthy').length
  }

  stop(): void {
    for (const g of this.targets.values()) for (const t of g.values()) this.clock.clearInterval(t.timer)
  }

  private async check(tg: TargetGroupView, t: FakeTarget): Promise<void> {
    let ok = false
    let reason = 'Target.Timeout'
    try {
      const res = await fetch(`http://${t.address.host}:${t.address.port}${tg.healthCheckPath}`, {
        signal: AbortSignal.timeout(Math.max(50, this.clock.real(tg.healthCheckTimeoutSeconds * 1000)))
      })
      await res.text()
      ok = String(res.status) === tg.matcher
      reason = 'Target.ResponseCodeMismatch'
    } catch {
      reason = 'Target.FailedHealthChecks'
    }
    if (t.health.state === 'draining') return
    t.streak = ok === (t.health.state === 'healthy') ? 0 : t.streak + 1
    const threshold = ok ? tg.healthyThresholdCount : tg.unhealthyThresholdCount
    if (t.health.state === 'initial' && !ok && t.streak >= threshold)
      this.set(tg.arn, t, { state: 'unhealthy', reason })
    else if (t.health.state !== 'healthy' && ok && t.streak >= threshold)
      this.set(tg.arn, t, { state: 'healthy' })
    else if (t.health.state === 'healthy' && !ok && t.streak >= threshold)
      this.set(tg.arn, t, { state: 'unhealthy', reason })
    if (t.streak >= threshold) t.streak = 0
  }

  private set(tgArn: string, t: FakeTarget, next: TargetHealthView): void {
    const previous = t.health
    t.health = next
    for (const l of this.listeners) l({ tgArn, target: t.ref, previous, current: next })
  }
}

export interface EcsHarness {
  url: string
  clock: Clock
  elb: FakeElb
  module: ServiceModule
  ecs: ECSClient
  control(method: string, route: string, body?: unknown): Promise<unknown>
  stop(): Promise<void>
}

/** The ECS module alone behind a minimal server (the real one also wires ELBv2, IAM and faults). */
export async function startEcsHarness(timeScale = 0.02): Promise<EcsHarness> {
  const clock = new Clock(timeScale)
  const elb = new FakeElb(clock)
  const region = 'ap-northeast-1'
  const { module } = createEcsModule({
    clock,
    region,
    accountId: '123456789012',
    vpcs: seededVpcs(region),
    elb
  })
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', c => chunks.push(c as Buffer))
    req.on('end', async () => {
      const body = Buffer.concat(chunks).toString('utf8')
      let out
      try {
        if (!module.claims(req.headers, body)) throw new AwsError('UnknownOperationException', 'not ECS')
        const { operation, params } = module.decode(req.headers, body)
        out = module.encodeResult(operation, await module.handle(operation, params, {} as never), 'req')
      } catch (e) {
        const err = e instanceof AwsError ? e : new AwsError('ServerException', String(e), 500)
        out = module.encodeError(err.code, err.message, err.status, err.fault, 'req')
      }
      res.writeHead(out.status, out.headers)
      res.end(out.body)
    })
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', () => resolve()))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const ecs = new ECSClient({
    endpoint: url,
    region,
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'x' },
    maxAttempts: 1
  })
  return {
    url,
    clock,
    elb,
    module,
    ecs,
    control: async (method, route, body) => module.control?.(method, route, body),
    stop: async () => {
      ecs.destroy()
      elb.stop()
      await module.stop()
      clock.clearAll()
      await new Promise<void>(resolve => {
        server.close(() => resolve())
        server.closeAllConnections()
      })
    }
  }
}

/** Polls until `fn` returns a value that is not undefined/false, or fails after `realMs`. */
export async function until<T>(
  fn: () => Promise<T | undefined | false>,
  realMs = 20000,
  what = 'condition'
): Promise<T> {
  const deadline = Date.now() + realMs
  let last: unknown
  while (Date.now() < deadline) {
    try {
      const v = await fn()
      if (v !== undefined && v !== false) return v
    } catch (e) {
      last = e
    }
    await new Promise(r => setTimeout(r, 50))
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`)
}
