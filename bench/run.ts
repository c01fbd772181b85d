/**
 * `npm run bench`: cold start, API economy, scale, wait latency, health-check change and blue/green watch, in that order, then
 * bench/RESULTS.md. Runs the bundle (dist/index.js) as it is: `npm run package` first when src/ changed.
 * `BENCH_ONLY=health-check npm run bench` (or `cold-start`, `blue-green`) runs that section alone and replaces
 * it in the existing RESULTS.md.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import * as prettier from 'prettier'
import { apiEconomy, renderApiEconomy, type ApiEconomyResult } from './api-economy.js'
import { coldStart, type ColdStartResult } from './cold-start.js'
import { healthCheckBench, renderHealthCheck } from './health-check.js'
import { OFFICIAL_RECORDED } from './official.js'
import { scale, type ScaleResult } from './scale.js'
import { blueGreenBench, renderBlueGreen } from './blue-green.js'
import { fmt, medianRange, type Summary } from './stats.js'

const here = path.dirname(fileURLToPath(import.meta.url))
const RUNS = Number(process.env.BENCH_RUNS ?? 15)

/**
 * The cold-start goals, side by side with the official action in the same run (medians): a validation
 * error no slower than its, the first AWS request within 10 % of its, and a bundle under 2 MB.
 */
const COLD_TARGET = { validationErrorVsOfficial: 1, firstRequestVsOfficial: 1.1, bundleMb: 2 }
const SCALE_TARGET = { rssMb: 120 }

/** Why the bundle is built the way it is: measured once, by hand, when the choice was made. */
const BUILD_NOTES = `How the bundle is built (one-off measurements, 2026-11-25, same machine under load from other jobs):
- \`ncc build -m\` (minify): dist/index.js 3.16 → 1.60 MB; the source map still maps to src/ (checked with
  node's \`module.SourceMap\`). The SDK's dist-cjs bundles are what ncc picks, so minifying is what shrinks them.
- The AWS stages (src/stages/index.ts: SDK clients, discover … teardown) and the GitHub side (src/github/) are
  loaded with \`import(/* webpackMode: "eager" */ …)\` once the inputs are valid: still one file, but a validation
  error evaluates neither the SDK nor Octokit (\`__tests__/e2e/startup.test.ts\` asserts it from V8's coverage of
  the bundle). Without \`eager\`, ncc splits them into 4 chunk files: the validation error then parses a 0.67 MB
  index.js only (peak RSS 57 MB instead of 72 MB, CPU about 10 % less) and the first request costs the same; not
  taken, because the target is one file.
- Compiling the 1.6 MB file is ~37 ms of the start as an ES module (\`vm.SourceTextModule\`), ~28 ms as CommonJS:
  measured, not taken (the scaffold is ESM).
- \`--no-source-map-register\` (2026-12-06, measured side by side on a loaded machine): ncc's default
  \`sourcemap-register.cjs\`, a 41 KB CommonJS copy of source-map-support imported before anything else, brought
  Node's CommonJS loader and its export lexer onto the start path: about 20 ms of CPU before the first request
  (216 → 193 ms; the official action 184 ms; medians of 40 interleaved runs). The action reports errors by
  their messages, never by stack traces; dist/index.js.map is still written, and
  \`node --enable-source-maps dist/index.js\` maps a stack trace to src/ when one is needed.
- The inputs compare the \`listener\` document with its default by code point, not \`localeCompare\`, which loads
  ICU's collator (~7 ms in a CPU profile of the first-request path). Both changes together, 40 interleaved runs
  of each: CPU to the first request 210 → 177 ms (the official action 178 ms), wall time run by run ×1.28 → ×1.00.
- Splitting the lazily loaded stages into chunks (no \`webpackMode: "eager"\`) was measured again and not taken:
  ncc leaves chunks unminified (a 1.28 MB chunk for the AWS stages, 2.4 MB in all), so the first request got slower.`

const mb = (bytes: number) => bytes / 1024 / 1024
const ok = (pass: boolean) => (pass ? '✅' : '❌')

