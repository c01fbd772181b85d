/**
 * Health-check change: how long the bundled action takes to a verdict on a change of the target group's
 * health check, now that it proves the change with a traffic-free probe (src/resources/health-check-probe.ts)
 * before ModifyTargetGroup, next to the physical floor of the health checks themselves; and how many AWS
 * calls the probe adds to a run, and that a run whose health check does not change makes none of them.
 *
 * One in-process emulator at time scale 1 (real time): the seed stack with a short health check, then an
 * identical re-run and an image-only change (calls), then passing changes (Matcher 200 ⇄ 200-299) and
 * failing ones (HealthCheckPath → /healthz, which the app answers 404), each run timed on the emulator's
 * clock from the action's start to its exit, with its stdout lines timestamped as they arrive and its
 * calls read from the emulator's call log.
 */
import {
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client
} from '@aws-sdk/client-elastic-load-balancing-v2'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import type { CallRecord } from '../emulator/core/calls.js'
import { startEmulator, type Emulator } from '../emulator/server.js'
import { EmulatorControl } from '../test-support/emulator-client.js'
import { seedInputs } from '../test-support/fixtures.js'
import { repoRoot, runAction, type ActionRun } from '../test-support/run-action.js'
import { fmt, medianRange, summary, type Summary } from './stats.js'

const RUNS = Number(process.env.BENCH_HC_RUNS ?? 5)
const HEALTH_CHECK = { intervalS: 5, timeoutS: 2, healthyThreshold: 2, unhealthyThreshold: 2 }
/** The action's default poll interval (action.yml): the watch after the change polls this often. */
const POLL_INTERVAL_S = 5
const DESIRED = 2
const GOOD_PATH = '/hostname'
const BROKEN_PATH = '/healthz'
const IMAGE_V1 = 'inokara/ecs-app:latest'
const IMAGE_V2 = 'inokara/ecs-app:v2'
const CREDENTIALS = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'bench' }
/** The operations the probe makes, in its order (src/resources/health-check-probe.ts). */
const PROBE_OPERATIONS = [
  'DescribeTargetHealth',
  'CreateTargetGroup',
  'DescribeRules',
  'CreateRule',
  'RegisterTargets',
  'DeleteRule',
  'DeleteTargetGroup'
]

/**
 * The physical floor, per the ALB guide: a newly registered target needs one passing check (at most one
 * interval until it is sent, and its answer within the timeout); a failing one UnhealthyThresholdCount
 * failed checks, one interval apart.
 */
export const floorS = {
  pass: HEALTH_CHECK.intervalS + HEALTH_CHECK.timeoutS,
  fail: HEALTH_CHECK.unhealthyThreshold * HEALTH_CHECK.intervalS
}

/** One timed run of a health-check change. */
export interface VerdictSample {
  code: number | null
  /** Action start → exit. */
  totalS: number
  /** Action start → the probe's first call (discover and plan). */
  beforeProbeS: number
  /** The probe's first call → its last (DeleteTargetGroup of the temporary group), from the call log. */
  probeS: number
  /** RegisterTargets in the temporary group → the last target's verdict there, as the load balancer saw it. */
  elbVerdictS: number
  /** The load balancer's last verdict → the probe's `health-check probe: … pass/fail` line on stdout. */
  readLagS: number
  /** The probe's last call → exit (the change and the watch on a pass; the error on a failure). */
  afterProbeS: number
  /** The probe's verdict line. */
  verdict: string
  /** The first line of the error, on a failure. */
  error?: string
}

export interface VerdictScenario {
  name: string
  expect: 'pass' | 'fail'
  floorS: number
  samples: VerdictSample[]
}

/** One run's calls: all of them, and those that are the probe's. */
export interface CallsRow {
  name: string
  code: number | null
  total: CallRecord[]
  probe: CallRecord[]
}

export interface HealthCheckBenchResult {
  timeScale: number
  runs: number
  healthCheck: typeof HEALTH_CHECK
  desired: number
  pollIntervalSeconds: number
  scenarios: VerdictScenario[]
  calls: CallsRow[]
  totalS: number
}

interface HealthEvent {
  at: number
  tgArn: string
  key: string
  state: string
  reason?: string
}

