import type { ResourceKind } from './plan.js'

/**
 * What a teardown (`delete: true`) will remove, read before anything is removed: printed and set as the
 * `plan` output by a dry run, carried out otherwise. Pure data.
 */

export interface Removal {
  resource: Extract<ResourceKind, 'service' | 'listener-rule' | 'target-group' | 'task-definition'>
  /** Name a person recognises: the service, `family:revision`, the target group, a rule's ARN. */
  name: string
  arn?: string
  /** A listener rule's priority, to tell it apart in the log. */
  priority?: string
  /** The AWS calls removing it makes, in order. */
  calls: string[]
}

export interface TeardownPlan {
  /** In the order they are removed: the service, the listener rule, target groups, task definitions. */
  removals: Removal[]
  /** What is left alone and why (already gone, not this stack's, shared). */
  skipped: string[]
}

const LABEL: Record<Removal['resource'], string> = {
  service: 'service',
  'listener-rule': 'listener rule',
  'target-group': 'target group',
  'task-definition': 'task definition'
}

/** `service web-pr-1`, `listener rule arn:… (priority 1012)`: one removal as the log and summary name it. */
export function removalLabel(r: Removal): string {
  return `${LABEL[r.resource]} ${r.name}${r.priority ? ` (priority ${r.priority})` : ''}`
}
