/**
 * Cold start: `node <bundle>` until it exits on a validation error, and until its first AWS request,
 * against `node -e 0` in the same run (a ratio), with peak RSS. Ours and the official action are run
 * interleaved, so that a busy machine slows both alike.
 */
import { execFileSync, spawn } from 'node:child_process'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { distEntry, inputEnvName } from '../test-support/run-action.js'
import { officialDist } from './official.js'
import { summary, type Summary } from './stats.js'

/**
 * Prints peak RSS (KiB) and CPU time (µs) to fd 3 at exit: measured inside, without an outside tool. A
 * CommonJS preload (`-r`): with `--import`, Node 20 would load a CommonJS main (the official action)
 * through the ESM loader and lex all of it for exports, which costs it 0.15 s it does not pay on a runner.
 */
const USAGE_HOOK =
  "process.on('exit',()=>{try{const u=process.resourceUsage();" +
  "require('fs').writeSync(3,JSON.stringify([u.maxRSS,u.userCPUTime+u.systemCPUTime]))}catch{}})"

let hookFile: string | undefined

interface Sample {
  ms: number
  firstRequestMs?: number
  rssMb: number
  cpuMs: number
}

interface Probe {
  firstAt: () => number | undefined
  reset: () => void
}

function runOnce(node: string, args: string[], env: Record<string, string>, probe?: Probe): Promise<Sample> {
  probe?.reset()
  return new Promise((resolve, reject) => {
    const started = performance.now()
    const child = spawn(node, ['-r', hookFile ?? '', ...args], {
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'ignore', 'ignore', 'pipe']
    })
    let usage = ''
    ;(child.stdio[3] as NodeJS.ReadableStream).on('data', (c: Buffer) => (usage += c.toString()))
    child.on('error', reject)
    child.on('close', () => {
      const end = performance.now()
      const first = probe?.firstAt()
      const [rssKb, cpuUs] = JSON.parse(usage || '[NaN,NaN]') as [number, number]
      resolve({
        ms: end - started,
        firstRequestMs: first !== undefined ? first - started : undefined,
        rssMb: rssKb / 1024,
        cpuMs: cpuUs / 1000
      })
    })
  })
}

export interface PathResult {
  wall: Summary
  cpu: Summary
  rssMb: Summary
  /** Median wall time over the median `node -e 0`. */
  ratio: number
}

export interface BundleResult {
  name: string
  /** What ran: our dist, or the official snapshot's version. */
  source: string
  bytes: number
  jsFiles: string[]
  validationError: PathResult
  firstRequest: PathResult
}

export interface ColdStartResult {
  runs: number
  /** `process.version` of the Node that ran everything, `node -e 0` included. */
  nodeVersion: string
  nodeBaseline: { wall: Summary; rssMb: Summary }
  bundles: BundleResult[]
  /** Why the official action was not measured, when it was not. */
  officialSkipped?: string
  /**
   * Ours over the official action's, run by run: the two ran back to back in each round, so a moment of load
   * weighs on both sides of a ratio. Absent when the official action was not measured.
   */
  pairedVsOfficial?: { validationError: Summary; firstRequest: Summary }
}

interface Target {
  name: string
  source: string
  entry: string
  invalidEnv: Record<string, string>
  validEnv: Record<string, string>
}

const jsFilesOf = (entry: string): string[] =>
  readdirSync(path.dirname(entry)).filter(f => f.endsWith('.js') || f.endsWith('.cjs'))

function ourTarget(endpoint: string, out: string): Target {
  const valid: Record<string, string> = {
    [inputEnvName('cluster')]: 'ecs-demo',
    [inputEnvName('service')]: '{"serviceName":"s","taskDefinition":"f:1"}',
    [inputEnvName('listener')]: '{"Port": 80, "Protocol": "HTTP"}',
    [inputEnvName('max-attempts')]: '1',
    [inputEnvName('wait-for-minutes')]: '1',
    [inputEnvName('poll-interval-seconds')]: '1',
    [inputEnvName('listener-rule-priority-range')]: '1000-1999',
    [inputEnvName('new-service-on-failure')]: 'keep',
    [inputEnvName('summary')]: 'false',
    ...Object.fromEntries(
      ['redirect-http-to-https', 'force-new-deployment', 'dry-run', 'adopt-existing'].map(n => [
        inputEnvName(n),
        'false'
      ])
    ),
    ...Object.fromEntries(
      ['wait-for-service-stability', 'rollback-on-failure'].map(n => [inputEnvName(n), 'true'])
    )
  }
  return {
    name: 'ecs-alb-deploy',
    source: 'dist/index.js',
    entry: distEntry,
    invalidEnv: { GITHUB_OUTPUT: out },
    validEnv: { ...valid, ...awsEnv(endpoint), GITHUB_OUTPUT: out }
  }
}