const targetGroup = (over: Record<string, unknown>): string =>
  JSON.stringify({
    ...(JSON.parse(readFileSync(path.join(repoRoot, 'examples/seed/target-group.json'), 'utf8')) as object),
    HealthCheckPath: GOOD_PATH,
    HealthCheckIntervalSeconds: HEALTH_CHECK.intervalS,
    HealthCheckTimeoutSeconds: HEALTH_CHECK.timeoutS,
    HealthyThresholdCount: HEALTH_CHECK.healthyThreshold,
    UnhealthyThresholdCount: HEALTH_CHECK.unhealthyThreshold,
    Matcher: { HttpCode: '200' },
    ...over
  })

/** The seed's files with the short health check; old targets drain for 0 s, so an image change ends soon. */
const inputs = (opts: { image: string; tg?: Record<string, unknown> }): Record<string, string> =>
  seedInputs({
    'target-group': targetGroup(opts.tg ?? {}),
    'target-group-attributes': 'deregistration_delay.timeout_seconds: 0',
    images: `app=${opts.image}`,
    'poll-interval-seconds': String(POLL_INTERVAL_S),
    'wait-for-minutes': '3'
  })

const isProbeGroupCall = (c: CallRecord, name: string): boolean => JSON.stringify(c.params).includes(name)

/**
 * The probe's calls in a run's call log: from the DescribeTargetHealth of the live group just before the
 * CreateTargetGroup of the `-probe` group, to that group's DeleteTargetGroup. The action is sequential and
 * the probe runs before any change, so nothing else calls in between (checked: only probe operations).
 */
function probeCalls(calls: CallRecord[]): CallRecord[] {
  const create = calls.findIndex(
    c => c.operation === 'CreateTargetGroup' && /-probe$/.test(String((c.params as { Name?: string }).Name))
  )
  if (create < 0) {
    // No temporary group: only the probe's look at the live targets could have happened (a skipped probe);
    // a probe call of any other kind without one would be a bug worth seeing.
    return calls.filter(
      c =>
        PROBE_OPERATIONS.slice(1).includes(c.operation) ||
        /-probe\b|\.probe\.invalid/.test(JSON.stringify(c.params))
    )
  }
  const name = String((calls[create].params as { Name: string }).Name)
  const start = calls[create - 1]?.operation === 'DescribeTargetHealth' ? create - 1 : create
  const end = calls.findIndex(
    (c, i) => i > create && c.operation === 'DeleteTargetGroup' && isProbeGroupCall(c, name)
  )
  const window = calls.slice(start, end < 0 ? calls.length : end + 1)
  const stray = window.filter(c => !PROBE_OPERATIONS.includes(c.operation))
  if (stray.length)
    throw new Error(
      `calls inside the probe's window that are not the probe's: ${stray.map(c => c.operation).join(', ')}`
    )
  return window
}

class Bench {
  readonly control: EmulatorControl
  readonly elbv2: ElasticLoadBalancingV2Client
  readonly events: HealthEvent[] = []
  private readonly off: () => void
  tgArn = ''

  constructor(readonly emulator: Emulator) {
    this.control = new EmulatorControl(emulator.url)
    this.elbv2 = new ElasticLoadBalancingV2Client({
      endpoint: emulator.url,
      region: 'ap-northeast-1',
      credentials: CREDENTIALS
    })
    this.off = emulator.elb.onHealthChange(e =>
      this.events.push({
        at: emulator.clock.now(),
        tgArn: e.tgArn,
        key: `${e.target.id}:${e.target.port}`,
        state: e.current.state,
        reason: e.current.reason
      })
    )
  }

  stop(): void {
    this.off()
  }

  now(): number {
    return this.emulator.clock.now()
  }

  /** Runs the action, its stdout lines stamped on the emulator clock as they arrive, and its calls. */
  async run(inp: Record<string, string>) {
    const before = (await this.control.calls()).at(-1)?.seq ?? 0
    const lines: { at: number; line: string }[] = []
    let partial = ''
    const started = this.now()
    const run: ActionRun = await runAction({
      inputs: inp,
      endpoint: this.emulator.url,
      timeoutMs: 300_000,
      onStdout: chunk => {
        const at = this.now()
        const parts = (partial + chunk).split('\n')
        partial = parts.pop() ?? ''
        for (const line of parts) lines.push({ at, line })
      }
    })
    const ended = this.now()
    if (partial) lines.push({ at: ended, line: partial })
    const calls = await this.control.calls(before)
    return { run, started, ended, lines, calls }
  }

