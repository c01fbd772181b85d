/**
 * The README shows the least-privilege policies that the reliability suite enforces: iam/policy.json and
 * iam/preview-policy.json, verbatim, each a boundary (conditions on every change) as the README describes.
 */
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { repoRoot } from '../../test-support/run-action.js'

const read = (file: string) => readFileSync(path.join(repoRoot, file), 'utf8')

interface Statement {
  Sid?: string
  Effect: string
  Action: string | string[]
  Resource: string | string[]
  Condition?: Record<string, Record<string, string | string[]>>
}
const list = (v: string | string[]): string[] => (Array.isArray(v) ? v : [v])

/** The ```json blocks of the README's IAM section, in order (the base policy, then the preview policy). */
function readmePolicyBlocks(readme: string): string[] {
  const heading = readme.indexOf('\n## Least-privilege IAM policy\n')
  if (heading < 0) throw new Error('README has no "## Least-privilege IAM policy" section')
  const next = readme.indexOf('\n## ', heading + 1)
  const section = readme.slice(heading, next < 0 ? undefined : next)
  return [...section.matchAll(/```json\n([\s\S]*?)\n```/g)].map(m => m[1])
}

const blocks = readmePolicyBlocks(read('README.md'))
const FILES = ['iam/policy.json', 'iam/preview-policy.json']

describe.each(FILES.map((file, i) => [file, i] as const))(
  'README least-privilege IAM policy: %s',
  (file, i) => {
    const block = blocks[i] ?? ''
    const statements = (): Statement[] => (JSON.parse(block) as { Statement: Statement[] }).Statement

    test('is the file, character for character', () => {
      expect(block).toBe(read(file).trimEnd())
    })

    test('allows named actions only (no wildcard action), each once per resource', () => {
      const pairs = statements().flatMap(s =>
        list(s.Action).flatMap(a => list(s.Resource).map(r => `${a} ${r}`))
      )
      expect(statements().every(s => s.Effect === 'Allow')).toBe(true)
      expect(pairs.filter(p => p.split(' ')[0].includes('*'))).toEqual([])
      expect(new Set(pairs).size).toBe(pairs.length)
    })

    test('tags on create with the ownership tag in the request, and existing resources only where they carry it, never the ownership keys', () => {
      const tagging = statements().filter(s =>
        list(s.Action).some(a => /:(AddTags|RemoveTags|TagResource|UntagResource)$/.test(a))
      )
      const onCreate = tagging.filter(s =>
        Object.keys(s.Condition?.StringEquals ?? {}).some(k =>
          /^(elasticloadbalancing|ecs):CreateAction$/.test(k)
        )
      )
      const onExisting = tagging.filter(s => !onCreate.includes(s))
      expect(onCreate.length).toBeGreaterThan(0)
      expect(onExisting.length).toBeGreaterThan(0)
      for (const s of onCreate) {
        expect(list(s.Action).every(a => /:(AddTags|TagResource)$/.test(a))).toBe(true)
        expect(s.Condition?.StringLike?.['aws:RequestTag/ecs-alb-deploy:stack']).toBeDefined()
      }
      for (const s of onExisting) {
        // Named resource types only (never "*", which would include the creates), owned ones only, and a
        // request that names the ownership or preview key matches no value of the set.
        expect(
          list(s.Resource).every(r => /^arn:aws:(elasticloadbalancing|ecs):\*:123456789012:\w+\//.test(r))
        ).toBe(true)
        expect(s.Condition?.StringLike?.['aws:ResourceTag/ecs-alb-deploy:stack']).toBeDefined()
        expect(s.Condition?.['ForAllValues:StringNotEquals']?.['aws:TagKeys']).toEqual([
          'ecs-alb-deploy:stack',
          'ecs-alb-deploy:preview'
        ])
      }
    })

    test('changes and deletes only what carries the ownership tag; PassRole only named roles to ECS tasks or ECS', () => {
      const changes = statements().filter(s =>
        list(s.Action).some(a => /:(Modify|Set|Delete|Update|RegisterTargets|DeregisterTargets)/.test(a))
      )
      expect(changes.length).toBeGreaterThan(0)
      for (const s of changes)
        expect(s.Condition?.StringLike?.['aws:ResourceTag/ecs-alb-deploy:stack']).toBeDefined()
      for (const s of statements().filter(s => list(s.Action).includes('iam:PassRole'))) {
        expect(list(s.Resource).every(r => /^arn:aws:iam::123456789012:role\/[\w-]+$/.test(r))).toBe(true)
        expect(s.Condition?.StringEquals?.['iam:PassedToService']).toMatch(/^ecs(-tasks)?\.amazonaws\.com$/)
      }
    })
  }
)

test('the base policy lets only ELBv2 create a service-linked role, and allows EC2 reads only', () => {
  const base = JSON.parse(read('iam/policy.json')) as { Statement: Statement[] }
  const slr = base.Statement.filter(s => list(s.Action).includes('iam:CreateServiceLinkedRole'))
  expect(slr.map(s => [s.Resource, s.Condition])).toEqual([
    [
      'arn:aws:iam::123456789012:role/aws-service-role/elasticloadbalancing.amazonaws.com/AWSServiceRoleForElasticLoadBalancing',
      { StringEquals: { 'iam:AWSServiceName': 'elasticloadbalancing.amazonaws.com' } }
    ]
  ])
  for (const file of FILES) {
    const actions = (JSON.parse(read(file)) as { Statement: Statement[] }).Statement.flatMap(s =>
      list(s.Action)
    )
    expect(actions.filter(a => a.startsWith('ec2:') && !/^ec2:Describe[A-Za-z]+$/.test(a))).toEqual([])
  }
})

test('the preview policy changes no load balancer or listener, and only resources with the preview tag', () => {
  const preview = JSON.parse(read('iam/preview-policy.json')) as { Statement: Statement[] }
  const actions = preview.Statement.flatMap(s => list(s.Action))
  expect(
    actions.filter(
      a => /LoadBalancer|Listener|SetSubnets|SetSecurityGroups/.test(a) && !a.includes(':Describe')
    )
  ).toEqual([])
  for (const s of preview.Statement.filter(
    s => s.Condition?.StringLike?.['aws:ResourceTag/ecs-alb-deploy:stack']
  ))
    expect(s.Condition?.StringLike?.['aws:ResourceTag/ecs-alb-deploy:preview']).toBe('*')
})
