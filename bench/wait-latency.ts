/**
 * Wait latency: how soon the action notices that a rollout is done or has failed, next to a baseline that
 * waits the way the official amazon-ecs-deploy-task-definition action does (the SDK's
 * `waitUntilServicesStable`, minDelay 15 s, default maxDelay). Both run against the same emulator
 * scenarios at time scale 1 (real time), and both are measured on the emulator's clock from what its load
 * balancer saw: the last target turning healthy (success) or the first failed health check (failure).
 */
import {
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  ModifyTargetGroupAttributesCommand
} from '@aws-sdk/client-elastic-load-balancing-v2'
import { DescribeServicesCommand, ECSClient, waitUntilServicesStable } from '@aws-sdk/client-ecs'
import { startEmulator, type Emulator } from '../emulator/server.js'
import { EmulatorControl } from '../test-support/emulator-client.js'
import { seedInputs } from '../test-support/fixtures.js'
import { runAction, type ActionRun } from '../test-support/run-action.js'
import { fmt, summary, type Summary } from './stats.js'

const RUNS = Number(process.env.BENCH_WAIT_RUNS ?? 3)
const POLL_INTERVAL_S = 5 // the action's default
const BASELINE_MIN_DELAY_S = 15
const BASELINE_MAX_WAIT_S = 90
const HEALTH_CHECK = { intervalS: 5, timeoutS: 2, healthyThreshold: 2, unhealthyThreshold: 2 }
const DESIRED = 2
const CREDENTIALS = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'bench' }

export type Outcome = 'success' | 'failure' | 'timed out'

export interface WaitSample {
  /** Seconds from the reference event (last target healthy / first failed check) to the verdict. */
  latencyS: number
  outcome: Outcome
  /** Healthy targets of the service when the verdict came. */
  healthyAtVerdict: number
  /** Successes: seconds from the last target turning healthy to ECS completing the deployment. */
  ecsCompletedAfterS?: number
}

export interface WaitScenarioResult {
  name: string
  /** What the action should conclude, and from which moment the latency counts. */
  expect: 'success' | 'failure'
  ours: WaitSample[]
  baseline: WaitSample[]
}

export interface WaitLatencyResult {
  timeScale: number
  runs: number
  pollIntervalSeconds: number
  baseline: { minDelayS: number; maxWaitS: number }
  healthCheck: typeof HEALTH_CHECK
  desired: number
  scenarios: WaitScenarioResult[]
  totalS: number
}

interface HealthEvent {
  at: number
  tgArn: string
  key: string
  previousReason?: string
  state: string
  reason?: string
}

/** Everything the emulator's load balancer reported, on its clock. */
class HealthRecorder {
  readonly events: HealthEvent[] = []
  private readonly off: () => void

  constructor(private readonly emulator: Emulator) {
    this.off = emulator.elb.onHealthChange(e =>
      this.events.push({
        at: emulator.clock.now(),
        tgArn: e.tgArn,
        key: `${e.target.id}:${e.target.port}`,
        previousReason: e.previous.reason,
        state: e.current.state,
        reason: e.current.reason
      })
    )
  }

  stop(): void {
    this.off()
  }

  /** The last time a target of the group turned healthy, up to `until`. */
  lastHealthy(tgArn: string, since: number, until = Infinity): number {
    const times = this.events
      .filter(e => e.tgArn === tgArn && e.state === 'healthy' && e.at >= since && e.at <= until)
      .map(e => e.at)
    return times.length ? Math.max(...times) : NaN
  }

  /** The first check of a target registered after `since`: in the failure scenarios every check fails. */
  firstFailedCheck(tgArn: string, since: number): number {
    const fresh = new Set(
      this.events
        .filter(e => e.tgArn === tgArn && e.at >= since && e.reason === 'Elb.RegistrationInProgress')
        .map(e => e.key)
    )
    const first = this.events.find(
      e =>
        e.tgArn === tgArn &&
        fresh.has(e.key) &&
        e.previousReason === 'Elb.RegistrationInProgress' &&
        e.state !== 'draining'
    )
    return first?.at ?? NaN
  }
}

interface Names {
  service: string
  alb: string
  tg: string
}

const namesFor = (tag: string): Names => ({ service: `svc-${tag}`, alb: `alb-${tag}`, tg: `tg-${tag}` })