  /** Until the service's targets are all healthy again (and only those: old ones gone). */
  async untilHealthy(limitMs = 90_000): Promise<void> {
    const end = Date.now() + limitMs
    for (;;) {
      const out = await this.elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: this.tgArn }))
      const all = out.TargetHealthDescriptions ?? []
      if (all.length === DESIRED && all.every(t => t.TargetHealth?.State === 'healthy')) return
      if (Date.now() > end) throw new Error(`targets not healthy after ${limitMs} ms: ${JSON.stringify(all)}`)
      await new Promise(r => setTimeout(r, 250))
    }
  }

  /** No temporary target group is left behind. */
  async noLeftover(): Promise<void> {
    const text = JSON.stringify(await this.control.state())
    if (/-probe"/.test(text)) throw new Error('a -probe target group was left behind')
  }

  /** One health-check change, timed. */
  async verdict(
    inp: Record<string, string>,
    expect: 'pass' | 'fail'
  ): Promise<{ sample: VerdictSample; calls: CallRecord[]; code: number | null }> {
    const r = await this.run(inp)
    const ok = expect === 'pass' ? r.run.code === 0 : r.run.code !== 0 && r.run.code !== null
    if (!ok) throw new Error(`expected a ${expect}, exit ${r.run.code}:\n${r.run.stdout}\n${r.run.stderr}`)
    const probe = probeCalls(r.calls)
    const create = probe.find(c => c.operation === 'CreateTargetGroup')
    if (!create) throw new Error(`no probe in a health-check change:\n${r.run.stdout}`)
    const at = (c: CallRecord) => Date.parse(c.time)
    // The call log stamps a call when it answers: its start is that minus its duration.
    const probeStart = at(probe[0]) - probe[0].durationMs
    const probeEnd = at(probe.at(-1)!)
    const registered = at(probe.find(c => c.operation === 'RegisterTargets')!)
    const name = String((create.params as { Name: string }).Name)
    // The temporary group's events: the first verdict (healthy, or unhealthy with a reason) of each target.
    const probeArn = this.events.find(e => e.tgArn.includes(`/${name}/`) && e.at >= r.started)?.tgArn
    const firstVerdict = new Map<string, number>()
    for (const e of this.events) {
      if (e.tgArn !== probeArn || e.at < r.started || firstVerdict.has(e.key)) continue
      if (e.state === 'healthy' || (e.state === 'unhealthy' && e.reason)) firstVerdict.set(e.key, e.at)
    }
    const elbVerdict = firstVerdict.size ? Math.max(...firstVerdict.values()) : NaN
    const verdictLine = r.lines.find(l =>
      /^health-check probe: .*(pass|fail) the new health check/.test(l.line)
    )
    // setFailed's message: one `::error::` line, its own newlines escaped as %0A.
    const errorParts = (`${r.run.stdout}\n${r.run.stderr}`.split('\n').find(l => /^::error::/.test(l)) ?? '')
      .replace(/^::error::/, '')
      .split('%0A')
    const errorLine = [errorParts[0], errorParts.find(l => /answered/.test(l))].filter(Boolean).join(' … ')
    return {
      code: r.run.code,
      calls: r.calls,
      sample: {
        code: r.run.code,
        totalS: (r.ended - r.started) / 1000,
        beforeProbeS: (probeStart - r.started) / 1000,
        probeS: (probeEnd - probeStart) / 1000,
        elbVerdictS: (elbVerdict - registered) / 1000,
        readLagS: verdictLine ? (verdictLine.at - elbVerdict) / 1000 : NaN,
        afterProbeS: (r.ended - probeEnd) / 1000,
        verdict: verdictLine?.line ?? '(no verdict line)',
        ...(errorLine && { error: errorLine.slice(0, 400) })
      }
    }
  }
}

/**
 * About three and a half minutes with 5 runs: the seed deploy, a re-run and an image change (about 30 s),
 * then the passing changes (about 15 s each) and the failing ones (about 15 s each).
 */
