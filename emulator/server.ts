import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { randomUUID } from 'node:crypto'
import { Clock } from './core/clock.js'
import { CallLog } from './core/calls.js'
import { Faults, type FaultConfig } from './core/faults.js'
import { AwsError } from './core/errors.js'
import {
  enforce,
  impliedAuthorizations,
  requestAuthorization,
  serviceLinkedRoleOf,
  type PolicyDocument
} from './core/iam.js'
import type { ElbFacade, RequestContext, ServiceModule } from './core/types.js'
import { seededVpcs } from './core/network.js'
import { createElbv2Module } from './elbv2/module.js'
import { createEcsModule } from './ecs/module.js'
import type { PropagationWindows } from './ecs/propagation.js'

export interface EmulatorOptions {
  /** 0 picks a free port. */
  port?: number
  host?: string
  /** Real seconds per emulated second (EMULATOR_TIME_SCALE). */
  timeScale?: number
  /** ECS's eventual-consistency windows (emulator/ecs/propagation.ts); closed when left out. */
  propagation?: Partial<PropagationWindows>
  region?: string
  accountId?: string
}

export interface Emulator {
  url: string
  port: number
  clock: Clock
  calls: CallLog
  faults: Faults
  modules: ServiceModule[]
  /** Target registration and health, for benches that time health transitions in-process. */
  elb: ElbFacade
  setPolicy(policy: PolicyDocument | undefined): void
  /**
   * The service names of the account's service-linked roles (elasticloadbalancing.amazonaws.com once a load
   * balancer or target group was created). The account starts without any, like a new one; reset() empties it.
   */
  serviceLinkedRoles: Set<string>
  reset(): Promise<void>
  stop(): Promise<void>
}

const readBody = (req: http.IncomingMessage): Promise<string> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    req.on('data', c => chunks.push(c as Buffer))
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    req.on('error', reject)
  })

const accessKeyOf = (auth: string | undefined): string | undefined =>
  /Credential=([^/]+)\//.exec(auth ?? '')?.[1]

