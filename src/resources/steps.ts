import type { Operation } from '../model/plan.js'

/** The AWS calls a step makes, in order, for the plan's readers (the probe is not a change). */
export function stepCalls(operations: Operation[]): string[] {
  return operations.filter(o => o.do.call !== 'ProbeHealthCheck').map(o => o.do.call)
}