export async function healthCheckBench(): Promise<HealthCheckBenchResult> {
  const started = Date.now()
  const emulator = await startEmulator({ timeScale: 1 })
  const b = new Bench(emulator)
  try {
    const seed = await b.run(inputs({ image: IMAGE_V1 }))
    if (seed.run.code !== 0) throw new Error(`seed deploy failed:\n${seed.run.stdout}\n${seed.run.stderr}`)
    b.tgArn = seed.run.outputs['target-group-arn']
    await b.untilHealthy()

    const rows: CallsRow[] = []
    const row = (name: string, code: number | null, calls: CallRecord[]) =>
      rows.push({ name, code, total: calls, probe: probeCalls(calls) })

    const rerun = await b.run(inputs({ image: IMAGE_V1 }))
    row('identical re-run', rerun.run.code, rerun.calls)
    const image = await b.run(inputs({ image: IMAGE_V2 }))
    row('image-only change', image.run.code, image.calls)
    await b.untilHealthy()

    const pass: VerdictSample[] = []
    const fail: VerdictSample[] = []
    let matcher = '200'
    for (let i = 0; i < RUNS; i++) {
      // Each run changes the matcher the other way: 200 → 200-299 → 200 …, a passing change every time.
      matcher = matcher === '200' ? '200-299' : '200'
      const p = await b.verdict(inputs({ image: IMAGE_V2, tg: { Matcher: { HttpCode: matcher } } }), 'pass')
      pass.push(p.sample)
      if (i === 0) row(`passing change (Matcher 200 → ${matcher})`, p.code, p.calls)
      await b.noLeftover()
      await b.untilHealthy()
      // Nothing changes on a failure: the live group keeps its path and the same targets.
      const f = await b.verdict(
        inputs({ image: IMAGE_V2, tg: { Matcher: { HttpCode: matcher }, HealthCheckPath: BROKEN_PATH } }),
        'fail'
      )
      fail.push(f.sample)
      if (i === 0) row(`failing change (HealthCheckPath → ${BROKEN_PATH})`, f.code, f.calls)
      await b.noLeftover()
    }
    return {
      timeScale: 1,
      runs: RUNS,
      healthCheck: HEALTH_CHECK,
      desired: DESIRED,
      pollIntervalSeconds: POLL_INTERVAL_S,
      scenarios: [
        {
          name: 'passing change (Matcher 200 ⇄ 200-299)',
          expect: 'pass',
          floorS: floorS.pass,
          samples: pass
        },
        {
          name: `failing change (HealthCheckPath → ${BROKEN_PATH}, 404)`,
          expect: 'fail',
          floorS: floorS.fail,
          samples: fail
        }
      ],
      calls: rows,
      totalS: (Date.now() - started) / 1000
    }
  } finally {
    b.stop()
    await emulator.stop()
  }
}

// ---- rendering ---------------------------------------------------------------------------------------

const s = (xs: number[]): Summary => summary(xs)
const sec = (xs: number[]): string => `${medianRange(s(xs))} s`

function byOperation(calls: CallRecord[]): string {
  const counts = new Map<string, { n: number; mutating: boolean }>()
  for (const c of calls) {
    const e = counts.get(c.operation) ?? { n: 0, mutating: c.mutating }
    e.n++
    counts.set(c.operation, e)
  }
  return [...counts].map(([op, e]) => (e.mutating ? `**${op}** ${e.n}` : `${op} ${e.n}`)).join(', ') || '—'
}

const mutRead = (calls: CallRecord[]): string =>
  `${calls.length} (${calls.filter(c => c.mutating).length} / ${calls.filter(c => !c.mutating).length})`

