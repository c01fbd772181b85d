import { spawn } from 'node:child_process'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { mkdtempSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { distEntry, inputEnvName } from '../test-support/run-action.js'
import { median, range } from './stats.js'

/** Prints process.resourceUsage().maxRSS (KiB) to fd 3 at exit: peak RSS without an outside tool. */
const RSS_HOOK = `data:text/javascript,${encodeURIComponent(
  "import fs from 'node:fs';process.on('exit',()=>{try{fs.writeSync(3,String(process.resourceUsage().maxRSS))}catch{}})"
)}`

interface Sample {
  ms: number
  firstRequestMs?: number
  rssMb: number
}

function runOnce(
  args: string[],
  env: Record<string, string>,
  server?: { firstAt: () => number | undefined; reset: () => void }
): Promise<Sample> {
  server?.reset()
  return new Promise((resolve, reject) => {
    const started = performance.now()
    const child = spawn(process.execPath, ['--import', RSS_HOOK, ...args], {
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'ignore', 'ignore', 'pipe']
    })
    let rss = ''
    ;(child.stdio[3] as NodeJS.ReadableStream).on('data', (c: Buffer) => (rss += c.toString()))
    child.on('error', reject)
    child.on('close', () => {
      const end = performance.now()
      const first = server?.firstAt()
      resolve({
        ms: end - started,
        firstRequestMs: first !== undefined ? first - started : undefined,
        rssMb: Number(rss) / 1024
      })
    })
  })
}

export interface ColdStartResult {
  runs: number
  nodeBaseline: { medianMs: number; rangeMs: [number, number]; rssMb: number }
  validationError: { medianMs: number; rangeMs: [number, number]; ratio: number; rssMb: number }
  firstRequest: { medianMs: number; rangeMs: [number, number]; ratio: number; rssMb: number }
  bundle: { bytes: number; files: string[] }
}

export async function coldStart(runs = 15): Promise<ColdStartResult> {
  const baseline: Sample[] = []
  const invalid: Sample[] = []
  const toFirst: Sample[] = []

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
    ),
    AWS_REGION: 'ap-northeast-1',
    AWS_ACCESS_KEY_ID: 'AKIDBENCH',
    AWS_SECRET_ACCESS_KEY: 'bench',
    AWS_ENDPOINT_URL: endpoint,
    GITHUB_OUTPUT: out
  }
  const probe = { firstAt: () => firstAt, reset: () => (firstAt = undefined) }
  for (let i = 0; i < runs; i++) {
    baseline.push(await runOnce(['-e', '0'], {}))
    invalid.push(await runOnce([distEntry], { GITHUB_OUTPUT: out }))
    toFirst.push(await runOnce([distEntry], valid, probe))
  }
  server.close()
  const base = median(baseline.map(s => s.ms))
  const firstMs = toFirst.map(s => s.firstRequestMs ?? s.ms)
  const distDir = path.dirname(distEntry)
  const files = ['index.js']
  return {
    runs,
    nodeBaseline: {
      medianMs: base,
      rangeMs: range(baseline.map(s => s.ms)),
      rssMb: median(baseline.map(s => s.rssMb))
    },
    validationError: {
      medianMs: median(invalid.map(s => s.ms)),
      rangeMs: range(invalid.map(s => s.ms)),
      ratio: median(invalid.map(s => s.ms)) / base,
      rssMb: median(invalid.map(s => s.rssMb))
    },
    firstRequest: {
      medianMs: median(firstMs),
      rangeMs: range(firstMs),
      ratio: median(firstMs) / base,
      rssMb: median(toFirst.map(s => s.rssMb))
    },
    bundle: { bytes: files.reduce((a, f) => a + statSync(path.join(distDir, f)).size, 0), files }
  }
}
