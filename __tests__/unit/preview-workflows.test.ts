import { readFileSync } from 'node:fs'
import path from 'node:path'
import { parse } from 'yaml'

/** The example workflows only use inputs the action declares, and wire previews the way the README says. */

const root = path.resolve(import.meta.dirname, '../..')
const read = (file: string): Record<string, unknown> => parse(readFileSync(path.join(root, file), 'utf8'))

interface Step {
  uses?: string
  with?: Record<string, unknown>
}
interface Job {
  if?: string
  steps: Step[]
}
interface Workflow {
  on: Record<string, { types?: string[]; inputs?: Record<string, unknown> }>
  concurrency?: { group: string; 'cancel-in-progress'?: boolean }
  permissions: Record<string, string>
  jobs: Record<string, Job>
}

const actionInputs = Object.keys((read('action.yml') as { inputs: Record<string, unknown> }).inputs)
const workflow = (name: string): Workflow => read(`examples/workflows/${name}.yml`) as unknown as Workflow
const ourSteps = (w: Workflow): Step[] =>
  Object.values(w.jobs).flatMap(j => j.steps.filter(s => s.uses?.includes('ecs-alb-deploy')))

describe.each(['deploy', 'preview', 'dispatch'])('examples/workflows/%s.yml', name => {
  const w = workflow(name)

  test('passes only inputs declared in action.yml', () => {
    const steps = ourSteps(w)
    expect(steps.length).toBeGreaterThan(0)
    for (const step of steps)
      for (const key of Object.keys(step.with ?? {})) expect(actionInputs).toContain(key)
  })

  test('uses OIDC credentials and sets the built image through the images input', () => {
    expect(w.permissions['id-token']).toBe('write')
    const steps = Object.values(w.jobs).flatMap(j => j.steps)
    expect(steps.some(s => s.uses?.startsWith('aws-actions/configure-aws-credentials@'))).toBe(true)
    for (const job of Object.values(w.jobs)) {
      const deploy = job.steps.find(s => s.uses?.includes('ecs-alb-deploy') && !s.with?.delete)
      if (!deploy) continue
      // The task definition file from the repository, the image from this run: no render step needed.
      expect(deploy.with?.['task-definition']).toBe('deploy/task-definition.json')
      expect(deploy.with?.images).toMatch(/^\$\{\{ env\.CONTAINER_NAME \}\}=\S.*$/)
      expect(job.steps.some(s => s.uses?.startsWith('aws-actions/amazon-ecs-render-task-definition@'))).toBe(
        false
      )
    }
  })
})

describe('preview.yml', () => {
  const w = workflow('preview')

  test('deploys on opened / synchronize / reopened, tears down on closed, one run per PR at a time', () => {
    expect(w.on.pull_request.types).toEqual(['opened', 'synchronize', 'reopened', 'closed'])
    expect(w.concurrency?.group).toContain('github.event.pull_request.number')
    expect(w.concurrency?.['cancel-in-progress']).toBe(false)
    expect(w.jobs.deploy.if).toContain("github.event.action != 'closed'")
    expect(w.jobs.teardown.if).toContain("github.event.action == 'closed'")
    expect(w.permissions['pull-requests']).toBe('write')
    expect(w.permissions.deployments).toBe('write')
  })

  test('deploy and teardown name the same preview (same base inputs), teardown with delete', () => {
    const [deploy, teardown] = [w.jobs.deploy, w.jobs.teardown].map(
      j => j.steps.find(s => s.uses?.includes('ecs-alb-deploy'))?.with ?? {}
    )
    for (const key of [
      'cluster',
      'service',
      'load-balancer',
      'target-group',
      'listener',
      'preview-routing',
      'preview-host-template'
    ]) {
      expect(teardown[key]).toEqual(deploy[key])
    }
    expect(teardown.delete).toBe(true)
    expect(deploy['github-token']).toBeDefined()
    expect(teardown['github-token']).toBeDefined()
  })
})

describe('dispatch.yml', () => {
  test('asks for the environment and the image tag', () => {
    const inputs = workflow('dispatch').on.workflow_dispatch.inputs ?? {}
    expect(Object.keys(inputs)).toEqual(expect.arrayContaining(['environment', 'image-tag']))
  })
})

/** Security issue, item 7: the examples a user copies carry no script injection and leave no token behind. */
describe('workflow hygiene (examples and README snippets)', () => {
  interface AnyStep {
    uses?: string
    run?: string
    with?: Record<string, unknown>
  }
  const readme = readFileSync(path.join(root, 'README.md'), 'utf8')
  const readmeBlocks = [...readme.matchAll(/```yaml\n([\s\S]*?)```/g)].map(m => m[1])
  const stepsOf = (doc: unknown): AnyStep[] => {
    const out: AnyStep[] = []
    const walk = (v: unknown): void => {
      if (Array.isArray(v)) v.forEach(walk)
      else if (v && typeof v === 'object') {
        const o = v as Record<string, unknown>
        if (typeof o.uses === 'string' || typeof o.run === 'string') out.push(o as AnyStep)
        Object.values(o).forEach(walk)
      }
    }
    walk(doc)
    return out
  }
  const sources: [string, AnyStep[]][] = [
    ...['deploy', 'preview', 'dispatch'].map(
      n => [`examples/workflows/${n}.yml`, stepsOf(workflow(n))] as [string, AnyStep[]]
    ),
    ...readmeBlocks.map((b, i) => [`README.md yaml block ${i + 1}`, stepsOf(parse(b))] as [string, AnyStep[]])
  ]

  test.each(sources)('%s: no ${{ }} spliced into a run script (env: instead)', (_, steps) => {
    for (const s of steps) if (s.run) expect(s.run).not.toContain('${{')
  })

  test.each(sources)('%s: every checkout sets persist-credentials: false', (_, steps) => {
    for (const s of steps.filter(s => s.uses?.startsWith('actions/checkout')))
      expect(s.with?.['persist-credentials']).toBe(false)
  })

  test('the README preview snippet skips pull requests from forks, like examples/workflows/preview.yml', () => {
    const preview = readmeBlocks.map(b => parse(b) as Workflow).find(w => w?.on?.pull_request)
    for (const job of Object.values(preview?.jobs ?? {}))
      expect(job.if).toContain('github.event.pull_request.head.repo.full_name == github.repository')
    for (const job of Object.values(workflow('preview').jobs))
      expect(job.if).toContain('github.event.pull_request.head.repo.full_name == github.repository')
  })

  test('dispatch.yml: the typed image tag is checked (one line, a Docker tag) before it reaches images', () => {
    const steps = workflow('dispatch').jobs.deploy.steps as AnyStep[]
    const check = steps.findIndex(s => s.run?.includes('IMAGE_TAG'))
    const deploy = steps.findIndex(s => s.uses?.includes('ecs-alb-deploy'))
    expect(check).toBeGreaterThanOrEqual(0)
    expect(check).toBeLessThan(deploy)
    expect(String(steps[deploy].with?.images)).not.toContain('inputs.image-tag')
    // The rule itself, as bash applies it: [[ =~ ]] anchors the whole value, newlines included.
    const rule = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/
    expect(steps[check].run).toContain(rule.source)
    for (const ok of ['v1.4.2', 'a1b2c3d', 'main_2024-01']) expect(rule.test(ok)).toBe(true)
    for (const bad of ['v1\nsidecar=evil/image', 'v1 x', '', '-x', 'a'.repeat(129)])
      expect(rule.test(bad)).toBe(false)
  })
})
