import { jest } from '@jest/globals'
import { startFakeGithub, type FakeGithub } from '../../../test-support/fake-github.js'
import {
  githubSideEnabled,
  markInactive,
  publishDeployment,
  renderPrComment,
  reportToGithub,
  upsertPrComment
} from '../../../src/github/index.js'
import type { DeployRequest } from '../../../src/model/request.js'

const TOKEN = 'ghs_fake-token-for-tests'
const SHA = '0123456789abcdef0123456789abcdef01234567'
const ENV = 'preview/pr-12'
const URL_ = 'http://pr-12.preview.example.com/'

let gh: FakeGithub
const saved = { ...process.env }

beforeEach(async () => {
  gh = await startFakeGithub()
  // Set after @actions/github was imported: the GitHub side must read it per call, not at import.
  process.env.GITHUB_API_URL = gh.url
  process.env.GITHUB_REPOSITORY = 'octo-org/app'
  process.env.GITHUB_SERVER_URL = 'https://github.example'
  process.env.GITHUB_RUN_ID = '42'
})

afterEach(async () => {
  await gh.stop()
  process.env = { ...saved }
})

const comment = (overrides: Partial<Parameters<typeof renderPrComment>[0]> = {}): string =>
  renderPrComment({
    previewId: 'pr-12',
    url: URL_,
    sha: SHA,
    planLines: ['+ service x: create'],
    outcome: 'success',
    ...overrides
  })

describe('publishDeployment', () => {
  test('creates a deployment for the preview environment and a status carrying the URL', async () => {
    const { deploymentId } = await publishDeployment({
      token: TOKEN,
      environment: ENV,
      url: URL_,
      ref: SHA,
      state: 'success',
      description: 'Deployed'
    })
    expect(gh.state.deployments).toEqual([
      expect.objectContaining({
        id: deploymentId,
        ref: SHA,
        environment: ENV,
        transient_environment: true,
        production_environment: false,
        required_contexts: [],
        auto_merge: false
      })
    ])
    expect(gh.state.statuses).toEqual([
      expect.objectContaining({
        deployment_id: deploymentId,
        state: 'success',
        environment_url: URL_,
        log_url: 'https://github.example/octo-org/app/actions/runs/42',
        auto_inactive: true
      })
    ])
    expect(gh.requests.every(r => r.authorization === `token ${TOKEN}`)).toBe(true)
    expect(gh.requests.every(r => r.path.startsWith('/repos/octo-org/app/'))).toBe(true)
  })

  test('with a deploymentId, only a status is added (in_progress, then success)', async () => {
    const { deploymentId } = await publishDeployment({
      token: TOKEN,
      environment: ENV,
      ref: SHA,
      state: 'in_progress'
    })
    await publishDeployment({
      token: TOKEN,
      environment: ENV,
      ref: SHA,
      state: 'success',
      url: URL_,
      deploymentId
    })
    expect(gh.state.deployments).toHaveLength(1)
    expect(gh.state.statuses.map(s => [s.state, s.environment_url])).toEqual([
      ['in_progress', undefined],
      ['success', URL_]
    ])
  })
})

describe('markInactive', () => {
  test("marks every deployment of the environment inactive, and only that environment's", async () => {
    const a = await publishDeployment({
      token: TOKEN,
      environment: ENV,
      ref: 'a',
      state: 'success',
      url: URL_
    })
    const b = await publishDeployment({
      token: TOKEN,
      environment: ENV,
      ref: 'b',
      state: 'success',
      url: URL_
    })
    const other = await publishDeployment({
      token: TOKEN,
      environment: 'preview/pr-7',
      ref: 'c',
      state: 'success'
    })
    const { deploymentIds } = await markInactive({ token: TOKEN, environment: ENV })
    expect(deploymentIds.sort()).toEqual([a.deploymentId, b.deploymentId].sort())
    const inactive = gh.state.statuses.filter(s => s.state === 'inactive').map(s => s.deployment_id)
    expect(inactive.sort()).toEqual([a.deploymentId, b.deploymentId].sort())
    expect(inactive).not.toContain(other.deploymentId)
  })

  test('nothing deployed: nothing to do, no error', async () => {
    await expect(markInactive({ token: TOKEN, environment: ENV })).resolves.toEqual({ deploymentIds: [] })
  })
})

