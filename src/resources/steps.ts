import type { Operation } from '../model/plan.js'

/** The AWS calls a step makes, in order, for the plan's readers (the probe and the wait change nothing). */
export function stepCalls(operations: Operation[]): string[] {
  return operations
    .filter(o => o.do.call !== 'ProbeHealthCheck' && o.do.call !== 'WaitForTargets')
    .map(o => o.do.call)
}
