import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
export const distEntry = path.join(repoRoot, 'dist', 'index.js')
/**
 * The Node.js that runs the bundle: ACTION_NODE when set (.ci/run points it at a Node 24, which action.yml
 * declares, and runs the e2e suites again), else the one running the tests.
 */
export const actionNode = (): string => process.env.ACTION_NODE || process.execPath

export interface ActionRun {
  code: number | null
  stdout: string
  stderr: string
  outputs: Record<string, string>
  /** GITHUB_OUTPUT as written (delimiters and all), where set. */
  outputText?: string
  summary: string
  durationMs: number
}

/** Parses GITHUB_OUTPUT as the runner does: `name=value` lines and `name<<DELIM … DELIM` blocks. */
export function parseOutputFile(text: string): Record<string, string> {
  const out: Record<string, string> = {}
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line)
    if (heredoc) {
      const [, name, delim] = heredoc
      const value: string[] = []
      for (i++; i < lines.length && lines[i] !== delim; i++) value.push(lines[i])
      out[name] = value.join('\n')
    } else if (line.includes('=')) {
      const at = line.indexOf('=')
      out[line.slice(0, at)] = line.slice(at + 1)
    }
  }
  return out
}

/** Environment names a runner gives inputs: INPUT_ + upper case, spaces to underscores, hyphens kept. */
export const inputEnvName = (name: string): string => `INPUT_${name.replace(/ /g, '_').toUpperCase()}`

export interface RunOptions {
  /** Inputs by their action.yml names; defaults from action.yml are applied like a runner does. */
  inputs: Record<string, string>
  /** The emulator's URL (with dummy keys and region); undefined: AWS itself, as this process's AWS_* say. */
  endpoint: string | undefined
  cwd?: string
  env?: Record<string, string>
  timeoutMs?: number
  /** Called with each chunk of stdout as it arrives (the demo streams it). */
  onStdout?: (chunk: string) => void
}

const ACTION_DEFAULTS = (() => {
  // Only the defaults; action.yml is simple enough to read without a YAML dependency at test time.
  const text = readFileSync(path.join(repoRoot, 'action.yml'), 'utf8')
  const defaults: Record<string, string> = {}
  let current: string | undefined
  for (const line of text.split('\n')) {
    const name = /^ {2}([a-z0-9-]+):\s*$/.exec(line)
    if (name) current = name[1]
    const def = /^ {4}default:\s*'(.*)'\s*$/.exec(line)
    if (def && current) defaults[current] = def[1].replace(/''/g, "'")
    if (/^outputs:/.test(line)) break
  }
  return defaults
})()

/**
 * The AWS part of the action's environment: the emulator's endpoint with dummy credentials, or, against AWS
 * (the live suite), this process's own AWS_* variables (region, credentials, profile, web identity).
 */
function awsEnvironment(endpoint: string | undefined): Record<string, string> {
  if (endpoint === undefined)
    return Object.fromEntries(
      Object.entries(process.env).filter((e): e is [string, string] => e[0].startsWith('AWS_') && !!e[1])
    )
  return {
    AWS_REGION: 'ap-northeast-1',
    AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    AWS_ENDPOINT_URL: endpoint,
    AWS_EC2_METADATA_DISABLED: 'true'
  }
}

/** Runs the bundled action as a GitHub runner would: INPUT_* variables, GITHUB_OUTPUT, GITHUB_STEP_SUMMARY. */
export function runAction(opts: RunOptions): Promise<ActionRun> {
  const dir = mkdtempSync(path.join(tmpdir(), 'ecs-alb-deploy-run-'))
  const outputFile = path.join(dir, 'output')
  const summaryFile = path.join(dir, 'summary')
  writeFileSync(outputFile, '')
  writeFileSync(summaryFile, '')
  const inputs = { ...ACTION_DEFAULTS, ...opts.inputs }
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? dir,
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    GITHUB_WORKSPACE: opts.cwd ?? repoRoot,
    RUNNER_TEMP: dir,
    ...awsEnvironment(opts.endpoint),
    ...Object.fromEntries(Object.entries(inputs).map(([k, v]) => [inputEnvName(k), v])),
    ...opts.env
  }
  const started = Date.now()
  return new Promise((resolve, reject) => {
    const child = spawn(actionNode(), [distEntry], {
      cwd: opts.cwd ?? repoRoot,
      env,
      stdio: ['ignore', 'pipe', 'pipe']
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString()
      opts.onStdout?.(c.toString())
    })
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()))
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 120_000)
    child.on('error', reject)
    child.on('close', code => {
      clearTimeout(timer)
      resolve({
        code,
        stdout,
        stderr,
        outputs: parseOutputFile(readFileSync(outputFile, 'utf8')),
        outputText: readFileSync(outputFile, 'utf8'),
        summary: readFileSync(summaryFile, 'utf8'),
        durationMs: Date.now() - started
      })
    })
  })
}
