import type { TargetHealthDescription } from '@aws-sdk/client-elastic-load-balancing-v2'
import type { Applied, FieldChange, Plan, PlanStep, ResourceKind, StepAction } from '../model/plan.js'
import { changeValues, planCounts } from './plan-text.js'
import type { PausedGate } from '../model/deployment-strategy.js'

/** What the job summary shows; gathered by main as the stages run. Pure data, rendered below. */
export interface SummaryData {
  cluster: string
  serviceName: string
  region: string
  outcome: 'success' | 'failure' | 'dry-run'
  /** A deploy (the default) or a teardown (`delete: true`): the heading says which. */
  action?: 'deploy' | 'teardown'
  /** The preview id, for a PR preview: its listener is the base stack's, shared. */
  preview?: string
  /**
   * The error message / diagnosis, shown first on failure: `title` is its first line, `details` the rest
   * as formatDiagnosis writes them (`Evidence:`, `  - …` items, `What to check: …`). A `Rollback …` line
   * and everything after it belong to the rollback and are shown there, not here.
   */
  failure?: { title: string; details: string[] }
  plan?: Plan
  applied?: Partial<Applied>
  targets?: { targetGroupArn: string; descriptions: TargetHealthDescription[] }[]
  timeline?: { atMs: number; line: string }[]
  /** Stage name → milliseconds. */
  timings: { stage: string; ms: number }[]
  /** What happened after a failure, as RollbackOutcome.summary says it (may hold a diagnosis on later lines). */
  rollback?: string
  rolledBack?: { ok: boolean; restored: string[]; kept: string[] }
  /** Teardown: what was removed. */
  removed?: string[]
  /** Teardown with dry-run: what would be removed. */
  wouldRemove?: string[]
  /** A blue/green deployment a PAUSE hook holds (the promotion gate). */
  paused?: PausedGate
  /** The lifecycle stage `wait-until` stopped the watch at: the deployment goes on without the step. */
  stoppedWaitingAt?: string
}

/**
 * Text as literal Markdown inline content: nothing in a name, an ARN or an AWS message can open
 * emphasis, a link, code, HTML or a table cell, or start a block (heading, list, quote) at the line start.
 */
