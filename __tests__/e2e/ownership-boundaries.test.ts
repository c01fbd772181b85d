/**
 * Security issue item 4, end to end (dist/index.js against the emulator): adopt-existing adopts untagged
 * resources only. A preview never modifies the shared listener, even an untagged one with adopt-existing,
 * and a resource another stack tagged is refused even with adopt-existing, naming that stack.
 */
import {
  DescribeListenersCommand,
  DescribeTargetGroupsCommand,
  ElasticLoadBalancingV2Client,
  RemoveTagsCommand
} from '@aws-sdk/client-elastic-load-balancing-v2'
import { startEmulator, type Emulator } from '../../emulator/server.js'
import { OWNER_TAG } from '../../src/resources/ownership.js'
import { EmulatorControl } from '../../test-support/emulator-client.js'
import { seedInputs } from '../../test-support/fixtures.js'
import { runAction, type ActionRun } from '../../test-support/run-action.js'

let emulator: Emulator
let control: EmulatorControl
let elbv2: ElasticLoadBalancingV2Client

beforeAll(async () => {
  emulator = await startEmulator({ timeScale: 0.01 })
  control = new EmulatorControl(emulator.url)
  elbv2 = new ElasticLoadBalancingV2Client({
    endpoint: emulator.url,
    region: 'ap-northeast-1',
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'x' }
  })
})
afterAll(async () => {
  elbv2.destroy()
  await emulator.stop()
})
beforeEach(async () => {
  await control.reset()
})

const base = (overrides: Record<string, string> = {}) => seedInputs({ 'desired-count': '1', ...overrides })
const run = (inputs: Record<string, string>) => runAction({ inputs, endpoint: emulator.url })
const expectSuccess = (r: ActionRun): void => {
  if (r.code !== 0) throw new Error(`action failed (${r.code}):\n${r.stdout}\n${r.stderr}`)
}
const errors = (r: ActionRun): string =>
  r.stdout
    .split('\n')
    .filter(l => l.startsWith('::error::'))
    .join('\n')
const lastSeq = async (): Promise<number> => (await control.calls()).at(-1)?.seq ?? 0

const HTTPS_LISTENER = JSON.stringify({
  Port: 80,
  Protocol: 'HTTPS',
  Certificates: [
    {
      CertificateArn:
        'arn:aws:acm:ap-northeast-1:123456789012:certificate/1a2b3c4d-0000-1111-2222-333344445555'
    }
  ]
})

test('a preview with adopt-existing does not modify the shared listener, even one without any ownership tag', async () => {
  const deployed = await run(base())
  expectSuccess(deployed)
  const listenerArn = deployed.outputs['listener-arn']
  // Untagged, as a listener made by hand before the action was used: adopt-existing would adopt it in a base deploy.
  await elbv2.send(new RemoveTagsCommand({ ResourceArns: [listenerArn], TagKeys: [OWNER_TAG] }))
  const seq = await lastSeq()

  const r = await run(
    base({
      'preview-routing': 'host',
      'preview-host-template': '{id}.preview.example.com',
      'preview-id': 'pr-7',
      listener: HTTPS_LISTENER,
      'adopt-existing': 'true'
    })
  )
  expect(r.code).toBe(1)
  expect(errors(r)).toMatch(
    /preview pr-7: listener :80 HTTPS is the base stack's, shared by production and every preview, and its Protocol, Certificates differ.*not even with adopt-existing/
  )
  expect(r.stdout).not.toMatch(/modified listener/)
  expect((await control.mutatingCalls(seq)).map(c => c.operation)).toEqual([])
  const [after] =
    (await elbv2.send(new DescribeListenersCommand({ ListenerArns: [listenerArn] }))).Listeners ?? []
  expect(after.Protocol).toBe('HTTP')
})

test('a target group another stack tagged is refused even with adopt-existing, naming that stack', async () => {
  expectSuccess(await run(base()))
  const seq = await lastSeq()
  // Another service that names the same target group, with another health check.
  const r = await run(
    base({
      service: JSON.stringify({
        serviceName: 'billing',
        taskDefinition: 'ecscompose-ecs-app',
        loadBalancers: [{ containerName: 'app', containerPort: 4567 }],
        desiredCount: 1,
        role: 'ecsServiceRole'
      }),
      'target-group': JSON.stringify({
        Name: 'default',
        Protocol: 'HTTP',
        Port: 80,
        HealthCheckPath: '/hostname',
        HealthCheckIntervalSeconds: 20,
        Matcher: { HttpCode: '200' }
      }),
      'listener-rule': JSON.stringify({ Conditions: [{ Field: 'path-pattern', Values: ['/billing/*'] }] }),
      'adopt-existing': 'true'
    })
  )
  expect(r.code).toBe(1)
  expect(errors(r)).toMatch(
    /Target group default belongs to stack ecs-demo\/ecs-simple-service-elb .*not to this stack ecs-demo\/billing.*even with adopt-existing/
  )
  expect((await control.mutatingCalls(seq)).map(c => c.operation)).toEqual([])
  const [tg] = (await elbv2.send(new DescribeTargetGroupsCommand({ Names: ['default'] }))).TargetGroups ?? []
  expect(tg.HealthCheckIntervalSeconds).toBe(30)
})
