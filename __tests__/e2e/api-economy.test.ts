/**
 * What each deploy scenario costs in AWS API calls, asserted from the emulator's call log so that a
 * regression fails CI. Not timed: only the calls count. The expected values are this file's own; the
 * scenarios are shared with the bench (test-support/economy-scenarios.ts), which prints the same counts.
 */
import { afterAll, beforeAll, expect, test } from '@jest/globals'
import { startEmulator, type Emulator } from '../../emulator/server.js'
import { runEconomyScenarios, type ScenarioCalls } from '../../test-support/economy-scenarios.js'

let emulator: Emulator
let scenarios: Map<string, ScenarioCalls>

beforeAll(async () => {
  emulator = await startEmulator({ timeScale: 0.01 })
  scenarios = new Map((await runEconomyScenarios(emulator.url)).map(s => [s.scenario, s]))
}, 240_000)
afterAll(async () => {
  await emulator.stop()
})

const scenario = (name: string): ScenarioCalls => {
  const s = scenarios.get(name)
  if (!s) throw new Error(`scenario ${name} did not run`)
  if (s.code !== 0) throw new Error(`${name}: the action failed (${s.code}):\n${s.output ?? ''}`)
  return s
}

test('first deploy creates each resource once, in dependency order', () => {
  expect(scenario('first deploy').mutating).toEqual([
    'RegisterTaskDefinition',
    'CreateLoadBalancer',
    'CreateTargetGroup',
    'CreateListener',
    'CreateService'
  ])
})

test('identical re-run: zero mutating calls and at most 8 reads, watch included', () => {
  const s = scenario('identical re-run')
  expect(s.mutating).toEqual([])
  expect(Object.values(s.byOperation).every(o => !o.mutating)).toBe(true)
  expect(s.reads).toBeLessThanOrEqual(8)
  // It still confirms health: the watch looks at the service and its target group once.
  expect(s.byOperation.DescribeTargetHealth?.count).toBeGreaterThanOrEqual(1)
})

test('image change: RegisterTaskDefinition and UpdateService, then only the watch', () => {
  const s = scenario('image change')
  expect(s.mutating).toEqual(['RegisterTaskDefinition', 'UpdateService'])
  // Per poll: DescribeServices and one DescribeTargetHealth (one target group); nothing else repeats.
  const polls = s.byOperation.DescribeServices.count
  expect(s.byOperation.DescribeTargetHealth.count).toBeLessThanOrEqual(polls)
  expect(s.byOperation.DescribeTargetGroups?.count ?? 0).toBeLessThanOrEqual(2)
})

test('health-check change: the probe (a temporary group and rule, removed again), then one ModifyTargetGroup', () => {
  expect(scenario('health-check change').mutating).toEqual([
    'CreateTargetGroup',
    'CreateRule',
    'RegisterTargets',
    'DeleteRule',
    'DeleteTargetGroup',
    'ModifyTargetGroup'
  ])
})

test('teardown: the service once, and nothing created or modified on the way out', () => {
  const s = scenario('teardown')
  expect(s.mutating.filter(m => m === 'DeleteService')).toHaveLength(1)
  expect(s.mutating.filter(m => /^(Create|Register|Modify)/.test(m))).toEqual([])
  expect(s.reads).toBeLessThanOrEqual(12)
})
