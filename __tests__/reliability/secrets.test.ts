/**
 * Secrets: with AWS credentials and a session token in the environment, a GitHub token, secret-looking
 * environment values and `secrets` in the task definition, nothing the action writes — log lines,
 * annotations, debug lines, outputs, job summary — holds one of them, whether the run succeeds, plans,
 * updates, rolls back or refuses its input. The secret-looking input values are registered with
 * core.setSecret (`::add-mask::`), so the runner would mask them even if a later line quoted them.
 */
import { startEmulator, type Emulator } from '../../emulator/server.js'
import { startFakeGithub, type FakeGithub } from '../../test-support/fake-github.js'
import type { ActionRun } from '../../test-support/run-action.js'
import { CREDENTIALS, expectSuccess, recordFigures, runToEnd, scenarioInputs } from './harness.js'

let emulator: Emulator
let github: FakeGithub

beforeAll(async () => {
  emulator = await startEmulator({ timeScale: 0.005 })
  github = await startFakeGithub()
})
afterAll(async () => {
  await github.stop()
  await emulator.stop()
})

const SESSION_TOKEN =
  'IQoJb3JpZ2luX2VjEJr//////////wEaDmFwLW5vcnRoZWFzdC0xIkcwRQIhAKx7SessionTokenThatMustNeverShow9f8e7d6c5b4a'
const GITHUB_TOKEN = 'ghs_ReliabilitySuiteTokenNeverPrinted042'
const DB_PASSWORD = ['hunter2-db-s3cr3t-first', 'hunter2-db-s3cr3t-second']
const API_TOKEN = ['tok_live_4f9a8b7c6d5e3a2b', 'tok_live_0e1d2c3b4a5f6e7d']
const NUMERIC_TOKEN = 918273645546372
const SECRET_ARN = 'arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:prod/stripe-AbCdEf'

/** Everything that must never be written, by name (for the failure message). */
const SECRETS: Record<string, string> = {
  AWS_ACCESS_KEY_ID: CREDENTIALS.AWS_ACCESS_KEY_ID,
  AWS_SECRET_ACCESS_KEY: CREDENTIALS.AWS_SECRET_ACCESS_KEY,
  AWS_SESSION_TOKEN: SESSION_TOKEN,
  'github-token': GITHUB_TOKEN,
  'DB_PASSWORD (1)': DB_PASSWORD[0],
  'DB_PASSWORD (2)': DB_PASSWORD[1],
  'API_TOKEN (1)': API_TOKEN[0],
  'API_TOKEN (2)': API_TOKEN[1],
  'API_TOKEN (number)': String(NUMERIC_TOKEN)
}

const env = (): Record<string, string> => ({
  AWS_SESSION_TOKEN: SESSION_TOKEN,
  // Debug lines too (a re-run with debug logging on).
  RUNNER_DEBUG: '1',
  GITHUB_API_URL: github.url,
  GITHUB_SERVER_URL: 'https://github.example',
  GITHUB_REPOSITORY: 'octo/app',
  GITHUB_RUN_ID: '77',
  GITHUB_EVENT_NAME: 'push',
  GITHUB_REF: 'refs/heads/main',
  GITHUB_SHA: 'ffffffffffffffffffffffffffffffffffffffff'
})

/** The scenario with secrets in its task definition: generation 0 or 1 of the secret values. */
function inputs(opts: { generation: 0 | 1; image?: string; extra?: Record<string, string> }) {
  const base = scenarioInputs({ image: opts.image })
  const td = JSON.parse(base['task-definition']) as {
    containerDefinitions: Record<string, unknown>[]
  }
  td.containerDefinitions[0] = {
    ...td.containerDefinitions[0],
    environment: [
      { name: 'LOG_LEVEL', value: 'debug' },
      { name: 'DB_PASSWORD', value: DB_PASSWORD[opts.generation] },
      { name: 'API_TOKEN', value: API_TOKEN[opts.generation] }
    ],
    secrets: [{ name: 'STRIPE_KEY', valueFrom: SECRET_ARN }]
  }
  return { ...base, 'task-definition': JSON.stringify(td), 'github-token': GITHUB_TOKEN, ...opts.extra }
}

const masks = (run: ActionRun): Set<string> =>
  new Set(
    run.stdout
      .split('\n')
      .filter(l => l.startsWith('::add-mask::'))
      .map(l => l.slice('::add-mask::'.length))
  )