/** The tables and the verdict; the same under ACTION_NODE (runners run the action on Node 24). */
function renderColdStart(r: ColdStartResult): string {
  return [...coldStartTables(r), '', ...coldStartVerdict(r)].join('\n')
}

function coldStartTables(r: ColdStartResult): string[] {
  const lines = [
    `Node ${r.nodeVersion}. ${r.runs} runs each, interleaved; wall time in ms, median (range); the ratio is the median over ` +
      `\`node -e 0\` (${medianRange(r.nodeBaseline.wall)} ms, ${fmt(r.nodeBaseline.rssMb.median)} MB) in the same run.`,
    '',
    '| Bundle | Path | Wall ms | × `node -e 0` | CPU ms | Peak RSS MB |',
    '| --- | --- | --- | --- | --- | --- |'
  ]
  for (const b of r.bundles) {
    for (const [label, p] of [
      ['exit on a validation error', b.validationError],
      ['until the first AWS request', b.firstRequest]
    ] as const) {
      lines.push(
        `| ${b.name} | ${label} | ${medianRange(p.wall, 0)} | ${fmt(p.ratio, 2)} | ${medianRange(p.cpu, 0)} | ${medianRange(p.rssMb)} |`
      )
    }
  }
  lines.push('', '| Bundle | Size | Files |', '| --- | --- | --- |')
  for (const b of r.bundles) {
    lines.push(
      `| ${b.name} (${b.source}) | ${fmt(mb(b.bytes), 2)} MB | ${b.jsFiles.length}: ${b.jsFiles.join(', ')} |`
    )
  }
  return lines
}

/** The bundle's size: every .js/.cjs file in dist/. */
const bundleLine = (ours: ColdStartResult['bundles'][number]): string =>
  `- bundle: ${fmt(mb(ours.bytes), 2)} MB in ${ours.jsFiles.length} file(s) (${ours.jsFiles.join(', ')}) ` +
  `${ok(mb(ours.bytes) < COLD_TARGET.bundleMb)}`

/** Against the goals: the official action measured in the same run, side by side. */
function coldStartVerdict(r: ColdStartResult): string[] {
  const [ours, official] = r.bundles
  const lines = [
    `Goals: a validation error no slower than the official action (× ≤ ${COLD_TARGET.validationErrorVsOfficial}), ` +
      `the first AWS request within ${fmt((COLD_TARGET.firstRequestVsOfficial - 1) * 100, 0)} % of it ` +
      `(× ≤ ${COLD_TARGET.firstRequestVsOfficial}), medians of the same run; the bundle under ${COLD_TARGET.bundleMb} MB.`
  ]
  if (official) {
    const validation = ours.validationError.wall.median / official.validationError.wall.median
    const first = ours.firstRequest.wall.median / official.firstRequest.wall.median
    // The run-by-run ratios say the same with less of the machine's load in them.
    const paired = (p: Summary | undefined) =>
      p ? `; run by run ×${fmt(p.median, 2)} (${fmt(p.min, 2)}–${fmt(p.max, 2)}, ${p.n} pairs)` : ''
    lines.push(
      `- validation error: ${fmt(ours.validationError.wall.median, 0)} ms against ${fmt(official.validationError.wall.median, 0)} ms, ` +
        `×${fmt(validation, 2)} ${ok(validation <= COLD_TARGET.validationErrorVsOfficial)}${paired(r.pairedVsOfficial?.validationError)}`,
      `- first AWS request: ${fmt(ours.firstRequest.wall.median, 0)} ms against ${fmt(official.firstRequest.wall.median, 0)} ms, ` +
        `×${fmt(first, 2)} ${ok(first <= COLD_TARGET.firstRequestVsOfficial)}${paired(r.pairedVsOfficial?.firstRequest)}`
    )
  } else {
    lines.push(
      `- the official action was not measured (${r.officialSkipped ?? 'not present'}): no verdict on the two times ` +
        `(ours: validation error ${fmt(ours.validationError.wall.median, 0)} ms, first AWS request ` +
        `${fmt(ours.firstRequest.wall.median, 0)} ms; its recorded figures: ${OFFICIAL_RECORDED.coldStartS} s, ${OFFICIAL_RECORDED.bundleMb} MB)`
    )
  }
  lines.push(bundleLine(ours))
  return lines
}

