/**
 * Issue 6, end to end: PR previews through the bundled action (dist/index.js) against the emulator. The
 * base stack (load balancer, listener, base service) is deployed first by a normal run; each preview gets
 * its own service, target group and host rule on that listener, answers through the emulated listener for
 * its own Host header from its own tasks, and is torn down alone.
 */
import { request as httpRequest } from 'node:http'
import {
  DescribeServicesCommand,
  DescribeTasksCommand,
  ECSClient,
  ListTasksCommand
} from '@aws-sdk/client-ecs'
import {
  CreateLoadBalancerCommand,
  DescribeRulesCommand,
  DescribeTargetGroupsCommand,
  ElasticLoadBalancingV2Client,
  type Rule
} from '@aws-sdk/client-elastic-load-balancing-v2'
import { startEmulator, type Emulator } from '../../emulator/server.js'
import { hexHash } from '../../src/model/names.js'
import { EmulatorControl } from '../../test-support/emulator-client.js'
import { seedInputs } from '../../test-support/fixtures.js'
import { runAction, type ActionRun } from '../../test-support/run-action.js'

let emulator: Emulator
let control: EmulatorControl
let ecs: ECSClient
let elbv2: ElasticLoadBalancingV2Client

beforeAll(async () => {
  emulator = await startEmulator({ timeScale: 0.01 })
  control = new EmulatorControl(emulator.url)
  const common = {
    endpoint: emulator.url,
    region: 'ap-northeast-1',
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'x' }
  }
  ecs = new ECSClient(common)
  elbv2 = new ElasticLoadBalancingV2Client(common)
})
afterAll(async () => {
  ecs.destroy()
  elbv2.destroy()
  await emulator.stop()
})
beforeEach(async () => {
  await control.reset()
})

const BASE_SERVICE = 'ecs-simple-service-elb'
const HOST_TEMPLATE = '{id}.preview.example.com'

const base = (overrides: Record<string, string> = {}) => seedInputs({ 'desired-count': '1', ...overrides })
/** The preview workflow's inputs: the base inputs plus preview routing (and delete for a teardown). */
const preview = (id: string, overrides: Record<string, string> = {}) =>
  base({ 'preview-routing': 'host', 'preview-host-template': HOST_TEMPLATE, 'preview-id': id, ...overrides })

const run = (inputs: Record<string, string>, env?: Record<string, string>) =>
  runAction({ inputs, endpoint: emulator.url, env })

const expectSuccess = (r: ActionRun): void => {
  if (r.code !== 0) throw new Error(`action failed (${r.code}):\n${r.stdout}\n${r.stderr}`)
}

const lastSeq = async (): Promise<number> => (await control.calls()).at(-1)?.seq ?? 0
const mutatingOps = async (since = 0): Promise<string[]> =>
  (await control.mutatingCalls(since)).map(c => c.operation)

/** GET through the emulated listener with a Host header, as a browser on the preview's host name would. */
function get(localUrl: string, host: string, path = '/hostname'): Promise<{ status: number; body: string }> {
  const url = new URL(path, localUrl)
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { hostname: url.hostname, port: url.port, path: url.pathname, headers: { host } },
      res => {
        let body = ''
        res.on('data', (c: Buffer) => (body += c.toString()))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
      }
    )
    req.on('error', reject)
    req.end()
  })
}

async function answers(localUrl: string, host: string, n = 4): Promise<string[]> {
  const out: string[] = []
  for (let i = 0; i < n; i++) {
    const res = await get(localUrl, host)
    expect(res.status).toBe(200)
    out.push(res.body)
  }
  return out
}

/** The /hostname answers the running tasks of a service give (the container id's first 12 digits). */
async function serviceHostnames(serviceName: string): Promise<Set<string>> {
  const list = await ecs.send(new ListTasksCommand({ cluster: 'ecs-demo', serviceName }))
  if (!list.taskArns?.length) return new Set()
  const out = await ecs.send(new DescribeTasksCommand({ cluster: 'ecs-demo', tasks: list.taskArns }))
  return new Set(
    (out.tasks ?? [])
      .filter(t => t.lastStatus === 'RUNNING')
      .flatMap(t => t.containers ?? [])
      .map(c => (c.runtimeId ?? '').slice(0, 12))
  )
}

