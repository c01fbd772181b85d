import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, afterEach, beforeAll, describe, expect, test } from '@jest/globals'
import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateRuleCommand,
  CreateTargetGroupCommand,
  DeregisterTargetsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  ModifyTargetGroupAttributesCommand,
  ModifyTargetGroupCommand,
  RegisterTargetsCommand,
  type Action,
  type CreateTargetGroupCommandInput,
  type RuleCondition
} from '@aws-sdk/client-elastic-load-balancing-v2'
import { Clock } from '../../emulator/core/clock.js'
import { AwsError } from '../../emulator/core/errors.js'
import { seededVpcs } from '../../emulator/core/network.js'
import type { ElbFacade, ServiceModule, TargetHealthView, TargetRef } from '../../emulator/core/types.js'
import { createElbv2Module } from '../../emulator/elbv2/module.js'

/**
 * The ELBv2 module on its own, behind a minimal query-protocol server, so that targets can be registered
 * through the facade (as the ECS module does) while the real SDK reads their health.
 */
const REGION = 'ap-northeast-1'
const clock = new Clock(0.02)
let elbv2: { module: ServiceModule; facade: ElbFacade }
let api: http.Server
let elb: ElasticLoadBalancingV2Client
const apps: http.Server[] = []

const listen = async (server: http.Server): Promise<number> => {
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', () => resolve()))
  return (server.address() as AddressInfo).port
}

const close = (server: http.Server) =>
  new Promise<void>(resolve => {
    server.close(() => resolve())
    server.closeAllConnections()
  })

beforeAll(async () => {
  elbv2 = createElbv2Module({ clock, region: REGION, accountId: '123456789012', vpcs: seededVpcs(REGION) })
  const { module } = elbv2
  api = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', c => chunks.push(c as Buffer))
    req.on('end', async () => {
      const body = Buffer.concat(chunks).toString('utf8')
      const id = 'req-1'
      let out
      try {
        const { operation, params } = module.decode(req.headers, body)
        const ctx = { region: REGION, accountId: '123456789012', clock, baseUrl: '' }
        out = module.encodeResult(operation, await module.handle(operation, params, ctx), id)
      } catch (e) {
        const err = e instanceof AwsError ? e : new AwsError('InternalFailure', String(e), 500)
        out = module.encodeError(err.code, err.message, err.status, err.fault, id)
      }
      res.writeHead(out.status, out.headers)
      res.end(out.body)
    })
  })
  const port = await listen(api)
  elb = new ElasticLoadBalancingV2Client({
    endpoint: `http://127.0.0.1:${port}`,
    region: REGION,
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'x' },
    maxAttempts: 1
  })
})

afterEach(async () => {
  await elbv2.module.reset()
  await Promise.all(apps.splice(0).map(close))
})

afterAll(async () => {
  elb.destroy()
  await elbv2.module.stop()
  await close(api)
})

/** A stand-in for the seed's app: /hostname answers its name, /slow never answers, the rest 404. */
async function startApp(name: string): Promise<{ port: number; hits: string[] }> {
  const hits: string[] = []
  const server = http.createServer((req, res) => {
    if (req.url === '/slow') return // hold the request: a health check times out
    if (req.headers['user-agent'] !== 'ELB-HealthChecker/2.0') hits.push(`${req.method} ${req.url}`)
    const [path] = (req.url ?? '/').split('?')
    if (path === '/hostname' || path.startsWith('/api/') || path === '/') {
      res.writeHead(200, { 'content-type': 'text/plain', 'x-app': name })
      res.end(`${name} ${req.url} host=${req.headers.host} xff=${String(req.headers['x-forwarded-for'])}`)
      return
    }
    res.writeHead(404)
    res.end('not found')
  })
  apps.push(server)
  return { port: await listen(server), hits }
}