function officialTarget(entry: string, source: string, endpoint: string, dir: string): Target {
  writeFileSync(
    path.join(dir, 'task-definition.json'),
    JSON.stringify({
      family: 'f',
      containerDefinitions: [{ name: 'app', image: 'example/app:1', memory: 64 }]
    })
  )
  return {
    name: 'amazon-ecs-deploy-task-definition',
    source,
    entry,
    invalidEnv: {},
    validEnv: {
      'INPUT_TASK-DEFINITION': path.join(dir, 'task-definition.json'),
      INPUT_SERVICE: 's',
      INPUT_CLUSTER: 'ecs-demo',
      'INPUT_MAX-RETRIES': '1',
      GITHUB_WORKSPACE: dir,
      ...awsEnv(endpoint)
    }
  }
}

const awsEnv = (endpoint: string): Record<string, string> => ({
  AWS_REGION: 'ap-northeast-1',
  AWS_ACCESS_KEY_ID: 'AKIDBENCH',
  AWS_SECRET_ACCESS_KEY: 'bench',
  AWS_ENDPOINT_URL: endpoint,
  AWS_MAX_ATTEMPTS: '1',
  AWS_EC2_METADATA_DISABLED: 'true'
})

const pathResult = (samples: number[], cpu: number[], rss: number[], base: number): PathResult => {
  const wall = summary(samples)
  return { wall, cpu: summary(cpu), rssMb: summary(rss), ratio: wall.median / base }
}

/** `node`: the Node.js binary to run every process with (default: the one running the bench). */
export async function coldStart(runs = 15, opts: { node?: string } = {}): Promise<ColdStartResult> {
  const node = opts.node ?? process.execPath
  // A stand-in AWS endpoint that notes when the first request arrives and answers 500.
  let firstAt: number | undefined
  const server = http.createServer((req, res) => {
    firstAt ??= performance.now()
    req.resume()
    res.writeHead(500, { 'content-type': 'application/json' })
    res.end('{"__type":"ServerException","message":"bench"}')
  })
  await new Promise<void>(r => server.listen(0, '127.0.0.1', () => r()))
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-cold-'))
  const out = path.join(dir, 'out')
  writeFileSync(out, '')
  hookFile = path.join(dir, 'usage-hook.cjs')
  writeFileSync(hookFile, USAGE_HOOK)
  const probe: Probe = { firstAt: () => firstAt, reset: () => (firstAt = undefined) }

  const targets = [ourTarget(endpoint, out)]
  const official = await officialDist()
  if (!('skipped' in official)) targets.push(officialTarget(official.entry, official.version, endpoint, dir))

  const baseline: Sample[] = []
  const invalid = targets.map((): Sample[] => [])
  const toFirst = targets.map((): Sample[] => [])
  try {
    for (let i = 0; i < runs; i++) {
      baseline.push(await runOnce(node, ['-e', '0'], {}))
      for (const [t, target] of targets.entries()) {
        invalid[t].push(await runOnce(node, [target.entry], target.invalidEnv))
        toFirst[t].push(await runOnce(node, [target.entry], target.validEnv, probe))
      }
    }
  } finally {
    server.close()
  }
  const base = summary(baseline.map(s => s.ms)).median
  const ratios = (samples: Sample[][], of: (s: Sample) => number | undefined) =>
    summary(samples[0].map((s, i) => (of(s) ?? NaN) / (of(samples[1][i]) ?? NaN)))
  return {
    runs,
    nodeVersion: execFileSync(node, ['-p', 'process.version'], { encoding: 'utf8' }).trim(),
    nodeBaseline: { wall: summary(baseline.map(s => s.ms)), rssMb: summary(baseline.map(s => s.rssMb)) },
    bundles: targets.map((target, t) => {
      const jsFiles = jsFilesOf(target.entry)
      const first = toFirst[t].map(s => s.firstRequestMs ?? NaN)
      return {
        name: target.name,
        source: target.source,
        jsFiles,
        bytes: jsFiles.reduce((a, f) => a + statSync(path.join(path.dirname(target.entry), f)).size, 0),
        validationError: pathResult(
          invalid[t].map(s => s.ms),
          invalid[t].map(s => s.cpuMs),
          invalid[t].map(s => s.rssMb),
          base
        ),
        // CPU and RSS of the whole run: the process ends on the stand-in's 500 right after the request.
        firstRequest: pathResult(
          first,
          toFirst[t].map(s => s.cpuMs),
          toFirst[t].map(s => s.rssMb),
          base
        )
      }
    }),
    officialSkipped: 'skipped' in official ? official.skipped : undefined,
    pairedVsOfficial:
      targets.length > 1
        ? {
            validationError: ratios(invalid, s => s.ms),
            firstRequest: ratios(toFirst, s => s.firstRequestMs)
          }
        : undefined
  }
}
