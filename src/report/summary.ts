import type { TargetHealthDescription } from '@aws-sdk/client-elastic-load-balancing-v2'
import type { Applied, Plan } from '../model/plan.js'
import { planCounts, stepChangeLine } from './plan-text.js'

/** What the job summary shows; gathered by main as the stages run. Pure data, rendered below. */
export interface SummaryData {
  cluster: string
  serviceName: string
  region: string
  outcome: 'success' | 'failure' | 'dry-run'
  /** The error message / diagnosis, shown first on failure. */
  failure?: { title: string; details: string[] }
  plan?: Plan
  applied?: Partial<Applied>
  targets?: { targetGroupArn: string; descriptions: TargetHealthDescription[] }[]
  timeline?: { atMs: number; line: string }[]
  /** Stage name → milliseconds. */
  timings: { stage: string; ms: number }[]
  rollback?: string
  rolledBack?: { ok: boolean; restored: string[]; kept: string[] }
  /** Teardown: what was removed. */
  removed?: string[]
  /** Teardown with dry-run: what would be removed. */
  wouldRemove?: string[]
}

const esc = (s: string): string => s.replace(/\|/g, '\\|').replace(/</g, '&lt;').replace(/>/g, '&gt;')

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`

const ICON: Record<SummaryData['outcome'], string> = { success: '✅', failure: '❌', 'dry-run': '📝' }

/** Console links, so a reviewer lands on the resource in one click. */
export function consoleLinks(d: SummaryData): { label: string; arn?: string; href?: string }[] {
  const r = d.region
  const base = `https://${r}.console.aws.amazon.com`
  const a = d.applied ?? {}
  const links: { label: string; arn?: string; href?: string }[] = []
  if (a.loadBalancerArn)
    links.push({
      label: 'Load balancer',
      arn: a.loadBalancerArn,
      href: `${base}/ec2/home?region=${r}#LoadBalancer:loadBalancerArn=${a.loadBalancerArn}`
    })
  if (a.targetGroupArn)
    links.push({
      label: 'Target group',
      arn: a.targetGroupArn,
      href: `${base}/ec2/home?region=${r}#TargetGroup:targetGroupArn=${a.targetGroupArn}`
    })
  if (a.listenerArn) links.push({ label: 'Listener', arn: a.listenerArn })
  if (a.listenerRuleArn) links.push({ label: 'Listener rule', arn: a.listenerRuleArn })
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

/** The job summary as GitHub-flavoured Markdown. Never holds credentials or secret values. */
export function renderSummary(d: SummaryData): string {
  const out: string[] = []
  const verb = { success: 'deployed', failure: 'deploy failed', 'dry-run': 'dry run (nothing changed)' }[
    d.outcome
  ]
  out.push(`## ${ICON[d.outcome]} ${esc(d.serviceName)} on ${esc(d.cluster)}: ${verb}`, '')

  if (d.failure) {
    out.push(`> [!CAUTION]`, `> **${esc(d.failure.title)}**`)
    for (const line of d.failure.details) out.push(`> ${esc(line)}`)
    out.push('')
  }
  if (d.rollback) out.push(`**Rollback:** ${esc(d.rollback)}`, '')
  if (d.rolledBack && (d.rolledBack.restored.length || d.rolledBack.kept.length)) {
    // "Rolled back" only once production was seen healthy again; before that it is an attempt.
    out.push(d.rolledBack.ok ? '### Rolled back' : '### Rollback attempted (production not yet healthy)', '')
    for (const r of d.rolledBack.restored) out.push(`- restored: ${esc(r)}`)
    for (const k of d.rolledBack.kept) out.push(`- kept: ${esc(k)}`)
    out.push('')
  }
  if (d.removed) {
    out.push('### Removed', '')
    for (const r of d.removed) out.push(`- ${esc(r)}`)
    if (!d.removed.length) out.push('- nothing: it was already gone')
    out.push('')
  }
  if (d.wouldRemove) {
    out.push('### Would remove', '')
    for (const r of d.wouldRemove) out.push(`- ${esc(r)}`)
    if (!d.wouldRemove.length) out.push('- nothing: it is already gone')
    out.push('')
  }

  const a = d.applied ?? {}
  if (a.url) out.push(`**URL:** ${a.url}`, '')
  else if (a.dnsName) out.push(`**DNS name:** \`${a.dnsName}\``, '')

  if (d.plan) {
    const c = planCounts(d.plan)
    out.push(
      `### Plan`,
      '',
      `${c.create} to create · ${c.update} to update · ${c.replace} to replace · ${c.none} unchanged`,
      '',
      '| Resource | Name | Action | Changes |',
      '| --- | --- | --- | --- |'
    )
    for (const s of d.plan.steps) {
      const changes = [
        s.reason ? `why: ${s.reason}` : '',
        ...s.changes.map(c => stepChangeLine(s, c))
      ].filter(Boolean)
      out.push(
        `| ${s.resource} | ${esc(s.name)} | ${s.action} | ${changes.length ? changes.map(esc).join('<br>') : '—'} |`
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
          `| ${esc(name)} | ${esc(t.Target?.Id ?? '?')} | ${t.Target?.Port ?? ''} | ${h?.State ?? '?'} | ${esc(reason) || '—'} |`
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
      out.push(`| ${l.href ? `[${l.label}](${l.href})` : l.label} | ${arn} |`)
    }
    if (a.deploymentId) out.push(`| Deployment | \`${a.deploymentId}\` |`)
    out.push('')
  }

  if (d.timeline?.length) {
    out.push('<details><summary>Rollout timeline</summary>', '', '```text')
    for (const t of d.timeline) out.push(`${seconds(t.atMs).padStart(8)}  ${t.line}`)
    out.push('```', '', '</details>', '')
  }

  if (d.timings.length) {
    out.push('### Timings', '', '| Stage | Time |', '| --- | --- |')
    for (const t of d.timings) out.push(`| ${t.stage} | ${seconds(t.ms)} |`)
    out.push('')
  }
  return out.join('\n')
}