/** A GET with any Host header (fetch cannot set one), without following redirects. */
const request = (url: string, headers: Record<string, string> = {}) =>
  new Promise<{ status: number; body: string; location?: string }>((resolve, reject) => {
    const req = http.get(url, { headers, agent: false }, res => {
      const chunks: Buffer[] = []
      res.on('data', c => chunks.push(c as Buffer))
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          body: Buffer.concat(chunks).toString('utf8'),
          location: res.headers.location
        })
      )
    })
    req.on('error', reject)
  })

async function until<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 8000
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const v = await probe()
    if (v !== undefined && v !== false) return v
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise(r => setTimeout(r, 20))
  }
}

const FAST_CHECKS = {
  HealthCheckPath: '/hostname',
  HealthCheckIntervalSeconds: 5,
  HealthCheckTimeoutSeconds: 2,
  HealthyThresholdCount: 2,
  UnhealthyThresholdCount: 2
}

async function albWithGroup(tgInput: Partial<CreateTargetGroupCommandInput> = {}, attach = true) {
  const lb = (
    await elb.send(
      new CreateLoadBalancerCommand({
        Name: 'alb-demo',
        Subnets: ['subnet-12345678', 'subnet-abcdefgh'],
        SecurityGroups: ['sg-12345678']
      })
    )
  ).LoadBalancers![0]
  const tg = (
    await elb.send(
      new CreateTargetGroupCommand({
        Name: 'default',
        Protocol: 'HTTP',
        Port: 80,
        VpcId: 'vpc-xxxxxxxx',
        ...FAST_CHECKS,
        ...tgInput
      })
    )
  ).TargetGroups![0]
  const tgArn = tg.TargetGroupArn!
  const attachListener = async () =>
    (
      await elb.send(
        new CreateListenerCommand({
          LoadBalancerArn: lb.LoadBalancerArn,
          Protocol: 'HTTP',
          Port: 80,
          DefaultActions: [{ Type: 'forward', TargetGroupArn: tgArn }]
        })
      )
    ).Listeners![0]
  const listener = attach ? await attachListener() : undefined
  return { lb, tgArn, listener, attachListener }
}

const healthOf = async (tgArn: string, target: TargetRef) => {
  const out = await elb.send(
    new DescribeTargetHealthCommand({
      TargetGroupArn: tgArn,
      Targets: [{ Id: target.id, Port: target.port }]
    })
  )
  return out.TargetHealthDescriptions![0].TargetHealth!
}

const localUrl = async (listenerArn: string): Promise<string> => {
  const rows = (await elbv2.module.control!('GET', 'listeners', undefined)) as {
    listenerArn: string
    localUrl: string
  }[]
  return rows.find(r => r.listenerArn === listenerArn)!.localUrl
}

