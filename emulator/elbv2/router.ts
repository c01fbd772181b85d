import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { randomBytes } from 'node:crypto'
import type {
  Action,
  FixedResponseActionConfig,
  RedirectActionConfig
} from '@aws-sdk/client-elastic-load-balancing-v2'
import type { Clock } from '../core/clock.js'
import type { HealthMonitor, TargetRecord } from './health.js'
import type { ListenerRecord, Store } from './store.js'
import { ruleMatches, type RequestFacts } from './match.js'

const TERMINAL = new Set(['forward', 'redirect', 'fixed-response'])
const HOP_BY_HOP = ['connection', 'keep-alive', 'proxy-connection', 'upgrade']

const errorPage = (status: number, text: string) =>
  `<html>\r\n<head><title>${status} ${text}</title></head>\r\n<body>\r\n<center><h1>${status} ${text}</h1></center>\r\n</body>\r\n</html>\r\n`

/**
 * Each listener is a real loopback HTTP server that routes like an ALB: rules by priority, then the
 * default action; forward round-robins over healthy targets (all non-draining ones when none is healthy).
 * HTTPS listeners serve plain HTTP here: there is no certificate material to terminate TLS with.
 */
export class ListenerServers {
  private readonly servers = new Map<string, { server: http.Server; port: number }>()
  private readonly upstream = new Set<http.ClientRequest>()
  private readonly cursor = new Map<string, number>()

  constructor(private readonly deps: { store: Store; health: HealthMonitor; clock: Clock }) {}

  localPort(listenerArn: string): number | undefined {
    return this.servers.get(listenerArn)?.port
  }

