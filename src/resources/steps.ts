import type { ChangeCall, Operation } from '../model/plan.js'

/**
 * The calls a health-check probe makes when the target group has healthy targets to prove the new check
 * on (it makes none of them when it has not): a temporary group and rule, created and removed again.
 */
export const PROBE_CALLS = [
  'CreateTargetGroup',
  'CreateRule',
  'RegisterTargets',
  'DeleteRule',
  'DeleteTargetGroup'
] as const

/** The mutating AWS calls a step makes, in order, for the plan's readers (the wait makes none). */
export function stepCalls(operations: Operation[]): string[] {
  return operations.flatMap(o =>
    o.do.call === 'ProbeHealthCheck' ? [...PROBE_CALLS] : o.do.call === 'WaitForTargets' ? [] : [o.do.call]
  )
}

/**
 * How a created resource is undone: removed again, or kept with the reason (a failed first deploy keeps
 * its stack for inspection).
 */
export function removeOrKeep(opts: {
  kept?: string
  remove: ChangeCall
}): Pick<Operation, 'inverse' | 'kept'> {
  return opts.kept ? { kept: opts.kept } : { inverse: opts.remove }
}
