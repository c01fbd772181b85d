/**
 * AWS throttling: 30 % of all calls answered ThrottlingException (ECS) / Throttling (ELBv2), plus a few
 * seconds of 100 % at the start of each run. The SDK's standard retry strategy absorbs it: a first deploy
 * and an update converge to the state of an unthrottled run, with nothing made twice.
 */
import { createClients } from '../../src/aws/clients.js'
import { startEmulator, type Emulator } from '../../emulator/server.js'
import {
  comparableState,
  duplicateRevisions,
  expectSuccess,
  mutatingOps,
  recordFigures,
  resourceCounts,
  runToEnd,
  scenarioInputs,
  type StateDump
} from './harness.js'

const TIME_SCALE = 0.005
const SHARE = 0.3
const BURST_REAL_MS = 3000
let throttled: Emulator
let calm: Emulator

beforeAll(async () => {
  ;[throttled, calm] = await Promise.all([
    startEmulator({ timeScale: TIME_SCALE }),
    startEmulator({ timeScale: TIME_SCALE })
  ])
})
afterAll(async () => {
  await Promise.all([throttled.stop(), calm.stop()])
})

const dump = async (emu: Emulator): Promise<StateDump> =>
  (await (await fetch(`${emu.url}/_emulator/state`)).json()) as StateDump

const isThrottle = (code: string | undefined) => code === 'Throttling' || code === 'ThrottlingException'

/** 30 % throughout, 100 % for the first few (real) seconds. */
function throttle(emu: Emulator, seed: number): void {
  emu.faults.clear()
  emu.faults.seed(seed)
  emu.faults.set({
    throttle: [{ share: 1, untilMs: emu.clock.now() + BURST_REAL_MS / TIME_SCALE }, { share: SHARE }]
  })
}

test('the SDK clients retry with the standard strategy and the max-attempts input', async () => {
  const clients = createClients({ region: 'ap-northeast-1', maxAttempts: 8 })
  for (const client of [clients.ecs, clients.elbv2]) {
    expect(await client.config.maxAttempts()).toBe(8)
    const strategy = (await client.config.retryStrategy()) as { mode?: string }
    expect(strategy.mode).toBe('standard')
  }
})

test('a first deploy and an update converge under throttling, without duplicates', async () => {
  const steps = [
    { name: 'first deploy', inputs: scenarioInputs(), seed: 7 },
    { name: 'update', inputs: scenarioInputs({ updated: true }), seed: 11 }
  ]
  await throttled.reset()
  await calm.reset()
  const references: string[][] = []
  const calmRuns = (async () => {
    for (const step of steps) {
      const since = calm.calls.lastSeq()
      expectSuccess(await runToEnd({ inputs: step.inputs, endpoint: calm.url }), `unthrottled ${step.name}`)
      references.push(mutatingOps(calm.calls.list(since)))
    }
  })()

  const perStep: { name: string; calls: number; throttled: number; ops: string[] }[] = []
  for (const step of steps) {
    const since = throttled.calls.lastSeq()
    throttle(throttled, step.seed)
    const run = await runToEnd({ inputs: step.inputs, endpoint: throttled.url })
    throttled.faults.clear()
    expectSuccess(run, `throttled ${step.name}`)
    const calls = throttled.calls.list(since)
    perStep.push({
      name: step.name,
      calls: calls.length,
      throttled: calls.filter(c => isThrottle(c.errorCode)).length,
      ops: mutatingOps(calls)
    })
    // Throttled calls are all the emulator refused: every other call succeeded.
    expect(calls.filter(c => c.status >= 300 && !isThrottle(c.errorCode) && c.mutating)).toEqual([])
  }
  await calmRuns
  recordFigures('throttling', { share: SHARE, burstRealMs: BURST_REAL_MS, runs: perStep })

  // The throttling held: 30 % throughout plus the burst, so well over a fifth of all calls (the exact
  // share depends on how many polls the runs made); and every run met the burst.
  const total = perStep.reduce(
    (n, s) => ({ calls: n.calls + s.calls, throttled: n.throttled + s.throttled }),
    {
      calls: 0,
      throttled: 0
    }
  )
  expect(total.throttled / total.calls).toBeGreaterThanOrEqual(0.2)
  for (const s of perStep) expect(s.throttled).toBeGreaterThanOrEqual(3)
  // Each mutating call succeeded exactly as often as in the unthrottled run: nothing was made twice.
  expect(perStep.map(s => s.ops)).toEqual(references)

  const state = await dump(throttled)
  expect(resourceCounts(state)).toEqual({
    loadBalancers: 1,
    targetGroups: 1,
    listeners: 1,
    rules: 1,
    services: 1,
    taskDefinitionRevisions: 2
  })
  expect(duplicateRevisions(state)).toEqual([])
  expect(comparableState(state)).toEqual(comparableState(await dump(calm)))
}, 300_000)
