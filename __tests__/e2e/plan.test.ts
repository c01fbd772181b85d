/**
 * Issue 5, end to end: `dry-run` and the plan, through the bundled action (dist/index.js) against the
 * emulator. A dry-run makes no mutating call at all; the plan lists every resource in apply order with its
 * action and, for updates, the field-level diff; a real run does exactly the calls its plan announced.
 */
import { PROBE_CALLS } from '../../src/resources/steps.js'
import type { CallRecord } from '../../emulator/core/calls.js'
import { useEmulator } from '../../test-support/use-emulator.js'
import { runAction, type ActionRun } from '../../test-support/run-action.js'
import { seedInputs, seedTaskDefinition } from '../../test-support/fixtures.js'
import { fingerprint } from '../../src/model/redact.js'

const suite = useEmulator({ timeScale: 0.01 })

interface PlanOutputStep {
  resource: string
  name: string
  action: 'create' | 'update' | 'replace' | 'none'
  calls: string[]
  changes: { field: string; from?: unknown; to?: unknown; secret?: boolean }[]
}

const deploy = (inputs: Record<string, string>) => runAction({ inputs, endpoint: suite.emulator.url })
const dryRun = (inputs: Record<string, string>) => deploy({ ...inputs, 'dry-run': 'true' })

const expectSuccess = (run: ActionRun): void => {
  if (run.code !== 0) throw new Error(`action failed (${run.code}):\n${run.stdout}\n${run.stderr}`)
}

const planOf = (run: ActionRun): PlanOutputStep[] =>
  JSON.parse(run.outputs.plan ?? 'null') as PlanOutputStep[]

const lastSeq = async (): Promise<number> => (await suite.control.calls()).at(-1)?.seq ?? 0

/** Every call the emulator logged as mutating, whatever its answer (a refused call is still an attempt). */
const attemptedMutations = async (since: number): Promise<CallRecord[]> =>
  (await suite.control.calls(since)).filter(c => c.mutating)

/** The plan block of the log: from its "Plan:" headline to the end of the plan group. */
const planText = (run: ActionRun): string => {
  const start = run.stdout.indexOf('Plan: ')
  return run.stdout.slice(start, run.stdout.indexOf('::endgroup::', start))
}

const APPLY_ORDER = ['task-definition', 'load-balancer', 'target-group', 'listener', 'service']