describe('health checks over HTTP on emulated time', () => {
  test('unused → initial → healthy; wrong path → unhealthy 404; recovery; deregister → draining → gone', async () => {
    const app = await startApp('aaaaaaaaaaaa')
    const { tgArn, attachListener } = await albWithGroup({}, false)
    await elb.send(
      new ModifyTargetGroupAttributesCommand({
        TargetGroupArn: tgArn,
        Attributes: [{ Key: 'deregistration_delay.timeout_seconds', Value: '20' }]
      })
    )
    const events: { previous: TargetHealthView; current: TargetHealthView }[] = []
    const unsubscribe = elbv2.facade.onHealthChange(e =>
      events.push({ previous: e.previous, current: e.current })
    )
    const target = { id: 'i-0aaaaaaaaaaaaaaaa', port: 32768 }
    elbv2.facade.registerTarget(tgArn, target, { host: '127.0.0.1', port: app.port })

    expect(await healthOf(tgArn, target)).toEqual({
      State: 'unused',
      Reason: 'Target.NotInUse',
      Description: 'Target group is not configured to receive traffic from the load balancer'
    })
    await attachListener()
    expect(await healthOf(tgArn, target)).toMatchObject({
      State: 'initial',
      Reason: 'Elb.RegistrationInProgress'
    })
    await until('healthy', async () => (await healthOf(tgArn, target)).State === 'healthy')
    expect(elbv2.facade.targetHealth(tgArn, target)).toEqual({ state: 'healthy' })
    const described = await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: tgArn }))
    expect(described.TargetHealthDescriptions).toEqual([
      expect.objectContaining({
        Target: { Id: target.id, Port: 32768 },
        HealthCheckPort: '32768',
        TargetHealth: { State: 'healthy' }
      })
    ])
    expect(events.map(e => e.current.reason ?? e.current.state)).toEqual([
      'Target.NotInUse',
      'Elb.RegistrationInProgress',
      'Elb.InitialHealthChecking',
      'healthy'
    ])
    expect(app.hits).toEqual([]) // health checks are not traffic

    await elb.send(new ModifyTargetGroupCommand({ TargetGroupArn: tgArn, HealthCheckPath: '/missing' }))
    const unhealthy = await until('unhealthy', async () => {
      const h = await healthOf(tgArn, target)
      return h.State === 'unhealthy' ? h : undefined
    })
    expect(unhealthy).toEqual({
      State: 'unhealthy',
      Reason: 'Target.ResponseCodeMismatch',
      Description: 'Health checks failed with these codes: [404]'
    })
    await elb.send(new ModifyTargetGroupCommand({ TargetGroupArn: tgArn, HealthCheckPath: '/slow' }))
    await until('timeout', async () => (await healthOf(tgArn, target)).Reason === 'Target.Timeout')
    expect(await healthOf(tgArn, target)).toEqual({
      State: 'unhealthy',
      Reason: 'Target.Timeout',
      Description: 'Request timed out'
    })

    await elb.send(
      new ModifyTargetGroupCommand({
        TargetGroupArn: tgArn,
        HealthCheckPath: '/hostname',
        Matcher: { HttpCode: '200-299' }
      })
    )
    await until('recovered', async () => (await healthOf(tgArn, target)).State === 'healthy')

    elbv2.facade.deregisterTarget(tgArn, target)
    expect(await healthOf(tgArn, target)).toEqual({
      State: 'draining',
      Reason: 'Target.DeregistrationInProgress',
      Description: 'Target deregistration is in progress'
    })
    const drainStarted = Date.now()
    await until('gone', async () => {
      const out = await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: tgArn }))
      return out.TargetHealthDescriptions!.length === 0
    })
    // 20 emulated seconds of deregistration delay at 0.02 real seconds each
    expect(Date.now() - drainStarted).toBeGreaterThanOrEqual(350)
    expect(await healthOf(tgArn, target)).toMatchObject({ State: 'unused', Reason: 'Target.NotRegistered' })
    expect(events.at(-1)?.current.reason).toBe('Target.NotRegistered')
    unsubscribe()
  })

  test('a refused connection and a numeric health check port fail with Target.FailedHealthChecks', async () => {
    const app = await startApp('bbbbbbbbbbbb')
    const { tgArn } = await albWithGroup({ HealthCheckPort: '9' })
    const target = { id: 'i-0bbbbbbbbbbbbbbbb', port: 8080 }
    // The check goes to address.port + (9 - 8080): nothing listens there.
    elbv2.facade.registerTarget(tgArn, target, { host: '127.0.0.1', port: app.port })
    await until('unhealthy', async () => (await healthOf(tgArn, target)).State === 'unhealthy')
    expect(await healthOf(tgArn, target)).toEqual({
      State: 'unhealthy',
      Reason: 'Target.FailedHealthChecks',
      Description: 'Health checks failed'
    })
    const out = await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: tgArn }))
    expect(out.TargetHealthDescriptions?.[0].HealthCheckPort).toBe('9')
  })

  test('ip targets on loopback registered through the API are checked for real', async () => {
    const app = await startApp('cccccccccccc')
    const { tgArn } = await albWithGroup({ TargetType: 'ip', Name: 'ip-targets' })
    await elb.send(
      new RegisterTargetsCommand({ TargetGroupArn: tgArn, Targets: [{ Id: '127.0.0.1', Port: app.port }] })
    )
    const target = { id: '127.0.0.1', port: app.port }
    await until('healthy', async () => (await healthOf(tgArn, target)).State === 'healthy')
    await elb.send(
      new DeregisterTargetsCommand({ TargetGroupArn: tgArn, Targets: [{ Id: '127.0.0.1', Port: app.port }] })
    )
    expect((await healthOf(tgArn, target)).State).toBe('draining')
  })
})