function inputsFor(n: Names, opts: { image: string; healthPath?: string; wait: boolean }) {
  return seedInputs({
    'load-balancer': JSON.stringify({
      Name: n.alb,
      Subnets: ['subnet-12345678', 'subnet-abcdefgh'],
      SecurityGroups: ['sg-12345678']
    }),
    'target-group': JSON.stringify({
      Name: n.tg,
      Protocol: 'HTTP',
      Port: 80,
      HealthCheckPath: opts.healthPath ?? '/hostname',
      HealthCheckIntervalSeconds: HEALTH_CHECK.intervalS,
      HealthCheckTimeoutSeconds: HEALTH_CHECK.timeoutS,
      HealthyThresholdCount: HEALTH_CHECK.healthyThreshold,
      UnhealthyThresholdCount: HEALTH_CHECK.unhealthyThreshold,
      Matcher: { HttpCode: '200' }
    }),
    'task-definition': JSON.stringify({
      family: n.service,
      networkMode: 'bridge',
      containerDefinitions: [
        {
          name: 'app',
          image: opts.image,
          memory: 128,
          essential: true,
          portMappings: [{ containerPort: 4567 }]
        }
      ]
    }),
    service: JSON.stringify({
      serviceName: n.service,
      desiredCount: DESIRED,
      loadBalancers: [{ containerName: 'app', containerPort: 4567 }]
    }),
    'poll-interval-seconds': String(POLL_INTERVAL_S),
    'wait-for-minutes': '4',
    'wait-for-service-stability': String(opts.wait),
    // The failure is what is measured; a rollback would only add its own wait after it.
    'rollback-on-failure': 'false'
  })
}

class Bench {
  readonly control: EmulatorControl
  readonly ecs: ECSClient
  readonly elbv2: ElasticLoadBalancingV2Client
  readonly health: HealthRecorder

  constructor(readonly emulator: Emulator) {
    this.control = new EmulatorControl(emulator.url)
    const client = { endpoint: emulator.url, region: 'ap-northeast-1', credentials: CREDENTIALS }
    this.ecs = new ECSClient(client)
    this.elbv2 = new ElasticLoadBalancingV2Client(client)
    this.health = new HealthRecorder(emulator)
  }

  now(): number {
    return this.emulator.clock.now()
  }

  async healthyTargets(tgArn: string): Promise<number> {
    const out = await this.elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: tgArn }))
    return (out.TargetHealthDescriptions ?? []).filter(t => t.TargetHealth?.State === 'healthy').length
  }

  async action(n: Names, opts: { image: string; healthPath?: string; wait: boolean }): Promise<ActionRun> {
    const run = await runAction({
      inputs: inputsFor(n, opts),
      endpoint: this.emulator.url,
      timeoutMs: 300_000
    })
    if (!opts.wait && run.code !== 0) throw new Error(`deploy of ${n.service} failed:\n${run.stdout}`)
    return run
  }

  /** Ours: the bundled action deploys and waits. */
  async ours(n: Names, opts: { image: string; healthPath?: string }) {
    const started = this.now()
    const run = await this.action(n, { ...opts, wait: true })
    const verdictAt = this.now()
    const tgArn = run.outputs['target-group-arn']
    if (!tgArn) throw new Error(`no target group for ${n.service}:\n${run.stdout}`)
    const outcome: Outcome = run.code === 0 ? 'success' : 'failure'
    return {
      service: n.service,
      started,
      verdictAt,
      tgArn,
      outcome,
      healthy: await this.healthyTargets(tgArn)
    }
  }

  /** Baseline: the same deploy without our wait, then the SDK waiter as the official action calls it. */
  async baseline(n: Names, opts: { image: string; healthPath?: string }) {
    const started = this.now()
    const run = await this.action(n, { ...opts, wait: false })
    const tgArn = run.outputs['target-group-arn']
    let outcome: Outcome
    try {
      await waitUntilServicesStable(
        { client: this.ecs, minDelay: BASELINE_MIN_DELAY_S, maxWaitTime: BASELINE_MAX_WAIT_S },
        { cluster: 'ecs-demo', services: [n.service] }
      )
      outcome = 'success'
    } catch (e) {
      outcome =
        (e as Error).name === 'TimeoutError' || /timed? ?out/i.test(String(e)) ? 'timed out' : 'failure'
    }
    const verdictAt = this.now()
    return {
      service: n.service,
      started,
      verdictAt,
      tgArn,
      outcome,
      healthy: await this.healthyTargets(tgArn)
    }
  }

  /** For a success measured against a verdict that came early: wait until the targets did turn healthy. */
  async untilHealthy(tgArn: string, limitMs = 60_000): Promise<void> {
    const end = Date.now() + limitMs
    while (Date.now() < end && (await this.healthyTargets(tgArn)) < DESIRED)
      await new Promise(r => setTimeout(r, 250))
  }
}

