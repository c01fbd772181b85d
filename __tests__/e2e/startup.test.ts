/**
 * What the bundle evaluates before its first AWS request (issue 8's cold start), asserted without a clock:
 * undici, which `@actions/core` would load at import for its OIDC client, is left to the one place that
 * uses it, the GitHub side (src/bundle/http-client-on-demand.cjs). undici is the only part of the bundle
 * that loads `node:diagnostics_channel` and `node:worker_threads`, so a preload that notes the built-in
 * modules asked for tells whether it ran.
 */
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { runAction } from '../../test-support/run-action.js'
import { seedInputs } from '../../test-support/fixtures.js'

const UNDICI_ONLY = ['node:diagnostics_channel', 'node:worker_threads']

const dir = mkdtempSync(path.join(tmpdir(), 'startup-'))
const hook = path.join(dir, 'note-builtins.cjs')
writeFileSync(
  hook,
  "const M=require('module');const seen=new Set();const load=M._load;" +
    'M._load=function(r,...a){if(M.isBuiltin(r))seen.add(r.startsWith("node:")?r:"node:"+r);return load.call(this,r,...a)};' +
    `process.on('exit',()=>require('fs').writeFileSync(process.env.BUILTINS_FILE,[...seen].join('\\n')))`
)

// A stand-in for AWS and GitHub: notes the requests, answers each with a 500.
const requests: string[] = []
const server = http.createServer((req, res) => {
  requests.push(`${req.method} ${req.headers['x-amz-target'] ?? req.url}`)
  req.resume()
  res.writeHead(500, { 'content-type': 'application/json' })
  res.end('{"__type":"ServiceException","message":"stand-in"}')
})
let endpoint = ''

beforeAll(async () => {
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', () => resolve()))
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(async () => {
  await new Promise(resolve => server.close(resolve))
})
beforeEach(() => (requests.length = 0))

async function builtinsOfRun(inputs: Record<string, string>, env: Record<string, string> = {}) {
  const file = path.join(dir, `builtins-${Date.now()}-${Math.random()}`)
  const run = await runAction({
    inputs: { ...seedInputs(), 'max-attempts': '1', ...inputs },
    endpoint,
    env: { NODE_OPTIONS: `--require ${hook}`, BUILTINS_FILE: file, ...env }
  })
  return { run, builtins: readFileSync(file, 'utf8').split('\n') }
}

test('a deploy reaches AWS, fails on its error and exits without evaluating undici', async () => {
  const { run, builtins } = await builtinsOfRun({})
  expect(run.code).toBe(1)
  expect(requests.length).toBeGreaterThan(0)
  expect(run.stdout).toContain('::error::')
  expect(builtins).toContain('node:http')
  for (const name of UNDICI_ONLY) expect(builtins).not.toContain(name)
})

test('with a GitHub token the GitHub side loads undici, through the same bundle', async () => {
  const { run, builtins } = await builtinsOfRun(
    { 'github-token': 'ghs_startuptest' },
    { GITHUB_API_URL: endpoint, GITHUB_REPOSITORY: 'octo/app', GITHUB_SHA: 'a'.repeat(40) }
  )
  expect(run.code).toBe(1)
  for (const name of UNDICI_ONLY) expect(builtins).toContain(name)
})
