/**
 * The official aws-actions/amazon-ecs-deploy-task-definition, as the reference the benches compare
 * against: its committed dist/, taken from a local git snapshot when the machine has one and unpacked
 * into a temporary directory (never into this repository).
 */
import { execFileSync, spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'

/** What the official action measures on these machines, for when its snapshot is not here. */
export const OFFICIAL_RECORDED = { coldStartS: 0.16, bundleMb: 3.0 }

const SNAPSHOT_GIT_DIR =
  process.env.OFFICIAL_ACTION_GIT_DIR ?? '/work/.mirror/aws-actions+amazon-ecs-deploy-task-definition/repo'

export interface OfficialDist {
  entry: string
  version: string
  bytes: number
  files: number
}

let unpacked: Promise<OfficialDist | { skipped: string }> | undefined

/** Unpacks the snapshot's dist/ once per process. */
export function officialDist(): Promise<OfficialDist | { skipped: string }> {
  unpacked ??= (async () => {
    if (!existsSync(SNAPSHOT_GIT_DIR)) return { skipped: `no snapshot at ${SNAPSHOT_GIT_DIR}` }
    try {
      const dir = mkdtempSync(path.join(tmpdir(), 'official-action-'))
      const tar = path.join(dir, 'dist.tar')
      execFileSync('git', ['--git-dir', SNAPSHOT_GIT_DIR, 'archive', '-o', tar, 'HEAD', 'dist'])
      execFileSync('tar', ['-x', '-C', dir, '-f', tar])
      const version = execFileSync('git', ['--git-dir', SNAPSHOT_GIT_DIR, 'log', '-1', '--format=%h %s'])
        .toString()
        .trim()
      const distDir = path.join(dir, 'dist')
      const js = readdirSync(distDir).filter(f => f.endsWith('.js'))
      const bytes = js.reduce((a, f) => a + statSync(path.join(distDir, f)).size, 0)
      return { entry: path.join(distDir, 'index.js'), version, bytes, files: js.length }
    } catch (error) {
      return { skipped: `could not unpack its dist/: ${(error as Error).message.split('\n')[0]}` }
    }
  })()
  return unpacked
}

/** Runs the official action as a runner would, with wait-for-service-stability, against an endpoint. */
export function runOfficial(opts: {
  dist: string
  endpoint: string
  taskDefinition: string
  cluster?: string
  service?: string
}): Promise<{ code: number | null; durationMs: number; stdout: string }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'official-run-'))
  writeFileSync(path.join(dir, 'task-definition.json'), opts.taskDefinition)
  writeFileSync(path.join(dir, 'output'), '')
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: dir,
    GITHUB_WORKSPACE: dir,
    GITHUB_OUTPUT: path.join(dir, 'output'),
    AWS_REGION: 'ap-northeast-1',
    AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    AWS_ENDPOINT_URL: opts.endpoint,
    AWS_EC2_METADATA_DISABLED: 'true',
    'INPUT_TASK-DEFINITION': 'task-definition.json',
    INPUT_CLUSTER: opts.cluster ?? 'ecs-demo',
    INPUT_SERVICE: opts.service ?? 'ecs-simple-service-elb',
    'INPUT_WAIT-FOR-SERVICE-STABILITY': 'true',
    'INPUT_WAIT-FOR-MINUTES': '2'
  }
  const started = performance.now()
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [opts.dist], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()))
    child.stderr.on('data', (c: Buffer) => (stdout += c.toString()))
    const timer = setTimeout(() => child.kill('SIGKILL'), 180_000)
    child.on('error', reject)
    child.on('close', code => {
      clearTimeout(timer)
      resolve({ code, durationMs: performance.now() - started, stdout })
    })
  })
}
