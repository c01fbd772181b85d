/**
 * The ALB's rule quota is per load balancer, counted over all its listeners: the bundled action
 * (dist/index.js) against the emulator, with the quota reached on another listener than the one a preview
 * adds its rule to, says so.
 */
import {
  CreateListenerCommand,
  CreateRuleCommand,
  ElasticLoadBalancingV2Client
} from '@aws-sdk/client-elastic-load-balancing-v2'
import { useEmulator } from '../../test-support/use-emulator.js'
import { runAction, type ActionRun } from '../../test-support/run-action.js'
import { seedInputs } from '../../test-support/fixtures.js'

const suite = useEmulator({ timeScale: 0.01 })
const run = (inputs: Record<string, string>) => runAction({ inputs, endpoint: suite.emulator.url })
const expectSuccess = (r: ActionRun) => {
  if (r.code !== 0) throw new Error(`action failed (${r.code}):\n${r.stdout}\n${r.stderr}`)
}

test('TooManyRules on a listener with no rule of its own: the advice names the load balancer quota', async () => {
  const base = await run(seedInputs({ 'desired-count': '1' }))
  expectSuccess(base)
  const elbv2 = new ElasticLoadBalancingV2Client({
    endpoint: suite.emulator.url,
    region: 'ap-northeast-1',
    credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'test' }
  })
  const forward = [{ Type: 'forward' as const, TargetGroupArn: base.outputs['target-group-arn'] }]
  const other = await elbv2.send(
    new CreateListenerCommand({
      LoadBalancerArn: base.outputs['load-balancer-arn'],
      Port: 8080,
      Protocol: 'HTTP',
      DefaultActions: forward
    })
  )
  const otherArn = other.Listeners?.[0]?.ListenerArn
  for (let i = 1; i <= 100; i++) {
    await elbv2.send(
      new CreateRuleCommand({
        ListenerArn: otherArn,
        Priority: i,
        Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: [`/other-${i}`] } }],
        Actions: forward
      })
    )
  }
  elbv2.destroy()

  // The preview's rule goes on :80, which has no rule yet.
  const preview = await run(
    seedInputs({ 'desired-count': '1', 'preview-routing': 'host', 'preview-id': 'pr-1' })
  )
  expect(preview.code).toBe(1)
  expect(preview.stdout).toMatch(/::error::CreateRule .* failed \(TooManyRules\)/)
  expect(preview.stdout).toMatch(/The load balancer has reached its rule quota/)
  expect(preview.stdout).toMatch(/counted over all its listeners/)
  expect(preview.stdout).not.toMatch(/The listener has reached its rule limit/)
})