describe('listeners route like an ALB', () => {
  test('path and host rules, the default action, round robin, redirect and 503', async () => {
    const a = await startApp('aaaaaaaaaaaa')
    const b = await startApp('bbbbbbbbbbbb')
    const api = await startApp('apiapiapiapi')
    const { lb, tgArn, listener } = await albWithGroup()
    const apiTg = (
      await elb.send(
        new CreateTargetGroupCommand({
          Name: 'api',
          Protocol: 'HTTP',
          Port: 80,
          VpcId: 'vpc-xxxxxxxx',
          ...FAST_CHECKS
        })
      )
    ).TargetGroups![0].TargetGroupArn!
    const emptyTg = (
      await elb.send(
        new CreateTargetGroupCommand({ Name: 'empty', Protocol: 'HTTP', Port: 80, VpcId: 'vpc-xxxxxxxx' })
      )
    ).TargetGroups![0].TargetGroupArn!
    const rule = (Priority: number, Conditions: RuleCondition[], Actions: Action[]) =>
      elb.send(new CreateRuleCommand({ ListenerArn: listener!.ListenerArn, Priority, Conditions, Actions }))
    await rule(
      10,
      [{ Field: 'path-pattern', Values: ['/api/*'] }],
      [{ Type: 'forward', TargetGroupArn: apiTg }]
    )
    await rule(
      5,
      [{ Field: 'host-header', HostHeaderConfig: { Values: ['admin.example.*'] } }],
      [
        {
          Type: 'fixed-response',
          FixedResponseConfig: { StatusCode: '403', ContentType: 'text/plain', MessageBody: 'admins only' }
        }
      ]
    )
    await rule(
      20,
      [
        { Field: 'path-pattern', PathPatternConfig: { Values: ['/old/?'] } },
        { Field: 'http-request-method', HttpRequestMethodConfig: { Values: ['GET'] } }
      ],
      [{ Type: 'redirect', RedirectConfig: { Path: '/new/#{path}', StatusCode: 'HTTP_301' } }]
    )
    await rule(
      30,
      [{ Field: 'http-header', HttpHeaderConfig: { HttpHeaderName: 'X-Empty', Values: ['y*'] } }],
      [{ Type: 'forward', TargetGroupArn: emptyTg }]
    )
    for (const [id, app] of [
      ['i-0aaaaaaaaaaaaaaaa', a],
      ['i-0bbbbbbbbbbbbbbbb', b]
    ] as const) {
      elbv2.facade.registerTarget(tgArn, { id, port: 32768 }, { host: '127.0.0.1', port: app.port })
    }
    elbv2.facade.registerTarget(
      apiTg,
      { id: 'i-0cccccccccccccccc', port: 32768 },
      { host: '127.0.0.1', port: api.port }
    )
    await until(
      'all healthy',
      () =>
        [tgArn, apiTg].every(arn =>
          ['i-0aaaaaaaaaaaaaaaa', 'i-0bbbbbbbbbbbbbbbb', 'i-0cccccccccccccccc'].some(
            id => elbv2.facade.targetHealth(arn, { id, port: 32768 })?.state === 'healthy'
          )
        ) &&
        elbv2.facade.targetHealth(tgArn, { id: 'i-0bbbbbbbbbbbbbbbb', port: 32768 })?.state === 'healthy' &&
        elbv2.facade.targetHealth(tgArn, { id: 'i-0aaaaaaaaaaaaaaaa', port: 32768 })?.state === 'healthy'
    )
    const base = await localUrl(listener!.ListenerArn!)
    const get = (path: string, headers: Record<string, string> = {}) => request(`${base}${path}`, headers)

    const names = new Set<string>()
    for (let i = 0; i < 4; i++) {
      const r = await get('/hostname')
      expect(r.status).toBe(200)
      names.add(r.body.split(' ')[0])
    }
    expect([...names].sort()).toEqual(['aaaaaaaaaaaa', 'bbbbbbbbbbbb'])
    const viaApi = await get('/api/users?id=1')
    expect(viaApi.body).toMatch(/^apiapiapiapi \/api\/users\?id=1 host=127\.0\.0\.1:\d+ xff=127\.0\.0\.1$/)
    expect(api.hits).toEqual(['GET /api/users?id=1'])
    expect(await get('/hostname', { host: 'admin.example.com' })).toMatchObject({
      status: 403,
      body: 'admins only'
    })
    expect(await get('/old/x?q=1', { host: 'shop.example.com' })).toMatchObject({
      status: 301,
      location: 'http://shop.example.com:80/new/old/x?q=1'
    })
    expect((await get('/old/xy')).status).toBe(404) // `?` is exactly one character: falls to the default action
    expect((await get('/hostname', { 'x-empty': 'yes' })).status).toBe(503)
    expect(lb.LoadBalancerArn).toBeDefined()
  })

  test('with no healthy target the listener fails open over the registered ones', async () => {
    const app = await startApp('dddddddddddd')
    const { tgArn, listener } = await albWithGroup({ HealthCheckPath: '/missing' })
    const target = { id: 'i-0dddddddddddddddd', port: 32768 }
    elbv2.facade.registerTarget(tgArn, target, { host: '127.0.0.1', port: app.port })
    await until('unhealthy', () => elbv2.facade.targetHealth(tgArn, target)?.state === 'unhealthy')
    const res = await request(`${await localUrl(listener!.ListenerArn!)}/hostname`)
    expect(res.body).toMatch(/^dddddddddddd /)
  })
})

