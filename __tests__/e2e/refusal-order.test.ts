/**
 * Where only AWS can refuse, the cheapest call to undo goes first: the bundled action (dist/index.js)
 * against the emulator, with RegisterTaskDefinition refused by AWS, creates nothing billable.
 */
import { useEmulator } from '../../test-support/use-emulator.js'
import { runAction } from '../../test-support/run-action.js'
import { fargateInputs } from '../../test-support/fixtures.js'

const suite = useEmulator({ timeScale: 0.01 })

test('a task definition AWS refuses on a first deploy leaves no load balancer, target group or listener', async () => {
  // A refusal the inputs cannot foresee (a rule AWS adds, an account setting): the emulator answers the
  // way ECS answers an unsupported task size.
  await suite.control.faults({
    fail: [
      {
        service: 'ecs',
        operation: 'RegisterTaskDefinition',
        times: 1,
        code: 'ClientException',
        message: 'No Fargate configuration exists for given values.'
      }
    ]
  })
  const run = await runAction({ inputs: fargateInputs(), endpoint: suite.emulator.url })
  expect(run.code).toBe(1)
  expect(run.stdout).toMatch(/RegisterTaskDefinition web failed \(Client\): No Fargate configuration exists/)
  const calls = await suite.control.calls()
  const mutating = calls.filter(c => c.mutating).map(c => c.operation)
  expect(mutating).toEqual(['RegisterTaskDefinition'])
  const state = (await suite.control.state()) as { elbv2: { loadBalancers?: unknown[] } }
  expect(state.elbv2.loadBalancers ?? []).toEqual([])
})
