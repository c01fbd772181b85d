/**
 * A runner that dies while a failing change is being undone. From a healthy seed stack, a run changes the
 * target group's health check (a matcher the current targets pass) together with a new image that fails:
 * it must fail and leave production as it found it (the e2e change-safety scenario 2). Here that run is
 * killed (SIGKILL: no catch, no finally) right after each of its mutating calls in turn — those of the
 * change and those of its rollback — the call having taken effect and its answer lost. A re-run with the
 * ORIGINAL, known-good inputs must then converge to the state before the failing run: the target group
 * checks /hostname, the service runs the task definition revision it ran before (one deployment), and
 * every target is healthy.
 *
 * The cut points come from an uninterrupted reference run of the failing change, so the suite follows
 * whatever calls the action makes; a dry-run of the same change beforehand tells the change's own calls
 * (its plan) from the rollback's (everything after them).
 */
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { startEmulator, type Emulator } from '../../emulator/server.js'
import type { CallRecord } from '../../emulator/core/calls.js'
import { seedInputs } from '../../test-support/fixtures.js'
import { repoRoot, type ActionRun } from '../../test-support/run-action.js'
import {
  expectSuccess,
  mutatingOps,
  recordFigures,
  runToEnd,
  sleep,
  startAction,
  type StateDump
} from './harness.js'

/** One emulated second = 0.1 real s: a 5 s health-check interval is half a real second. */
const TIME_SCALE = 0.1
const SERVICE = 'ecs-simple-service-elb'
const GOOD_PATH = '/hostname'

let emu: Emulator

beforeAll(async () => {
  emu = await startEmulator({ timeScale: TIME_SCALE })
})
afterAll(async () => {
  await emu?.stop()
})

// ---- inputs: the seed's files, with a fast health check ---------------------------------------------

const seedTargetGroup = (over: Record<string, unknown> = {}): string =>
  JSON.stringify({
    ...(JSON.parse(readFileSync(path.join(repoRoot, 'examples/seed/target-group.json'), 'utf8')) as object),
    HealthCheckIntervalSeconds: 5,
    HealthCheckTimeoutSeconds: 2,
    HealthyThresholdCount: 2,
    UnhealthyThresholdCount: 2,
    ...over
  })

/** The known-good stack, and the ORIGINAL inputs every re-run uses. */
const goodInputs = (over: Record<string, string> = {}): Record<string, string> =>
  seedInputs({
    'target-group': seedTargetGroup(),
    'target-group-attributes': 'deregistration_delay.timeout_seconds: 5',
    'poll-interval-seconds': '1',
    'wait-for-minutes': '1',
    ...over
  })

/**
 * The failing change: a health check the current targets pass (so the probe lets it through and it is
 * applied), and a new image whose tasks answer 500: the rollout fails and the whole run is undone. (A
 * check the current targets fail never gets this far: the probe refuses it before any change.)
 */
const BAD_IMAGE = 'inokara/ecs-app:v3'
const failingInputs = (over: Record<string, string> = {}): Record<string, string> =>
  goodInputs({
    'target-group': seedTargetGroup({ Matcher: { HttpCode: '200-299' } }),
    images: `app=${BAD_IMAGE}`,
    ...over
  })

// ---- state ---------------------------------------------------------------------------------------------

type TargetGroupDump = StateDump['elbv2']['targetGroups'][number] & {
  HealthCheckPath?: string
  Matcher?: { HttpCode?: string }
  Targets?: { health?: { state?: string } }[]
}

const dump = async (): Promise<StateDump> =>
  (await (await fetch(`${emu.url}/_emulator/state`)).json()) as StateDump

/** What "as before the failing run" means, read from a dump. */
interface Production {
  healthCheckPath?: string
  matcher?: string
  taskDefinition?: string
  deployments?: (string | undefined)[]
  /** Non-draining targets' states. */
  targets: (string | undefined)[]
}