describe('upsertPrComment', () => {
  test('created once, then edited in place: never two comments', async () => {
    const first = await upsertPrComment({ token: TOKEN, issueNumber: 12, body: comment() })
    const second = await upsertPrComment({
      token: TOKEN,
      issueNumber: 12,
      body: comment({ sha: 'f'.repeat(40) })
    })
    expect(first.created).toBe(true)
    expect(second).toEqual({ commentId: first.commentId, created: false })
    expect(gh.state.comments).toHaveLength(1)
    expect(gh.state.comments[0].body).toContain('`fffffff`')
    expect(gh.requests.filter(r => r.method === 'PATCH')).toHaveLength(1)
  })

  test('an unchanged body is not written again', async () => {
    await upsertPrComment({ token: TOKEN, issueNumber: 12, body: comment() })
    await upsertPrComment({ token: TOKEN, issueNumber: 12, body: comment() })
    expect(gh.requests.filter(r => r.method === 'PATCH' || r.method === 'POST')).toHaveLength(1)
  })

  test("finds its comment among others' comments, across pages", async () => {
    for (let i = 0; i < 130; i++) {
      gh.state.comments.push({ id: i + 1, issue_number: 12, body: `review ${i}`, user: { login: 'someone' } })
    }
    gh.state.comments.push({
      id: 500,
      issue_number: 12,
      body: comment({ sha: 'e'.repeat(40) }),
      user: { login: 'github-actions[bot]' }
    })
    const result = await upsertPrComment({ token: TOKEN, issueNumber: 12, body: comment() })
    expect(result).toEqual({ commentId: 500, created: false })
    expect(gh.state.comments.filter(c => c.body.includes('ecs-alb-deploy'))).toHaveLength(1)
  })

  test('a comment by someone else that carries the marker is neither edited nor deleted: the action writes its own', async () => {
    const spoofed = {
      id: 7,
      issue_number: 12,
      body: comment({ sha: 'e'.repeat(40) }),
      user: { login: 'mallory' }
    }
    gh.state.comments.push({ ...spoofed })
    const first = await upsertPrComment({ token: TOKEN, issueNumber: 12, body: comment() })
    expect(first.created).toBe(true)
    const second = await upsertPrComment({
      token: TOKEN,
      issueNumber: 12,
      body: comment({ sha: 'f'.repeat(40) })
    })
    expect(second).toEqual({ commentId: first.commentId, created: false })
    expect(gh.state.comments).toEqual([
      spoofed,
      expect.objectContaining({ id: first.commentId, user: { login: 'github-actions[bot]' } })
    ])
    expect(gh.requests.filter(r => r.path.endsWith('/comments/7'))).toEqual([])
  })

  test("a user's token (PAT) is known from GET /user: github-actions[bot]'s marked comment is not its own", async () => {
    gh.state.installationToken = false
    gh.state.tokenLogin = 'deploy-user'
    gh.state.comments.push({
      id: 7,
      issue_number: 12,
      body: comment(),
      user: { login: 'github-actions[bot]' }
    })
    const result = await upsertPrComment({
      token: TOKEN,
      issueNumber: 12,
      body: comment({ sha: 'f'.repeat(40) })
    })
    expect(result.created).toBe(true)
    expect(gh.state.comments.map(c => [c.id, c.user.login])).toEqual([
      [7, 'github-actions[bot]'],
      [result.commentId, 'deploy-user']
    ])
    expect(gh.requests.some(r => r.method === 'GET' && r.path === '/user')).toBe(true)
  })

  test("a GitHub App's installation token (no GET /user) learns its identity from the comment it creates", async () => {
    gh.state.tokenLogin = 'my-deployer[bot]'
    const first = await upsertPrComment({ token: TOKEN, issueNumber: 12, body: comment() })
    const second = await upsertPrComment({
      token: TOKEN,
      issueNumber: 12,
      body: comment({ sha: 'f'.repeat(40) })
    })
    // The second run looked for github-actions[bot]'s, created one as my-deployer[bot], and kept the older.
    expect(second).toEqual({ commentId: first.commentId, created: false })
    expect(gh.state.comments).toHaveLength(1)
    expect(gh.state.comments[0].body).toContain('`fffffff`')
  })

  test('another preview on the same PR gets its own comment', async () => {
    await upsertPrComment({ token: TOKEN, issueNumber: 12, body: comment() })
    await upsertPrComment({
      token: TOKEN,
      issueNumber: 12,
      body: comment({ environment: 'preview/pr-12-api' })
    })
    expect(gh.state.comments).toHaveLength(2)
  })

  test('two runs at once: one comment remains', async () => {
    await Promise.all([
      upsertPrComment({ token: TOKEN, issueNumber: 12, body: comment({ sha: 'a'.repeat(40) }) }),
      upsertPrComment({ token: TOKEN, issueNumber: 12, body: comment({ sha: 'b'.repeat(40) }) })
    ])
    expect(gh.state.comments).toHaveLength(1)
  })

  test('a body without the marker is refused (it could never be found again)', async () => {
    await expect(upsertPrComment({ token: TOKEN, issueNumber: 12, body: 'hello' })).rejects.toThrow(/marker/)
    expect(gh.requests).toEqual([])
  })
})

