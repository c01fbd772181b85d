/**
 * Teardown (`delete: true`) through the bundled action (dist/index.js) against the emulator: a dry run
 * removes nothing, a preview's teardown removes only what carries its preview tag, and a base stack is
 * removed only when confirmed.
 */
import { DescribeServicesCommand, ECSClient, ListTaskDefinitionsCommand } from '@aws-sdk/client-ecs'
import {
  DescribeRulesCommand,
  DescribeTargetGroupsCommand,
  ElasticLoadBalancingV2Client,
  type Rule
} from '@aws-sdk/client-elastic-load-balancing-v2'
import { startEmulator, type Emulator } from '../../emulator/server.js'
import { EmulatorControl } from '../../test-support/emulator-client.js'
import { seedInputs, seedTaskDefinition } from '../../test-support/fixtures.js'
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
const base = (overrides: Record<string, string> = {}) => seedInputs({ 'desired-count': '1', ...overrides })
const preview = (id: string, overrides: Record<string, string> = {}) =>
  base({ 'preview-routing': 'host', 'preview-id': id, ...overrides })

const run = (inputs: Record<string, string>) => runAction({ inputs, endpoint: emulator.url })
const expectSuccess = (r: ActionRun): void => {
  if (r.code !== 0) throw new Error(`action failed (${r.code}):\n${r.stdout}\n${r.stderr}`)
}
const lastSeq = async (): Promise<number> => (await control.calls()).at(-1)?.seq ?? 0
const mutatingOps = async (since: number): Promise<string[]> =>
  (await control.mutatingCalls(since)).map(c => c.operation)

async function serviceStatus(name: string): Promise<string> {
  const out = await ecs.send(new DescribeServicesCommand({ cluster: 'ecs-demo', services: [name] }))
  return out.services?.[0]?.status ?? 'MISSING'
}
async function targetGroupExists(name: string): Promise<boolean> {
  try {
    return (
      ((await elbv2.send(new DescribeTargetGroupsCommand({ Names: [name] }))).TargetGroups ?? []).length > 0
    )
  } catch {
    return false
  }
}
async function rules(listenerArn: string): Promise<Rule[]> {
  const out = await elbv2.send(new DescribeRulesCommand({ ListenerArn: listenerArn }))
  return (out.Rules ?? []).filter(r => !r.IsDefault)
}
async function activeRevisions(family: string): Promise<string[]> {
  const out = await ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: family, status: 'ACTIVE' }))
  return (out.taskDefinitionArns ?? []).filter(a => a.split('/')[1].split(':')[0] === family)
}

async function deployBase(): Promise<string> {
  const r = await run(base())
  expectSuccess(r)
  return r.outputs['listener-arn']
}

describe('dry-run with delete', () => {
  test('lists what would go and makes no mutating call; the same inputs without dry-run remove it', async () => {
    const listenerArn = await deployBase()
    expectSuccess(await run(preview('pr-2')))
    const name = `${BASE_SERVICE}-pr-2`
    expect(await rules(listenerArn)).toHaveLength(1)

    const seq = await lastSeq()
    const dry = await run(preview('pr-2', { delete: 'true', 'dry-run': 'true' }))
    expectSuccess(dry)
    expect(await mutatingOps(seq)).toEqual([])
    expect((await control.calls(seq)).filter(c => c.mutating)).toEqual([])
    expect(dry.outputs.changed).toBe('true')
    const plan = JSON.parse(dry.outputs.plan) as { resource: string; name: string; action: string }[]
    expect(plan.map(p => [p.resource, p.action])).toEqual([
      ['service', 'delete'],
      ['listener-rule', 'delete'],
      ['target-group', 'delete'],
      ['task-definition', 'delete']
    ])
    expect(dry.stdout).toMatch(new RegExp(`would remove service ${name} \\(UpdateService, DeleteService\\)`))
    expect(dry.stdout).toMatch(/::notice::dry-run: nothing was removed \(4 resource\(s\) would be\)/)
    // Everything is still there.
    expect(await serviceStatus(name)).toBe('ACTIVE')
    expect(await targetGroupExists('default-pr-2')).toBe(true)
    expect(await rules(listenerArn)).toHaveLength(1)
    expect(await activeRevisions('ecscompose-ecs-app-pr-2')).toHaveLength(1)

    // The same inputs without dry-run remove exactly what the dry run listed.
    const since = await lastSeq()
    const down = await run(preview('pr-2', { delete: 'true' }))
    expectSuccess(down)
    expect(down.outputs.changed).toBe('true')
    expect(await mutatingOps(since)).toEqual([
      'UpdateService',
      'DeleteService',
      'DeleteRule',
      'DeleteTargetGroup',
      'DeregisterTaskDefinition'
    ])
    expect(await serviceStatus(name)).not.toBe('ACTIVE')
    expect(await targetGroupExists('default-pr-2')).toBe(false)
    expect(await rules(listenerArn)).toHaveLength(0)
    expect(await activeRevisions('ecscompose-ecs-app-pr-2')).toHaveLength(0)
    // The base stack stays.
    expect(await serviceStatus(BASE_SERVICE)).toBe('ACTIVE')
  })
})