function production(state: StateDump, targetGroupArn: string): Production {
  const tg = state.elbv2.targetGroups.find(t => t.TargetGroupArn === targetGroupArn) as
    TargetGroupDump | undefined
  const svc = state.ecs.clusters.flatMap(c => c.services).find(s => s.serviceName === SERVICE)
  return {
    healthCheckPath: tg?.HealthCheckPath,
    matcher: tg?.Matcher?.HttpCode,
    taskDefinition: svc?.taskDefinition,
    deployments: svc?.deployments?.map(d => d.taskDefinition),
    targets: (tg?.Targets ?? []).map(t => t.health?.state).filter(s => s !== 'draining')
  }
}

interface Seeded {
  targetGroupArn: string
  before: Production
}

/** Back to the seeded account, then the healthy seed stack: the production each run starts from. */
async function seedStack(): Promise<Seeded> {
  await emu.reset()
  await fetch(`${emu.url}/_emulator/images`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ image: BAD_IMAGE, healthStatus: 500 })
  })
  const run = await runToEnd({ inputs: goodInputs(), endpoint: emu.url })
  expectSuccess(run, 'seed deploy')
  const targetGroupArn = run.outputs['target-group-arn']
  const before = production(await dump(), targetGroupArn)
  expect(before).toEqual({
    healthCheckPath: GOOD_PATH,
    matcher: '200',
    taskDefinition: expect.stringMatching(/task-definition\/ecscompose-ecs-app:1$/),
    deployments: [expect.stringMatching(/task-definition\/ecscompose-ecs-app:1$/)],
    targets: ['healthy', 'healthy']
  })
  return { targetGroupArn, before }
}

/**
 * Arms the cut: once `n` mutating calls have succeeded after `since`, the next call of `op` takes effect
 * and never answers. Armed from inside the emulator's call log, so that no poll can miss a quick
 * succession of calls (a rollback's calls may follow each other within milliseconds).
 */
function armCut(n: number, op: string): () => void {
  const log = emu.calls
  const original = log.add.bind(log)
  let seen = 0
  const arm = () =>
    emu.faults.set({ fail: [{ operation: op, times: 1, after: true, hang: true, code: 'RunnerDied' }] })
  if (n === 0) arm()
  log.add = (r: Omit<CallRecord, 'seq'>) => {
    const rec = original(r)
    if (r.mutating && r.status < 300 && ++seen === n) arm()
    return rec
  }
  return () => {
    log.add = original
    emu.faults.clear()
  }
}

interface Reference {
  /** The plan's calls: what the change itself does. */
  changeOps: string[]
  /** Every mutating call of the uninterrupted failing run, in order. */
  ops: string[]
  run: ActionRun
  after: Production
  before: Production
}

async function reference(): Promise<Reference> {
  const { targetGroupArn, before } = await seedStack()
  const dry = await runToEnd({ inputs: failingInputs({ 'dry-run': 'true' }), endpoint: emu.url })
  expectSuccess(dry, 'dry-run of the failing change')
  const plan = JSON.parse(dry.outputs.plan ?? '[]') as { calls: string[] }[]
  const since = emu.calls.lastSeq()
  const run = await runToEnd({ inputs: failingInputs(), endpoint: emu.url })
  return {
    changeOps: plan.flatMap(s => s.calls),
    ops: mutatingOps(emu.calls.list(since)),
    run,
    after: production(await dump(), targetGroupArn),
    before
  }
}

interface CutOutcome {
  cut: string
  /** 'change' for the plan's own calls, 'rollback' for the calls after them. */
  part: 'change' | 'rollback'
  killedBy: string | null
  opsBeforeKill: string[]
  rerunExit: number | null
  rerunOps: string[]
  converged: boolean
  state: Production
  before: Production
  rerunLog?: string
}

