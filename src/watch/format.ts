import type { Diagnosis } from './types.js'

const MAX_EVIDENCE = 12

/** The diagnosis as the text of the action's error message. */
export function formatDiagnosis(d: Diagnosis): string {
  const lines = [`${d.title}: ${d.cause}`]
  const evidence = [...new Set(d.evidence)]
  if (evidence.length) {
    lines.push('Evidence:')
    for (const e of evidence.slice(0, MAX_EVIDENCE)) lines.push(`  - ${e}`)
    if (evidence.length > MAX_EVIDENCE) lines.push(`  - … and ${evidence.length - MAX_EVIDENCE} more`)
  }
  if (d.hint) lines.push(`What to check: ${d.hint}`)
  return lines.join('\n')
}
