/**
 * Security issue, item 3: a file input is read only from the workspace (GITHUB_WORKSPACE, or cwd) or the
 * runner's temp folder, after symlinks are resolved; only a regular file of at most 1 MiB; and no message
 * quotes what a file holds. A pull request that adds `deploy/task-definition.json -> /proc/self/environ`
 * (or ~/.aws/credentials) must not get the runner's environment into the ::error:: line or the summary.
 */
import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, expect, test } from '@jest/globals'
import { InputError, parseRequest, withDefaults, type RawInputs } from '../../src/inputs/index.js'
import { MAX_DOCUMENT_BYTES } from '../../src/inputs/parse-document.js'
import { seedTaskDefinition } from '../fixtures/seed.js'

const FAKE_SECRET = 'AWS_SECRET_ACCESS_KEY=wJalrFakeSecretNeverQuoted0123'
const workspace = mkdtempSync(path.join(tmpdir(), 'inputs-files-ws-'))
const outside = mkdtempSync(path.join(tmpdir(), 'inputs-files-outside-'))
const runnerTemp = mkdtempSync(path.join(tmpdir(), 'inputs-files-temp-'))
mkdirSync(path.join(workspace, 'deploy'))
writeFileSync(path.join(outside, 'environ'), `${FAKE_SECRET}\0HOME=/root\0`)
writeFileSync(path.join(outside, 'td.json'), JSON.stringify(seedTaskDefinition()))
writeFileSync(path.join(runnerTemp, 'td.json'), JSON.stringify(seedTaskDefinition()))
writeFileSync(path.join(workspace, 'deploy', 'td.json'), JSON.stringify(seedTaskDefinition()))
symlinkSync(path.join(outside, 'environ'), path.join(workspace, 'deploy', 'environ-link.json'))
symlinkSync(path.join(workspace, 'deploy', 'td.json'), path.join(workspace, 'deploy', 'inside-link.json'))

const base: Partial<RawInputs> = {
  cluster: 'ecs-demo',
  loadBalancer: 'alb-demo',
  targetGroup: '{"Name": "web", "Port": 80, "Protocol": "HTTP"}',
  service: '{"serviceName": "web", "loadBalancers": [{"containerName": "app", "containerPort": 4567}]}'
}
const parse = (taskDefinition: string, env: NodeJS.ProcessEnv = {}) =>
  parseRequest(withDefaults({ ...base, taskDefinition }), { cwd: workspace, env, setSecret: () => {} })

const errorOf = (fn: () => unknown): InputError => {
  try {
    fn()
  } catch (err) {
    if (err instanceof InputError) return err
    throw err
  }
  throw new Error('expected an InputError')
}

describe('file inputs are confined to the workspace and the runner temp folder', () => {
  test('files in the workspace (also through a symlink inside it) and in RUNNER_TEMP are read', () => {
    expect(parse('deploy/td.json').taskDefinition.kind).toBe('register')
    expect(parse('deploy/inside-link.json').taskDefinition.kind).toBe('register')
    const temp = parse(path.join(runnerTemp, 'td.json'), { RUNNER_TEMP: runnerTemp })
    expect(temp.taskDefinition.kind).toBe('register')
  })

  test.each([
    ['a symlink in the repository to a file outside', 'deploy/environ-link.json'],
    ['a relative path out of the workspace', path.relative(workspace, path.join(outside, 'td.json'))],
    ['an absolute path outside', path.join(outside, 'td.json')]
  ])('%s is refused, naming the input, without the content', (_, file) => {
    const e = errorOf(() => parse(file))
    expect(e.input).toBe('task-definition')
    expect(e.message).toMatch(/is outside the workspace .*Put the file there, or give the value inline/)
    expect(e.message).not.toContain('wJalrFakeSecret')
  })

  test('RUNNER_TEMP unset: the runner temp folder is no root', () => {
    expect(errorOf(() => parse(path.join(runnerTemp, 'td.json'))).message).toMatch(/outside the workspace/)
  })

  test('/proc is refused even when the workspace is /', () => {
    if (process.platform !== 'linux') return
    const e = errorOf(() =>
      parseRequest(withDefaults({ ...base, taskDefinition: '/proc/self/environ' }), {
        cwd: '/',
        env: {},
        setSecret: () => {}
      })
    )
    expect(e.message).toMatch(/outside the workspace/)
  })

  test('a FIFO is refused without being opened (it would block)', () => {
    if (process.platform === 'win32') return
    execFileSync('mkfifo', [path.join(workspace, 'deploy', 'fifo.json')])
    expect(errorOf(() => parse('deploy/fifo.json')).message).toMatch(/not a regular file/)
  })

  test('a file over 1 MiB is refused, saying the limit', () => {
    writeFileSync(path.join(workspace, 'deploy', 'big.json'), ' '.repeat(MAX_DOCUMENT_BYTES + 1))
    expect(errorOf(() => parse('deploy/big.json')).message).toMatch(/limited to 1 MiB/)
  })
})

describe('no message quotes what a file holds', () => {
  test('content that parses to a scalar: its kind only', () => {
    writeFileSync(path.join(workspace, 'deploy', 'scalar.json'), FAKE_SECRET)
    writeFileSync(path.join(workspace, 'deploy', 'scalar.yaml'), FAKE_SECRET)
    for (const file of ['deploy/scalar.json', 'deploy/scalar.yaml']) {
      const e = errorOf(() => parse(file))
      expect(e.message).not.toContain('wJalrFakeSecret')
      expect(e.message).not.toContain('AWS_SECRET_ACCESS_KEY')
    }
    writeFileSync(path.join(workspace, 'deploy', 'number.yaml'), '1234567890123')
    expect(errorOf(() => parse('deploy/number.yaml')).message).toMatch(
      /must hold a JSON\/YAML object, got a number$/
    )
  })

  test('invalid JSON: line and column, not the excerpt V8 quotes', () => {
    writeFileSync(path.join(workspace, 'deploy', 'bad.json'), `{"a": 1}\n${FAKE_SECRET}`)
    const e = errorOf(() => parse('deploy/bad.json'))
    expect(e.message).toMatch(/is not valid JSON at line 2, column 1/)
    expect(e.message).not.toContain('wJalrFakeSecret')
  })
})
