/**
 * A runner that dies: for every mutating call of a first deploy and of an update, the call takes effect,
 * its answer never comes and the action is killed (SIGKILL: no catch, no finally). Running the action
 * again must converge to the state an uninterrupted run leaves, with nothing left over.
 */
import { startEmulator, type Emulator } from '../../emulator/server.js'
import {
  comparableState,
  expectSuccess,
  mutatingOps,
  recordFigures,
  runToEnd,
  scenarioInputs,
  sleep,
  startAction,
  type StateDump
} from './harness.js'

const TIME_SCALE = 0.005
let emulators: Emulator[] = []

beforeAll(async () => {
  emulators = await Promise.all([1, 2].map(() => startEmulator({ timeScale: TIME_SCALE })))
})
afterAll(async () => {
  await Promise.all(emulators.map(e => e.stop()))
})

const dump = async (emu: Emulator): Promise<StateDump> =>
  (await (await fetch(`${emu.url}/_emulator/state`)).json()) as StateDump

const PHASES = {
  deploy: { before: undefined, inputs: () => scenarioInputs() },
  update: { before: () => scenarioInputs(), inputs: () => scenarioInputs({ updated: true }) }
} as const
type Phase = keyof typeof PHASES

interface Reference {
  ops: string[]
  state: unknown
}

async function reference(emu: Emulator, phase: Phase): Promise<Reference> {
  await emu.reset()
  const { before, inputs } = PHASES[phase]
  if (before) expectSuccess(await runToEnd({ inputs: before(), endpoint: emu.url }), 'setup deploy')
  const since = emu.calls.lastSeq()
  expectSuccess(await runToEnd({ inputs: inputs(), endpoint: emu.url }), `uninterrupted ${phase}`)
  return { ops: mutatingOps(emu.calls.list(since)), state: comparableState(await dump(emu)) }
}

interface CutOutcome {
  phase: Phase
  op: string
  killedBy: string | null
  opsBeforeKill: string[]
  rerunOps: string[]
  converged: boolean
  diff?: { expected: unknown; received: unknown }
}

/** Kill right after `op` took effect, run again, compare with the uninterrupted run. */
async function cutAt(emu: Emulator, phase: Phase, op: string, ref: Reference): Promise<CutOutcome> {
  await emu.reset()
  const { before, inputs } = PHASES[phase]
  if (before) expectSuccess(await runToEnd({ inputs: before(), endpoint: emu.url }), 'setup deploy')
  emu.faults.set({ fail: [{ operation: op, times: 1, after: true, hang: true, code: 'RunnerDied' }] })
  const since = emu.calls.lastSeq()
  const run = startAction({ inputs: inputs(), endpoint: emu.url })
  let exited = false
  void run.done.then(() => (exited = true))
  const cutDone = () => emu.calls.list(since).some(c => c.operation === op && c.mutating && c.status < 300)
  while (!exited && !cutDone()) await sleep(20)
  run.kill()
  const killed = await run.done
  emu.faults.clear()
  const opsBeforeKill = mutatingOps(emu.calls.list(since))

  const rerunSince = emu.calls.lastSeq()
  const rerun = await runToEnd({ inputs: inputs(), endpoint: emu.url })
  expectSuccess(rerun, `re-run after a cut at ${phase}/${op}`)
  const state = comparableState(await dump(emu))
  const converged = JSON.stringify(state) === JSON.stringify(ref.state)
  return {
    phase,
    op,
    killedBy: killed.signal,
    opsBeforeKill,
    rerunOps: mutatingOps(emu.calls.list(rerunSince)),
    converged,
    ...(converged ? {} : { diff: { expected: ref.state, received: state } })
  }
}

describe('interrupted after each mutating call, then run again', () => {
  test('converges to the uninterrupted final state at every cut point of a first deploy and an update', async () => {
    const [deployRef, updateRef] = await Promise.all([
      reference(emulators[0], 'deploy'),
      reference(emulators[1], 'update')
    ])
    // The scenario makes every kind of mutating call the action knows, each once per run.
    expect(deployRef.ops).toEqual([
      'RegisterTaskDefinition',
      'CreateLoadBalancer',
      'ModifyLoadBalancerAttributes',
      'CreateTargetGroup',
      'ModifyTargetGroupAttributes',
      'CreateListener',
      'CreateRule',
      'CreateService'
    ])
    // The health-check probe runs first and the target group it proved is changed right after. A cut inside
    // the probe leaves a temporary group or rule behind, which the re-run finds (its name is derived from the
    // change) and removes.
    expect(updateRef.ops).toEqual([
      'CreateTargetGroup',
      'CreateRule',
      'RegisterTargets',
      'DeleteRule',
      'DeleteTargetGroup',
      'ModifyTargetGroup',
      'ModifyTargetGroupAttributes',
      'RegisterTaskDefinition',
      'SetSecurityGroups',
      'SetSubnets',
      'ModifyLoadBalancerAttributes',
      'ModifyListener',
      'ModifyRule',
      'SetRulePriorities',
      'UpdateService'
    ])

    const PROBE_CALLS: string[] = updateRef.ops.slice(0, updateRef.ops.indexOf('DeleteTargetGroup') + 1)
    const cuts = [
      ...deployRef.ops.map(op => ({ phase: 'deploy' as const, op, ref: deployRef })),
      ...updateRef.ops.map(op => ({ phase: 'update' as const, op, ref: updateRef }))
    ]
    const queue = [...cuts]
    const outcomes: CutOutcome[] = []
    await Promise.all(
      emulators.map(async emu => {
        for (let cut = queue.shift(); cut; cut = queue.shift()) {
          outcomes.push(await cutAt(emu, cut.phase, cut.op, cut.ref))
        }
      })
    )

    recordFigures('interruption', {
      cutPoints: outcomes.length,
      converged: outcomes.filter(o => o.converged).length,
      outcomes: outcomes.map(({ diff: _d, ...o }) => o)
    })
    expect(outcomes).toHaveLength(cuts.length)
    for (const o of outcomes) {
      const ref = o.phase === 'deploy' ? deployRef : updateRef
      const upTo = ref.ops.slice(0, ref.ops.indexOf(o.op) + 1)
      // Killed right after the cut call took effect, not before and not later.
      expect({ cut: `${o.phase}/${o.op}`, killedBy: o.killedBy, ops: o.opsBeforeKill }).toEqual({
        cut: `${o.phase}/${o.op}`,
        killedBy: 'SIGKILL',
        ops: upTo
      })
      // The re-run finishes the job without redoing what took effect. The health-check probe is a proof,
      // not a change: until ModifyTargetGroup took effect, the re-run proves the new check again (and
      // clears what a killed probe left; the final state is compared below).
      const isProbe = (op: string) => o.phase === 'update' && PROBE_CALLS.includes(op)
      const reproves = o.phase === 'update' && !upTo.includes('ModifyTargetGroup')
      // What a killed probe left (its group, its rule) is found and reused, so a re-probe may skip creates.
      const probed = o.rerunOps.slice(
        0,
        o.rerunOps.findIndex(op => !isProbe(op))
      )
      expect({ cut: `${o.phase}/${o.op}`, rerun: o.rerunOps.slice(probed.length), probed }).toEqual({
        cut: `${o.phase}/${o.op}`,
        rerun: ref.ops.slice(upTo.length).filter(op => !isProbe(op)),
        probed: reproves ? expect.arrayContaining(['RegisterTargets', 'DeleteRule', 'DeleteTargetGroup']) : []
      })
    }
    expect(outcomes.filter(o => !o.converged)).toEqual([])
  }, 360_000)
})