/** Kill the failing run right after its mutating call number `n` (`op`) took effect, then re-run good. */
async function cutAt(n: number, op: string, ref: Reference): Promise<CutOutcome> {
  const { targetGroupArn, before } = await seedStack()
  const since = emu.calls.lastSeq()
  const disarm = armCut(n, op)
  let opsBeforeKill: string[]
  let killedBy: string | null
  try {
    const run = startAction({ inputs: failingInputs(), endpoint: emu.url })
    let exited = false
    void run.done.then(() => (exited = true))
    const cutDone = () => emu.calls.list(since).filter(c => c.mutating && c.status < 300).length > n
    while (!exited && !cutDone()) await sleep(20)
    run.kill()
    killedBy = (await run.done).signal
    opsBeforeKill = mutatingOps(emu.calls.list(since))
  } finally {
    disarm()
  }

  const rerunSince = emu.calls.lastSeq()
  const rerun = await runToEnd({ inputs: goodInputs(), endpoint: emu.url })
  const state = production(await dump(), targetGroupArn)
  const converged = rerun.code === 0 && JSON.stringify(state) === JSON.stringify(before)
  return {
    cut: `#${n + 1} ${op}`,
    part: n < ref.changeOps.length ? 'change' : 'rollback',
    killedBy,
    opsBeforeKill,
    rerunExit: rerun.code,
    rerunOps: mutatingOps(emu.calls.list(rerunSince)),
    converged,
    state,
    before,
    ...(converged ? {} : { rerunLog: `${rerun.stdout}\n${rerun.stderr}`.split('\n').slice(-30).join('\n') })
  }
}

describe('a failing change whose rollback is interrupted, then the good inputs again', () => {
  test('converges to the state before the failing run at every mutating call of the change and its rollback', async () => {
    const ref = await reference()
    // Every mutating call of the failing run is a cut point, the change's and the rollback's.
    const outcomes: CutOutcome[] = []
    for (const [n, op] of ref.ops.entries()) outcomes.push(await cutAt(n, op, ref))

    recordFigures('interruption-rollback', {
      referenceOps: ref.ops,
      changeOps: ref.changeOps,
      cutPoints: outcomes.length,
      converged: outcomes.filter(o => o.converged).length,
      outcomes: outcomes.map(({ rerunLog: _l, before: _b, ...o }) => o)
    })
    // One comparison for everything, so that a failure shows every cut that is off at once.
    // The reference itself: the change fails and production is as before (change-safety scenario 2),
    // the change making calls and the rollback undoing them with calls of its own. Each cut: killed right
    // after the cut call took effect (not before, not later); the re-run of the good inputs succeeds and
    // leaves production as it was before the failing run.
    const observed = {
      reference: {
        exit: ref.run.code === 0 ? 'success' : 'failure',
        after: ref.after,
        changeFirst: ref.ops.slice(0, ref.changeOps.length),
        rollbackCalls: ref.ops.length > ref.changeOps.length
      },
      cuts: outcomes.map(o => ({
        cut: `${o.cut} (${o.part})`,
        killedBy: o.killedBy,
        opsBeforeKill: o.opsBeforeKill,
        rerunExit: o.rerunExit,
        state: o.state
      }))
    }
    const desired = {
      reference: { exit: 'failure', after: ref.before, changeFirst: ref.changeOps, rollbackCalls: true },
      cuts: outcomes.map((o, n) => ({
        cut: `${o.cut} (${o.part})`,
        killedBy: 'SIGKILL',
        opsBeforeKill: ref.ops.slice(0, n + 1),
        rerunExit: 0,
        state: o.before
      }))
    }
    try {
      expect(observed).toEqual(desired)
    } catch (error) {
      const logs = outcomes
        .filter(o => o.rerunLog)
        .map(
          o => `re-run after cut ${o.cut}, mutating calls ${o.rerunOps.join(', ') || 'none'}:\n${o.rerunLog}`
        )
      ;(error as Error).message += `\n\n${logs.join('\n----\n')}`
      throw error
    }
  }, 400_000)
})