/** The section of bench/RESULTS.md. */
export function renderHealthCheck(r: HealthCheckBenchResult): string {
  const h = r.healthCheck
  const lines = [
    '## Health-check change',
    '',
    `Emulator at time scale ${r.timeScale} (real time), in the bench process. The seed stack (${r.desired} tasks) with ` +
      `a short health check: interval ${h.intervalS} s, timeout ${h.timeoutS} s, healthy ×${h.healthyThreshold}, ` +
      `unhealthy ×${h.unhealthyThreshold}, path ${GOOD_PATH}, matcher 200; poll-interval-seconds ${r.pollIntervalSeconds} ` +
      "(the action's default). Each run is the bundled action, timed on the emulator clock from its start to its exit; " +
      'the probe from its first call (DescribeTargetHealth of the live group) to its last (DeleteTargetGroup of the ' +
      "temporary group), from the call log; the load balancer's verdict from RegisterTargets in the temporary group to " +
      'the last target\'s first verdict there; "read lag" from that verdict to the probe\'s `health-check probe: … ' +
      'the new health check` line on stdout. ' +
      `${r.runs} runs each, alternating (pass, fail, pass …), median (range).`,
    '',
    `Physical floor (ALB guide): a pass needs one passing check of a newly registered target, interval + timeout = ` +
      `${floorS.pass} s; a failure UnhealthyThresholdCount × interval = ${floorS.fail} s.`,
    '',
    '| Change | Exit | Start → exit | × floor | Before the probe | Probe | × floor | LB verdict after register | Read lag | Probe end → exit |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |'
  ]
  for (const sc of r.scenarios) {
    const x = sc.samples
    const total = s(x.map(v => v.totalS))
    const probe = s(x.map(v => v.probeS))
    const codes = [...new Set(x.map(v => String(v.code)))].join('/')
    lines.push(
      `| ${sc.name} | ${codes} | ${sec(x.map(v => v.totalS))} | ×${fmt(total.median / sc.floorS, 2)} | ` +
        `${sec(x.map(v => v.beforeProbeS))} | ${sec(x.map(v => v.probeS))} | ×${fmt(probe.median / sc.floorS, 2)} | ` +
        `${sec(x.map(v => v.elbVerdictS))} | ${sec(x.map(v => v.readLagS))} | ${sec(x.map(v => v.afterProbeS))} |`
    )
  }
  const failure = r.scenarios.find(sc => sc.expect === 'fail')?.samples[0]
  if (failure?.error) lines.push('', `The failing change stops with: \`${failure.error}\``)
  // The probe reads the temporary group after a first sleep, then every min(interval, 5 s): its verdict
  // lands on a multiple of that after RegisterTargets, whenever the load balancer had it.
  const pollS = Math.min(h.intervalS, 5)
  lines.push(
    '',
    `Per run, the load balancer's verdict → the probe's verdict line, seconds after RegisterTargets (the probe ` +
      `reads the temporary group after a first sleep of min(interval, 5 s) = ${pollS} s, then every ${pollS} s, so ` +
      'it reads a verdict on the first multiple of that after the load balancer has it):'
  )
  for (const sc of r.scenarios) {
    const pairs = sc.samples.map(v => `${fmt(v.elbVerdictS)} → ${fmt(v.elbVerdictS + v.readLagS)}`).join(', ')
    lines.push(`- ${sc.name}: ${pairs}`)
  }
  const passing = r.scenarios.find(sc => sc.expect === 'pass')?.samples ?? []
  if (passing.length) {
    const lb = s(passing.map(v => v.elbVerdictS))
    const missed = passing.filter(v => v.probeS > pollS * 1.5).length
    lines.push(
      '',
      `A pass can beat its floor: the floor is when one passing check is certain at the latest (sent within an ` +
        'interval, answered within the timeout), and the emulator sends a newly registered target its first check ' +
        `1 s + up to min(interval, 5 s) after registration, which the app answers in milliseconds: the load balancer ` +
        `had both targets healthy ${fmt(lb.min)}–${fmt(lb.max)} s after RegisterTargets. What the probe adds to the ` +
        `load balancer is its read, on multiples of ${pollS} s: ${missed} of ${passing.length} passes came just after ` +
        `the ${pollS} s read and waited for the next one. On AWS registration itself takes longer ` +
        '(Elb.RegistrationInProgress; the probe allows 30 s for it), so its durations there are longer than here; the ' +
        "read's quantisation is the same."
    )
  }
  lines.push(
    '',
    "Calls per run from the emulator's call log (total (mutating / reads)); the probe's are the calls from its " +
      'DescribeTargetHealth of the live group to the DeleteTargetGroup of its `-probe` group (the action is ' +
      'sequential and the probe runs before any change; the bench checks that nothing else calls in between). ' +
      'The first pass and the first failure of the runs above.',
    '',
    "| Run | Exit | Calls | The probe's | Not the probe's | The probe's by operation (**mutating**) |",
    '| --- | --- | --- | --- | --- | --- |'
  )
  for (const c of r.calls) {
    const rest = c.total.filter(x => !c.probe.includes(x))
    lines.push(
      `| ${c.name} | ${c.code} | ${mutRead(c.total)} | ${mutRead(c.probe)} | ${mutRead(rest)} | ${byOperation(c.probe)} |`
    )
  }
  lines.push('', `Whole section: ${fmt(r.totalS, 0)} s.`)
  return lines.join('\n')
}