  async start(listenerArn: string): Promise<number> {
    const server = http.createServer((req, res) => this.route(listenerArn, req, res))
    server.on('clientError', (_e, socket) => socket.destroy())
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(0, '127.0.0.1', () => resolve())
    })
    const port = (server.address() as AddressInfo).port
    this.servers.set(listenerArn, { server, port })
    return port
  }

  async close(listenerArn: string): Promise<void> {
    const s = this.servers.get(listenerArn)
    if (!s) return
    this.servers.delete(listenerArn)
    await new Promise<void>(resolve => {
      s.server.close(() => resolve())
      s.server.closeAllConnections()
    })
  }

  async closeAll(): Promise<void> {
    for (const r of this.upstream) r.destroy()
    this.upstream.clear()
    this.cursor.clear()
    await Promise.all([...this.servers.keys()].map(arn => this.close(arn)))
  }

  private route(listenerArn: string, req: http.IncomingMessage, res: http.ServerResponse): void {
    const l = this.deps.store.listeners.get(listenerArn)
    if (!l) return this.fail(res, 503, 'Service Temporarily Unavailable')
    const url = new URL(req.url ?? '/', 'http://x')
    const facts: RequestFacts = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      host: (req.headers.host ?? '').replace(/:\d+$/, ''),
      headers: req.headers,
      sourceIp: req.socket.remoteAddress ?? ''
    }
    const rule = this.deps.store.rulesOf(listenerArn).find(r => ruleMatches(r.conditions, facts))
    const action = (rule?.actions ?? l.listener.DefaultActions ?? []).find(a => TERMINAL.has(a.Type ?? ''))
    if (!action) return this.fail(res, 503, 'Service Temporarily Unavailable')
    if (action.Type === 'fixed-response') return this.fixed(res, action)
    if (action.Type === 'redirect') return this.redirect(req, res, l, action, url)
    this.forward(req, res, l, action)
  }

  private fail(res: http.ServerResponse, status: number, text: string): void {
    res.writeHead(status, { server: 'awselb/2.0', 'content-type': 'text/html' })
    res.end(errorPage(status, text))
  }

  private fixed(res: http.ServerResponse, action: Action): void {
    const f: FixedResponseActionConfig = action.FixedResponseConfig ?? { StatusCode: '200' }
    res.writeHead(Number(f.StatusCode ?? 200), {
      server: 'awselb/2.0',
      'content-type': f.ContentType ?? 'text/plain'
    })
    res.end(f.MessageBody ?? '')
  }

  private redirect(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    l: ListenerRecord,
    action: Action,
    url: URL
  ): void {
    const r: RedirectActionConfig = action.RedirectConfig ?? { StatusCode: 'HTTP_302' }
    const vars: Record<string, string> = {
      protocol: (l.listener.Protocol ?? 'HTTP').toLowerCase(),
      host: (req.headers.host ?? '').replace(/:\d+$/, ''),
      port: String(l.listener.Port ?? 80),
      path: url.pathname.replace(/^\//, ''),
      query: url.search.replace(/^\?/, '')
    }
    const fill = (s: string | undefined, fallback: string) =>
      (s ?? fallback).replace(/#\{(protocol|host|port|path|query)\}/g, (_m, k: string) => vars[k])
    const query = fill(r.Query, '#{query}')
    const location =
      `${fill(r.Protocol, '#{protocol}').toLowerCase()}://${fill(r.Host, '#{host}')}:${fill(r.Port, '#{port}')}` +
      `${fill(r.Path, '/#{path}')}${query ? `?${query}` : ''}`
    res.writeHead(r.StatusCode === 'HTTP_301' ? 301 : 302, { server: 'awselb/2.0', location })
    res.end()
  }

  private pickGroup(action: Action): string | undefined {
    const groups = (action.ForwardConfig?.TargetGroups ?? []).filter(g => (g.Weight ?? 1) > 0)
    if (!groups.length) return action.TargetGroupArn
    const total = groups.reduce((n, g) => n + (g.Weight ?? 1), 0)
    let roll = Math.random() * total
    for (const g of groups) {
      roll -= g.Weight ?? 1
      if (roll < 0) return g.TargetGroupArn
    }
    return groups[groups.length - 1].TargetGroupArn
  }

  private pickTarget(tgArn: string): TargetRecord | undefined {
    const all = this.deps.health.targets(tgArn)
    const healthy = all.filter(t => t.health.state === 'healthy')
    // Fail open like an ALB: with no healthy target, every registered target that is not draining gets traffic.
    const pool = healthy.length ? healthy : all.filter(t => t.health.state !== 'draining')
    if (!pool.length) return undefined
    const n = this.cursor.get(tgArn) ?? 0
    this.cursor.set(tgArn, n + 1)
    return pool[n % pool.length]
  }

  private forward(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    l: ListenerRecord,
    action: Action
  ): void {
    const tgArn = this.pickGroup(action)
    const target = tgArn ? this.pickTarget(tgArn) : undefined
    if (!target) return this.fail(res, 503, 'Service Temporarily Unavailable')
    if (!target.address) return this.fail(res, 502, 'Bad Gateway')
    const headers: http.OutgoingHttpHeaders = { ...req.headers }
    for (const h of HOP_BY_HOP) delete headers[h]
    const client = (req.socket.remoteAddress ?? '').replace(/^::ffff:/, '')
    headers['x-forwarded-for'] = req.headers['x-forwarded-for']
      ? `${String(req.headers['x-forwarded-for'])}, ${client}`
      : client
    headers['x-forwarded-proto'] = (l.listener.Protocol ?? 'HTTP').toLowerCase()
    headers['x-forwarded-port'] = String(l.listener.Port ?? 80)
    headers['x-amzn-trace-id'] =
      `Root=1-${Math.floor(Date.now() / 1000).toString(16)}-${randomBytes(12).toString('hex')}`
    const idle = Number(this.deps.store.lbs.get(l.lbArn)?.attributes['idle_timeout.timeout_seconds'] ?? 60)
    const up = http.request({
      host: target.address.host,
      port: target.address.port,
      method: req.method,
      path: req.url,
      headers,
      agent: false
    })
    this.upstream.add(up)
    up.setTimeout(Math.max(1000, this.deps.clock.real(idle * 1000)), () => {
      if (!res.headersSent) this.fail(res, 504, 'Gateway Time-out')
      up.destroy()
    })
    up.on('response', answer => {
      const out = { ...answer.headers }
      for (const h of HOP_BY_HOP) delete out[h]
      res.writeHead(answer.statusCode ?? 502, out)
      answer.pipe(res)
    })
    up.on('error', () => {
      if (!res.headersSent) this.fail(res, 502, 'Bad Gateway')
      else res.destroy()
    })
    up.on('close', () => this.upstream.delete(up))
    res.on('close', () => {
      if (!res.writableFinished) up.destroy()
    })
    req.pipe(up)
  }
}