/** How one wait ended, on the emulator's clock. */
interface Verdict {
  service: string
  started: number
  verdictAt: number
  tgArn: string
  outcome: Outcome
  healthy: number
}

/** When ECS logged "(deployment …) deployment completed." for the service, after `since`. */
async function completedAt(b: Bench, service: string, since: number): Promise<number> {
  const out = await b.ecs.send(new DescribeServicesCommand({ cluster: 'ecs-demo', services: [service] }))
  const times = (out.services?.[0]?.events ?? [])
    .filter(e => /deployment completed/.test(e.message ?? '') && (e.createdAt?.getTime() ?? 0) >= since)
    .map(e => e.createdAt!.getTime())
  return times.length ? Math.min(...times) : NaN
}

async function successSample(b: Bench, v: Verdict): Promise<WaitSample> {
  if (v.healthy < DESIRED) await b.untilHealthy(v.tgArn)
  const lastHealthy = b.health.lastHealthy(v.tgArn, v.started)
  const completed = await completedAt(b, v.service, v.started)
  return {
    latencyS: (v.verdictAt - lastHealthy) / 1000,
    outcome: v.outcome,
    healthyAtVerdict: v.healthy,
    ecsCompletedAfterS: (completed - lastHealthy) / 1000
  }
}

function failureSample(b: Bench, v: Verdict): WaitSample {
  const first = b.health.firstFailedCheck(v.tgArn, v.started)
  return { latencyS: (v.verdictAt - first) / 1000, outcome: v.outcome, healthyAtVerdict: v.healthy }
}

const GOOD = { image: 'bench/app:1' }
const WRONG_PATH = { image: 'bench/app:1', healthPath: '/healthz' }
const BAD = { image: 'bench/app:500' }

const GOOD_V2 = { image: 'bench/app:2' }

/**
 * Healthy services at the good image, for the image changes. Old targets drain for 0 s: ECS completes a
 * deployment only once the old tasks are gone, and 300 s of draining would measure the delay, not the wait.
 */
async function healthyServices(b: Bench, names: Names[]): Promise<void> {
  await Promise.all(
    names.map(async n => {
      const arn = (await b.action(n, { ...GOOD, wait: false })).outputs['target-group-arn']
      await b.elbv2.send(
        new ModifyTargetGroupAttributesCommand({
          TargetGroupArn: arn,
          Attributes: [{ Key: 'deregistration_delay.timeout_seconds', Value: '0' }]
        })
      )
      await b.untilHealthy(arn)
    })
  )
}

/**
 * Four scenarios: a healthy first deploy and a healthy image change (success), the seed's wrong health-check
 * path on a first deploy, and a bad release (image change to an app answering 500) on a healthy service. Our runs go two at a time (a
 * success beside a failure); the baseline's run meanwhile, each on its own service, load balancer and target group (the
 * baseline mostly sleeps: minDelay 15 s, and up to 90 s where it cannot conclude). About three and a half minutes.
 */
