import http from 'node:http'
import net from 'node:net'

/** One health check's outcome, with ELBv2's reason code and description when it failed. */
export type ProbeResult = { ok: true } | { ok: false; reason: string; description: string }

export interface ProbeOptions {
  protocol: string
  host: string
  port: number
  path: string
  matcher: string
  /** Real milliseconds. */
  timeoutMs: number
  /** Sockets in flight, so that stop() can destroy them. */
  inflight: Set<{ destroy(): void }>
}

const FAILED: ProbeResult = {
  ok: false,
  reason: 'Target.FailedHealthChecks',
  description: 'Health checks failed'
}
const TIMEOUT: ProbeResult = { ok: false, reason: 'Target.Timeout', description: 'Request timed out' }

/** "200", "200,202", "200-299" or a mix of them. */
export function matchesCode(matcher: string, code: number): boolean {
  return matcher.split(',').some(part => {
    const [lo, hi] = part.trim().split('-').map(Number)
    return hi === undefined ? code === lo : code >= lo && code <= hi
  })
}

export const isValidMatcher = (matcher: string): boolean =>
  matcher.split(',').every(p => {
    const m = /^(\d{3})(?:-(\d{3}))?$/.exec(p.trim())
    return !!m && Number(m[1]) >= 200 && Number(m[2] ?? m[1]) <= 499 && Number(m[1]) <= Number(m[2] ?? m[1])
  })

/**
 * A real health check: HTTP GET (HTTPS checks are sent as plain HTTP, there is no TLS material here) or,
 * for TCP target groups, a connect. One connection per check, never pooled.
 */
export function probe(o: ProbeOptions): Promise<ProbeResult> {
  return o.protocol === 'HTTP' || o.protocol === 'HTTPS' ? httpProbe(o) : tcpProbe(o)
}

/**
 * The one way a check ends: the first of answer, error or timeout wins; the request or socket is released
 * and forgotten by stop() at once, so no check outlives its verdict.
 */
function settleOnce(
  o: ProbeOptions,
  handle: { destroy(): void },
  resolve: (r: ProbeResult) => void
): (r: ProbeResult) => void {
  let done = false
  const finish = (r: ProbeResult) => {
    if (done) return
    done = true
    clearTimeout(timer)
    o.inflight.delete(handle)
    handle.destroy()
    resolve(r)
  }
  const timer = setTimeout(() => finish(TIMEOUT), o.timeoutMs)
  o.inflight.add(handle)
  return finish
}

function httpProbe(o: ProbeOptions): Promise<ProbeResult> {
  return new Promise(resolve => {
    const req = http.request({
      host: o.host,
      port: o.port,
      path: o.path,
      method: 'GET',
      agent: false,
      headers: { host: `${o.host}:${o.port}`, 'user-agent': 'ELB-HealthChecker/2.0', connection: 'close' }
    })
    const finish = settleOnce(o, req, resolve)
    req.on('response', res => {
      const code = res.statusCode ?? 0
      const result: ProbeResult = matchesCode(o.matcher, code)
        ? { ok: true }
        : {
            ok: false,
            reason: 'Target.ResponseCodeMismatch',
            description: `Health checks failed with these codes: [${code}]`
          }
      res.on('error', () => finish(FAILED))
      res.on('end', () => finish(result))
      res.resume()
    })
    req.on('error', () => finish(FAILED))
    req.end()
  })
}

function tcpProbe(o: ProbeOptions): Promise<ProbeResult> {
  return new Promise(resolve => {
    const socket = net.connect({ host: o.host, port: o.port })
    const finish = settleOnce(o, socket, resolve)
    socket.once('connect', () => finish({ ok: true }))
    socket.once('error', () => finish(FAILED))
  })
}
