/**
 * One redaction path: task definition environment values never reach a plan change, whatever the
 * variable is called and whatever shape the change has. The plan text and the `plan` output are built
 * from those changes, so they are checked too.
 */
import { describe, expect, test } from '@jest/globals'
import { creationChanges, diff } from '../../../src/model/diff.js'
import type { Plan } from '../../../src/model/plan.js'
import { fingerprint, maskableValues, redactTaskDefinition } from '../../../src/model/redact.js'
import { planJson, renderPlanText } from '../../../src/report/plan-text.js'

const URL = 'postgres://u:S3cr3tPw@db/app'
const PASSWORD = 'OLD-hunter2-OLD'
const ARN = 'arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:prod/db-AbCdEf'

const container = (name: string, environment?: { name: string; value?: unknown }[]) => ({
  name,
  image: 'web:1',
  ...(environment ? { environment } : {}),
  secrets: [{ name: 'STRIPE_KEY', valueFrom: ARN }]
})
const td = (...containers: unknown[]) => ({ family: 'app', containerDefinitions: containers })
const withValues = [
  { name: 'DATABASE_URL', value: URL },
  { name: 'DB_PASSWORD', value: PASSWORD },
  { name: 'X', value: 'ab' }
]

/** Every shape a change of environment can take. */
const SHAPES: Record<string, [unknown, unknown]> = {
  'values changed': [
    td(container('web', withValues)),
    td(
      container(
        'web',
        withValues.map(e => ({ ...e, value: `${String(e.value)}-2` }))
      )
    )
  ],
  'variables removed one by one': [td(container('web', withValues)), td(container('web', [withValues[2]]))],
  'variables added': [td(container('web', [])), td(container('web', withValues))],
  'whole list removed': [td(container('web', withValues)), td(container('web'))],
  'container renamed': [td(container('web', withValues)), td(container('api', withValues))],
  'container removed': [td(container('web'), container('side', withValues)), td(container('web'))],
  'container added': [td(container('web')), td(container('web'), container('side', withValues))]
}

const planOf = (changes: ReturnType<typeof diff>): Plan => ({
  steps: [{ resource: 'task-definition', name: 'app', action: 'update', changes, calls: [], operations: [] }],
  warnings: [],
  changed: true
})

describe('redactTaskDefinition', () => {
  test.each(Object.keys(SHAPES))('%s: names and fingerprints only, in the plan text and output', shape => {
    const [from, to] = SHAPES[shape]
    const changes = diff(redactTaskDefinition(from), redactTaskDefinition(to))
    expect(changes.length).toBeGreaterThan(0)
    const written = [JSON.stringify(changes), renderPlanText(planOf(changes)), planJson(planOf(changes))]
    for (const text of written) {
      for (const value of [URL, 'S3cr3tPw', PASSWORD, `${PASSWORD}-2`, '"ab"', 'ab-2']) {
        expect(text).not.toContain(value)
      }
    }
    // The change is still visible: the names, and a fingerprint where a value is involved.
    expect(written[0]).toMatch(/DATABASE_URL|environment/)
  })

  test('a created definition: its key fields only, and nothing of its environment', () => {
    const changes = creationChanges(redactTaskDefinition(td(container('web', withValues))), /./)
    expect(JSON.stringify(changes)).not.toContain(PASSWORD)
    expect(changes).toContainEqual({
      field: 'containerDefinitions[web].environment[DB_PASSWORD].value',
      from: undefined,
      to: fingerprint(PASSWORD)
    })
  })

  test('fingerprint: sha256, first 8 hex digits, of the text', () => {
    // printf %s 'OLD-hunter2-OLD' | sha256sum | cut -c1-8
    expect(fingerprint(PASSWORD)).toMatch(/^sha256:[0-9a-f]{8}$/)
    expect(fingerprint(PASSWORD)).not.toBe(fingerprint(`${PASSWORD}-2`))
    expect(fingerprint(42)).toBe(fingerprint('42'))
  })

  test('the ARNs of secrets stay readable; a DescribeTaskDefinition answer is redacted as well', () => {
    const described = { taskDefinition: td(container('web', withValues)), tags: [] }
    const redacted = redactTaskDefinition(described)
    expect(JSON.stringify(redacted)).toContain(ARN)
    expect(JSON.stringify(redacted)).not.toContain(PASSWORD)
    // The input is not touched: what is registered keeps its values.
    expect(JSON.stringify(described)).toContain(PASSWORD)
  })
})

describe('maskableValues', () => {
  test('secret-looking names, every string and number inside, at least 4 characters', () => {
    const doc = td(
      container('web', [
        { name: 'DATABASE_URL', value: URL },
        { name: 'DB_PASSWORD', value: PASSWORD },
        { name: 'API_TOKEN', value: ['tok-in-list', { deep: 987654 }] },
        { name: 'SHORT_SECRET', value: 'abc' },
        { name: 'QUOTED_KEY', value: 'a"b\\c' },
        { name: 'AUTH_ON', value: true }
      ])
    )
    expect(maskableValues(doc).sort()).toEqual(
      [PASSWORD, 'tok-in-list', '987654', 'a"b\\c', 'a\\"b\\\\c'].sort()
    )
    expect(maskableValues({ taskDefinition: doc })).toContain(PASSWORD)
    expect(maskableValues(undefined)).toEqual([])
  })
})
