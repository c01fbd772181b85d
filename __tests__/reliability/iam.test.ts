/**
 * Least privilege: the README's policy (iam/policy.json) is enough for a deploy, an update and a teardown
 * with the emulator enforcing it, every action in it is used, and removing any one action makes the
 * scenario fail with an error that names that action.
 */
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { startEmulator, type Emulator } from '../../emulator/server.js'
import { impliedAuthorizations, type PolicyDocument } from '../../emulator/core/iam.js'
import type { CallRecord } from '../../emulator/core/calls.js'
import { repoRoot } from '../../test-support/run-action.js'
import { seedInputs } from '../../test-support/fixtures.js'
import {
  errorLines,
  expectSuccess,
  recordFigures,
  runToEnd,
  scenarioInputs,
  teardownInputs
} from './harness.js'

const policy = JSON.parse(readFileSync(path.join(repoRoot, 'iam/policy.json'), 'utf8')) as PolicyDocument
const actionsOf = (doc: PolicyDocument): string[] =>
  doc.Statement.flatMap(s => (Array.isArray(s.Action) ? s.Action : [s.Action]))
const policyActions = actionsOf(policy)

const withoutAction = (action: string): PolicyDocument => ({
  ...policy,
  Statement: policy.Statement.map(s => ({
    ...s,
    Action: (Array.isArray(s.Action) ? s.Action : [s.Action]).filter(a => a !== action)
  })).filter(s => s.Action.length > 0)
})

const STEPS = [
  { name: 'deploy', inputs: () => scenarioInputs() },
  { name: 'update', inputs: () => scenarioInputs({ updated: true }) },
  { name: 'teardown', inputs: () => teardownInputs() }
] as const

const PREFIX = { ecs: 'ecs', elbv2: 'elasticloadbalancing' } as const

/** Every IAM action a logged call needed: its own and those AWS checks besides (tag on create, PassRole). */
function actionsNeeded(calls: CallRecord[]): Set<string> {
  const out = new Set<string>()
  for (const c of calls) {
    out.add(`${PREFIX[c.service]}:${c.operation}`)
    const params = (c.params ?? {}) as Record<string, unknown>
    for (const a of impliedAuthorizations({
      service: c.service,
      operation: c.operation,
      params,
      accountId: '123456789012'
    })) {
      out.add(a.action)
    }
  }
  return out
}

const TIME_SCALE = 0.005
let emulators: Emulator[] = []

beforeAll(async () => {
  emulators = await Promise.all([1, 2, 3].map(() => startEmulator({ timeScale: TIME_SCALE })))
})
afterAll(async () => {
  await Promise.all(emulators.map(e => e.stop()))
})

describe('the least-privilege policy', () => {
  test('lists each action once, with no wildcard', () => {
    expect(new Set(policyActions).size).toBe(policyActions.length)
    expect(policyActions.filter(a => a.includes('*'))).toEqual([])
  })

  test('suffices for deploy + update + teardown, and each of its actions is used', async () => {
    const emu = emulators[0]
    await emu.reset()
    emu.setPolicy(policy)
    for (const step of STEPS)
      expectSuccess(await runToEnd({ inputs: step.inputs(), endpoint: emu.url }), step.name)
    const calls = emu.calls.list()
    expect(calls.filter(c => /AccessDenied/.test(c.errorCode ?? ''))).toEqual([])
    expect([...actionsNeeded(calls)].sort()).toEqual([...policyActions].sort())
  })

  test('without any single one of its actions, the scenario fails and names that action', async () => {
    const outcomes: { action: string; failedAt?: string; namesAction: boolean; error: string }[] = []
    const queue = [...policyActions]
    const worker = async (emu: Emulator) => {
      for (let action = queue.shift(); action; action = queue.shift()) {
        await emu.reset()
        emu.setPolicy(withoutAction(action))
        const outcome: (typeof outcomes)[number] = { action, namesAction: false, error: '' }
        for (const step of STEPS) {
          const run = await runToEnd({ inputs: step.inputs(), endpoint: emu.url })
          if (run.code === 0) continue
          outcome.failedAt = step.name
          outcome.error = errorLines(run.stdout).join(' | ')
          outcome.namesAction = outcome.error.includes(action)
          break
        }
        outcomes.push(outcome)
      }
    }
    await Promise.all(emulators.map(worker))
    recordFigures('iam-removals', { actions: policyActions.length, outcomes })
    expect(outcomes).toHaveLength(policyActions.length)
    const notProven = outcomes.filter(o => !o.failedAt || !o.namesAction)
    expect(notProven).toEqual([])
    // Each step needs something of its own: deploy, update and teardown each fail for some removal.
    expect(new Set(outcomes.map(o => o.failedAt))).toEqual(new Set(STEPS.map(s => s.name)))
  }, 360_000)
})

describe('iam:PassRole', () => {
  test("the seed's walk passes its service role (ecsServiceRole) to ECS under the policy, and only because the condition names ecs.amazonaws.com", async () => {
    const emu = emulators[2]
    await emu.reset()
    emu.setPolicy(policy)
    expectSuccess(
      await runToEnd({ inputs: seedInputs({ 'wait-for-service-stability': 'false' }), endpoint: emu.url })
    )

    await emu.reset()
    const tasksOnly: PolicyDocument = {
      ...policy,
      Statement: policy.Statement.map(s =>
        s.Condition
          ? { ...s, Condition: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } } }
          : s
      )
    }
    emu.setPolicy(tasksOnly)
    const run = await runToEnd({
      inputs: seedInputs({ 'wait-for-service-stability': 'false' }),
      endpoint: emu.url
    })
    expect(run.code).toBe(1)
    expect(errorLines(run.stdout).join('\n')).toMatch(
      /CreateService .*AccessDenied.*iam:PassRole on resource: arn:aws:iam::123456789012:role\/ecsServiceRole/s
    )
  })
})

describe('the emulator answers like AWS without the permission', () => {
  test('ECS says AccessDeniedException, ELBv2 AccessDenied; the action names the missing action', async () => {
    const emu = emulators[1]
    await emu.reset()
    emu.setPolicy(withoutAction('elasticloadbalancing:CreateTargetGroup'))
    const run = await runToEnd({ inputs: scenarioInputs(), endpoint: emu.url })
    expect(run.code).toBe(1)
    expect(errorLines(run.stdout).join('\n')).toMatch(
      /CreateTargetGroup rel-web failed \(AccessDenied\)[\s\S]*The role is not allowed elasticloadbalancing:CreateTargetGroup/
    )
    const denied = emu.calls.list().filter(c => /AccessDenied/.test(c.errorCode ?? ''))
    expect(denied.map(c => [c.operation, c.status, c.errorCode])).toEqual([
      ['CreateTargetGroup', 403, 'AccessDenied']
    ])

    await emu.reset()
    emu.setPolicy(withoutAction('ecs:TagResource'))
    const ecsRun = await runToEnd({ inputs: scenarioInputs(), endpoint: emu.url })
    expect(ecsRun.code).toBe(1)
    const ecsDenied = emu.calls.list().filter(c => /AccessDenied/.test(c.errorCode ?? ''))
    expect(ecsDenied.map(c => [c.operation, c.status, c.errorCode])).toEqual([
      ['RegisterTaskDefinition', 400, 'AccessDeniedException']
    ])
    expect(errorLines(ecsRun.stdout).join('\n')).toContain('ecs:TagResource')
  })
})
