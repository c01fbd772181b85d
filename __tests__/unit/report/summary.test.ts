import type { Plan } from '../../../src/model/plan.js'
import { renderSummary } from '../../../src/report/summary.js'
import { planJson, renderPlanText } from '../../../src/report/plan-text.js'
import { formatDiagnosis } from '../../../src/watch/format.js'
import {
  all,
  items,
  kids,
  outline,
  renderMarkdown,
  rows,
  section,
  text
} from '../../../test-support/html-tree.js'
import {
  base,
  deployDiagnosis,
  failedRollback,
  imageChangePlan,
  lbArn,
  listenerArn,
  redirectArn,
  region,
  removedByTeardown,
  rollbackSummary,
  rolloutMessage,
  ruleArn,
  summaryExamples,
  teardownBase,
  tgArn
} from '../../../test-support/summary-examples.js'

/*
 * The rendered summary is committed as Jest snapshots (__snapshots__/summary.test.ts.snap): a change to
 * what people read after a deploy is a reviewed change. `npx jest -u <this file>` rewrites them; under CI
 * (CI=true, or --ci as .ci/run passes) a missing snapshot fails instead of being written.
 */

describe('job summary', () => {
  test('success: plan, URL, target health, links, timeline and timings', () => {
    const md = renderSummary(base)
    expect(md).toContain('**URL:** [http://alb-demo-1234567890')
    expect(md).toContain('| Target group | default | unchanged | — |')
    expect(md).toContain('#TargetGroup:targetGroupArn=' + tgArn)
    expect(md).toMatchSnapshot()
  })

  test('failure: the diagnosis comes first, then the rollback, then the rest', () => {
    const md = renderSummary({
      ...base,
      outcome: 'failure',
      failure: {
        title: 'Targets fail their health check: GET /health answered 404; the matcher expects 200',
        details: [
          'target group default checks HTTP GET /health on traffic-port every 30 s, unhealthy after 3 failures',
          '2 tasks were stopped by ECS: Task failed ELB health checks in (target-group ' + tgArn + ')',
          'check: does the app serve /health? (the seed app serves /hostname)'
        ]
      },
      rollback: 'succeeded: the service runs ecscompose-ecs-app:22 again, all targets healthy',
      rolledBack: {
        ok: true,
        restored: ['service ecs-simple-service-elb runs ecscompose-ecs-app:22'],
        kept: []
      }
    })
    const first = md.indexOf('[!CAUTION]')
    expect(first).toBeGreaterThan(0)
    expect(first).toBeLessThan(md.indexOf('### Plan'))
    expect(md.indexOf('### Rolled back')).toBeLessThan(md.indexOf('### Plan'))
    expect(md).toMatchSnapshot()
  })

  test('secret values never appear, in the summary, the log plan or the plan output', () => {
    const texts = [renderSummary(base), renderPlanText(imageChangePlan), planJson(imageChangePlan)]
    for (const t of texts) {
      expect(t).not.toContain('hunter2')
      expect(t).not.toContain('hunter3')
      expect(t).toContain('DB_PASSWORD')
    }
  })

  test('table cells cannot be broken by pipes or HTML in names', () => {
    const md = renderSummary({ ...base, serviceName: 'a|b<script>' })
    expect(md).toContain('a\\|b&lt;script&gt;')
    expect(md).not.toContain('<script>')
  })
})
/*
 * The summary as GitHub shows it: rendered by a CommonMark renderer with GFM tables (markdown-it) and
 * checked as a document. Text assertions cannot see a paragraph folded into a list item, a nested list
 * flattened, or a block quote that ends early; these can.
 */
