/** The README shows the least-privilege policy that the reliability suite enforces: iam/policy.json, verbatim. */
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { repoRoot } from '../../test-support/run-action.js'

const read = (file: string) => readFileSync(path.join(repoRoot, file), 'utf8')

function readmePolicyBlock(readme: string): string {
  const heading = readme.indexOf('\n## Least-privilege IAM policy\n')
  if (heading < 0) throw new Error('README has no "## Least-privilege IAM policy" section')
  const next = readme.indexOf('\n## ', heading + 1)
  const section = readme.slice(heading, next < 0 ? undefined : next)
  const block = /```json\n([\s\S]*?)\n```/.exec(section)
  if (!block) throw new Error('the IAM policy section has no ```json block')
  return block[1]
}

describe('README least-privilege IAM policy', () => {
  const file = read('iam/policy.json')
  const block = readmePolicyBlock(read('README.md'))

  test('is iam/policy.json, character for character', () => {
    expect(block).toBe(file.trimEnd())
  })

  test('is a policy document whose every statement allows named actions (no wildcard action)', () => {
    const policy = JSON.parse(block) as { Statement: { Effect: string; Action: string | string[] }[] }
    const actions = policy.Statement.flatMap(s => (Array.isArray(s.Action) ? s.Action : [s.Action]))
    expect(policy.Statement.every(s => s.Effect === 'Allow')).toBe(true)
    expect(actions.filter(a => a.includes('*'))).toEqual([])
    expect(new Set(actions).size).toBe(actions.length)
  })
})
