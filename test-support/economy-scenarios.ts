/**
 * The deploy scenarios whose AWS calls are counted, read from the emulator's call log: run by
 * __tests__/e2e/api-economy.test.ts (which holds its own expected values) and by bench/api-economy.ts
 * (which prints them beside the official action's).
 */
import { readFileSync } from 'node:fs'
import path from 'node:path'
import type { CallRecord } from '../emulator/core/calls.js'
import { EmulatorControl } from './emulator-client.js'
import { seedInputs, seedTaskDefinition } from './fixtures.js'
import { repoRoot, runAction } from './run-action.js'

export type ScenarioName =
  'first deploy' | 'identical re-run' | 'image change' | 'health-check change' | 'teardown'

export interface ScenarioCalls {
  scenario: ScenarioName
  /** Exit code of the action. */
  code: number | null
  durationMs: number
  /** Successful mutating calls, in order. */
  mutating: string[]
  reads: number
  /** Every call (including failed ones, e.g. a describe answering NotFound), by operation. */
  byOperation: Record<string, { count: number; mutating: boolean }>
  /** Calls made by the watch (the polls after the last mutating call of apply). */
  polls: number
  output?: string
}

const WATCH_OPERATIONS = new Set([
  'DescribeServices',
  'DescribeTargetHealth',
  'DescribeTargetGroups',
  'ListTasks',
  'DescribeTasks'
])

/** Mutating calls in order, reads, calls by operation, and the watch's share. */
export function summarize(calls: CallRecord[]): Omit<ScenarioCalls, 'scenario' | 'code' | 'durationMs'> {
  const byOperation: ScenarioCalls['byOperation'] = {}
  for (const c of calls) {
    const entry = (byOperation[c.operation] ??= { count: 0, mutating: c.mutating })
    entry.count++
  }
  const lastMutation = calls.findLastIndex(c => c.mutating)
  // Teardown has no watch; elsewhere the watch starts after apply's last mutating call (or, with none,
  // at the first DescribeTargetHealth: discover never asks for target health).
  const watchStart =
    lastMutation >= 0 ? lastMutation + 1 : calls.findIndex(c => c.operation === 'DescribeTargetHealth')
  const polls =
    watchStart < 0 ? 0 : calls.slice(watchStart).filter(c => WATCH_OPERATIONS.has(c.operation)).length
  return {
    mutating: calls.filter(c => c.mutating && c.status < 300).map(c => c.operation),
    reads: calls.filter(c => !c.mutating).length,
    byOperation,
    polls
  }
}

/** The seed's target group with a different health check (interval and healthy threshold). */
const changedHealthCheck = (): string => {
  const tg = JSON.parse(
    readFileSync(path.join(repoRoot, 'examples/seed/target-group.json'), 'utf8')
  ) as Record<string, unknown>
  return JSON.stringify({ ...tg, HealthCheckIntervalSeconds: 20, HealthyThresholdCount: 2 })
}

const SCENARIOS: { scenario: ScenarioName; inputs: () => Record<string, string> }[] = [
  { scenario: 'first deploy', inputs: () => seedInputs() },
  { scenario: 'identical re-run', inputs: () => seedInputs() },
  {
    scenario: 'image change',
    inputs: () => seedInputs({ 'task-definition': seedTaskDefinition('inokara/ecs-app:v2') })
  },
  {
    scenario: 'health-check change',
    inputs: () =>
      seedInputs({
        'task-definition': seedTaskDefinition('inokara/ecs-app:v2'),
        'target-group': changedHealthCheck()
      })
  },
  {
    scenario: 'teardown',
    inputs: () =>
      seedInputs({
        'task-definition': seedTaskDefinition('inokara/ecs-app:v2'),
        'target-group': changedHealthCheck(),
        delete: 'true',
        'delete-base-stack': 'true'
      })
  }
]

/**
 * Runs the five scenarios in order against a fresh emulator state (each builds on the previous one)
 * and returns the calls of each, taken from the emulator's call log.
 */
export async function runEconomyScenarios(emulatorUrl: string): Promise<ScenarioCalls[]> {
  const control = new EmulatorControl(emulatorUrl)
  await control.reset()
  const out: ScenarioCalls[] = []
  for (const s of SCENARIOS) {
    const before = (await control.calls()).at(-1)?.seq ?? 0
    const run = await runAction({ inputs: s.inputs(), endpoint: emulatorUrl })
    const calls = await control.calls(before)
    out.push({
      scenario: s.scenario,
      code: run.code,
      durationMs: run.durationMs,
      ...summarize(calls),
      ...(run.code === 0 ? {} : { output: `${run.stdout}\n${run.stderr}` })
    })
  }
  return out
}