export async function waitLatency(): Promise<WaitLatencyResult> {
  const started = Date.now()
  const emulator = await startEmulator({ timeScale: 1 })
  const b = new Bench(emulator)
  const runs = Array.from({ length: RUNS }, (_, i) => i)
  try {
    await b.control.images({ image: BAD.image, healthStatus: 500 })
    const badOurs = runs.map(i => namesFor(`bad-o${i}`))
    const badBase = namesFor('bad-b0')
    const updOurs = runs.map(i => namesFor(`upd-o${i}`))
    const updBase = runs.map(i => namesFor(`upd-b${i}`))
    const setup = healthyServices(b, [...badOurs, badBase, ...updOurs, ...updBase])

    // The baseline: all of it in the background. The bad release only once: it can only time out.
    const baseline = Promise.all([
      Promise.all(runs.map(async i => successSample(b, await b.baseline(namesFor(`ok-b${i}`), GOOD)))),
      Promise.all(
        runs.map(async i => failureSample(b, await b.baseline(namesFor(`path-b${i}`), WRONG_PATH)))
      ),
      setup.then(async () => [failureSample(b, await b.baseline(badBase, BAD))]),
      setup.then(() => Promise.all(updBase.map(async n => successSample(b, await b.baseline(n, GOOD_V2)))))
    ])

    // Ours two at a time (a success beside a failure): four actions' worth of polling is light for two cores.
    const oursOk: WaitSample[] = []
    const oursPath: WaitSample[] = []
    for (const i of runs) {
      const [ok, path] = await Promise.all([
        b.ours(namesFor(`ok-o${i}`), GOOD).then(v => successSample(b, v)),
        b.ours(namesFor(`path-o${i}`), WRONG_PATH).then(v => failureSample(b, v))
      ])
      oursOk.push(ok)
      oursPath.push(path)
    }
    await setup
    const oursUpd: WaitSample[] = []
    const oursBad: WaitSample[] = []
    for (const i of runs) {
      const [upd, bad] = await Promise.all([
        b.ours(updOurs[i], GOOD_V2).then(v => successSample(b, v)),
        b.ours(badOurs[i], BAD).then(v => failureSample(b, v))
      ])
      oursUpd.push(upd)
      oursBad.push(bad)
    }

    const [baseOk, basePath, baseBad, baseUpd] = await baseline
    return {
      timeScale: 1,
      runs: RUNS,
      pollIntervalSeconds: POLL_INTERVAL_S,
      baseline: { minDelayS: BASELINE_MIN_DELAY_S, maxWaitS: BASELINE_MAX_WAIT_S },
      healthCheck: HEALTH_CHECK,
      desired: DESIRED,
      scenarios: [
        { name: 'healthy first deploy', expect: 'success', ours: oursOk, baseline: baseOk },
        { name: 'healthy image change', expect: 'success', ours: oursUpd, baseline: baseUpd },
        {
          name: 'wrong health check path, first deploy',
          expect: 'failure',
          ours: oursPath,
          baseline: basePath
        },
        {
          name: 'bad release (image change, app answers 500)',
          expect: 'failure',
          ours: oursBad,
          baseline: baseBad
        }
      ],
      totalS: (Date.now() - started) / 1000
    }
  } finally {
    b.health.stop()
    b.ecs.destroy()
    b.elbv2.destroy()
    await emulator.stop()
  }
}

const sign = (s: number) => (s < 0 ? `−${fmt(-s)}` : fmt(s))

const spread = (st: Summary) =>
  st.n > 1 ? `${sign(st.median)} s (${sign(st.min)} to ${sign(st.max)})` : `${sign(st.median)} s`

const healthyCounts = (samples: WaitSample[]) =>
  `${samples.map(s => s.healthyAtVerdict).join('/')} of ${DESIRED} targets healthy`

/**
 * One side's cell. Right verdicts give the latency; a success declared before the targets were healthy,
 * a success where it should fail, and time-outs are named as what they are.
 */
function side(
  samples: WaitSample[],
  expect: WaitScenarioResult['expect']
): { cell: string; stats?: Summary } {
  const right = samples.filter(s => s.outcome === expect && (expect === 'failure' || s.latencyS >= 0))
  const early = samples.filter(s => expect === 'success' && s.outcome === 'success' && s.latencyS < 0)
  const wrong = samples.filter(s => s.outcome !== expect)
  const parts: string[] = []
  const stats = right.length ? summary(right.map(s => s.latencyS)) : undefined
  if (stats) parts.push(spread(stats))
  if (early.length) {
    parts.push(
      `**declared stable early** ${early.length}×: ${spread(summary(early.map(s => s.latencyS)))}, ` +
        `with ${healthyCounts(early)}`
    )
  }
  const timedOut = wrong.filter(s => s.outcome === 'timed out')
  if (timedOut.length)
    parts.push(
      `> ${BASELINE_MAX_WAIT_S} s of waiting (timed out${timedOut.length > 1 ? `, ${timedOut.length}×` : ''})`
    )
  const misjudged = wrong.filter(s => s.outcome !== 'timed out')
  if (misjudged.length) {
    const outcome = misjudged[0].outcome
    parts.push(
      `**${outcome}** reported ${misjudged.length}×: ${spread(summary(misjudged.map(s => s.latencyS)))}, ` +
        `with ${healthyCounts(misjudged)}`
    )
  }
  return { cell: parts.join('; '), stats }
}