function renderScale(r: ScaleResult): string {
  const lines = [
    `In-process emulator at time scale ${r.timeScale}; the action polls every 1 s (poll-interval-seconds: 1).`,
    '',
    'Each size: a first deploy, then an image change (every task replaced: up to twice the targets while the old ' +
      "ones drain), then an identical re-run. Polls and calls are the image change's; CPU per extra poll is " +
      '(CPU of the image change − CPU of the re-run, which polls once) / (polls − 1).',
    '',
    '| Tasks | Target groups | Polls | Calls per poll (median / max) | Per poll by operation (median) | Action peak RSS MB: deploy / image change / re-run | Action CPU s: image change / re-run | CPU per extra poll ms | Image change wall s |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |'
  ]
  for (const s of r.services) {
    const ops = Object.entries(s.perPoll.medianByOperation)
      .map(([op, n]) => `${op} ${n}`)
      .join(', ')
    lines.push(
      `| ${s.tasks} | ${s.targetGroups} | ${s.perPoll.polls} | ${s.perPoll.medianCalls} / ${s.perPoll.maxCalls} | ${ops} | ` +
        `${[s.deploy, s.imageChange, s.rerun].map(u => fmt(u.peakRssMb)).join(' / ')} ` +
        `${ok(Math.max(s.deploy.peakRssMb, s.imageChange.peakRssMb, s.rerun.peakRssMb) < SCALE_TARGET.rssMb)} | ` +
        `${fmt(s.imageChange.cpuS, 2)} / ${fmt(s.rerun.cpuS, 2)} | ${fmt(s.cpuPerPollMs)} | ${fmt(s.imageChange.wallS)} |`
    )
  }
  const over = r.services.filter(s => s.imageChange.peakRssMb >= SCALE_TARGET.rssMb)
  if (over.length > 0 && over.every(s => s.deploy.peakRssMb < SCALE_TARGET.rssMb)) {
    lines.push(
      '',
      `Over ${SCALE_TARGET.rssMb} MB only during the image change, when each target group lists the old tasks ` +
        '(draining) and the new ones: twice the targets per answer. Measured by hand (process.memoryUsage ' +
        'sampled every 20 ms): the V8 heap grows from 25 to 62 MB, of which 36 MB in use, while the SDK parses ' +
        'those XML answers; the rest of the RSS is code. Running the two DescribeTargetHealth calls one after ' +
        'the other saves about 4 MB.'
    )
  }
  const a = r.sharedAlb
  lines.push(
    '',
    `Target: calls per poll constant in the task count (DescribeServices + one DescribeTargetHealth per target ` +
      `group; ListTasks/DescribeTasks only when tasks stopped), peak RSS of the action < ${SCALE_TARGET.rssMb} MB.`,
    '',
    `Ten services sharing one ALB (one path rule each, 3 tasks each; the first creates the ALB and listener, ` +
      `the other nine deploy at once): ${a.failed} failed; calls per poll per service median ${a.perPollMedian}, ` +
      `max ${a.perPollMax}; calls naming the service or its target group ${medianRange(a.readsPerService, 0)} per service; peak RSS per action ` +
      `${medianRange(a.peakRssMb)} MB.`,
    '',
    "The emulator (in the bench process, with every task's HTTP server and health checks) while it served them:",
    '',
    '| Scenario | API calls | API latency ms median (range) | Event-loop delay p50 / p99 / max ms | CPU s / wall s |',
    '| --- | --- | --- | --- | --- |'
  )
  const row = (label: string, e: ScaleResult['sharedAlb']['emulator']) =>
    `| ${label} | ${e.apiCalls} | ${medianRange(e.apiLatencyMs)} | ${fmt(e.eventLoopDelayMs.p50)} / ${fmt(e.eventLoopDelayMs.p99)} / ${fmt(e.eventLoopDelayMs.max)} | ${fmt(e.cpuS)} / ${fmt(e.wallS)} |`
  for (const s of r.services) lines.push(row(`${s.tasks} tasks`, s.emulator))
  lines.push(row('10 services, one ALB', a.emulator))
  return lines.join('\n')
}