describe('stack ids that collide', () => {
  /** A real stack named as preview `staging` of the base would be: same names, same ownership tag. */
  const realStaging = () =>
    base({
      'load-balancer': 'alb-demo',
      service: JSON.stringify({
        serviceName: `${BASE_SERVICE}-staging`,
        loadBalancers: [{ containerName: 'app', containerPort: 4567 }],
        desiredCount: 1,
        role: 'ecsServiceRole'
      }),
      'target-group': JSON.stringify({
        Name: 'default-staging',
        Protocol: 'HTTP',
        Port: 80,
        HealthCheckPath: '/hostname',
        Matcher: { HttpCode: '200' }
      }),
      'task-definition': seedTaskDefinition().replace('"ecscompose-ecs-app"', '"ecscompose-ecs-app-staging"'),
      'listener-rule': JSON.stringify({
        Conditions: [{ Field: 'host-header', HostHeaderConfig: { Values: ['staging.example.com'] } }]
      })
    })

  test("a preview's teardown leaves a real stack of the same id alone", async () => {
    const listenerArn = await deployBase()
    expectSuccess(await run(realStaging()))
    expect(await rules(listenerArn)).toHaveLength(1)

    const seq = await lastSeq()
    const down = await run(preview('staging', { delete: 'true' }))
    expectSuccess(down)
    expect(await mutatingOps(seq)).toEqual([])
    expect(down.outputs.changed).toBe('false')
    expect(down.stdout).toMatch(
      /::warning::service ecs-simple-service-elb-staging exists but .*not a preview/
    )
    expect(await serviceStatus(`${BASE_SERVICE}-staging`)).toBe('ACTIVE')
    expect(await targetGroupExists('default-staging')).toBe(true)
    expect(await rules(listenerArn)).toHaveLength(1)
    expect(await activeRevisions('ecscompose-ecs-app-staging')).toHaveLength(1)
  })

  test("a real stack's teardown leaves the preview of the same id alone", async () => {
    const listenerArn = await deployBase()
    expectSuccess(await run(preview('staging')))

    const seq = await lastSeq()
    const down = await run({ ...realStaging(), delete: 'true', 'delete-base-stack': 'true' })
    expectSuccess(down)
    expect(await mutatingOps(seq)).toEqual([])
    expect(await serviceStatus(`${BASE_SERVICE}-staging`)).toBe('ACTIVE')
    expect(await targetGroupExists('default-staging')).toBe(true)
    expect(await rules(listenerArn)).toHaveLength(1)
  })
})

describe('a base stack teardown', () => {
  test('without a preview and without delete-base-stack: refused before any AWS call', async () => {
    await deployBase()
    const seq = await lastSeq()
    const r = await run(base({ delete: 'true' }))
    expect(r.code).toBe(1)
    expect(r.stdout).toMatch(/::error::.*Input "delete".*delete-base-stack: true/)
    expect(await control.calls(seq)).toEqual([])
    expect(await serviceStatus(BASE_SERVICE)).toBe('ACTIVE')
  })

  test('with delete-base-stack: true it is removed (the shared load balancer and listener stay)', async () => {
    const listenerArn = await deployBase()
    const seq = await lastSeq()
    const r = await run(base({ delete: 'true', 'delete-base-stack': 'true' }))
    expectSuccess(r)
    expect(await mutatingOps(seq)).toEqual(['UpdateService', 'DeleteService', 'DeregisterTaskDefinition'])
    expect(await serviceStatus(BASE_SERVICE)).not.toBe('ACTIVE')
    expect((await control.listeners()).filter(l => l.listenerArn === listenerArn)).toHaveLength(1)
  })
})
