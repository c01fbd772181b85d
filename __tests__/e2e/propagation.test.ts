/**
 * ECS's eventual consistency, end to end: the bundled action (dist/index.js) against the emulator with a
 * propagation window lengthened through the control API. Within the action's retry budget the run
 * succeeds and the log says why it waited; beyond it the run fails with the error explained, and what it
 * created is reported as it is today.
 *
 * Time: one emulated second is 10 real ms, so a window of 150 emulated s lasts 1.5 real s: longer than the
 * action's first wait (1 s), shorter than its budget (1 + 2 + 4 + 8 + 16 s).
 */
import {
  DescribeLoadBalancersCommand,
  ElasticLoadBalancingV2Client
} from '@aws-sdk/client-elastic-load-balancing-v2'
import { useEmulator } from '../../test-support/use-emulator.js'
import { runAction, type ActionRun } from '../../test-support/run-action.js'
import { fargateInputs, seedInputs } from '../../test-support/fixtures.js'

const suite = useEmulator({ timeScale: 0.01 })
const WITHIN_BUDGET_MS = 150_000
/** Longer than any run: the window never closes. */
const FOREVER_MS = 1e12

const deploy = (inputs: Record<string, string> = seedInputs({ 'desired-count': '1' })) =>
  runAction({ inputs, endpoint: suite.emulator.url, timeoutMs: 120_000 })
const expectSuccess = (run: ActionRun) => {
  if (run.code !== 0) throw new Error(`action failed (${run.code}):\n${run.stdout}\n${run.stderr}`)
}
const refusals = async (operation: string) =>
  (await suite.control.calls()).filter(c => c.operation === operation && c.status >= 400).length

describe('CreateService right after the listener', () => {
  test('a target group ECS does not see attached yet: retried until it does', async () => {
    await suite.control.propagation({ targetGroupAssociationMs: WITHIN_BUDGET_MS })
    const run = await deploy()
    expectSuccess(run)
    expect(run.stdout).toMatch(
      /CreateService ecs-simple-service-elb: ECS does not see the listener or rule that attaches the target group yet; retrying in 1 s/
    )
    expect(await refusals('CreateService')).toBeGreaterThanOrEqual(1)
  })

  test("ECS's service-linked role just created: retried until it can be assumed", async () => {
    // A service without a role of its own (awsvpc) is where ECS uses its service-linked role.
    await suite.control.propagation({ serviceLinkedRoleMs: WITHIN_BUDGET_MS })
    const run = await deploy(fargateInputs())
    expectSuccess(run)
    expect(run.stdout).toMatch(/CreateService web: ECS's service-linked role was just created/)
    expect(await refusals('CreateService')).toBeGreaterThanOrEqual(1)
  })

  test('beyond the budget: the run fails with the error explained, and reports what it created', async () => {
    await suite.control.propagation({ targetGroupAssociationMs: FOREVER_MS })
    const run = await deploy()
    expect(run.code).toBe(1)
    expect(run.stdout).toMatch(/CreateService ecs-simple-service-elb: still refused after 6 attempts/)
    expect(run.stdout).toMatch(
      /::error::[^\n]*CreateService ecs-simple-service-elb failed \(InvalidParameter\): The target group with targetGroupArn \S+ does not have an associated load balancer/
    )
    expect(run.stdout).toMatch(/retried while ECS did not see the attachment yet/)
    // Bounded: six attempts, no more.
    expect(await refusals('CreateService')).toBe(6)
    // What the run created is kept and said, as for any failed first deploy.
    const elbv2 = new ElasticLoadBalancingV2Client({
      endpoint: suite.emulator.url,
      region: 'ap-northeast-1',
      credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'test' }
    })
    const lbs = await elbv2.send(new DescribeLoadBalancersCommand({ Names: ['alb-demo'] }))
    elbv2.destroy()
    expect(lbs.LoadBalancers).toHaveLength(1)
    expect(run.summary).toMatch(/Kept:/)
    expect(run.summary).toMatch(/created load balancer alb-demo/)
  })
})

describe('the watch right after CreateService', () => {
  test('DescribeServices answering MISSING for a moment: the watch waits for the service to appear', async () => {
    await suite.control.propagation({ serviceVisibleMs: WITHIN_BUDGET_MS })
    const run = await deploy()
    expectSuccess(run)
    expect(run.stdout).toMatch(/DescribeServices does not list service ecs-simple-service-elb yet \(MISSING/)
  })
})

describe('teardown right after the scale to 0', () => {
  test('"cannot be stopped while deployments are active": DeleteService retried until it goes', async () => {
    expectSuccess(await deploy())
    await suite.control.propagation({ deploymentsActiveMs: WITHIN_BUDGET_MS })
    const run = await deploy(
      seedInputs({ 'desired-count': '1', delete: 'true', 'delete-base-stack': 'true' })
    )
    expectSuccess(run)
    expect(run.stdout).toMatch(
      /DeleteService ecs-simple-service-elb: the scale to 0 has not reached every deployment yet; retrying in 1 s/
    )
    expect(await refusals('DeleteService')).toBeGreaterThanOrEqual(1)
    expect(run.stdout).toMatch(/removed service ecs-simple-service-elb/)
  })
})