/** What a run wrote that a person or a later step can read; the runner consumes ::add-mask:: itself. */
const written = (run: ActionRun): Record<string, string> => ({
  log: run.stdout
    .split('\n')
    .filter(l => !l.startsWith('::add-mask::'))
    .join('\n'),
  stderr: run.stderr,
  outputs: JSON.stringify(run.outputs),
  summary: run.summary
})

function leaks(run: ActionRun): string[] {
  const found: string[] = []
  for (const [where, text] of Object.entries(written(run))) {
    for (const [name, value] of Object.entries(SECRETS))
      if (text.includes(value)) found.push(`${name} in ${where}`)
  }
  return found
}

test('no secret in anything the action writes: deploy, dry-run, update, failed update with rollback, refused input', async () => {
  await emulator.reset()
  await emulator.modules
    .find(m => m.service === 'ecs')
    ?.control?.('POST', 'images', {
      image: 'example/web:broken',
      healthStatus: 500
    })
  const url = emulator.url
  const runs: { name: string; run: ActionRun; secretInputs: string[] }[] = []
  const step = async (name: string, stepInputs: Record<string, string>, secretInputs: string[]) => {
    const run = await runToEnd({ inputs: stepInputs, endpoint: url, env: env() })
    runs.push({ name, run, secretInputs })
    return run
  }

  expectSuccess(await step('first deploy', inputs({ generation: 0 }), [DB_PASSWORD[0], API_TOKEN[0]]))
  expectSuccess(
    await step('dry-run of a secret change', inputs({ generation: 1, extra: { 'dry-run': 'true' } }), [
      DB_PASSWORD[1],
      API_TOKEN[1]
    ])
  )
  expectSuccess(
    await step('update of the secrets', inputs({ generation: 1 }), [DB_PASSWORD[1], API_TOKEN[1]])
  )
  const failed = await step(
    'failed update, rolled back',
    inputs({ generation: 0, image: 'example/web:broken', extra: { 'wait-for-minutes': '1' } }),
    [DB_PASSWORD[0], API_TOKEN[0]]
  )
  expect(failed.code).toBe(1)
  expect(failed.stdout).toMatch(/Rollback succeeded/)
  const refused = await step(
    'refused input next to the secrets',
    inputs({ generation: 1, extra: { 'desired-count': 'many' } }),
    [DB_PASSWORD[1], API_TOKEN[1]]
  )
  expect(refused.code).toBe(1)
  // The refused field is the secret itself (a number where text is due): the error names it, not its value.
  const td = JSON.parse(inputs({ generation: 1 })['task-definition']) as {
    containerDefinitions: { environment: { name: string; value: unknown }[] }[]
  }
  td.containerDefinitions[0].environment[2].value = NUMERIC_TOKEN
  const quoted = await step(
    'refused secret value',
    { ...inputs({ generation: 1 }), 'task-definition': JSON.stringify(td) },
    [DB_PASSWORD[1], String(NUMERIC_TOKEN)]
  )
  expect(quoted.code).toBe(1)
  expect(quoted.stdout).toContain('field "containerDefinitions[0].environment[2].value"')

  // The GitHub side was really exercised with the token (deployment statuses), so it was really in play.
  expect(github.requests.some(r => r.authorization?.includes(GITHUB_TOKEN))).toBe(true)
  for (const { name, run, secretInputs } of runs) {
    expect({ run: name, leaks: leaks(run) }).toEqual({ run: name, leaks: [] })
    const registered = masks(run)
    const expected = [...secretInputs, GITHUB_TOKEN]
    expect({ run: name, unmasked: expected.filter(v => !registered.has(v)) }).toEqual({
      run: name,
      unmasked: []
    })
    // A plain value is not masked (masking everything would hide the log's meaning), nor an ARN in
    // `secrets`: it names where the secret is, and a stopped task's reason quoting it must stay readable.
    expect(registered.has('debug')).toBe(false)
    expect(registered.has(SECRET_ARN)).toBe(false)
  }
  recordFigures('secrets', {
    runs: runs.map(r => ({ name: r.name, exit: r.run.code, leaks: leaks(r.run).length })),
    secretsChecked: Object.keys(SECRETS).length,
    bytesScanned: runs.reduce((n, r) => n + Object.values(written(r.run)).join('').length, 0)
  })
}, 300_000)
