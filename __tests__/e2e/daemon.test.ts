/**
 * A DAEMON service through the bundled action (dist/index.js) against the emulator: ECS runs one task per
 * container instance and refuses a desiredCount with it, so the action sends none, compares none, and
 * tears the service down without a scale to 0.
 */
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { useEmulator } from '../../test-support/use-emulator.js'
import { repoRoot, runAction, type ActionRun } from '../../test-support/run-action.js'
import { seedInputs } from '../../test-support/fixtures.js'

const suite = useEmulator({ timeScale: 0.01 })

const { desiredCount: _count, ...seedService } = JSON.parse(
  readFileSync(path.join(repoRoot, 'examples/seed/ecs-simple-service-elb.json'), 'utf8')
) as Record<string, unknown>
const seedTargetGroup = JSON.parse(
  readFileSync(path.join(repoRoot, 'examples/seed/target-group.json'), 'utf8')
) as Record<string, unknown>
const daemonInputs = (over: Record<string, string> = {}) =>
  seedInputs({ service: JSON.stringify({ ...seedService, schedulingStrategy: 'DAEMON' }), ...over })
const run = (inputs: Record<string, string>) => runAction({ inputs, endpoint: suite.emulator.url })
const expectSuccess = (r: ActionRun) => {
  if (r.code !== 0) throw new Error(`action failed (${r.code}):\n${r.stdout}\n${r.stderr}`)
}

test('created without a desiredCount, re-run without a change, torn down without a scale to 0', async () => {
  const first = await run(daemonInputs())
  expectSuccess(first)
  const create = (await suite.control.mutatingCalls()).find(c => c.operation === 'CreateService')
  expect(create?.params).toMatchObject({ schedulingStrategy: 'DAEMON' })
  expect(create?.params).not.toHaveProperty('desiredCount')
  // One task per container instance of the seeded cluster (two).
  const { services } = (await (await fetch(`${suite.emulator.url}/_emulator/services`)).json()) as {
    services: { name: string; desiredCount: number }[]
  }
  expect(services.find(s => s.name === 'ecs-simple-service-elb')?.desiredCount).toBe(2)

  const seq = (await suite.control.calls()).at(-1)?.seq ?? 0
  const again = await run(daemonInputs())
  expectSuccess(again)
  expect((await suite.control.mutatingCalls(seq)).map(c => c.operation)).toEqual([])

  const seq2 = (await suite.control.calls()).at(-1)?.seq ?? 0
  const down = await run(daemonInputs({ delete: 'true', 'delete-base-stack': 'true' }))
  expectSuccess(down)
  const ecsCalls = (await suite.control.mutatingCalls(seq2))
    .filter(c => c.service === 'ecs')
    .map(c => c.operation)
  expect(ecsCalls).not.toContain('UpdateService')
  expect(ecsCalls).toContain('DeleteService')
})

describe('a first deploy whose targets fail the health check', () => {
  const failing = (over: Record<string, string> = {}) =>
    daemonInputs({
      'target-group': JSON.stringify({ ...seedTargetGroup, HealthCheckPath: '/healthz' }),
      'wait-for-minutes': '1',
      ...over
    })

  test('new-service-on-failure: scale-to-zero is refused before any AWS call: ECS has no count to set to 0', async () => {
    const seq = (await suite.control.calls()).at(-1)?.seq ?? 0
    const r = await run(failing({ 'new-service-on-failure': 'scale-to-zero' }))
    expect(r.code).toBe(1)
    expect(r.stdout).toMatch(
      /::error::Input "new-service-on-failure": must be keep for a DAEMON service \(input "service", field "schedulingStrategy"\)/
    )
    expect(await suite.control.calls(seq)).toEqual([])
  })

  test('keep: the service is kept for inspection, and no desired count is sent', async () => {
    const seq = (await suite.control.calls()).at(-1)?.seq ?? 0
    const r = await run(failing({ 'new-service-on-failure': 'keep' }))
    expect(r.code).toBe(1)
    expect(r.stdout).toContain('GET /healthz answered 404')
    expect(r.stdout).toContain('new-service-on-failure: keep')
    const ecs = (await suite.control.calls(seq)).filter(c => c.service === 'ecs' && c.mutating)
    expect(ecs.map(c => c.operation)).not.toContain('UpdateService')
  })
})
