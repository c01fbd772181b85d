/**
 * Issue 6, the GitHub side end to end: the bundled action in a pull_request event, with github-token and
 * GITHUB_API_URL pointing at a local stand-in for the GitHub REST API (test-support/fake-github.ts). The
 * preview id comes from the event, the deployment status carries the preview URL, and the PR has one
 * comment, kept up to date across runs and the teardown.
 */
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { startEmulator, type Emulator } from '../../emulator/server.js'
import { EmulatorControl } from '../../test-support/emulator-client.js'
import { startFakeGithub, type FakeGithub } from '../../test-support/fake-github.js'
import { seedInputs, seedTaskDefinition } from '../../test-support/fixtures.js'
import { runAction, type ActionRun } from '../../test-support/run-action.js'

let emulator: Emulator
let control: EmulatorControl
let github: FakeGithub

beforeAll(async () => {
  emulator = await startEmulator({ timeScale: 0.01 })
  control = new EmulatorControl(emulator.url)
  github = await startFakeGithub()
})
afterAll(async () => {
  await github.stop()
  await emulator.stop()
})

const TOKEN = 'ghs_e2eTokenThatMustNeverBePrinted0001'
const PR = 42
const HEAD_SHA = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678'

/** The environment a runner gives a job triggered by a pull_request event. */
function pullRequestEnv(action: 'synchronize' | 'closed', sha = HEAD_SHA): Record<string, string> {
  const dir = mkdtempSync(path.join(tmpdir(), 'ecs-alb-deploy-event-'))
  const eventPath = path.join(dir, 'event.json')
  writeFileSync(
    eventPath,
    JSON.stringify({
      action,
      number: PR,
      pull_request: { number: PR, head: { sha, ref: 'feature' }, base: { ref: 'main' } },
      repository: { name: 'app', owner: { login: 'octo' } }
    })
  )
  return {
    GITHUB_API_URL: github.url,
    GITHUB_SERVER_URL: 'https://github.example',
    GITHUB_REPOSITORY: 'octo/app',
    GITHUB_RUN_ID: '9001',
    GITHUB_EVENT_NAME: 'pull_request',
    GITHUB_EVENT_PATH: eventPath,
    GITHUB_SHA: 'ffffffffffffffffffffffffffffffffffffffff'
  }
}

/** The preview workflow's inputs: no preview-id, so it comes from the event (pr-42). */
const previewInputs = (extra: Record<string, string> = {}) =>
  seedInputs({
    'desired-count': '1',
    'preview-routing': 'host',
    'preview-host-template': '{id}.preview.example.com',
    'github-token': TOKEN,
    ...extra
  })

const expectSuccess = (r: ActionRun): void => {
  if (r.code !== 0) throw new Error(`action failed (${r.code}):\n${r.stdout}\n${r.stderr}`)
}

const withoutMaskCommands = (stdout: string): string =>
  stdout
    .split('\n')
    .filter(l => !l.startsWith('::add-mask::'))
    .join('\n')