describe('dry-run', () => {
  test('on an empty account: every resource is a create, in apply order, and nothing is called that mutates', async () => {
    const run = await dryRun(seedInputs())
    expectSuccess(run)
    expect(await attemptedMutations(0)).toEqual([])
    // Discover did read: a dry-run is not a no-op.
    expect((await suite.control.calls()).map(c => c.operation)).toContain('DescribeServices')

    const plan = planOf(run)
    expect(plan.map(s => s.resource)).toEqual(APPLY_ORDER)
    expect(plan.map(s => s.action)).toEqual(APPLY_ORDER.map(() => 'create'))
    expect(plan.flatMap(s => s.calls)).toEqual([
      'RegisterTaskDefinition',
      'CreateLoadBalancer',
      'CreateTargetGroup',
      'CreateListener',
      'CreateService'
    ])
    expect(run.outputs.changed).toBe('true')
    // No deploy happened, so none of the deploy outputs is set.
    expect(run.outputs['service-arn']).toBeUndefined()

    const text = planText(run)
    expect(text).toMatch(/^Plan: 5 to create, 0 to update, 0 to replace, 0 unchanged/)
    // A create lists its key fields only, never "(unset) → …" for everything the request sets.
    expect(text).not.toContain('(unset)')
    expect(text).toMatch(
      /\+ task-definition\s+ecscompose-ecs-app\s+\(create\)\n\s+containerDefinitions\[app\]\.image: "inokara\/ecs-app:latest"\n/
    )
    expect(text).not.toMatch(/HealthCheckIntervalSeconds|containerDefinitions\[app\]\.memory|serviceName/)
    expect(run.stdout).toMatch(/::notice::dry-run: nothing was changed \(5 step\(s\) planned\)/)
  })

  test('after an image change: exactly the image line changes, and the service follows the new revision', async () => {
    expectSuccess(await deploy(seedInputs()))
    const before = await lastSeq()
    const run = await dryRun(seedInputs({ 'task-definition': seedTaskDefinition('inokara/ecs-app:v2') }))
    expectSuccess(run)
    expect(await attemptedMutations(before)).toEqual([])

    const plan = planOf(run)
    expect(plan.map(s => `${s.resource}:${s.action}`)).toEqual([
      'task-definition:update',
      'load-balancer:none',
      'target-group:none',
      'listener:none',
      'service:update'
    ])
    const td = plan.find(s => s.resource === 'task-definition')!
    expect(td.changes).toEqual([
      { field: 'containerDefinitions[app].image', from: 'inokara/ecs-app:latest', to: 'inokara/ecs-app:v2' }
    ])
    const service = plan.find(s => s.resource === 'service')!
    expect(service.changes.map(c => c.field)).toEqual(['taskDefinition'])
    expect(service.changes[0].from).toMatch(/:task-definition\/ecscompose-ecs-app:1$/)

    const text = planText(run)
    const diffLines = text.split('\n').filter(l => /^ {6}\S/.test(l) && !l.includes('why:'))
    expect(diffLines).toEqual([
      '      containerDefinitions[app].image: "inokara/ecs-app:latest" → "inokara/ecs-app:v2"',
      expect.stringMatching(
        /^ {6}taskDefinition: ".*ecscompose-ecs-app:1" → "\(new revision of ecscompose-ecs-app\)"$/
      )
    ])
    expect(run.outputs.changed).toBe('true')
  })

  test('a changed health check path: one target group update, nothing else', async () => {
    expectSuccess(await deploy(seedInputs()))
    const before = await lastSeq()
    const targetGroup = JSON.stringify({
      Name: 'default',
      Protocol: 'HTTP',
      Port: 80,
      VpcId: 'vpc-xxxxxxxx',
      HealthCheckPath: '/health',
      HealthCheckIntervalSeconds: 30,
      HealthCheckTimeoutSeconds: 15,
      HealthyThresholdCount: 3,
      UnhealthyThresholdCount: 3,
      Matcher: { HttpCode: '200' }
    })
    const run = await dryRun(seedInputs({ 'target-group': targetGroup }))
    expectSuccess(run)
    expect(await attemptedMutations(before)).toEqual([])

    const changed = planOf(run).filter(s => s.action !== 'none')
    expect(changed).toEqual([
      expect.objectContaining({
        resource: 'target-group',
        action: 'update',
        // The new check is first proven on the current targets (a temporary group and rule).
        calls: [...PROBE_CALLS, 'ModifyTargetGroup'],
        changes: [{ field: 'HealthCheckPath', from: '/hostname', to: '/health' }]
      })
    ])
    expect(planText(run)).toMatch(/^Plan: 0 to create, 1 to update, 0 to replace, 4 unchanged/)
    expect(planText(run)).toContain('HealthCheckPath: "/hostname" → "/health"')
  })

  test('environment values are shown as fingerprints, never by value; secret ARNs are readable', async () => {
    const withSecrets = (password: string, parameter: string) =>
      seedTaskDefinition('inokara/ecs-app:latest', {
        environment: [
          { name: 'LOG_LEVEL', value: 'info' },
          { name: 'DB_PASSWORD', value: password }
        ],
        secrets: [
          { name: 'API_KEY', valueFrom: `arn:aws:ssm:ap-northeast-1:123456789012:parameter/${parameter}` }
        ]
      })
    const first = await deploy(seedInputs({ 'task-definition': withSecrets('hunter2-old', 'api-old') }))
    expectSuccess(first)
    const run = await dryRun(seedInputs({ 'task-definition': withSecrets('hunter2-new', 'api-new') }))
    expectSuccess(run)

    const td = planOf(run).find(s => s.resource === 'task-definition')!
    expect(td.action).toBe('update')
    const arn = (parameter: string) => `arn:aws:ssm:ap-northeast-1:123456789012:parameter/${parameter}`
    expect(td.changes).toEqual([
      {
        field: 'containerDefinitions[app].environment[DB_PASSWORD].value',
        from: fingerprint('hunter2-old'),
        to: fingerprint('hunter2-new')
      },
      // An ARN says where the secret is, not what it is.
      {
        field: 'containerDefinitions[app].secrets[API_KEY].valueFrom',
        from: arn('api-old'),
        to: arn('api-new')
      }
    ])
    expect(planText(run)).toContain(
      `containerDefinitions[app].environment[DB_PASSWORD].value: "${fingerprint('hunter2-old')}" → "${fingerprint('hunter2-new')}"`
    )
    for (const out of [first, run]) {
      // ::add-mask:: is how the action tells the runner to mask a value; the runner never prints it.
      expect(out.stdout).toContain('::add-mask::hunter2-')
      const stdout = out.stdout
        .split('\n')
        .filter(l => !l.startsWith('::add-mask::'))
        .join('\n')
      const everything = stdout + out.stderr + out.summary + JSON.stringify(out.outputs)
      expect(everything).not.toMatch(/hunter2/)
    }
    // The unchanged, non-secret variable is no change at all.
    expect(planText(run)).not.toContain('LOG_LEVEL')
  })
})

