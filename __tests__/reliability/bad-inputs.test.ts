/**
 * The bad-input corpus through the bundle, as a runner runs it: every entry exits 1 with exactly one
 * error that names the input (and the field), and the emulator sees no mutating call.
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { toActionInputs } from '../../test-support/inputs.js'
import { startEmulator, type Emulator } from '../../emulator/server.js'
import { BAD_INPUTS, type BadInput } from '../fixtures/bad-inputs.js'
import { errorLines, recordFigures, runToEnd } from './harness.js'

let emulator: Emulator
// An empty workspace: no relative path in the corpus can name a file by accident.
const workspace = mkdtempSync(path.join(tmpdir(), 'bad-inputs-e2e-'))
const CONCURRENCY = 3

beforeAll(async () => {
  emulator = await startEmulator({ timeScale: 0.01 })
})
afterAll(async () => {
  await emulator.stop()
})

interface CaseResult {
  name: string
  code: number | null
  errors: string[]
  problem?: string
}

function judge(entry: BadInput, code: number | null, errors: string[]): string | undefined {
  const prefix =
    entry.field === undefined
      ? `Input "${entry.input}": `
      : `Input "${entry.input}", field "${entry.field}": `
  if (code !== 1) return `exit code ${code}, expected 1`
  if (errors.length !== 1) return `${errors.length} ::error:: lines, expected 1: ${errors.join(' | ')}`
  if (!errors[0].startsWith(prefix)) return `error does not start with ${prefix}: ${errors[0]}`
  if (entry.message && !entry.message.test(errors[0]))
    return `error does not match ${entry.message}: ${errors[0]}`
  return undefined
}

test(`${BAD_INPUTS.length} bad inputs: exit 1, one error naming input and field, no mutating call`, async () => {
  expect(BAD_INPUTS.length).toBeGreaterThanOrEqual(60)
  const queue = [...BAD_INPUTS]
  const results: CaseResult[] = []
  const worker = async () => {
    for (let entry = queue.shift(); entry; entry = queue.shift()) {
      const run = await runToEnd({
        inputs: toActionInputs(entry.raw),
        endpoint: emulator.url,
        cwd: workspace,
        timeoutMs: 60_000
      })
      const errors = errorLines(run.stdout)
      results.push({ name: entry.name, code: run.code, errors, problem: judge(entry, run.code, errors) })
    }
  }
  await Promise.all(Array.from({ length: CONCURRENCY }, worker))

  const calls = emulator.calls.list()
  recordFigures('bad-inputs', {
    cases: results.length,
    passed: results.filter(r => !r.problem).length,
    apiCalls: calls.length,
    mutatingCalls: calls.filter(c => c.mutating).length
  })
  expect(results).toHaveLength(BAD_INPUTS.length)
  expect(results.filter(r => r.problem).map(r => `${r.name}: ${r.problem}`)).toEqual([])
  // Inputs are checked before any AWS call: nothing mutating reached the emulator, whatever the case.
  expect(calls.filter(c => c.mutating)).toEqual([])
}, 300_000)