export async function startEmulator(opts: EmulatorOptions = {}): Promise<Emulator> {
  const region = opts.region ?? process.env.AWS_REGION ?? 'ap-northeast-1'
  const accountId = opts.accountId ?? '123456789012'
  const clock = new Clock(opts.timeScale ?? Number(process.env.EMULATOR_TIME_SCALE ?? 1))
  const calls = new CallLog()
  const faults = new Faults()
  let policy: PolicyDocument | undefined
  const serviceLinkedRoles = new Set<string>()
  const vpcs = seededVpcs(region)
  const sockets = new Set<import('node:net').Socket>()
  let baseUrl = ''

  const elbv2 = createElbv2Module({ clock, region, accountId, vpcs })
  const ecs = createEcsModule({
    clock,
    region,
    accountId,
    vpcs,
    elb: elbv2.facade,
    propagation: opts.propagation
  })
  const modules: ServiceModule[] = [elbv2.module, ecs.module]

  const json = (res: http.ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' })
    res.end(JSON.stringify(body, null, 2))
  }

  const control = async (req: http.IncomingMessage, res: http.ServerResponse, url: URL, body: string) => {
    const route = url.pathname.replace(/^\/_emulator\/?/, '')
    const method = req.method ?? 'GET'
    let parsed: unknown = undefined
    if (body) {
      try {
        parsed = JSON.parse(body)
      } catch {
        return json(res, 400, { error: 'body is not JSON' })
      }
    }
    if (route === 'calls' && method === 'GET') {
      return json(res, 200, calls.list(Number(url.searchParams.get('since') ?? 0)))
    }
    if (route === 'calls' && method === 'DELETE') {
      calls.clear()
      return json(res, 200, { ok: true })
    }
    if (route === 'reset' && method === 'POST') {
      await api.reset()
      return json(res, 200, { ok: true })
    }
    if (route === 'state' && method === 'GET') {
      return json(res, 200, {
        region,
        accountId,
        now: clock.nowDate().toISOString(),
        serviceLinkedRoles: [...serviceLinkedRoles],
        ...Object.fromEntries(modules.map(m => [m.service, m.dump()]))
      })
    }
    if (route === 'faults' && method === 'POST') {
      faults.set((parsed ?? {}) as FaultConfig)
      const seed = (parsed as { seed?: number } | undefined)?.seed
      if (seed !== undefined) faults.seed(seed)
      return json(res, 200, { throttle: faults.throttle, fail: faults.fail, latency: faults.latency })
    }
    if (route === 'faults' && method === 'DELETE') {
      faults.clear()
      return json(res, 200, { ok: true })
    }
    if (route === 'iam' && method === 'POST') {
      policy = parsed as PolicyDocument
      return json(res, 200, { ok: true })
    }
    if (route === 'iam' && method === 'DELETE') {
      policy = undefined
      return json(res, 200, { ok: true })
    }
    for (const m of modules) {
      try {
        const out = await m.control?.(method, route, parsed)
        if (out !== undefined) return json(res, 200, out)
      } catch (e) {
        return json(res, 400, { error: (e as Error).message })
      }
    }
    return json(res, 404, { error: `no control route ${method} /_emulator/${route}` })
  }

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://localhost')
    const body = await readBody(req)
    if (url.pathname.startsWith('/_emulator')) return control(req, res, url, body)
    const mod = modules.find(m => m.claims(req.headers, body))
    if (!mod) return json(res, 400, { message: 'not an ECS or ELBv2 request' })
    const requestId = randomUUID()
    const started = Date.now()
    let operation = 'Unknown'
    let params: Record<string, unknown> = {}
    const ctx: RequestContext = {
      region,
      accountId,
      clock,
      baseUrl,
      accessKeyId: accessKeyOf(req.headers.authorization)
    }
    let status = 200
    let errorCode: string | undefined
    let authorized: string[] | undefined
    let out
    try {
      ;({ operation, params } = mod.decode(req.headers, body))
      const delay = faults.latencyFor(mod.service, operation)
      if (delay > 0) await new Promise(r => setTimeout(r, delay))
      faults.checkThrottle(mod.service, operation, clock.now())
      const resourceTags = (arn: string) => modules.find(m => m.resourceTags?.(arn))?.resourceTags?.(arn)
      const own = requestAuthorization({ service: mod.service, operation, params, region, accountId })
      const needed = [
        { action: `${mod.iamPrefix}:${operation}`, ...own },
        ...impliedAuthorizations({ service: mod.service, operation, params, accountId, serviceLinkedRoles })
      ]
      authorized = needed.map(a => a.action)
      for (const a of needed) enforce({ policy, service: mod.service, resourceTags, ...a })
      const failure = faults.takeFailure(mod.service, operation)
      if (failure?.hang && !failure.after) return // never answer: the client's timeout or a kill ends it
      if (failure && !failure.after) {
        throw new AwsError(failure.code, failure.message ?? 'injected failure', failure.status ?? 400)
      }
      const result = await mod.handle(operation, params, ctx)
      const linkedRole = serviceLinkedRoleOf(mod.service, operation)
      if (linkedRole) serviceLinkedRoles.add(linkedRole)
      if (failure?.after && failure.hang) {
        // The call took effect and its answer is lost: a runner that died right after AWS acted.
        calls.add({
          time: clock.nowDate().toISOString(),
          service: mod.service,
          operation,
          mutating: mod.isMutating(operation),
          status: 200,
          params,
          authorized,
          durationMs: Date.now() - started
        })
        return
      }
      if (failure?.after) {
        throw new AwsError(
          failure.code,
          failure.message ?? 'injected failure after the call took effect',
          failure.status ?? 500
        )
      }
      out = mod.encodeResult(operation, result, requestId)
    } catch (e) {
      const err =
        e instanceof AwsError
          ? e
          : new AwsError(
              mod.service === 'ecs' ? 'ServerException' : 'InternalFailure',
              String((e as Error)?.stack ?? e),
              500
            )
      status = err.status
      errorCode = err.code
      out = mod.encodeError(err.code, err.message, err.status, err.fault, requestId)
    }
    calls.add({
      time: clock.nowDate().toISOString(),
      service: mod.service,
      operation,
      mutating: mod.isMutating(operation),
      status,
      errorCode,
      params,
      authorized,
      durationMs: Date.now() - started
    })
    res.writeHead(out.status, { 'x-amzn-requestid': requestId, ...out.headers })
    res.end(out.body)
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch(e => {
      if (!res.headersSent) json(res, 500, { message: String(e) })
      else res.end()
    })
  })
  server.on('connection', s => {
    sockets.add(s)
    s.on('close', () => sockets.delete(s))
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve())
  })
  const port = (server.address() as AddressInfo).port
  baseUrl = `http://127.0.0.1:${port}`

  const api: Emulator = {
    url: baseUrl,
    port,
    clock,
    calls,
    faults,
    modules,
    elb: elbv2.facade,
    setPolicy: p => {
      policy = p
    },
    serviceLinkedRoles,
    reset: async () => {
      faults.clear()
      policy = undefined
      serviceLinkedRoles.clear()
      calls.clear()
      for (const m of modules) await m.reset()
    },
    stop: async () => {
      for (const m of modules) await m.stop()
      clock.clearAll()
      await new Promise<void>(resolve => {
        server.close(() => resolve())
        for (const s of sockets) s.destroy()
      })
    }
  }
  return api
}
