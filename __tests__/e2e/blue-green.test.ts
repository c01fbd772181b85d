/**
 * ECS's own BLUE_GREEN, LINEAR and CANARY deployments driven by the bundled action (dist/index.js) on the
 * emulator: the test listener, the weights ECS moves, the PAUSE gate with promote, and the rollback of a
 * broken image. Requests go through the load balancer's listeners as a user's would.
 */
import { afterAll, beforeAll, jest } from '@jest/globals'
import { useEmulator } from '../../test-support/use-emulator.js'
import { runAction, type ActionRun } from '../../test-support/run-action.js'
import { seedInputs, seedTaskDefinition } from '../../test-support/fixtures.js'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { startFakeGithub, type FakeGithub } from '../../test-support/fake-github.js'
import { request as httpRequest } from 'node:http'
import path from 'node:path'
import { repoRoot } from '../../test-support/run-action.js'
import { DescribeServiceDeploymentsCommand, ECSClient } from '@aws-sdk/client-ecs'
import { reached } from '../../src/model/deployment-strategy.js'

const suite = useEmulator({ timeScale: 0.02 })
jest.setTimeout(240_000)
const ROLE = 'arn:aws:iam::123456789012:role/ecsInfrastructureRoleForLoadBalancers'

const run = (inputs: Record<string, string>) =>
  runAction({ inputs, endpoint: suite.emulator.url, timeoutMs: 120_000 })

const expectSuccess = (r: ActionRun) => {
  if (r.code !== 0) throw new Error(`action failed (${r.code}):\n${r.stdout}\n${r.stderr}`)
}

const service = (deploymentConfiguration: Record<string, unknown>) =>
  JSON.stringify({
    serviceName: 'web',
    desiredCount: 2,
    deploymentConfiguration,
    loadBalancers: [{ containerName: 'app', containerPort: 4567, advancedConfiguration: { roleArn: ROLE } }]
  })

const inputs = (config: Record<string, unknown>, image: string, more: Record<string, string> = {}) =>
  seedInputs({
    service: service(config),
    'task-definition': seedTaskDefinition(image),
    'test-listener': '{"Port": 9000, "Protocol": "HTTP"}',
    'wait-for-minutes': '2',
    ...more
  })

/** ECS's status of a service deployment, read as a user would with the SDK. */
async function deploymentStatus(arn: string): Promise<string | undefined> {
  const ecs = new ECSClient({
    endpoint: suite.emulator.url,
    region: 'ap-northeast-1',
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'x' }
  })
  try {
    const out = await ecs.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [arn] }))
    return out.serviceDeployments?.[0]?.status
  } finally {
    ecs.destroy()
  }
}

/** One answer per request: the task's hostname, or `status:N`. */
async function hosts(url: string, n: number): Promise<string[]> {
  const out: string[] = []
  for (let i = 0; i < n; i++) {
    const res = await fetch(`${url}/hostname`)
    const body = (await res.text()).trim()
    out.push(res.status === 200 ? body : `status:${res.status}`)
  }
  return out
}

/** Requests production in a loop while `during` runs: every answer, in order. */
async function loopWhile<T>(url: string, during: Promise<T>): Promise<{ result: T; answers: string[] }> {
  const answers: string[] = []
  let done = false
  const result = during.finally(() => {
    done = true
  })
  while (!done) {
    answers.push(...(await hosts(url, 1)))
    await new Promise(resolve => setTimeout(resolve, 20))
  }
  return { result: await result, answers }
}

const urls = async (dnsName: string) => ({
  production: await suite.control.localUrlFor(dnsName, 80),
  test: await suite.control.localUrlFor(dnsName, 9000)
})

/** Deploys v1 (a plain first rollout) and returns the listeners and the blue hostnames. */
async function startedOnV1(config: Record<string, unknown>) {
  const first = await run(inputs(config, 'example/web:v1'))
  expectSuccess(first)
  const at = await urls(first.outputs['dns-name'])
  const blue = new Set(await hosts(at.production, 20))
  expect(blue.size).toBe(2)
  return { at, blue, first }
}

const PAUSE_AFTER_TEST = [{ targetType: 'PAUSE', lifecycleStages: ['POST_TEST_TRAFFIC_SHIFT'] }]