async function previewRules(listenerArn: string): Promise<Rule[]> {
  const out = await elbv2.send(new DescribeRulesCommand({ ListenerArn: listenerArn }))
  return (out.Rules ?? []).filter(r => !r.IsDefault)
}

const hostOf = (id: string): string => HOST_TEMPLATE.replace('{id}', id)

async function deployBase(): Promise<{ localUrl: string; listenerArn: string }> {
  const r = await run(base())
  expectSuccess(r)
  return {
    localUrl: await control.localUrlFor(r.outputs['dns-name']),
    listenerArn: r.outputs['listener-arn']
  }
}

describe('previews on the shared listener', () => {
  test('three previews at once: each answers on its own host from its own tasks; one torn down, twice', async () => {
    const { localUrl, listenerArn } = await deployBase()
    const before = await lastSeq()
    const ids = ['pr-1', 'pr-2', 'pr-3']
    const runs = await Promise.all(ids.map(id => run(preview(id))))
    runs.forEach(expectSuccess)

    // The base stack's load balancer and listener are shared, never touched by a preview.
    const ops = await mutatingOps(before)
    expect(ops.filter(o => /LoadBalancer|Listener|SetSubnets|SetSecurityGroups/.test(o))).toEqual([])
    expect(ops.filter(o => o === 'CreateRule')).toHaveLength(3)
    const rules = await previewRules(listenerArn)
    expect(new Set(rules.map(r => r.Priority)).size).toBe(3)
    for (const [i, id] of ids.entries()) {
      expect(runs[i].outputs.url).toBe(`http://${hostOf(id)}/`)
      expect(runs[i].outputs['listener-arn']).toBe(listenerArn)
      expect(runs[i].outputs['service-arn']).toMatch(new RegExp(`service/ecs-demo/${BASE_SERVICE}-${id}$`))
      // No token and a preview: the notice says how to get the deployment and PR comment.
      expect(runs[i].stdout).toMatch(/::notice::github-token is empty/)
    }

    const own = new Map<string, Set<string>>()
    for (const id of ids) own.set(id, await serviceHostnames(`${BASE_SERVICE}-${id}`))
    const baseTasks = await serviceHostnames(BASE_SERVICE)
    for (const id of ids) {
      const mine = own.get(id)!
      expect(mine.size).toBe(1)
      for (const answer of await answers(localUrl, hostOf(id))) expect(mine.has(answer)).toBe(true)
    }
    // Any other host gets the base service, through the listener's default action.
    for (const answer of await answers(localUrl, 'www.example.com')) expect(baseTasks.has(answer)).toBe(true)

    // Tear down pr-2: its rule, service and target group go; pr-1 and pr-3 keep serving.
    const tgName = (id: string) => `default-${id}`
    const down = await run(preview('pr-2', { delete: 'true' }))
    expectSuccess(down)
    expect(down.outputs.changed).toBe('true')
    expect((await previewRules(listenerArn)).map(r => r.Priority).sort()).toEqual(
      rules
        .filter(r => !JSON.stringify(r.Conditions).includes(hostOf('pr-2')))
        .map(r => r.Priority)
        .sort()
    )
    const services = await ecs.send(
      new DescribeServicesCommand({ cluster: 'ecs-demo', services: [`${BASE_SERVICE}-pr-2`] })
    )
    expect(services.services?.[0]?.status ?? 'MISSING').not.toBe('ACTIVE')
    await expect(elbv2.send(new DescribeTargetGroupsCommand({ Names: [tgName('pr-2')] }))).rejects.toThrow(
      /not found|TargetGroupNotFound/i
    )
    for (const id of ['pr-1', 'pr-3']) {
      for (const answer of await answers(localUrl, hostOf(id))) expect(own.get(id)!.has(answer)).toBe(true)
    }
    // pr-2's host now falls through to the base service, never to a stale preview task.
    for (const answer of await answers(localUrl, hostOf('pr-2'))) expect(baseTasks.has(answer)).toBe(true)

    // Teardown again: nothing left, nothing called, a clean exit.
    const seq = await lastSeq()
    const again = await run(preview('pr-2', { delete: 'true' }))
    expectSuccess(again)
    expect(again.outputs.changed).toBe('false')
    expect(await mutatingOps(seq)).toEqual([])
    // The base stack is untouched by all this.
    expect((await control.listeners()).filter(l => l.listenerArn === listenerArn)).toHaveLength(1)
    expect(
      (
        await elbv2.send(
          new DescribeTargetGroupsCommand({ Names: ['default', tgName('pr-1'), tgName('pr-3')] })
        )
      ).TargetGroups
    ).toHaveLength(3)
  })

  test('two previews started at once on one free slot pair both succeed, with distinct priorities', async () => {
    const { listenerArn } = await deployBase()
    // Two ids whose deterministic priority is the same in a band of two: one CreateRule must move on.
    const slot = (id: string): number => parseInt(hexHash(`ecs-demo/${BASE_SERVICE}-${id}`, 8), 16) % 2
    const second = Array.from({ length: 50 }, (_, i) => `pr-${i + 11}`).find(
      id => slot(id) === slot('pr-10')
    )!
    const range = { 'listener-rule-priority-range': '1000-1001' }
    // CreateRule takes a while to answer, so both runs have planned before either rule exists.
    await control.faults({ latency: [{ ms: 1500, operations: ['CreateRule'] }] })
    const [a, b] = await Promise.all([run(preview('pr-10', range)), run(preview(second, range))])
    expectSuccess(a)
    expectSuccess(b)
    const rules = await previewRules(listenerArn)
    expect(rules.map(r => r.Priority).sort()).toEqual(['1000', '1001'])
    expect(new Set([a.outputs['listener-rule-arn'], b.outputs['listener-rule-arn']]).size).toBe(2)
    expect((await mutatingOps()).filter(o => o === 'CreateRule')).toHaveLength(2)
    // They did collide: one CreateRule met PriorityInUse and the run moved on to the other priority.
    const refused = (await control.calls()).filter(c => c.operation === 'CreateRule' && c.status >= 300)
    expect(refused.map(c => c.errorCode)).toEqual(['PriorityInUse'])
  })

  test('a preview id that overflows the 32-character names deploys with valid, distinct names', async () => {
    const { localUrl } = await deployBase()
    const ids = [
      'pr-4711-feature-make-the-checkout-page-faster-a',
      'pr-4711-feature-make-the-checkout-page-faster-b'
    ]
    const runs = await Promise.all(ids.map(id => run(preview(id))))
    runs.forEach(expectSuccess)
    const names = runs.map(r => /targetgroup\/([^/]+)\//.exec(r.outputs['target-group-arn'])?.[1] ?? '')
    for (const name of names) {
      expect(name.length).toBeLessThanOrEqual(32)
      expect(name).toMatch(/^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/)
      expect(name).not.toMatch(/^internal-/)
    }
    expect(new Set(names).size).toBe(2)
    for (const [i, id] of ids.entries()) {
      const service = /service\/ecs-demo\/(.+)$/.exec(runs[i].outputs['service-arn'])?.[1] ?? ''
      const mine = await serviceHostnames(service)
      for (const answer of await answers(localUrl, hostOf(id), 2)) expect(mine.has(answer)).toBe(true)
    }
    // A re-run finds the same resources by the same shortened names: nothing to change.
    const seq = await lastSeq()
    const again = await run(preview(ids[0]))
    expectSuccess(again)
    expect(again.outputs.changed).toBe('false')
    expect(await mutatingOps(seq)).toEqual([])
  })
})

describe('a preview needs the base stack', () => {
  test('no load balancer yet: a clear error naming the base deploy, and no mutating call', async () => {
    const r = await run(preview('pr-5'))
    expect(r.code).toBe(1)
    expect(r.stdout).toMatch(
      /::error::preview pr-5: load balancer alb-demo does not exist.*deploy the base service first/
    )
    expect((await control.calls()).filter(c => c.mutating)).toEqual([])
  })

  test('a load balancer without the listener: the preview does not create the shared listener', async () => {
    await elbv2.send(
      new CreateLoadBalancerCommand({
        Name: 'alb-demo',
        Subnets: ['subnet-12345678', 'subnet-abcdefgh'],
        SecurityGroups: ['sg-12345678']
      })
    )
    const seq = await lastSeq()
    const r = await run(preview('pr-5'))
    expect(r.code).toBe(1)
    expect(r.stdout).toMatch(
      /::error::preview pr-5: the load balancer has no listener :80 HTTP.*deploy the base service first/
    )
    expect((await control.calls(seq)).filter(c => c.mutating)).toEqual([])
  })
})
