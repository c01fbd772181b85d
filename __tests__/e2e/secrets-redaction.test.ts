/**
 * Security issue, item 1: no task definition environment value leaves the process, whatever the variable
 * is called (DATABASE_URL holds a password as DB_PASSWORD does) and whatever shape the change has — values
 * changed, a container renamed, the variables removed (their old values come from AWS), a preview updated
 * — in the log, stderr, GITHUB_OUTPUT (`plan`), the job summary, or anything sent to GitHub (PR comment,
 * deployment description). The plan shows names and `sha256:` fingerprints instead.
 *
 * Item 3: a file input that leads out of the workspace (a symlink committed in a pull request) is refused
 * before any AWS call, and nothing of the file shows.
 */
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { startEmulator, type Emulator } from '../../emulator/server.js'
import { EmulatorControl } from '../../test-support/emulator-client.js'
import { startFakeGithub, type FakeGithub } from '../../test-support/fake-github.js'
import { fargateInputs, seedInputs } from '../../test-support/fixtures.js'
import { runAction, type ActionRun } from '../../test-support/run-action.js'
import { recordFigures } from '../reliability/harness.js'

let emulator: Emulator
let github: FakeGithub

beforeAll(async () => {
  emulator = await startEmulator({ timeScale: 0.01 })
  github = await startFakeGithub()
})
afterAll(async () => {
  await github.stop()
  await emulator.stop()
})

const TOKEN = 'ghs_RedactionSuiteTokenNeverPrinted77'
/** Two generations of each value; a plain-named variable holds a password as well. */
const DATABASE_URL = ['postgres://u:S3cr3tPw@db/app', 'postgres://u:N3wS3cr3tPw@db/app']
const DB_PASSWORD = ['OLD-hunter2-OLD', 'NEW-hunter3-NEW']
const WORKER_SETTING = ['wrk-plain-name-v4lue-1', 'wrk-plain-name-v4lue-2']
const SECRET_ARN = 'arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:prod/db-AbCdEf'
const VALUES = [...DATABASE_URL, 'S3cr3tPw', ...DB_PASSWORD, ...WORKER_SETTING]

interface Shape {
  generation: 0 | 1
  /** The sidecar's name: renaming it removes one container and adds another. */
  worker?: string
  /** Without the environment lists (their old values are only in AWS then). */
  withoutEnvironment?: boolean
}

function taskDefinition(s: Shape): string {
  const g = s.generation
  const env = (list: { name: string; value: string }[]) => (s.withoutEnvironment ? {} : { environment: list })
  return JSON.stringify({
    family: 'ecscompose-ecs-app',
    networkMode: 'bridge',
    containerDefinitions: [
      {
        name: 'app',
        image: 'inokara/ecs-app:latest',
        memory: 128,
        essential: true,
        portMappings: [{ containerPort: 4567 }],
        ...env([
          { name: 'DATABASE_URL', value: DATABASE_URL[g] },
          { name: 'DB_PASSWORD', value: DB_PASSWORD[g] },
          { name: 'LOG_LEVEL', value: 'debug' }
        ]),
        secrets: [{ name: 'STRIPE_KEY', valueFrom: SECRET_ARN }]
      },
      ...(s.worker
        ? [
            {
              name: s.worker,
              image: 'inokara/ecs-app:latest',
              memory: 64,
              essential: false,
              ...env([{ name: 'SETTING', value: WORKER_SETTING[g] }])
            }
          ]
        : [])
    ]
  })
}

function pullRequestEnv(): Record<string, string> {
  const dir = mkdtempSync(path.join(tmpdir(), 'ecs-alb-deploy-event-'))
  const eventPath = path.join(dir, 'event.json')
  writeFileSync(
    eventPath,
    JSON.stringify({
      action: 'synchronize',
      number: 7,
      pull_request: { number: 7, head: { sha: 'c'.repeat(40), ref: 'feature' }, base: { ref: 'main' } },
      repository: { name: 'app', owner: { login: 'octo' } }
    })
  )
  return { ...githubEnv(), GITHUB_EVENT_NAME: 'pull_request', GITHUB_EVENT_PATH: eventPath }
}

const githubEnv = (): Record<string, string> => ({
  GITHUB_API_URL: github.url,
  GITHUB_SERVER_URL: 'https://github.example',
  GITHUB_REPOSITORY: 'octo/app',
  GITHUB_RUN_ID: '314',
  GITHUB_EVENT_NAME: 'push',
  GITHUB_REF: 'refs/heads/main',
  GITHUB_SHA: 'f'.repeat(40),
  RUNNER_DEBUG: '1'
})

/** What a person or a later step can read; the runner consumes ::add-mask:: itself. */
const written = (run: ActionRun): Record<string, string> => ({
  log: run.stdout
    .split('\n')
    .filter(l => !l.startsWith('::add-mask::'))
    .join('\n'),
  stderr: run.stderr,
  GITHUB_OUTPUT: run.outputText ?? '',
  summary: run.summary
})