/** ECS's own lag on a success: its old tasks stop after the new targets are healthy (our runs). */
function ecsLag(s: WaitScenarioResult): string {
  const lags = s.ours.map(x => x.ecsCompletedAfterS ?? NaN).filter(x => Number.isFinite(x))
  return s.expect === 'success' && lags.length ? spread(summary(lags)) : '—'
}

function ratio(r: WaitLatencyResult, s: WaitScenarioResult): string {
  const ours = side(s.ours, s.expect).stats
  const base = side(s.baseline, s.expect).stats
  if (!ours || ours.median <= 0) return '—'
  if (base && base.n === s.baseline.length) return `×${fmt(base.median / ours.median)}`
  if (s.baseline.every(x => x.outcome === 'timed out')) return `> ×${fmt(r.baseline.maxWaitS / ours.max)}`
  return 'baseline wrong'
}

/** The section of bench/RESULTS.md. */
export function renderWaitLatency(r: WaitLatencyResult): string {
  const lines = [
    '## Wait latency',
    '',
    `Emulator at time scale ${r.timeScale} (real time). Target groups check every ${r.healthCheck.intervalS} s ` +
      `(timeout ${r.healthCheck.timeoutS} s, healthy ×${r.healthCheck.healthyThreshold}, unhealthy ×${r.healthCheck.unhealthyThreshold}): ` +
      `one health-check cycle is ${r.healthCheck.intervalS * r.healthCheck.unhealthyThreshold} s. ${r.desired} tasks. ` +
      `Ours: the bundled action, poll-interval-seconds ${r.pollIntervalSeconds} (its default), rollback-on-failure false. ` +
      `Baseline: the same deploy without waiting, then \`waitUntilServicesStable\` with minDelay ${r.baseline.minDelayS} s, ` +
      `the default maxDelay and maxWaitTime ${r.baseline.maxWaitS} s, as the official action waits.`,
    '',
    'Latency is measured on the emulator clock from what its load balancer saw: for a success, from the last ' +
      'target turning healthy to the verdict (negative: the verdict came before the targets were healthy); for a ' +
      'failure, from the first failed health check of a new target to the verdict. Ours ends when the action ' +
      `process exits; the baseline when the waiter returns. ${r.runs} runs each (the baseline's bad release once: ` +
      'it can only time out), median (range).',
    '',
    '| Scenario | Measured | Ours | Baseline | Baseline / ours | ECS completed after the last healthy target |',
    '| --- | --- | --- | --- | --- | --- |'
  ]
  for (const s of r.scenarios) {
    const measured = s.expect === 'success' ? 'last target healthy → success' : 'first failed check → failure'
    lines.push(
      `| ${s.name} | ${measured} | ${side(s.ours, s.expect).cell} | ${side(s.baseline, s.expect).cell} | ${ratio(r, s)} | ${ecsLag(s)} |`
    )
  }
  const cycleS = r.healthCheck.intervalS * r.healthCheck.unhealthyThreshold
  const success = r.scenarios.filter(s => s.expect === 'success').flatMap(s => s.ours)
  const failures = r.scenarios.filter(s => s.expect === 'failure').flatMap(s => s.ours)
  const ok = (pass: boolean) => (pass ? '✅' : '❌')
  // ECS completes a deployment only once the old tasks are gone; the poll can only notice it after that.
  const worstSuccess = Math.max(...success.map(s => s.latencyS - (s.ecsCompletedAfterS ?? 0)))
  const worstFailure = Math.max(...failures.map(s => s.latencyS))
  lines.push(
    '',
    `Targets: success noticed within one poll interval (${r.pollIntervalSeconds} s) of ECS completing the deployment ` +
      `(after the last target turned healthy): worst ${fmt(worstSuccess)} s ` +
      `${ok(success.every(s => s.outcome === 'success') && worstSuccess <= r.pollIntervalSeconds)}; ` +
      `a bad health check reported within two health-check cycles (${2 * cycleS} s): worst ${fmt(worstFailure)} s ` +
      `${ok(failures.every(s => s.outcome === 'failure') && worstFailure <= 2 * cycleS)}.`,
    `Whole wait bench: ${fmt(r.totalS, 0)} s.`
  )
  return lines.join('\n')
}