const previewRequest = {
  cluster: 'ecs-demo',
  service: { serviceName: 'web-pr-12' },
  preview: { id: 'pr-12', routing: 'host', hostTemplate: '{id}.preview.example.com' }
} as DeployRequest
const prEvent = {
  eventName: 'pull_request',
  payload: { number: 12, pull_request: { number: 12, head: { sha: SHA } } }
}

describe('reportToGithub (what main calls)', () => {
  test('deploy then teardown of a preview: deployment with URL, one comment updated, inactive at the end', async () => {
    const info = jest.fn<(m: string) => void>()
    const deployed = await reportToGithub({
      token: TOKEN,
      request: previewRequest,
      outcome: 'success',
      url: URL_,
      planLines: ['+ listener-rule host-header pr-12.preview.example.com: create'],
      targets: [
        {
          targetGroupArn: 'arn:tg',
          descriptions: [{ Target: { Id: '10.0.0.1', Port: 8080 }, TargetHealth: { State: 'healthy' } }]
        }
      ],
      event: prEvent,
      info
    })
    expect(deployed.deploymentId).toBeDefined()
    expect(gh.state.deployments[0]).toMatchObject({ environment: ENV, ref: SHA })
    expect(gh.state.statuses[0]).toMatchObject({ state: 'success', environment_url: URL_ })
    expect(gh.state.comments).toHaveLength(1)
    expect(gh.state.comments[0].body).toContain(URL_)
    expect(gh.state.comments[0].body).toContain('1/1 healthy')

    const removed = await reportToGithub({
      token: TOKEN,
      request: previewRequest,
      outcome: 'deleted',
      removed: ['service web-pr-12 (scaled to 0, deleted)'],
      event: { ...prEvent, payload: { ...prEvent.payload, action: 'closed' } },
      info
    })
    expect(removed.inactivated).toEqual([deployed.deploymentId])
    expect(gh.state.statuses.at(-1)).toMatchObject({
      deployment_id: deployed.deploymentId,
      state: 'inactive'
    })
    expect(gh.state.comments).toHaveLength(1)
    expect(gh.state.comments[0].body).toContain('was removed')
    expect(gh.state.comments[0].body).toContain('service web-pr-12 (scaled to 0, deleted)')
  })

  test('without a token: one notice, no request', async () => {
    const notice = jest.fn<(m: string) => void>()
    const result = await reportToGithub({
      token: '',
      request: previewRequest,
      outcome: 'success',
      url: URL_,
      event: prEvent,
      notice
    })
    expect(result).toEqual({})
    expect(notice).toHaveBeenCalledTimes(1)
    expect(notice.mock.calls[0][0]).toMatch(/github-token is empty/)
    expect(gh.requests).toEqual([])
  })

  test('githubSideEnabled: true with a token, silent', () => {
    const notice = jest.fn<(m: string) => void>()
    expect(githubSideEnabled(TOKEN, notice)).toBe(true)
    expect(githubSideEnabled(undefined, notice)).toBe(false)
    expect(notice).toHaveBeenCalledTimes(1)
  })

  test('outside a pull request: a deployment, no comment', async () => {
    await reportToGithub({
      token: TOKEN,
      request: previewRequest,
      outcome: 'success',
      url: URL_,
      event: { eventName: 'push', payload: {}, sha: SHA },
      info: () => undefined
    })
    expect(gh.state.deployments).toHaveLength(1)
    expect(gh.requests.some(r => r.path.includes('/issues/'))).toBe(false)
  })

  test('a GitHub error (read-only token of a fork) is a warning, never a failed deploy', async () => {
    gh.state.failures['POST /repos/octo-org/app/deployments'] = 403
    gh.state.failures['GET /repos/octo-org/app/issues/12/comments'] = 403
    const warning = jest.fn<(m: string) => void>()
    await expect(
      reportToGithub({
        token: TOKEN,
        request: previewRequest,
        outcome: 'failure',
        failure: 'boom',
        event: prEvent,
        warning
      })
    ).resolves.toEqual({})
    expect(warning).toHaveBeenCalledTimes(2)
    expect(warning.mock.calls[0][0]).toMatch(/deployment for preview\/pr-12 not updated/)
    expect(warning.mock.calls[1][0]).toMatch(/PR comment on #12 not updated/)
  })
})