describe('BLUE_GREEN with the promotion gate', () => {
  test('paused with the test listener on the new revision → promote: continue → production serves only the new one; a re-run makes no change', async () => {
    const config = { strategy: 'BLUE_GREEN', bakeTimeInMinutes: 1, lifecycleHooks: PAUSE_AFTER_TEST }
    const { at, blue } = await startedOnV1(config)

    const paused = await run(inputs(config, 'example/web:v2'))
    expectSuccess(paused)
    expect(paused.outputs['hook-id']).toMatch(/\S/)
    expect(paused.outputs['lifecycle-stage']).toBe('POST_TEST_TRAFFIC_SHIFT')
    expect(paused.outputs['service-deployment-arn']).toMatch(/:service-deployment\/ecs-demo\/web\//)
    expect(paused.outputs['test-url']).toBe(`http://${paused.outputs['dns-name']}:9000/`)
    expect(paused.stdout).toMatch(/bake time 1 min/)
    expect(paused.summary).toMatch(/paused at POST_TEST_TRAFFIC_SHIFT, waiting for promote/)
    expect(paused.summary).toContain(paused.outputs['hook-id'])
    expect(paused.summary).toMatch(/TEST_TRAFFIC_SHIFT \(production 0% new, test 100% new\)/)
    const onTest = new Set(await hosts(at.test, 20))
    const onProduction = new Set(await hosts(at.production, 20))
    expect([...onProduction].every(h => blue.has(h))).toBe(true)
    expect(onTest.size).toBe(2)
    expect([...onTest].some(h => blue.has(h))).toBe(false)

    const promoted = await run(inputs(config, 'example/web:v2', { promote: 'continue' }))
    expectSuccess(promoted)
    expect(promoted.outputs['lifecycle-stage']).toBe('complete')
    expect(promoted.outputs['service-deployment-arn']).toBe(paused.outputs['service-deployment-arn'])
    const after = await hosts(at.production, 20)
    expect(after.every(h => onTest.has(h))).toBe(true)

    // The target groups have swapped roles and the rules hold ECS's weights: nothing to change.
    const before = (await suite.control.calls()).at(-1)?.seq ?? 0
    const again = await run(inputs(config, 'example/web:v2', { 'wait-for-service-stability': 'false' }))
    expectSuccess(again)
    expect((await suite.control.mutatingCalls(before)).map(c => c.operation)).toEqual([])
    expect(again.outputs.changed).toBe('false')
  })

  test('paused → promote: rollback → production still on the old revision', async () => {
    const config = { strategy: 'BLUE_GREEN', bakeTimeInMinutes: 1, lifecycleHooks: PAUSE_AFTER_TEST }
    const { at, blue } = await startedOnV1(config)
    expectSuccess(await run(inputs(config, 'example/web:v2')))
    const rolledBack = await run(inputs(config, 'example/web:v2', { promote: 'rollback' }))
    expectSuccess(rolledBack)
    expect(rolledBack.stdout).toMatch(/rolled back as asked/)
    expect((await hosts(at.production, 20)).every(h => blue.has(h))).toBe(true)
  })

  test('promote without a paused deployment: a clear error, no mutating call', async () => {
    const config = { strategy: 'BLUE_GREEN', bakeTimeInMinutes: 0 }
    await startedOnV1(config)
    const before = (await suite.control.calls()).at(-1)?.seq ?? 0
    const r = await run(inputs(config, 'example/web:v1', { promote: 'continue' }))
    expect(r.code).not.toBe(0)
    expect(r.stdout).toMatch(/has no deployment paused by a PAUSE lifecycle hook/)
    expect(await suite.control.mutatingCalls(before)).toEqual([])
  })
})

describe('BLUE_GREEN under throttling', () => {
  test('30% of calls throttled: the deployment completes once, production ends on the new revision', async () => {
    const config = { strategy: 'BLUE_GREEN', bakeTimeInMinutes: 0 }
    const { at, blue } = await startedOnV1(config)
    await suite.control.faults({ throttle: [{ share: 0.3 }] })
    const r = await run(inputs(config, 'example/web:v2'))
    await suite.control.clearFaults()
    expectSuccess(r)
    expect(r.outputs['lifecycle-stage']).toBe('complete')
    const updates = (await suite.control.calls()).filter(
      c => c.operation === 'UpdateService' && c.status === 200
    )
    expect(updates).toHaveLength(1)
    expect((await hosts(at.production, 20)).every(h => !blue.has(h))).toBe(true)
  })
})

describe('traffic shifting observed through the production listener', () => {
  test.each([
    [
      'LINEAR',
      { strategy: 'LINEAR', linearConfiguration: { stepPercent: 50, stepBakeTimeInMinutes: 2 } },
      /production 50% new/
    ],
    [
      'CANARY',
      { strategy: 'CANARY', canaryConfiguration: { canaryPercent: 20, canaryBakeTimeInMinutes: 2 } },
      /production 20% new/
    ]
  ])(
    '%s: both revisions answer production for a while, then only the new one',
    async (_name, config, step) => {
      const { at, blue } = await startedOnV1(config)
      const { result, answers } = await loopWhile(at.production, run(inputs(config, 'example/web:v2')))
      expectSuccess(result)
      expect(result.stdout).toMatch(step)
      expect(result.outputs['service-deployment-arn']).toMatch(/service-deployment/)
      expect(answers.every(a => !a.startsWith('status:'))).toBe(true)
      const green = answers.filter(a => !blue.has(a))
      const firstGreen = answers.findIndex(a => !blue.has(a))
      // After the first answer from the new revision, the old one still answers: a partial weight.
      expect(green.length).toBeGreaterThan(0)
      expect(answers.slice(firstGreen).some(a => blue.has(a))).toBe(true)
      expect((await hosts(at.production, 20)).every(h => !blue.has(h))).toBe(true)
    }
  )
})

describe('a broken image under BLUE_GREEN', () => {
  test('production answers 200 throughout; the step fails naming the health check and reports ECS rollback', async () => {
    const config = { strategy: 'BLUE_GREEN', bakeTimeInMinutes: 1 }
    const { at, blue } = await startedOnV1(config)
    await suite.control.images({ image: 'example/web:broken', healthStatus: 500 })
    const { result, answers } = await loopWhile(at.production, run(inputs(config, 'example/web:broken')))
    expect(result.code).not.toBe(0)
    expect(answers.length).toBeGreaterThan(0)
    expect(answers.every(a => blue.has(a))).toBe(true)
    expect(result.stdout).toMatch(/fail the health check: .*\/hostname/)
    expect(result.stdout).toMatch(/asked ECS to roll back/)
    expect(result.stdout).toMatch(/ECS rolled back: ROLLBACK_SUCCESSFUL/)
    expect((await hosts(at.production, 20)).every(h => blue.has(h))).toBe(true)
  })
})

describe('an image that cannot be pulled, under BLUE_GREEN', () => {
  test('the step fails naming the pull failure, ECS rolls back, production answers 200 throughout', async () => {
    const config = { strategy: 'BLUE_GREEN', bakeTimeInMinutes: 1 }
    const { at, blue } = await startedOnV1(config)
    await suite.control.images({ image: 'example/web:missing', pullFails: true })
    const { result, answers } = await loopWhile(at.production, run(inputs(config, 'example/web:missing')))
    expect(result.code).not.toBe(0)
    expect(answers.every(a => blue.has(a))).toBe(true)
    expect(result.stdout).toMatch(/new revision's tasks stop: .*CannotPullContainerError/)
    expect(result.stdout).toMatch(/ECS rolled back: ROLLBACK_SUCCESSFUL/)
  })
})

describe('wait-until a lifecycle stage', () => {
  test.each(['TEST_TRAFFIC_SHIFT', 'BAKE_TIME'] as const)(
    '%s: the step ends there with its outputs, ECS finishes on its own, a re-run changes nothing',
    async waitUntil => {
      const config = { strategy: 'BLUE_GREEN', bakeTimeInMinutes: 5 }
      const { at, blue } = await startedOnV1(config)
      const early = await run(inputs(config, 'example/web:v2', { 'wait-until': waitUntil }))
      expectSuccess(early)
      // The stage asked for, or a later one when ECS passed it between two polls; never the end.
      const stage = early.outputs['lifecycle-stage']
      expect(reached(stage, waitUntil)).toBe(true)
      const arn = early.outputs['service-deployment-arn']
      expect(arn).toMatch(/:service-deployment\/ecs-demo\/web\//)
      expect(early.summary).toContain(`stopped waiting at ${stage} (wait-until)`)
      expect(await deploymentStatus(arn)).toBe('IN_PROGRESS')

      // ECS carries on without the step: the bake time ends and production serves only the new revision.
      while ((await deploymentStatus(arn)) === 'IN_PROGRESS') await new Promise(r => setTimeout(r, 200))
      expect(await deploymentStatus(arn)).toBe('SUCCESSFUL')
      expect((await hosts(at.production, 20)).every(h => !blue.has(h))).toBe(true)

      const before = (await suite.control.calls()).at(-1)?.seq ?? 0
      expectSuccess(await run(inputs(config, 'example/web:v2', { 'wait-until': waitUntil })))
      expect((await suite.control.mutatingCalls(before)).map(c => c.operation)).toEqual([])
    }
  )
})

describe('a Lambda lifecycle hook that answers FAILED', () => {
  test('the step fails naming the hook and its stage and ECS rollback; production answers 200 from the old revision throughout', async () => {
    const fn = 'arn:aws:lambda:ap-northeast-1:123456789012:function:validate-green'
    const config = {
      strategy: 'BLUE_GREEN',
      bakeTimeInMinutes: 1,
      lifecycleHooks: [{ hookTargetArn: fn, roleArn: ROLE, lifecycleStages: ['POST_TEST_TRAFFIC_SHIFT'] }]
    }
    const { at, blue } = await startedOnV1(config)
    await suite.control.hooks({ function: '*validate-green', hookStatus: 'FAILED' })
    const { result, answers } = await loopWhile(at.production, run(inputs(config, 'example/web:v2')))
    expect(result.code).not.toBe(0)
    expect(answers.length).toBeGreaterThan(0)
    expect(answers.every(a => blue.has(a))).toBe(true)
    expect((await suite.control.hookInvocations()).invocations).toEqual([
      expect.objectContaining({ function: fn, lifecycleStage: 'POST_TEST_TRAFFIC_SHIFT', answered: 'FAILED' })
    ])
    expect(result.stdout).toMatch(
      /lifecycle hook .*validate-green.* answered FAILED at POST_TEST_TRAFFIC_SHIFT/i
    )
    expect(result.stdout).toMatch(/ECS rolled back: ROLLBACK_SUCCESSFUL/)
    expect((await hosts(at.production, 20)).every(h => blue.has(h))).toBe(true)
  })
})

describe('a new revision whose container exits, under BLUE_GREEN', () => {
  test('the step fails on the container exit, asks ECS to roll back, production answers 200 from the old revision throughout', async () => {
    const config = { strategy: 'BLUE_GREEN', bakeTimeInMinutes: 1 }
    const { at, blue } = await startedOnV1(config)
    // Exits before its first health check can pass (sent at least 1 s after registration).
    await suite.control.images({ image: 'example/web:crash', exitAfterSeconds: 0.5, exitCode: 3 })
    const { result, answers } = await loopWhile(at.production, run(inputs(config, 'example/web:crash')))
    expect(result.code).not.toBe(0)
    expect(answers.length).toBeGreaterThan(0)
    expect(answers.every(a => blue.has(a))).toBe(true)
    expect(result.stdout).toMatch(
      /new revision's tasks stop: Essential container in task exited: essential container app exited with exit code 3/
    )
    const stops = (await suite.control.calls()).filter(
      c => c.operation === 'StopServiceDeployment' && c.status === 200
    )
    expect(stops.map(c => (c.params as { stopType?: string }).stopType)).toEqual(['ROLLBACK'])
    expect(result.stdout).toMatch(/asked ECS to roll back \(StopServiceDeployment ROLLBACK\)/)
    expect(result.stdout).toMatch(/ECS rolled back: ROLLBACK_SUCCESSFUL/)
    expect((await hosts(at.production, 20)).every(h => blue.has(h))).toBe(true)
  })
})

describe('the gate on GitHub', () => {
  let github: FakeGithub
  beforeAll(async () => {
    github = await startFakeGithub()
  })
  afterAll(async () => {
    await github.stop()
  })

  test('a paused deployment: the GitHub deployment stays in progress and the PR comment names the hook and test URL', async () => {
    const config = { strategy: 'BLUE_GREEN', bakeTimeInMinutes: 0, lifecycleHooks: PAUSE_AFTER_TEST }
    await startedOnV1(config)
    const dir = mkdtempSync(path.join(tmpdir(), 'ecs-alb-deploy-event-'))
    const eventPath = path.join(dir, 'event.json')
    const sha = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678'
    writeFileSync(
      eventPath,
      JSON.stringify({
        action: 'synchronize',
        number: 7,
        pull_request: { number: 7, head: { sha, ref: 'feature' }, base: { ref: 'main' } },
        repository: { name: 'app', owner: { login: 'octo' } }
      })
    )
    const paused = await runAction({
      inputs: inputs(config, 'example/web:v2', { 'github-token': 'ghs_e2eTokenThatMustNeverBePrinted0007' }),
      endpoint: suite.emulator.url,
      env: {
        GITHUB_API_URL: github.url,
        GITHUB_SERVER_URL: 'https://github.example',
        GITHUB_REPOSITORY: 'octo/app',
        GITHUB_RUN_ID: '9007',
        GITHUB_EVENT_NAME: 'pull_request',
        GITHUB_EVENT_PATH: eventPath,
        GITHUB_SHA: sha
      }
    })
    expectSuccess(paused)
    const hookId = paused.outputs['hook-id']
    expect(github.state.statuses.map(s => [s.state, s.description])).toEqual([
      ['in_progress', `Paused at POST_TEST_TRAFFIC_SHIFT (hook ${hookId}): promote: continue or rollback`]
    ])
    expect(github.state.comments).toHaveLength(1)
    expect(github.state.comments[0]?.body).toContain('is paused at the promotion gate')
    expect(github.state.comments[0]?.body).toContain(hookId)
    expect(github.state.comments[0]?.body).toContain(paused.outputs['test-url'])
  })
})

describe('a preview of a blue/green service', () => {
  /** GET /hostname with a Host header (fetch cannot set one). */
  const viaHost = (localUrl: string, host: string): Promise<string> => {
    const url = new URL('/hostname', localUrl)
    return new Promise((resolve, reject) => {
      const req = httpRequest(
        { hostname: url.hostname, port: url.port, path: url.pathname, headers: { host } },
        res => {
          let body = ''
          res.on('data', (c: Buffer) => (body += c.toString()))
          res.on('end', () => resolve(res.statusCode === 200 ? body.trim() : `status:${res.statusCode}`))
        }
      )
      req.on('error', reject)
      req.end()
    })
  }

  test('deploys ROLLING on its own rule, which wins over the catch-all production rule', async () => {
    const config = { strategy: 'BLUE_GREEN', bakeTimeInMinutes: 0 }
    const { at, blue } = await startedOnV1(config)
    const preview = await run(
      inputs(config, 'example/web:pr', {
        'preview-routing': 'host',
        'preview-host-template': '{id}.preview.example.com',
        'preview-id': 'pr-7'
      })
    )
    expectSuccess(preview)
    expect(preview.outputs['service-deployment-arn']).toBeUndefined()
    const answers: string[] = []
    for (let i = 0; i < 10; i++) answers.push(await viaHost(at.production, 'pr-7.preview.example.com'))
    expect(answers.every(a => !a.startsWith('status:') && !blue.has(a))).toBe(true)
    expect((await hosts(at.production, 20)).every(h => blue.has(h))).toBe(true)
  })
})

describe('teardown of a blue/green stack', () => {
  test('removes the service, both rules and both target groups, after a swap too', async () => {
    const config = { strategy: 'BLUE_GREEN', bakeTimeInMinutes: 0 }
    await startedOnV1(config)
    expectSuccess(await run(inputs(config, 'example/web:v2')))
    const down = await run(inputs(config, 'example/web:v2', { delete: 'true', 'delete-base-stack': 'true' }))
    expectSuccess(down)
    const removed = JSON.parse(down.outputs.plan) as { resource: string; name: string }[]
    expect(removed.map(r => r.resource).sort()).toEqual([
      'listener-rule',
      'listener-rule',
      'service',
      'target-group',
      'target-group',
      'task-definition',
      'task-definition'
    ])
    expect(
      removed
        .filter(r => r.resource === 'target-group')
        .map(r => r.name)
        .sort()
    ).toEqual(['default', 'default-alt'])
  })
})

describe('IAM: the deploy policy plus iam/blue-green-policy.json', () => {
  interface Policy {
    Version: string
    Statement: { Sid?: string }[]
  }
  const read = (file: string) => JSON.parse(readFileSync(path.join(repoRoot, file), 'utf8')) as Policy
  const combined = (drop?: string): Policy => ({
    Version: '2012-10-17',
    Statement: [...read('iam/policy.json').Statement, ...read('iam/blue-green-policy.json').Statement].filter(
      s => s.Sid !== drop
    )
  })

  test('suffice for the gate end to end; without passing the infrastructure role the deploy is refused', async () => {
    const config = { strategy: 'BLUE_GREEN', bakeTimeInMinutes: 0, lifecycleHooks: PAUSE_AFTER_TEST }
    await suite.control.iam(combined('PassTheInfrastructureRoleToEcs'))
    const refused = await run(inputs(config, 'example/web:v1'))
    expect(refused.code).not.toBe(0)
    expect(refused.stdout).toMatch(/iam:PassRole/)

    await suite.control.reset()
    await suite.control.iam(combined())
    expectSuccess(await run(inputs(config, 'example/web:v1')))
    const paused = await run(inputs(config, 'example/web:v2'))
    expectSuccess(paused)
    expect(paused.outputs['hook-id']).toMatch(/\S/)
    expectSuccess(await run(inputs(config, 'example/web:v2', { promote: 'continue' })))
    const denied = (await suite.control.calls()).filter(c => /AccessDenied/.test(c.errorCode ?? ''))
    expect(denied).toEqual([])
  })
})