test('a pull request preview: deployment status with the preview URL, one PR comment, through teardown', async () => {
  const baseRun = await runAction({ inputs: seedInputs({ 'desired-count': '1' }), endpoint: emulator.url })
  expectSuccess(baseRun)
  // A plain deploy outside a pull request talks to GitHub not at all (and says nothing about a token).
  expect(github.requests).toEqual([])

  const first = await runAction({
    inputs: previewInputs(),
    endpoint: emulator.url,
    env: pullRequestEnv('synchronize')
  })
  expectSuccess(first)
  const url = 'http://pr-42.preview.example.com/'
  expect(first.outputs.url).toBe(url)
  expect(first.outputs['service-arn']).toMatch(/service\/ecs-demo\/ecs-simple-service-elb-pr-42$/)

  expect(github.state.deployments).toEqual([
    expect.objectContaining({
      ref: HEAD_SHA,
      environment: 'preview/pr-42',
      transient_environment: true,
      production_environment: false
    })
  ])
  const deploymentId = github.state.deployments[0].id
  expect(github.state.statuses).toEqual([
    expect.objectContaining({
      deployment_id: deploymentId,
      state: 'success',
      environment_url: url,
      log_url: 'https://github.example/octo/app/actions/runs/9001'
    })
  ])
  expect(github.state.comments).toHaveLength(1)
  const comment = github.state.comments[0]
  expect(comment.issue_number).toBe(PR)
  expect(comment.body).toContain('<!-- ecs-alb-deploy:preview/pr-42 -->')
  expect(comment.body).toContain(`| URL | ${url} |`)
  expect(comment.body).toContain('`a1b2c3d`')
  expect(comment.body).toMatch(/1\/1 healthy/)
  // Every GitHub call carried the token; the log never shows it.
  expect(github.requests.every(r => r.authorization === `token ${TOKEN}`)).toBe(true)
  expect(withoutMaskCommands(first.stdout) + first.stderr).not.toContain(TOKEN)

  // A new push to the PR: a new deployment, the same comment edited in place.
  const pushed = 'b2c3d4e5f60718293a4b5c6d7e8f901234567890'
  const second = await runAction({
    inputs: previewInputs({ 'task-definition': seedTaskDefinition('inokara/ecs-app:pr-42-b') }),
    endpoint: emulator.url,
    env: pullRequestEnv('synchronize', pushed)
  })
  expectSuccess(second)
  expect(github.state.deployments.map(d => d.ref)).toEqual([HEAD_SHA, pushed])
  expect(github.state.statuses.filter(s => s.state === 'success').map(s => s.environment_url)).toEqual([
    url,
    url
  ])
  expect(github.state.comments).toHaveLength(1)
  expect(github.state.comments[0].id).toBe(comment.id)
  expect(github.state.comments[0].body).toContain('`b2c3d4e`')
  expect(github.state.comments[0].body).toContain('containerDefinitions[app].image')

  // The PR is closed: the preview goes, its deployments turn inactive, the one comment says so.
  const closed = await runAction({
    inputs: previewInputs({ delete: 'true' }),
    endpoint: emulator.url,
    env: pullRequestEnv('closed', pushed)
  })
  expectSuccess(closed)
  const inactive = github.state.statuses.filter(s => s.state === 'inactive').map(s => s.deployment_id)
  expect(inactive.sort()).toEqual(github.state.deployments.map(d => d.id).sort())
  expect(github.state.comments).toHaveLength(1)
  expect(github.state.comments[0].body).toMatch(/Preview `pr-42` was removed/)
  expect(github.state.comments[0].body).toContain('ecs-simple-service-elb-pr-42')
  expect(closed.outputs.changed).toBe('true')
  expect((await control.mutatingCalls()).map(c => c.operation)).toContain('DeleteService')
})

test("a comment by another user that carries the preview's marker is left untouched: the action writes its own", async () => {
  await control.reset()
  github.state.comments = []
  github.state.deployments = []
  github.state.statuses = []
  github.requests.length = 0
  expectSuccess(await runAction({ inputs: seedInputs({ 'desired-count': '1' }), endpoint: emulator.url }))
  // Anyone who may comment on the PR can paste the hidden marker, before the first preview run.
  const spoofed = {
    id: 1,
    issue_number: PR,
    body: '<!-- ecs-alb-deploy:preview/pr-42 -->\nPreview moved: log in at https://phishing.example/ to see it',
    user: { login: 'mallory' }
  }
  github.state.comments.push({ ...spoofed })

  const run = await runAction({
    inputs: previewInputs(),
    endpoint: emulator.url,
    env: pullRequestEnv('synchronize')
  })
  expectSuccess(run)
  expect(github.state.comments).toEqual([
    spoofed,
    expect.objectContaining({ issue_number: PR, user: { login: 'github-actions[bot]' } })
  ])
  expect(github.state.comments[1].body).toContain('<!-- ecs-alb-deploy:preview/pr-42 -->')
  expect(github.state.comments[1].body).toContain('| URL | http://pr-42.preview.example.com/ |')
  expect(github.requests.filter(r => r.path.endsWith(`/issues/comments/${spoofed.id}`))).toEqual([])
})