export function esc(s: string): string {
  return s
    .replace(/[\r\n]+/g, ' ')
    .replace(/[\\`*[\]~|]/g, c => `\\${c}`)
    .replace(/(^|[^\p{L}\p{N}])_|_(?=[^\p{L}\p{N}]|$)/gu, (m: string) => m.replace('_', '\\_'))
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/^(\s*)([#+=-])/, '$1\\$2')
    .replace(/^(\s*\d+)([.)])/, '$1\\$2')
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`

/** A stage's time: most take milliseconds ("0.0 s" would read as if nothing ran), a watch minutes. */
function duration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`
  if (ms < 60_000) return seconds(ms)
  const s = Math.round(ms / 1000)
  return `${Math.floor(s / 60)} min ${s % 60} s`
}

/** Inline code that nothing inside can close, and that cannot break a table row. */
function code(s: string): string {
  const flat = s.replace(/[\r\n]+/g, ' ').replace(/\|/g, '\\|')
  const fence = '`'.repeat(Math.max(0, ...(flat.match(/`+/g) ?? []).map(r => r.length)) + 1)
  const pad = flat.startsWith('`') || flat.endsWith('`') ? ' ' : ''
  return `${fence}${pad}${flat}${pad}${fence}`
}

/** The plan table names resources and actions as the Resources table and the counts line do. */
const RESOURCE_LABEL: Record<ResourceKind, string> = {
  'load-balancer': 'Load balancer',
  'target-group': 'Target group',
  listener: 'Listener',
  'redirect-listener': 'Redirect listener',
  'listener-rule': 'Listener rule',
  'test-listener': 'Test listener',
  'test-listener-rule': 'Test listener rule',
  'task-definition': 'Task definition',
  service: 'Service'
}
const ACTION_LABEL: Record<StepAction, string> = {
  create: 'create',
  update: 'update',
  replace: 'replace',
  none: 'unchanged'
}

/** One change in the plan table: the field as code, then the value (a create has no "before"). */
const changeCell = (step: PlanStep, c: FieldChange): string =>
  `${code(c.field)}: ${esc(changeValues(step, c))}`

const plural = (n: number, one: string): string => `${n} ${one}${n === 1 ? '' : 's'}`

/** Console links, so a reviewer lands on the resource in one click. */
export function consoleLinks(d: SummaryData): { label: string; arn?: string; href?: string }[] {
  const r = d.region
  const base = `https://${r}.console.aws.amazon.com`
  const ec2 = `${base}/ec2/home?region=${r}`
  const a = d.applied ?? {}
  const links: { label: string; arn?: string; href?: string }[] = []
  if (a.loadBalancerArn)
    links.push({
      label: 'Load balancer',
      arn: a.loadBalancerArn,
      href: `${ec2}#LoadBalancer:loadBalancerArn=${a.loadBalancerArn}`
    })
  if (a.targetGroupArn)
    links.push({
      label: 'Target group',
      arn: a.targetGroupArn,
      href: `${ec2}#TargetGroup:targetGroupArn=${a.targetGroupArn}`
    })
  if (a.listenerArn)
    links.push({
      label: d.preview ? "Listener (the base stack's, shared)" : 'Listener',
      arn: a.listenerArn,
      href: `${ec2}#ELBListenerV2:listenerArn=${a.listenerArn}`
    })
  if (a.redirectListenerArn)
    links.push({
      label: 'Redirect listener (HTTP → HTTPS)',
      arn: a.redirectListenerArn,
      href: `${ec2}#ELBListenerV2:listenerArn=${a.redirectListenerArn}`
    })
  if (a.listenerRuleArn)
    links.push({
      label: 'Listener rule',
      arn: a.listenerRuleArn,
      href: `${ec2}#ListenerRuleDetails:ruleArn=${a.listenerRuleArn}`
    })
  if (a.serviceArn)
    links.push({
      label: 'Service',
      arn: a.serviceArn,
      href: `${base}/ecs/v2/clusters/${encodeURIComponent(d.cluster)}/services/${encodeURIComponent(d.serviceName)}/health?region=${r}`
    })
  if (a.taskDefinitionArn) {
    const m = /task-definition\/([^:]+):(\d+)$/.exec(a.taskDefinitionArn)
    links.push({
      label: 'Task definition',
      arn: a.taskDefinitionArn,
      href: m ? `${base}/ecs/v2/task-definitions/${m[1]}/${m[2]}/containers?region=${r}` : undefined
    })
  }
  return links
}

/** A diagnosis as formatDiagnosis writes it, read back: sentences, the evidence list and the hint. */
interface DiagnosisText {
  paragraphs: string[]
  evidence: string[]
  hint?: string
}

function readDiagnosis(lines: string[]): DiagnosisText {
  const out: DiagnosisText = { paragraphs: [], evidence: [] }
  for (const line of lines) {
    const item = /^\s*[-*] (.*)$/.exec(line)
    const hint = /^What to check: (.*)$/.exec(line)
    if (item) out.evidence.push(item[1])
    else if (hint) out.hint = hint[1]
    else if (line.trim() && line.trim() !== 'Evidence:') out.paragraphs.push(line.trim())
  }
  out.evidence = [...new Set(out.evidence)]
  return out
}

/** Markdown blocks separated by one blank line (a list never swallows the paragraph after it). */
const blocks = (...parts: (string[] | undefined)[]): string[] =>
  parts.filter((p): p is string[] => !!p && p.length > 0).flatMap((p, i) => (i ? ['', ...p] : p))

function diagnosisBlocks(t: DiagnosisText, evidenceLabel = 'Evidence:'): string[] {
  return blocks(
    ...t.paragraphs.map(p => [esc(p)]),
    t.evidence.length ? [evidenceLabel] : undefined,
    t.evidence.map(e => `- ${esc(e)}`),
    t.hint ? [`**What to check:** ${esc(t.hint)}`] : undefined
  )
}

/** The failure's own lines, and the rollback's (from its `Rollback …` line on), told apart. */
function splitFailure(d: SummaryData): { own: string[]; rollback?: string } {
  const details = d.failure?.details ?? []
  const at = details.findIndex(l => l.startsWith('Rollback '))
  if (at < 0) return { own: details, rollback: d.rollback }
  const fromMessage = [details[at].slice('Rollback '.length), ...details.slice(at + 1)].join('\n')
  return { own: details.slice(0, at), rollback: d.rollback ?? fromMessage }
}

function heading(d: SummaryData): string {
  const subject = `${esc(d.serviceName)} on ${esc(d.cluster)}${d.preview ? ` (preview ${esc(d.preview)})` : ''}`
  if (d.action === 'teardown') {
    if (d.outcome === 'failure') return `## ❌ ${subject}: teardown failed`
    if (d.outcome === 'dry-run') {
      const n = d.wouldRemove?.length ?? 0
      return `## 📝 ${subject}: dry run, ${n ? `would remove ${plural(n, 'resource')}` : 'nothing to remove'} (nothing changed)`
    }
    return d.removed?.length
      ? `## 🗑️ ${subject}: removed`
      : `## 🗑️ ${subject}: nothing to remove (already gone)`
  }
  if (d.outcome === 'failure') return `## ❌ ${subject}: deploy failed`
  if (d.paused)
    return `## ⏸️ ${subject}: paused at ${esc(d.paused.lifecycleStage ?? 'a lifecycle hook')}, waiting for promote`
  if (d.stoppedWaitingAt)
    return `## ✅ ${subject}: deploying, stopped waiting at ${esc(d.stoppedWaitingAt)} (wait-until); ECS continues on its own`
  const planned = d.plan ? d.plan.steps.filter(s => s.action !== 'none').length : undefined
  if (d.outcome === 'dry-run')
    return planned === 0
      ? `## 📝 ${subject}: dry run, nothing to change`
      : `## 📝 ${subject}: dry run${planned ? `, ${plural(planned, 'change')} planned` : ''} (nothing changed)`
  const unchanged = d.applied?.changed === false || (d.applied?.changed === undefined && planned === 0)
  return unchanged ? `## ✅ ${subject}: up to date, nothing to change` : `## ✅ ${subject}: deployed`
}

function rollbackSection(d: SummaryData, rollback: string | undefined, shown: DiagnosisText): string[] {
  const rb = d.rolledBack
  const listed = !!rb && rb.restored.length + rb.kept.length > 0
  if (!rollback && !listed) return []
  const [first = '', ...rest] = (rollback ?? '').split('\n')
  // "Rolled back" only once production was seen healthy again; before that it is an attempt.
  const sectionTitle = rb?.ok
    ? '### Rolled back'
    : first.startsWith('did not succeed')
      ? '### Rollback attempted (production not yet healthy)'
      : '### Rollback'
  // The lists below say what "(restored: …)" or "(kept: …)" says.
  const stated = listed ? first.replace(/ \((restored|kept): .*\)$/, '') : first
  // A rollback that fails as the deploy did would repeat the alert's title word for word.
  const title = d.failure?.title
  const line =
    title && stated.endsWith(`: ${title}`)
      ? `${stated.slice(0, -title.length)}the same failure as above`
      : stated
  const group = (label: string, items: string[]): string[] =>
    items.length ? [`- ${label}`, ...items.map(i => `  - ${esc(i)}`)] : []
  const own = readDiagnosis(rest)
  // The rollback's watch often sees what the deploy's saw: say only what is new.
  const repeated = own.evidence.filter(e => shown.evidence.includes(e)).length
  const evidence = own.evidence.filter(e => !shown.evidence.includes(e))
  if (repeated && evidence.length)
    evidence.push(`… and ${plural(repeated, 'observation')} as in the diagnosis above`)
  const diagnosis: DiagnosisText = {
    paragraphs: own.paragraphs,
    evidence,
    hint: own.hint !== shown.hint ? own.hint : undefined
  }
  return blocks(
    [sectionTitle],
    line ? [`**Rollback:** ${esc(line)}`] : undefined,
    rb ? [...group('Restored:', rb.restored), ...group('Kept:', rb.kept)] : undefined,
    diagnosisBlocks(diagnosis, "The rollback's watch saw:"),
    repeated && !evidence.length
      ? [`The rollback's watch saw the same ${plural(repeated, 'observation')} as the diagnosis above.`]
      : undefined
  )
}

/** The promotion gate: where the new revision answers and how to let it through. */
function gateSection(p: PausedGate): string[] {
  return [
    '### Promotion gate',
    '',
    '| | |',
    '| --- | --- |',
    `| Hook | \`${esc(p.hookId)}\` |`,
    ...(p.testUrl ? [`| Test URL | ${esc(p.testUrl)} |`] : []),
    ...(p.serviceDeploymentArn ? [`| Service deployment | \`${esc(p.serviceDeploymentArn)}\` |`] : []),
    '',
    'Production still serves the previous revision. Run the action with the same `cluster` and `service` and `promote: continue` to shift production, or `promote: rollback`.',
    ''
  ]
}

/** The job summary as GitHub-flavoured Markdown. Never holds credentials or secret values. */
export function renderSummary(d: SummaryData): string {
  const out: string[] = [heading(d), '']
  if (d.paused) out.push(...gateSection(d.paused))

  const { own, rollback } = splitFailure(d)
  const shown = readDiagnosis(own)
  if (d.failure) {
    const body = blocks([`**${esc(d.failure.title)}**`], diagnosisBlocks(shown))
    out.push('> [!CAUTION]', ...body.map(l => (l ? `> ${l}` : '>')), '')
  }
  // Where it answers, before the rollback's section: a paragraph after it would read as part of it.
  const a = d.applied ?? {}
  if (a.url) out.push(`**URL:** [${esc(a.url)}](${a.url.replace(/[()\s]/g, encodeURIComponent)})`, '')
  else if (a.dnsName) out.push(`**DNS name:** \`${a.dnsName}\``, '')

  const rb = rollbackSection(d, rollback, shown)
  if (rb.length) out.push(...rb, '')

  if (d.removed) {
    out.push('### Removed', '')
    for (const r of d.removed) out.push(`- ${esc(r)}`)
    if (!d.removed.length) out.push('Nothing: it was already gone.')
    out.push('')
  }
  if (d.wouldRemove) {
    out.push('### Would remove', '')
    for (const r of d.wouldRemove) out.push(`- ${esc(r)}`)
    if (!d.wouldRemove.length) out.push('Nothing: it is already gone.')
    out.push('')
  }

  if (d.plan) {
    const c = planCounts(d.plan)
    out.push(
      `### Plan`,
      '',
      `${c.create} to create · ${c.update} to update · ${c.replace} to replace · ${c.none} unchanged`,
      ''
    )
    if (!d.plan.steps.some(s => s.action !== 'none'))
      out.push('Nothing to change: every resource already matches the inputs.', '')
    out.push('| Resource | Name | Action | Changes |', '| --- | --- | --- | --- |')
    for (const s of d.plan.steps) {
      const changes = [
        s.reason ? `why: ${esc(s.reason)}` : '',
        ...s.changes.map(c => changeCell(s, c))
      ].filter(Boolean)
      out.push(
        `| ${RESOURCE_LABEL[s.resource]} | ${esc(s.name)} | ${ACTION_LABEL[s.action]} | ${changes.length ? changes.join('<br>') : '—'} |`
      )
    }
    for (const w of d.plan.warnings) out.push('', `> [!WARNING]`, `> ${esc(w)}`)
    out.push('')
  }

  if (d.targets?.length) {
    out.push(
      '### Target health',
      '',
      '| Target group | Target | Port | State | Reason |',
      '| --- | --- | --- | --- | --- |'
    )
    for (const tg of d.targets) {
      const name = /targetgroup\/([^/]+)\//.exec(tg.targetGroupArn)?.[1] ?? tg.targetGroupArn
      if (!tg.descriptions.length) out.push(`| ${esc(name)} | — | — | no targets | — |`)
      for (const t of tg.descriptions) {
        const h = t.TargetHealth
        const reason = [h?.Reason, h?.Description].filter(Boolean).join(': ')
        out.push(
          `| ${esc(name)} | ${esc(t.Target?.Id ?? '?')} | ${t.Target?.Port ?? ''} | ${esc(h?.State ?? '?')} | ${esc(reason) || '—'} |`
        )
      }
    }
    out.push('')
  }

  const links = consoleLinks(d)
  if (links.length) {
    out.push('### Resources', '', '| Resource | ARN |', '| --- | --- |')
    for (const l of links) {
      const arn = l.arn ? `\`${l.arn}\`` : '—'
      out.push(`| ${l.href ? `[${esc(l.label)}](${l.href})` : esc(l.label)} | ${arn} |`)
    }
    if (a.deploymentId) out.push(`| Deployment | \`${a.deploymentId}\` |`)
    out.push('')
  }

  if (d.timeline?.length) {
    const lines = d.timeline.map(t => `${seconds(t.atMs).padStart(8)}  ${t.line}`)
    // A fence longer than any run of backticks in the lines, so none can close it.
    const longest = Math.max(2, ...lines.flatMap(l => (l.match(/`+/g) ?? []).map(r => r.length)))
    const fence = '`'.repeat(longest + 1)
    out.push(
      '<details><summary>Rollout timeline</summary>',
      '',
      `${fence}text`,
      ...lines,
      fence,
      '',
      '</details>',
      ''
    )
  }

  if (d.timings.length) {
    out.push('### Timings', '', '| Stage | Time |', '| --- | --- |')
    for (const t of d.timings) out.push(`| ${esc(t.stage)} | ${duration(t.ms)} |`)
    out.push('')
  }
  return out.join('\n')
}
