/**
 * What the bundle evaluates before it has something to do. src/main.ts loads the AWS stages (the SDK
 * clients) once the inputs are valid, and Octokit only when the GitHub side has work: a validation error
 * exits with its error without evaluating either, and a valid run goes through the SDK to its first AWS
 * request. Which code ran is read from V8's coverage of the bundle, mapped to its sources
 * (test-support/evaluated-code.ts): no clock, so a loaded machine cannot change the verdict.
 */
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, beforeEach, expect, test } from '@jest/globals'
import { runAction } from '../../test-support/run-action.js'
import { seedInputs } from '../../test-support/fixtures.js'
import { evaluatedSources } from '../../test-support/evaluated-code.js'

// A stand-in for AWS and GitHub: notes the requests, answers each with a 500.
interface Request {
  method: string
  target: string
  authorization: string
}
const requests: Request[] = []
const server = http.createServer((req, res) => {
  requests.push({
    method: req.method ?? '',
    target: String(req.headers['x-amz-target'] ?? req.url),
    authorization: String(req.headers.authorization ?? '')
  })
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
beforeEach(() => {
  requests.length = 0
})

/** Runs the bundle with coverage on; returns the run and the names of the sources that ran. */
async function evaluatedByRun(inputs: Record<string, string>, env: Record<string, string> = {}) {
  const coverage = mkdtempSync(path.join(tmpdir(), 'startup-coverage-'))
  const run = await runAction({
    inputs: { ...seedInputs(), 'max-attempts': '1', ...inputs },
    endpoint,
    env: { NODE_V8_COVERAGE: coverage, ...env }
  })
  const sources = [...evaluatedSources(coverage).keys()]
  const of = (prefix: string) => sources.filter(s => s.startsWith(prefix))
  return { run, sources, of }
}

const AWS_SDK = ['@aws-sdk/', '@smithy/']

test('a validation error exits with its error before any AWS SDK or Octokit module is evaluated', async () => {
  const { run, of } = await evaluatedByRun({ cluster: '' })
  expect(run.code).toBe(1)
  expect(run.stdout).toContain('::error::Input "cluster"')
  expect(requests).toEqual([])
  // The coverage does see the code that ran: reading and validating the inputs.
  expect(of('src/inputs/')).not.toEqual([])
  expect(of('@actions/core')).not.toEqual([])
  for (const prefix of [...AWS_SDK, '@octokit/', 'src/stages/', 'src/resources/']) {
    expect(of(prefix)).toEqual([])
  }
})

test('a valid run goes through the SDK to its first AWS request, and leaves Octokit alone', async () => {
  const { run, of } = await evaluatedByRun({})
  // The stand-in's 500 ends the run, explained.
  expect(run.code).toBe(1)
  expect(run.stdout).toContain('::error::')
  expect(requests.length).toBeGreaterThan(0)
  const [first] = requests
  expect(first.method).toBe('POST')
  expect(first.authorization).toMatch(
    /^AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE\/\d{8}\/ap-northeast-1\//
  )
  expect(of('@aws-sdk/client-')).not.toEqual([])
  expect(of('@smithy/')).not.toEqual([])
  expect(of('src/stages/')).not.toEqual([])
  // No token, no preview, not a pull request: the GitHub side has nothing to do.
  expect(of('@octokit/')).toEqual([])
})

test('with a GitHub token the GitHub side evaluates Octokit, from the same bundle', async () => {
  const { run, of } = await evaluatedByRun(
    { 'github-token': 'ghs_startuptest' },
    { GITHUB_API_URL: endpoint, GITHUB_REPOSITORY: 'octo/app', GITHUB_SHA: 'a'.repeat(40) }
  )
  expect(run.code).toBe(1)
  expect(of('@octokit/')).not.toEqual([])
  expect(of('src/github/')).not.toEqual([])
})