describe('a real run does what its plan said', () => {
  test('from nothing: the dry-run plan, the real run plan and the call log agree', async () => {
    const dry = await dryRun(seedInputs())
    expectSuccess(dry)
    const run = await deploy(seedInputs())
    expectSuccess(run)
    const plan = planOf(run)
    expect(plan).toEqual(planOf(dry))
    const mutating = (await suite.control.mutatingCalls()).map(c => c.operation)
    expect(mutating).toEqual(plan.flatMap(s => s.calls))
    expect(run.outputs.changed).toBe('true')
    // The plan is printed before applying, inside the (collapsed) plan group.
    const planGroup = run.stdout.indexOf('::group::plan')
    expect(planGroup).toBeGreaterThanOrEqual(0)
    expect(run.stdout.indexOf('Plan: 5 to create')).toBeGreaterThan(planGroup)
    expect(run.stdout.indexOf('Plan: 5 to create')).toBeLessThan(run.stdout.indexOf('::group::apply'))
  })

  test('an update touching image and health check: exactly the planned calls, in order', async () => {
    expectSuccess(await deploy(seedInputs()))
    const inputs = seedInputs({
      'task-definition': seedTaskDefinition('inokara/ecs-app:v2'),
      'target-group': JSON.stringify({
        Name: 'default',
        Protocol: 'HTTP',
        Port: 80,
        HealthCheckPath: '/hostname',
        HealthCheckIntervalSeconds: 10,
        HealthCheckTimeoutSeconds: 5,
        HealthyThresholdCount: 2,
        Matcher: { HttpCode: '200' }
      }),
      'desired-count': '3'
    })
    const dry = await dryRun(inputs)
    expectSuccess(dry)
    const before = await lastSeq()
    const run = await deploy(inputs)
    expectSuccess(run)
    const plan = planOf(run)
    expect(plan).toEqual(planOf(dry))
    // The target group whose new check is proved comes first (its probe runs before any change), then
    // the plan's usual order; apply makes exactly these calls in this order.
    expect(plan.flatMap(s => s.calls)).toEqual([
      ...PROBE_CALLS,
      'ModifyTargetGroup',
      'RegisterTaskDefinition',
      'UpdateService'
    ])
    expect((await suite.control.mutatingCalls(before)).map(c => c.operation)).toEqual(
      plan.flatMap(s => s.calls)
    )
    const service = plan.find(s => s.resource === 'service')!
    expect(service.changes.map(c => c.field)).toEqual(['taskDefinition', 'desiredCount'])
    const tg = plan.find(s => s.resource === 'target-group')!
    expect(tg.changes.map(c => c.field)).toEqual([
      'HealthCheckIntervalSeconds',
      'HealthCheckTimeoutSeconds',
      'HealthyThresholdCount'
    ])

    // And the run after that has nothing left to do.
    const again = await dryRun(inputs)
    expectSuccess(again)
    expect(planOf(again).every(s => s.action === 'none')).toBe(true)
    expect(again.outputs.changed).toBe('false')
  })
})

describe('the log', () => {
  /** Lines outside every ::group:: … ::endgroup:: (the step's own log lines), besides blank ones. */
  const ungrouped = (stdout: string): string[] => {
    const out: string[] = []
    let depth = 0
    for (const line of stdout.split('\n')) {
      if (line.startsWith('::group::')) {
        expect(depth).toBe(0) // groups do not nest in the Actions log
        depth++
      } else if (line === '::endgroup::') depth--
      else if (depth === 0 && line.trim() !== '') out.push(line)
    }
    expect(depth).toBe(0)
    return out
  }
  const groups = (stdout: string): string[] =>
    stdout
      .split('\n')
      .filter(l => l.startsWith('::group::'))
      .map(l => l.slice('::group::'.length))

  test('every line of a deploy, a dry-run and a re-run sits in a stage group', async () => {
    const deployRun = await deploy(seedInputs())
    expectSuccess(deployRun)
    expect(groups(deployRun.stdout)).toEqual(['inputs', 'discover', 'plan', 'apply', 'watch', 'report'])
    expect(ungrouped(deployRun.stdout)).toEqual([])
    expect(deployRun.stdout).toMatch(/::group::report\n(.*\n)*::notice::Serving at http:\/\/alb-demo-/)

    const dry = await dryRun(seedInputs({ 'task-definition': seedTaskDefinition('inokara/ecs-app:v2') }))
    expectSuccess(dry)
    expect(groups(dry.stdout)).toEqual(['inputs', 'discover', 'plan', 'report'])
    expect(ungrouped(dry.stdout)).toEqual([])

    // A plain deploy, not a pull request and no preview: no word about the GitHub token.
    for (const run of [deployRun, dry]) expect(run.stdout).not.toContain('github-token')
  })

  test('a failing run: only the ::error:: line stands outside the groups', async () => {
    await suite.control.images({ image: 'inokara/ecs-app:broken', pullFails: true })
    const run = await deploy(
      seedInputs({
        'task-definition': seedTaskDefinition('inokara/ecs-app:broken'),
        'rollback-on-failure': 'false'
      })
    )
    expect(run.code).not.toBe(0)
    const outside = ungrouped(run.stdout)
    expect(outside.length).toBeGreaterThan(0)
    for (const line of outside) expect(line).toMatch(/^::error::/)
  })
})
