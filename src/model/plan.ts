/**
 * The plan: what discover found, what the request asks, and the steps between them. Pure data, so
 * it can be printed (dry-run), set as the `plan` output and compared with the emulator's call log.
 */
export type ResourceKind =
  | 'load-balancer'
  | 'target-group'
  | 'listener'
  | 'redirect-listener'
  | 'listener-rule'
  | 'task-definition'
  | 'service'

export type StepAction = 'create' | 'update' | 'replace' | 'none'

export interface FieldChange {
  /** Dotted path, e.g. `containerDefinitions[app].image` or `HealthCheckPath`. */
  field: string
  from?: unknown
  to?: unknown
  /** A secret: the summary and logs say "changed", never the value. */
  secret?: boolean
}

export interface PlanStep {
  resource: ResourceKind
  /** Name or id a person recognises (alb-demo, ecscompose-ecs-app, :80 HTTP, …). */
  name: string
  action: StepAction
  changes: FieldChange[]
  /** The ARN when the resource exists already. */
  arn?: string
  /** Why, for replace or for a step that is not obvious (e.g. "protocol cannot change in place"). */
  reason?: string
  /** The AWS calls the step will make, in order (e.g. ["CreateTargetGroup", "AddTags"]). */
  calls: string[]
}

export interface Plan {
  steps: PlanStep[]
  /** Warnings found while planning (placeholder ARN replaced, VPC filled in, …). */
  warnings: string[]
  changed: boolean
}

/** What apply resolved: every ARN the outputs and the watch need. */
export interface Applied {
  loadBalancerArn?: string
  dnsName?: string
  /** http(s)://dns[:port][/path] */
  url?: string
  targetGroupArn?: string
  listenerArn?: string
  listenerRuleArn?: string
  serviceArn: string
  taskDefinitionArn: string
  /** The task definition the service ran before this run (for rollback); absent when it was created. */
  previousTaskDefinitionArn?: string
  /** True when this run created the service. */
  serviceCreated: boolean
  /** The PRIMARY deployment after apply (the one to watch). */
  deploymentId?: string
  /** Whether apply made any mutating call. */
  changed: boolean
}