describe('scale', () => {
  test('500 targets across two target groups become healthy without hogging the CPU', async () => {
    const servers = await Promise.all([0, 1, 2, 3].map(i => startApp(`app${i}`)))
    const { lb, tgArn } = await albWithGroup({ HealthCheckIntervalSeconds: 30, HealthCheckTimeoutSeconds: 5 })
    const second = (
      await elb.send(
        new CreateTargetGroupCommand({
          Name: 'second',
          Protocol: 'HTTP',
          Port: 80,
          VpcId: 'vpc-xxxxxxxx',
          ...FAST_CHECKS,
          HealthCheckIntervalSeconds: 30,
          HealthCheckTimeoutSeconds: 5
        })
      )
    ).TargetGroups![0].TargetGroupArn!
    await elb.send(
      new CreateListenerCommand({
        LoadBalancerArn: lb.LoadBalancerArn,
        Protocol: 'HTTP',
        Port: 8080,
        DefaultActions: [{ Type: 'forward', TargetGroupArn: second }]
      })
    )
    const targets = Array.from({ length: 500 }, (_, i) => ({
      tg: i % 2 ? second : tgArn,
      ref: { id: `i-${i.toString(16).padStart(17, '0')}`, port: 32768 + i },
      address: { host: '127.0.0.1', port: servers[i % servers.length].port }
    }))
    const cpuBefore = process.cpuUsage()
    const started = Date.now()
    for (const t of targets) elbv2.facade.registerTarget(t.tg, t.ref, t.address)
    await until(
      '500 healthy',
      () => targets.every(t => elbv2.facade.targetHealth(t.tg, t.ref)?.state === 'healthy'),
      30_000
    )
    // Keep checking for a few more intervals, then measure the share of one core spent.
    await new Promise(r => setTimeout(r, 2000))
    const cpu = process.cpuUsage(cpuBefore)
    const share = (cpu.user + cpu.system) / 1000 / (Date.now() - started)
    const health = await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: second }))
    expect(health.TargetHealthDescriptions).toHaveLength(250)
    // 500 checks every 0.6 real seconds (30 s at 0.02) is ~830 requests/s: allow most of one core, not more.
    expect(share).toBeLessThan(0.9)
  }, 60_000)
})