const leaksIn = (texts: Record<string, string>): string[] =>
  Object.entries(texts).flatMap(([where, text]) =>
    VALUES.filter(v => text.includes(v)).map(v => `${JSON.stringify(v)} in ${where}`)
  )

test('no environment value in the log, outputs, summary or GitHub, in any shape of change', async () => {
  const runs: { name: string; run: ActionRun }[] = []
  const step = async (name: string, shape: Shape, opts: { dryRun?: boolean; preview?: boolean } = {}) => {
    const inputs = seedInputs({
      'task-definition': taskDefinition(shape),
      'desired-count': '1',
      'github-token': TOKEN,
      ...(opts.dryRun ? { 'dry-run': 'true' } : {}),
      ...(opts.preview
        ? { 'preview-routing': 'host', 'preview-host-template': '{id}.preview.example.com' }
        : {})
    })
    const run = await runAction({
      inputs,
      endpoint: emulator.url,
      env: opts.preview ? pullRequestEnv() : githubEnv()
    })
    if (run.code !== 0) throw new Error(`${name} failed (${run.code}):\n${run.stdout}\n${run.stderr}`)
    runs.push({ name, run })
    return run
  }

  await step('first deploy', { generation: 0, worker: 'worker' })
  const dry = await step('dry-run of changed values', { generation: 1, worker: 'worker' }, { dryRun: true })
  await step('values changed', { generation: 1, worker: 'worker' })
  const renamed = await step('sidecar renamed', { generation: 1, worker: 'jobs' })
  const removed = await step('variables and sidecar removed', { generation: 1, withoutEnvironment: true })
  await step('preview with the values', { generation: 0, worker: 'worker' }, { preview: true })
  await step('preview without them', { generation: 0, withoutEnvironment: true }, { preview: true })

  const github_ = {
    'PR comment': github.state.comments.map(c => c.body).join('\n'),
    'GitHub requests': JSON.stringify(github.requests.map(r => r.body))
  }
  expect(github.state.comments).toHaveLength(1)
  const found = [
    ...runs.flatMap(({ name, run }) => leaksIn(written(run)).map(l => `${name}: ${l}`)),
    ...leaksIn(github_)
  ]
  expect(found).toEqual([])
  recordFigures('secrets-redaction', {
    runs: runs.map(r => ({ name: r.name, exit: r.run.code, leaks: leaksIn(written(r.run)).length })),
    valuesChecked: VALUES.length,
    bytesScanned:
      runs.reduce((n, r) => n + Object.values(written(r.run)).join('').length, 0) +
      Object.values(github_).join('').length
  })

  // The changes are still there to review: by name, with fingerprints for the values.
  expect(dry.stdout).toMatch(
    /environment\[DATABASE_URL\]\.value: "sha256:[0-9a-f]{8}" → "sha256:[0-9a-f]{8}"/
  )
  expect(renamed.outputs.plan).toContain('containerDefinitions[jobs]')
  expect(removed.outputs.plan).toContain('containerDefinitions[app].environment')
  // An ARN is a reference, not a secret: readable, not masked.
  expect(removed.stdout).not.toContain(`::add-mask::${SECRET_ARN}`)
  // Values of secret-looking names are still masked (also the old ones read from AWS), the rest not.
  expect(removed.stdout).toContain(`::add-mask::${DB_PASSWORD[1]}`)
  expect(removed.stdout).not.toContain(`::add-mask::debug`)
}, 300_000)

test('a task definition symlinked to a file outside the workspace: refused, nothing of it shown, no AWS call', async () => {
  const control = new EmulatorControl(emulator.url)
  const workspace = mkdtempSync(path.join(tmpdir(), 'ecs-alb-deploy-ws-'))
  const elsewhere = mkdtempSync(path.join(tmpdir(), 'ecs-alb-deploy-elsewhere-'))
  const secret = 'wJalrXUtnFEMI-FakeRunnerSecret-0042'
  // Like /proc/self/environ: NUL-separated NAME=value pairs, which YAML reads as one string.
  writeFileSync(path.join(elsewhere, 'environ'), `AWS_SECRET_ACCESS_KEY=${secret}\0HOME=/home/runner\0`)
  mkdirSync(path.join(workspace, 'deploy'))
  symlinkSync(path.join(elsewhere, 'environ'), path.join(workspace, 'deploy', 'task-definition.json'))
  const before = (await control.calls()).length

  const run = await runAction({
    inputs: fargateInputs({ 'task-definition': 'deploy/task-definition.json' }),
    endpoint: emulator.url,
    cwd: workspace
  })

  expect(run.code).toBe(1)
  expect(run.stdout).toMatch(
    /::error::Input "task-definition": the file "deploy\/task-definition.json" \(.*\) is outside the workspace/
  )
  const everything = run.stdout + run.stderr + (run.outputText ?? '') + run.summary
  expect(everything).not.toContain(secret)
  expect(everything).not.toContain('AWS_SECRET_ACCESS_KEY=')
  expect((await control.calls()).length - before).toBe(0)
}, 60_000)
