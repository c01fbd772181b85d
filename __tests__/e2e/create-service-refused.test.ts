/**
 * A first deploy whose CreateService AWS refuses, through the bundled action (dist/index.js) against the
 * emulator: no service exists, so there is nothing to roll back for it, and the error and the job summary
 * say so and name what the run created before it (kept for a re-run).
 */
import { useEmulator } from '../../test-support/use-emulator.js'
import { runAction } from '../../test-support/run-action.js'
import { seedInputs } from '../../test-support/fixtures.js'

const suite = useEmulator({ timeScale: 0.01 })

test('a refused CreateService on a first deploy says the service was not created and what was kept', async () => {
  // A refusal the inputs cannot foresee: the role lacks ecs:CreateService (not retried, unlike a target
  // group ECS does not see attached yet).
  await suite.control.faults({
    fail: [
      {
        service: 'ecs',
        operation: 'CreateService',
        times: 1,
        code: 'AccessDeniedException',
        message:
          'User: arn:aws:sts::123456789012:assumed-role/deploy/gha is not authorized to perform: ecs:CreateService'
      }
    ]
  })
  const run = await runAction({
    inputs: seedInputs({ 'new-service-on-failure': 'scale-to-zero' }),
    endpoint: suite.emulator.url
  })
  expect(run.code).toBe(1)
  const said = 'none: the service was not created (CreateService failed), so there is no service to roll back'
  const kept =
    ' (kept: registered task definition ecscompose-ecs-app, created load balancer alb-demo, created target group default, created listener :80 HTTP; a re-run reuses them, a teardown removes them)'
  expect(run.stdout).toContain(`::error::CreateService ecs-simple-service-elb failed (AccessDenied)`)
  expect(run.stdout).toContain(`Rollback ${said}${kept}`)
  // The summary lists what was kept below its rollback line.
  expect(run.summary).toContain(`**Rollback:** ${said}\n`)
  expect(run.summary).toContain(
    "  - created load balancer alb-demo: created by this run, the service's first deploy: kept for inspection"
  )
  expect(`${run.stdout}\n${run.summary}`).not.toMatch(
    /service was created by this run|which also created the service/
  )
  // Nothing of the service to undo: no scale to 0 is attempted, and the resources stay.
  const mutating = (await suite.control.calls()).filter(c => c.mutating).map(c => c.operation)
  expect(mutating).toEqual([
    'RegisterTaskDefinition',
    'CreateLoadBalancer',
    'CreateTargetGroup',
    'CreateListener',
    'CreateService'
  ])
})
