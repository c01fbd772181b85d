/**
 * API economy: what each deploy scenario costs in AWS API calls, read from the emulator's call log, beside
 * the official action's. The scenarios themselves are test-support/economy-scenarios.ts, which
 * __tests__/e2e/api-economy.test.ts runs as well, with its own expected values.
 */
import { startEmulator } from '../emulator/server.js'
import { EmulatorControl } from '../test-support/emulator-client.js'
import { runEconomyScenarios, summarize, type ScenarioCalls } from '../test-support/economy-scenarios.js'
import { seedInputs, seedTaskDefinition } from '../test-support/fixtures.js'
import { runAction } from '../test-support/run-action.js'
import { officialDist, runOfficial } from './official.js'

export type { ScenarioCalls }

export interface OfficialCalls {
  scenario: 'identical re-run' | 'image change'
  code: number | null
  durationMs: number
  mutating: string[]
  reads: number
  byOperation: Record<string, { count: number; mutating: boolean }>
}

export interface ApiEconomyResult {
  ours: ScenarioCalls[]
  /** The official amazon-ecs-deploy-task-definition against the same emulator, or why not. */
  official: OfficialCalls[] | { skipped: string }
}

/** The targets of issue 8, printed beside the numbers (the test states its own). */
export const ECONOMY_TARGETS = {
  'identical re-run': { mutating: [] as string[], maxReads: 8 },
  'image change': { mutating: ['RegisterTaskDefinition', 'UpdateService'] }
} as const

/** The official action's two comparable scenarios, on a service our first deploy created. */
async function officialScenarios(emulatorUrl: string, dist: string): Promise<OfficialCalls[]> {
  const control = new EmulatorControl(emulatorUrl)
  await control.reset()
  const setup = await runAction({ inputs: seedInputs(), endpoint: emulatorUrl })
  if (setup.code !== 0) throw new Error(`setup deploy failed:\n${setup.stdout}`)
  const out: OfficialCalls[] = []
  // The first run changes the image to v2, the second asks for v2 again.
  for (const scenario of ['image change', 'identical re-run'] as const) {
    const before = (await control.calls()).at(-1)?.seq ?? 0
    const taskDefinition = seedTaskDefinition('inokara/ecs-app:v2')
    const run = await runOfficial({ dist, endpoint: emulatorUrl, taskDefinition })
    const { mutating, reads, byOperation } = summarize(await control.calls(before))
    out.push({ scenario, code: run.code, durationMs: run.durationMs, mutating, reads, byOperation })
  }
  return out
}

export async function apiEconomy(opts: { official?: boolean } = {}): Promise<ApiEconomyResult> {
  const emulator = await startEmulator({ timeScale: 0.01 })
  try {
    const ours = await runEconomyScenarios(emulator.url)
    let official: ApiEconomyResult['official'] = { skipped: 'not asked for' }
    if (opts.official !== false) {
      const dist = await officialDist()
      official = 'skipped' in dist ? dist : await officialScenarios(emulator.url, dist.entry)
    }
    return { ours, official }
  } finally {
    await emulator.stop()
  }
}

const opsLine = (byOperation: ScenarioCalls['byOperation']): string =>
  Object.entries(byOperation)
    .map(([op, { count, mutating }]) => `${mutating ? '**' : ''}${op}${mutating ? '**' : ''} ${count}`)
    .join(', ')

export function renderApiEconomy(r: ApiEconomyResult): string {
  const lines = [
    '| Scenario | Exit | Wall s | Mutating | Reads | of which watch | Calls by operation (**mutating**) |',
    '| --- | --- | --- | --- | --- | --- | --- |'
  ]
  for (const s of r.ours) {
    lines.push(
      `| ${s.scenario} | ${s.code} | ${(s.durationMs / 1000).toFixed(1)} | ${s.mutating.length} | ${s.reads} | ${s.polls} | ${opsLine(s.byOperation)} |`
    )
  }
  const targets = [
    '',
    `Targets: identical re-run = 0 mutating calls and ≤ ${ECONOMY_TARGETS['identical re-run'].maxReads} reads;`,
    'image change = RegisterTaskDefinition + UpdateService, then the watch.'
  ]
  const official =
    'skipped' in r.official
      ? [``, `Official action: skipped (${r.official.skipped}).`]
      : [
          '',
          'The official `amazon-ecs-deploy-task-definition` (its committed dist, `wait-for-service-stability: true`) ' +
            'against the same emulator, on the service our first deploy created. It manages no load balancer, ' +
            'target group or listener, and does not look at target health:',
          '',
          '| Scenario | Exit | Wall s | Mutating | Reads | Calls by operation (**mutating**) |',
          '| --- | --- | --- | --- | --- | --- |',
          ...r.official.map(
            s =>
              `| ${s.scenario} | ${s.code} | ${(s.durationMs / 1000).toFixed(1)} | ${s.mutating.length} | ${s.reads} | ${opsLine(s.byOperation)} |`
          ),
          '',
          'It registers a new revision and starts a new deployment on every run, identical or not; its waiter ' +
            'polls DescribeServices no sooner than every 15 s. Ours polls every poll-interval-seconds (1 s in these ' +
            'scenarios, 5 s by default) with DescribeServices and one DescribeTargetHealth per target group, and ' +
            'stops as soon as every target is healthy: more reads per minute of rollout, in exchange for a verdict ' +
            'within one poll of the last target turning healthy, and about targets, which the official action ' +
            'never looks at.'
        ]
  return [...lines, ...targets, ...official].join('\n')
}
