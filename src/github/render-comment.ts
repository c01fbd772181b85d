import type { TargetHealthDescription } from '@aws-sdk/client-elastic-load-balancing-v2'
import { commentMarker, previewEnvironment } from './environment.js'
import type { PausedGate } from '../model/deployment-strategy.js'

export type CommentOutcome = 'success' | 'failure' | 'in_progress' | 'paused' | 'dry-run' | 'deleted'

export interface PrCommentData {
  previewId: string
  /** Defaults to the preview's environment; the marker is derived from it. */
  environment?: string
  url?: string
  sha: string
  /** Target health per target group, as the watch last saw it. */
  targets?: { targetGroupArn: string; descriptions: TargetHealthDescription[] }[]
  /** The plan as text (renderPlanText's lines). */
  planLines: string[]
  outcome: CommentOutcome
  /** Failure: the diagnosis (first line is the title). */
  failure?: string
  /** Teardown: what was removed. */
  removed?: string[]
  /** The promotion gate (outcome paused). */
  paused?: PausedGate
}

const HEADLINE: Record<CommentOutcome, string> = {
  success: '✅ Preview {id} is deployed',
  failure: '❌ Preview {id} failed to deploy',
  in_progress: '⏳ Preview {id} is being deployed',
  paused: '⏸️ {id} is paused at the promotion gate',
  'dry-run': '📝 Preview {id}: dry run (nothing changed)',
  deleted: '🧹 Preview {id} was removed'
}

const esc = (s: string): string => s.replace(/\|/g, '\\|').replace(/</g, '&lt;').replace(/>/g, '&gt;')

/** A fence longer than any backtick run inside, so no plan line can close it. */
function fenced(lines: string[]): string[] {
  const longest = Math.max(2, ...lines.map(l => Math.max(0, ...(l.match(/`+/g) ?? []).map(m => m.length))))
  const fence = '`'.repeat(longest + 1)
  return [fence, ...lines, fence]
}

function targetName(d: TargetHealthDescription): string {
  const t = d.Target
  return `${t?.Id ?? '?'}${t?.Port ? `:${t.Port}` : ''}`
}

function healthLines(targets: NonNullable<PrCommentData['targets']>): string[] {
  const all = targets.flatMap(t => t.descriptions)
  if (all.length === 0) return ['| Targets | none registered |']
  const healthy = all.filter(d => d.TargetHealth?.State === 'healthy').length
  const detail = all
    .map(d => {
      const h = d.TargetHealth
      return `\`${esc(targetName(d))}\` ${esc(h?.State ?? 'unknown')}${h?.Reason ? ` (${esc(h.Reason)})` : ''}`
    })
    .join('<br>')
  return [`| Targets | ${healthy}/${all.length} healthy<br>${detail} |`]
}

/** The body of the PR comment; starts with the hidden marker upsertPrComment finds it by. */
export function renderPrComment(d: PrCommentData): string {
  const environment = d.environment ?? previewEnvironment(d.previewId)
  const out: string[] = [commentMarker(environment)]
  out.push(`### ${HEADLINE[d.outcome].replace('{id}', `\`${d.previewId}\``)}`, '')
  if (d.failure) {
    const [title, ...details] = d.failure.split('\n')
    out.push('> [!CAUTION]', `> **${esc(title ?? '')}**`, ...details.map(l => `> ${esc(l)}`), '')
  }
  out.push('| | |', '| --- | --- |')
  if (d.url && d.outcome !== 'deleted') out.push(`| URL | ${d.url} |`)
  out.push(`| Commit | \`${d.sha.slice(0, 7)}\` |`, `| Environment | \`${esc(environment)}\` |`)
  if (d.paused) {
    out.push(`| Hook | \`${esc(d.paused.hookId)}\` (${esc(d.paused.lifecycleStage ?? '?')}) |`)
    if (d.paused.testUrl) out.push(`| Test URL | ${d.paused.testUrl} |`)
    out.push('| Next | `promote: continue` or `promote: rollback` |')
  }
  if (d.targets && d.outcome !== 'deleted') out.push(...healthLines(d.targets))
  out.push('')
  if (d.removed) {
    out.push(
      d.removed.length ? 'Removed:' : 'Nothing left to remove.',
      ...d.removed.map(r => `- ${esc(r)}`),
      ''
    )
  }
  if (d.planLines.length > 0) {
    out.push('<details><summary>Plan</summary>', '', ...fenced(d.planLines), '', '</details>', '')
  }
  return out.join('\n')
}