describe('job summary structure (rendered)', () => {
  const console = `https://${region}.console.aws.amazon.com`
  const message = rolloutMessage
  const [title] = message.split('\n')

  test('success: heading, URL link, plan table, warning alert, target rows, console links, timeline', () => {
    const doc = renderMarkdown(
      renderSummary({ ...base, applied: { ...base.applied, listenerArn, redirectListenerArn: redirectArn } })
    )
    expect(outline(doc)).toEqual([
      'h2: ✅ ecs-simple-service-elb on ecs-demo: deployed',
      'p: URL: http://alb-demo-1234567890.ap-northeast-1.elb.amazonaws.com',
      'h3: Plan',
      'p: 0 to create · 2 to update · 0 to replace · 3 unchanged',
      'table: Resource Name Action Changes',
      'blockquote: [!WARNING]',
      'h3: Target health',
      'table: Target group Target Port State Reason',
      'h3: Resources',
      'table: Resource ARN',
      'details: Rollout timeline',
      'h3: Timings',
      'table: Stage Time'
    ])
    const url = all(kids(doc, 'p')[0], 'a')
    expect(url.map(a => a.attrs.href)).toEqual([
      'http://alb-demo-1234567890.ap-northeast-1.elb.amazonaws.com'
    ])

    const [plan, health, resources, timings] = kids(doc, 'table')
    expect(rows(plan).map(r => r.slice(0, 3))).toEqual([
      ['Resource', 'Name', 'Action'],
      // Named as the Resources table and the counts line name them.
      ['Load balancer', 'alb-demo', 'unchanged'],
      ['Target group', 'default', 'unchanged'],
      ['Listener', 'HTTP:80', 'unchanged'],
      ['Task definition', 'ecscompose-ecs-app', 'update'],
      ['Service', 'ecs-simple-service-elb', 'update']
    ])
    // The changes of a step are lines of one cell, not cells of their own; each field is code, its values not.
    expect(rows(plan)[4][3].split('\n')).toHaveLength(3)
    const changeCell = all(all(plan, 'tr')[4], 'td')[3]
    expect(all(changeCell, 'code').map(text)).toEqual([
      'containerDefinitions[app].image',
      'containerDefinitions[app].environment[DB_PASSWORD].value'
    ])
    expect(text(changeCell).split('\n')[1]).toBe(
      'containerDefinitions[app].image: "inokara/ecs-app:1.0" → "inokara/ecs-app:1.1"'
    )
    expect(
      rows(health)
        .slice(1)
        .map(r => r[3])
    ).toEqual(['healthy', 'healthy', 'draining'])
    // Most stages take milliseconds, a watch minutes: neither reads as "0.0 s" nor as "98.0 s".
    expect(rows(timings).slice(1)).toEqual([
      ['inputs', '12 ms'],
      ['discover', '410 ms'],
      ['plan', '3 ms'],
      ['apply', '820 ms'],
      ['watch', '1 min 38 s']
    ])

    const links = all(resources, 'a').map(a => [text(a), a.attrs.href])
    expect(links).toEqual([
      ['Load balancer', `${console}/ec2/home?region=${region}#LoadBalancer:loadBalancerArn=${lbArn}`],
      ['Target group', `${console}/ec2/home?region=${region}#TargetGroup:targetGroupArn=${tgArn}`],
      ['Listener', `${console}/ec2/home?region=${region}#ELBListenerV2:listenerArn=${listenerArn}`],
      [
        'Redirect listener (HTTP → HTTPS)',
        `${console}/ec2/home?region=${region}#ELBListenerV2:listenerArn=${redirectArn}`
      ],
      [
        'Service',
        expect.stringContaining(`${console}/ecs/v2/clusters/ecs-demo/services/ecs-simple-service-elb/`)
      ],
      [
        'Task definition',
        expect.stringContaining(`${console}/ecs/v2/task-definitions/ecscompose-ecs-app/23/`)
      ]
    ])
    expect(rows(resources).map(r => r.length)).toEqual(Array(rows(resources).length).fill(2))
    expect(rows(resources).at(-1)).toEqual(['Deployment', 'ecs-svc/1234567890123456789'])

    const details = kids(doc, 'details')[0]
    expect(text(kids(details, 'summary')[0])).toBe('Rollout timeline')
    expect(text(all(details, 'pre')[0]).split('\n')).toHaveLength(3)
  })

  test('failure with a rollback that did not succeed: the alert, then one rollback section; evidence once', () => {
    const md = renderSummary(failedRollback)
    const doc = renderMarkdown(md)
    expect(outline(doc).slice(0, 5)).toEqual([
      'h2: ❌ ecs-simple-service-elb on ecs-demo: deploy failed',
      'blockquote: [!CAUTION]',
      'p: URL: http://alb-demo-1234567890.ap-northeast-1.elb.amazonaws.com',
      'h3: Rollback attempted (production not yet healthy)',
      // The rollback failed as the deploy did: the alert's title is not repeated word for word.
      'p: Rollback: did not succeed: the same failure as above'
    ])

    // The alert: the title, "Evidence:", the evidence as a list, "What to check" as its own paragraph.
    const alert = kids(doc, 'blockquote')[0]
    expect(kids(alert).map(e => e.tag)).toEqual(['p', 'p', 'ul', 'p'])
    const [head, label, evidence, hint] = kids(alert)
    expect(text(head).split('\n')).toEqual([
      '[!CAUTION]',
      'Targets fail the load balancer health check: GET /health answered 404; the matcher expects 200'
    ])
    expect(kids(head, 'strong')).toHaveLength(1)
    expect(text(label)).toBe('Evidence:')
    expect(items(evidence)).toEqual(deployDiagnosis.evidence)
    expect(text(hint)).toBe('What to check: does the app serve /health? (the seed app serves /hostname)')
    // Nothing of the rollback inside the alert.
    expect(text(alert)).not.toMatch(/Rollback|unable to place/)

    // The rollback: what was restored and kept as nested lists, then only what its watch saw that is new.
    const rollback = section(doc, 'Rollback attempted')
    expect(rollback.map(e => e.tag)).toEqual(['p', 'ul', 'p', 'ul'])
    const groups = rollback[1]
    expect(items(groups)).toEqual(['Restored:', 'Kept:'])
    expect(kids(groups, 'li').map(li => items(kids(li, 'ul')[0]))).toEqual([
      failedRollback.rolledBack!.restored,
      failedRollback.rolledBack!.kept
    ])
    expect(text(rollback[2])).toBe("The rollback's watch saw:")
    expect(items(rollback[3])).toEqual([
      'service event: (service ecs-simple-service-elb) is unable to place a task',
      '… and 1 observation as in the diagnosis above'
    ])

    // Each observation once in the whole page; the same hint is not repeated.
    const page = text(doc)
    for (const e of deployDiagnosis.evidence) expect(page.split(e)).toHaveLength(2)
    expect(page.split('What to check')).toHaveLength(2)
    expect(md).toMatchSnapshot()
  })

  test('failure with a rollback: RunReport.failed hands the renderer the diagnosis without the rollback', async () => {
    const { RunReport } = await import('../../../src/report/run-report.js')
    const report = new RunReport([])
    report.failed(message)
    expect(report.failure).toEqual({ title, details: formatDiagnosis(deployDiagnosis).split('\n').slice(1) })
    expect(report.rollback).toBe(rollbackSummary)
    const doc = renderMarkdown(
      renderSummary({ ...failedRollback, failure: report.failure, rollback: report.rollback })
    )
    expect(outline(doc).slice(1, 4)).toEqual([
      'blockquote: [!CAUTION]',
      'p: URL: http://alb-demo-1234567890.ap-northeast-1.elb.amazonaws.com',
      'h3: Rollback attempted (production not yet healthy)'
    ])
  })

  test('failure with a rollback that succeeded: "Rolled back", the restored list once', () => {
    const doc = renderMarkdown(
      renderSummary({
        ...base,
        outcome: 'failure',
        failure: { title, details: formatDiagnosis(deployDiagnosis).split('\n').slice(1) },
        rollback:
          'succeeded: the service runs ecscompose-ecs-app:22 again, with every target healthy (restored: a; b)',
        rolledBack: { ok: true, restored: ['a', 'b'], kept: [] }
      })
    )
    const rollback = section(doc, 'Rolled back')
    expect(text(rollback[0])).toBe(
      'Rollback: succeeded: the service runs ecscompose-ecs-app:22 again, with every target healthy'
    )
    expect(kids(kids(rollback[1], 'li')[0], 'ul').map(items)).toEqual([['a', 'b']])
  })

  test('dry run: says nothing changed and how many changes are planned; no resources yet', () => {
    const doc = renderMarkdown(
      renderSummary({ ...base, outcome: 'dry-run', applied: undefined, targets: undefined })
    )
    expect(outline(doc)).toEqual([
      'h2: 📝 ecs-simple-service-elb on ecs-demo: dry run, 2 changes planned (nothing changed)',
      'h3: Plan',
      'p: 0 to create · 2 to update · 0 to replace · 3 unchanged',
      'table: Resource Name Action Changes',
      'blockquote: [!WARNING]',
      'details: Rollout timeline',
      'h3: Timings',
      'table: Stage Time'
    ])
    expect(rows(kids(doc, 'table')[0])).toHaveLength(6)
  })

  test('nothing to change: a dry run and a deploy both say so', () => {
    const unchanged: Plan = {
      ...imageChangePlan,
      changed: false,
      warnings: [],
      steps: imageChangePlan.steps.map(s => ({
        ...s,
        action: 'none' as const,
        changes: [],
        reason: undefined
      }))
    }
    const dry = renderMarkdown(
      renderSummary({ ...base, outcome: 'dry-run', plan: unchanged, applied: undefined })
    )
    expect(outline(dry).slice(0, 4)).toEqual([
      'h2: 📝 ecs-simple-service-elb on ecs-demo: dry run, nothing to change',
      'h3: Plan',
      'p: 0 to create · 0 to update · 0 to replace · 5 unchanged',
      'p: Nothing to change: every resource already matches the inputs.'
    ])
    const run = renderMarkdown(
      renderSummary({ ...base, plan: unchanged, applied: { ...base.applied, changed: false } })
    )
    expect(text(kids(run, 'h2')[0])).toBe(
      '✅ ecs-simple-service-elb on ecs-demo: up to date, nothing to change'
    )
    expect(outline(run)).toContain('p: Nothing to change: every resource already matches the inputs.')
  })

  test('teardown: removed (or nothing to remove), and a dry-run teardown would remove', () => {
    const teardown = teardownBase
    const removed = removedByTeardown
    const md = renderSummary(summaryExamples.teardown)
    const doc = renderMarkdown(md)
    expect(outline(doc)).toEqual([
      'h2: 🗑️ web-pr-7 on ecs-demo: removed',
      'h3: Removed',
      'ul: service web-pr-7',
      'h3: Timings',
      'table: Stage Time'
    ])
    expect(items(kids(doc, 'ul')[0])).toEqual(removed)
    expect(md).not.toMatch(/deployed/)
    expect(md).toMatchSnapshot()

    const gone = renderMarkdown(renderSummary({ ...teardown, removed: [] }))
    expect(outline(gone).slice(0, 3)).toEqual([
      'h2: 🗑️ web-pr-7 on ecs-demo: nothing to remove (already gone)',
      'h3: Removed',
      'p: Nothing: it was already gone.'
    ])

    const dry = renderMarkdown(renderSummary({ ...teardown, outcome: 'dry-run', wouldRemove: removed }))
    expect(outline(dry).slice(0, 2)).toEqual([
      'h2: 📝 web-pr-7 on ecs-demo: dry run, would remove 4 resources (nothing changed)',
      'h3: Would remove'
    ])
    expect(items(section(dry, 'Would remove')[0])).toEqual(removed)

    const failed = renderMarkdown(
      renderSummary({
        ...teardown,
        outcome: 'failure',
        failure: { title: 'AccessDenied: elasticloadbalancing:DeleteRule', details: [] }
      })
    )
    expect(outline(failed).slice(0, 2)).toEqual([
      'h2: ❌ web-pr-7 on ecs-demo: teardown failed',
      'blockquote: [!CAUTION]'
    ])
  })

  test("preview: named in the heading, its URL, the rule's console link, the base stack's listener", () => {
    const url = 'https://pr-7.preview.example.com/'
    const doc = renderMarkdown(renderSummary(summaryExamples.preview))
    expect(outline(doc).slice(0, 2)).toEqual([
      'h2: ✅ ecs-simple-service-elb-pr-7 on ecs-demo (preview pr-7): deployed',
      `p: URL: ${url}`
    ])
    expect(all(kids(doc, 'p')[0], 'a')[0].attrs.href).toBe(url)
    const links = Object.fromEntries(all(section(doc, 'Resources')[0], 'a').map(a => [text(a), a.attrs.href]))
    expect(links["Listener (the base stack's, shared)"]).toBe(
      `${console}/ec2/home?region=${region}#ELBListenerV2:listenerArn=${listenerArn}`
    )
    expect(links['Listener rule']).toBe(
      `${console}/ec2/home?region=${region}#ListenerRuleDetails:ruleArn=${ruleArn}`
    )
  })

  test('a field name shown as code cannot split its table row or close its code span', () => {
    const field = 'containerDefinitions[app].environment[A|B`C].value'
    const plan: Plan = {
      ...imageChangePlan,
      warnings: [],
      steps: [{ ...imageChangePlan.steps[3], reason: undefined, changes: [{ field, from: 'x', to: 'y' }] }]
    }
    const table = kids(renderMarkdown(renderSummary({ ...base, plan })), 'table')[0]
    expect(rows(table)[1]).toHaveLength(4)
    expect(all(table, 'code').map(text)).toEqual([field])
  })

  test('names and messages cannot make Markdown: no emphasis, links, headings, lists or extra cells', () => {
    const doc = renderMarkdown(
      renderSummary({
        ...base,
        serviceName: '*web* _x_ [a](http://b) |c',
        outcome: 'failure',
        failure: {
          title: '# not a heading',
          details: ['+ not a list', '1. not a list', '> not a quote', '<b>x</b> & `y`']
        },
        timeline: undefined
      })
    )
    expect(text(kids(doc, 'h2')[0])).toBe('❌ *web* _x_ [a](http://b) |c on ecs-demo: deploy failed')
    const alert = kids(doc, 'blockquote')[0]
    expect(kids(alert).map(e => e.tag)).toEqual(['p', 'p', 'p', 'p', 'p'])
    expect(kids(alert).slice(1).map(text)).toEqual([
      '+ not a list',
      '1. not a list',
      '> not a quote',
      '<b>x</b> & `y`'
    ])
    for (const tag of ['em', 'strong', 'a', 'h1', 'code', 'b'])
      expect(all(kids(doc, 'h2')[0], tag).concat(all(alert, tag).filter(e => e.tag !== 'strong'))).toEqual([])
    const plan = kids(doc, 'table')[0]
    expect(rows(plan).map(r => r.length)).toEqual(Array(rows(plan).length).fill(4))
  })
})