interface WaitLatencyModule {
  waitLatency: () => Promise<unknown>
  renderWaitLatency: (r: unknown) => string
}

async function waitLatencySection(): Promise<string> {
  const file = path.join(here, 'wait-latency.ts')
  if (!existsSync(file)) return '_skipped: bench/wait-latency.ts not present_'
  // By URL: the other module may not exist yet, and the type checker must not require it.
  const mod = (await import(pathToFileURL(file).href)) as WaitLatencyModule
  // Its own heading, if it brings one, would repeat ours.
  return mod.renderWaitLatency(await mod.waitLatency()).replace(/^## [^\n]*\n+/, '')
}

async function timed<T>(
  label: string,
  fn: () => Promise<T>
): Promise<{ value?: T; error?: string; s: number }> {
  const t0 = performance.now()
  process.stdout.write(`bench: ${label}…\n`)
  try {
    const value = await fn()
    const s = (performance.now() - t0) / 1000
    process.stdout.write(`bench: ${label} done in ${fmt(s)} s\n`)
    return { value, s }
  } catch (error) {
    const s = (performance.now() - t0) / 1000
    const message = error instanceof Error ? (error.stack ?? error.message) : String(error)
    process.stdout.write(`bench: ${label} FAILED after ${fmt(s)} s: ${message}\n`)
    return { error: message, s }
  }
}

const section = <T>(r: { value?: T; error?: string; s: number }, render: (v: T) => string): string =>
  r.value !== undefined ? render(r.value) : `**failed**: \`${(r.error ?? '').split('\n')[0]}\``

// ACTION_NODE is for the cold start's second table only: every other section runs the bundle on this
// machine's Node, as the header says (test-support's runAction would otherwise pick it up).
const otherNode = process.env.ACTION_NODE
delete process.env.ACTION_NODE

const started = performance.now()
if (!existsSync(path.join(here, '..', 'dist', 'index.js'))) {
  throw new Error('dist/index.js is missing: run `npm run package` first')
}
const resultsFile = path.join(here, 'RESULTS.md')
const cpus = os.cpus()
const machine = () =>
  `${cpus.length} × ${cpus[0]?.model.trim() ?? 'CPU'}, ${fmt(os.totalmem() / 1024 ** 3)} GB, Node ${process.version}, ` +
  `load average at the end ${os
    .loadavg()
    .map(l => fmt(l, 2))
    .join(' ')}`
// Formatted as `npm run lint` (prettier --check .) expects it.
const writeResults = async (doc: string) => {
  const config = (await prettier.resolveConfig(resultsFile)) ?? {}
  writeFileSync(resultsFile, await prettier.format(doc, { ...config, filepath: resultsFile }))
}

/** The health-check section's body: its own heading and the machine it ran on, which it may not share. */
const healthCheckSection = async (alone: boolean) => {
  const r = await timed('health-check change', healthCheckBench)
  const body = section(r, v => renderHealthCheck(v).replace(/^## [^\n]*\n+/, ''))
  const where = alone
    ? `Run alone (\`BENCH_ONLY=health-check\`) on ${new Date().toISOString().slice(0, 10)}: ${machine()}. `
    : ''
  return `## Health-check change (${fmt(r.s)} s)\n\n${where}The machine was shared with other jobs (loaded: see the load average), which lengthens CPU-bound steps (the action's start, ~0.5–1 s) but not the health checks' own timing.\n\n${body}\n`
}

/** The cold-start section: ours and the official action side by side, then why the bundle is built so. */
async function coldStartSection(alone: boolean): Promise<string> {
  const cold = await timed('cold start', () => coldStart(RUNS))
  // Runners run the action on the Node that action.yml names (node24); these machines have Node 20.
  const elsewhere = otherNode
    ? await timed('cold start under ACTION_NODE', () => coldStart(RUNS, { node: otherNode }))
    : undefined
  const where = alone
    ? `Run alone (\`BENCH_ONLY=cold-start\`) on ${new Date().toISOString().slice(0, 10)}: ${machine()}. ` +
      'When the load average is high, other jobs shared the machine: wall times spread widely, and the CPU ' +
      'times and the run-by-run ratios are the steadier figures.\n\n'
    : ''
  const other = elsewhere
    ? `\n### Under ACTION_NODE (${fmt(elsewhere.s)} s)\n\n${section(elsewhere, renderColdStart)}\n`
    : ''
  return `## Cold start (${fmt(cold.s)} s)\n\n${where}${section(cold, renderColdStart)}\n${other}\n${BUILD_NOTES}\n`
}

/** The blue/green watch: the verdict against ECS's SUCCESSFUL, calls per poll. */
async function blueGreenSection(alone: boolean): Promise<string> {
  const r = await timed('blue/green watch', blueGreenBench)
  const where = alone
    ? `Run alone (\`BENCH_ONLY=blue-green\`) on ${new Date().toISOString().slice(0, 10)}: ${machine()}.\n\n`
    : ''
  return `## Blue/green watch (${fmt(r.s)} s)\n\n${where}${section(r, renderBlueGreen)}\n`
}

/** `BENCH_ONLY=<section>`: that section alone, put in place of its old text in RESULTS.md. */
const ALONE: Record<string, { heading: RegExp; run: () => Promise<string> }> = {
  'health-check': { heading: /^## Health-check change/m, run: () => healthCheckSection(true) },
  'cold-start': { heading: /^## Cold start/m, run: () => coldStartSection(true) },
  'blue-green': { heading: /^## Blue\/green watch/m, run: () => blueGreenSection(true) }
}
const only = process.env.BENCH_ONLY
if (only) {
  const alone = ALONE[only]
  if (!alone) throw new Error(`BENCH_ONLY=${only}: one of ${Object.keys(ALONE).join(', ')}`)
  const text = await alone.run()
  const old = existsSync(resultsFile) ? readFileSync(resultsFile, 'utf8') : '# Benchmarks\n'
  const at = old.search(alone.heading)
  const next = at < 0 ? -1 : old.slice(at + 1).search(/^## /m)
  const doc =
    at < 0
      ? `${old.trimEnd()}\n\n${text}`
      : `${old.slice(0, at)}${text}${next < 0 ? '' : `\n${old.slice(at + 1 + next)}`}`
  await writeResults(doc)
  process.stdout.write(`bench: wrote the ${only} section of bench/RESULTS.md\n`)
  process.exit(0)
}

const cold = await coldStartSection(false)
const economy = await timed('API economy', () => apiEconomy())
const scaled = await timed('scale', () => scale())
const latency = await timed('wait latency', waitLatencySection)
const healthCheck = await healthCheckSection(false)
const blueGreen = await blueGreenSection(false)
const totalS = (performance.now() - started) / 1000

const doc = `# Benchmarks

Written by \`npm run bench\` (bench/run.ts) on ${new Date().toISOString().slice(0, 10)}: ${machine()}. The whole run took ${fmt(totalS / 60, 1)} min.
The reference is the official [amazon-ecs-deploy-task-definition](https://github.com/aws-actions/amazon-ecs-deploy-task-definition), measured in the same run from its committed dist/ when a snapshot of it is on the machine.

${cold}
## API economy (${fmt(economy.s)} s)

Calls per scenario from the emulator's call log; the scenarios run in order on one emulator, each on the
state the previous one left. "Of which watch": calls after apply's last mutating call. Asserted by
\`__tests__/e2e/api-economy.test.ts\`.

${section(economy, (r: ApiEconomyResult) => renderApiEconomy(r))}

## Scale (${fmt(scaled.s)} s)

${section(scaled, renderScale)}

## Wait latency (${fmt(latency.s)} s)

${section(latency, (s: string) => s)}

${healthCheck}
${blueGreen}`
await writeResults(doc)
process.stdout.write(`bench: wrote bench/RESULTS.md in ${fmt(totalS)} s\n`)
