import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { parse } from 'yaml'

/**
 * Every workflow in the repository parses, and every third-party action it uses is pinned: to a version tag
 * (v4, v4.2, v4.2.1) or a full commit SHA, never a branch. The same for the examples users copy and the
 * README's snippets. The CI self-test deploys the same seed files as scripts/self-test.sh (.ci/run).
 */

const root = path.resolve(import.meta.dirname, '../..')
const read = (file: string): string => readFileSync(path.join(root, file), 'utf8')
const yamlFiles = (dir: string): string[] =>
  readdirSync(path.join(root, dir))
    .filter(f => /\.ya?ml$/.test(f))
    .sort()
    .map(f => `${dir}/${f}`)

const workflowFiles = [...yamlFiles('.github/workflows'), ...yamlFiles('examples/workflows')]
const readmeBlocks = [...read('README.md').matchAll(/```yaml\n([\s\S]*?)```/g)].map(m => m[1])

/** Every `uses:` value in a parsed document: steps, and jobs that call a reusable workflow. */
function usesOf(doc: unknown): string[] {
  const out: string[] = []
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk)
    else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        if (k === 'uses' && typeof x === 'string') out.push(x)
        else walk(x)
      }
    }
  }
  walk(doc)
  return out
}

const SHA = /^[0-9a-f]{40}$/
const VERSION_TAG = /^v\d+(\.\d+){0,2}$/

/** Why a `uses:` reference is not pinned, or undefined when it is (or is local). */
function unpinned(uses: string): string | undefined {
  if (uses.startsWith('./')) return undefined
  if (uses.startsWith('docker://')) {
    const image = uses.slice('docker://'.length)
    if (/@sha256:[0-9a-f]{64}$/.test(image)) return undefined
    const tag = /:([^/:]+)$/.exec(image)?.[1]
    return tag && tag !== 'latest' ? undefined : 'a docker image without a tag or digest'
  }
  const at = uses.lastIndexOf('@')
  if (at < 0) return 'no @ref'
  const ref = uses.slice(at + 1)
  if (SHA.test(ref) || VERSION_TAG.test(ref)) return undefined
  return `@${ref} is not a version tag or a full commit SHA`
}

describe('the rule', () => {
  test.each([
    'actions/checkout@v4',
    'actions/checkout@v4.2.1',
    'github/codeql-action/init@v3',
    'actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683',
    './',
    './.github/actions/x',
    'docker://alpine:3.20',
    'docker://alpine@sha256:' + 'a'.repeat(64)
  ])('%s is pinned', uses => expect(unpinned(uses)).toBeUndefined())

  test.each([
    'actions/checkout@main',
    'actions/checkout@master',
    'actions/checkout',
    'actions/checkout@11bd719', // a short SHA can become ambiguous
    'actions/checkout@v4-beta',
    'docker://alpine',
    'docker://alpine:latest'
  ])('%s is not', uses => expect(unpinned(uses)).toBeDefined())
})

describe.each(workflowFiles)('%s', file => {
  const doc = parse(read(file)) as { on?: unknown; jobs?: Record<string, unknown> }

  test('parses as a workflow (on:, jobs:)', () => {
    expect(doc.on).toBeDefined()
    expect(Object.keys(doc.jobs ?? {}).length).toBeGreaterThan(0)
  })

  test('pins every third-party action to a version tag or a commit SHA', () => {
    const uses = usesOf(doc)
    expect(uses.length).toBeGreaterThan(0)
    expect(uses.map(u => [u, unpinned(u)]).filter(([, why]) => why)).toEqual([])
  })
})

test('README yaml snippets pin every action too', () => {
  const uses = readmeBlocks.flatMap(b => usesOf(parse(b)))
  expect(uses.length).toBeGreaterThan(0)
  expect(uses.map(u => [u, unpinned(u)]).filter(([, why]) => why)).toEqual([])
})

test('dependabot.yml parses and watches npm and github-actions', () => {
  const cfg = parse(read('.github/dependabot.yml')) as {
    updates: { 'package-ecosystem': string; groups?: Record<string, { patterns?: string[] }> }[]
  }
  expect(cfg.updates.map(u => u['package-ecosystem']).sort()).toEqual(['github-actions', 'npm'])
  const npm = cfg.updates.find(u => u['package-ecosystem'] === 'npm')
  const patterns = Object.values(npm?.groups ?? {}).map(g => g.patterns ?? [])
  expect(patterns).toContainEqual(expect.arrayContaining(['@aws-sdk/*']))
  expect(patterns).toContainEqual(expect.arrayContaining(['@actions/*']))
})

describe('the self-test', () => {
  interface Step {
    id?: string
    uses?: string
    run?: string
    with?: Record<string, unknown>
  }
  const ci = parse(read('.github/workflows/ci.yml')) as { jobs: Record<string, { steps: Step[] }> }
  const steps = ci.jobs['self-test'].steps
  // The inputs scripts/self-test.sh passes to `node dist/index.js` (its inputs_env heredoc).
  const script = read('scripts/self-test.sh')
  const heredoc = /inputs_env\(\) \{\n {2}cat <<'EOF'\n([\s\S]*?)\nEOF/.exec(script)?.[1] ?? ''
  const scriptInputs = Object.fromEntries(
    heredoc.split('\n').map(line => {
      const at = line.indexOf('=')
      return [line.slice('INPUT_'.length, at).toLowerCase(), line.slice(at + 1)]
    })
  )

  test('CI runs the action itself (uses: ./) with the inputs of scripts/self-test.sh, twice', () => {
    const runs = steps.filter(s => s.uses === './')
    expect(runs).toHaveLength(2)
    expect(Object.keys(scriptInputs)).toEqual(expect.arrayContaining(['cluster', 'service', 'load-balancer']))
    for (const run of runs)
      expect(Object.fromEntries(Object.entries(run.with ?? {}).map(([k, v]) => [k, String(v)]))).toEqual(
        scriptInputs
      )
  })

  test('CI starts the emulator before, asserts after, and always stops it', () => {
    const runs = steps.map(s => s.run ?? '')
    const first = steps.findIndex(s => s.uses === './')
    expect(runs.findIndex(r => r.includes('scripts/self-test.sh start'))).toBeLessThan(first)
    expect(runs.findIndex(r => r.includes('scripts/self-test.sh assert-first'))).toBeGreaterThan(first)
    expect(runs.some(r => r.includes('scripts/self-test.sh assert-again'))).toBe(true)
    const stop = steps.find(s => s.run?.includes('scripts/self-test.sh stop')) as Step & { if?: string }
    expect(stop.if).toBe('always()')
  })

  test('.ci/run runs it after the dist check and before npm test', () => {
    const run = read('.ci/run')
    const at = run.indexOf('\nscripts/self-test.sh')
    expect(at).toBeGreaterThan(run.indexOf('dist/ matches the sources'))
    expect(at).toBeLessThan(run.indexOf('\nnpm test'))
  })
})
