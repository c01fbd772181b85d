import type {
  TagResourceCommandInput,
  UntagResourceCommandInput,
  CreateServiceCommandInput,
  DeregisterTaskDefinitionCommandInput,
  RegisterTaskDefinitionCommandInput,
  UpdateServiceCommandInput
} from '@aws-sdk/client-ecs'
import type {
  AddTagsCommandInput,
  RemoveTagsCommandInput,
  CreateListenerCommandInput,
  CreateLoadBalancerCommandInput,
  CreateRuleCommandInput,
  CreateTargetGroupCommandInput,
  DeleteRuleCommandInput,
  ModifyListenerCommandInput,
  ModifyLoadBalancerAttributesCommandInput,
  ModifyRuleCommandInput,
  ModifyTargetGroupAttributesCommandInput,
  ModifyTargetGroupCommandInput,
  SetRulePrioritiesCommandInput,
  SetSecurityGroupsCommandInput,
  SetSubnetsCommandInput,
  TargetGroup
} from '@aws-sdk/client-elastic-load-balancing-v2'

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
  | 'test-listener'
  | 'test-listener-rule'
  | 'task-definition'
  | 'service'

export type StepAction = 'create' | 'update' | 'replace' | 'none'

export interface FieldChange {
  /** Dotted path, e.g. `containerDefinitions[app].image` or `HealthCheckPath`. */
  field: string
  from?: unknown
  /** Task definition environment values are fingerprints here, never values (model/redact.ts). */
  to?: unknown
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
  /** The AWS calls the step will make, in order (e.g. ["CreateTargetGroup", "AddTags"]): for reading only. */
  calls: string[]
  /** What apply executes, in order; rollback executes their inverses, newest first. */
  operations: Operation[]
}

/**
 * Placeholders for what a create returns, written where later inputs need it (a target group ARN in a
 * listener's action, a VPC id in a target group): apply swaps them for the real values as they arrive.
 */
export interface Produces {
  arn: string
  vpcId?: string
}

/** What the health-check probe needs to prove new settings against a live target group's targets. */
export interface ProbeInput {
  /** The live target group, as discover saw it. */
  targetGroup: TargetGroup
  /** The health-check settings ModifyTargetGroup is about to send. */
  settings: ModifyTargetGroupCommandInput
  /** The listener the probe's traffic-free rule goes on. */
  listenerArn: string
}

/** One AWS call with the exact input it sends; `produces` for the calls that create something. */
export type Call =
  | { call: 'CreateLoadBalancer'; input: CreateLoadBalancerCommandInput; produces: Produces }
  | { call: 'SetSecurityGroups'; input: SetSecurityGroupsCommandInput }
  | { call: 'SetSubnets'; input: SetSubnetsCommandInput }
  | { call: 'ModifyLoadBalancerAttributes'; input: ModifyLoadBalancerAttributesCommandInput }
  | { call: 'CreateTargetGroup'; input: CreateTargetGroupCommandInput; produces: Produces }
  | { call: 'ModifyTargetGroup'; input: ModifyTargetGroupCommandInput }
  | { call: 'ModifyTargetGroupAttributes'; input: ModifyTargetGroupAttributesCommandInput }
  | { call: 'CreateListener'; input: CreateListenerCommandInput; produces: Produces }
  | { call: 'ModifyListener'; input: ModifyListenerCommandInput }
  | {
      call: 'CreateRule'
      input: CreateRuleCommandInput
      produces: Produces
      /** Another free priority in this band may be taken when a concurrent run took the planned one. */
      priorityRange?: [number, number]
    }
  | { call: 'ModifyRule'; input: ModifyRuleCommandInput }
  | { call: 'SetRulePriorities'; input: SetRulePrioritiesCommandInput }
  | { call: 'DeleteRule'; input: DeleteRuleCommandInput }
  | { call: 'RegisterTaskDefinition'; input: RegisterTaskDefinitionCommandInput; produces: Produces }
  | { call: 'DeregisterTaskDefinition'; input: DeregisterTaskDefinitionCommandInput }
  | { call: 'CreateService'; input: CreateServiceCommandInput; produces: Produces }
  | { call: 'UpdateService'; input: UpdateServiceCommandInput }
  /** Tags the inputs give, on an ELBv2 / ECS resource that exists already (and their undoing). */
  | { call: 'AddTags'; input: AddTagsCommandInput }
  | { call: 'RemoveTags'; input: RemoveTagsCommandInput }
  | { call: 'TagResource'; input: TagResourceCommandInput }
  | { call: 'UntagResource'; input: UntagResourceCommandInput }
  /** Not a change: proves new health-check settings on the current targets, and cleans up after itself. */
  | { call: 'ProbeHealthCheck'; input: ProbeInput }
  /**
   * Not a change: waits until the deployment the last UpdateService started is complete and every target
   * of the target group healthy, before traffic is moved to it.
   */
  | { call: 'WaitForTargets'; input: { targetGroupArn: string; taskDefinitionArn: string } }

export type CallName = Call['call']

/** A call that changes something (everything but the probe and the wait). */
export type ChangeCall = Exclude<Call, { call: 'ProbeHealthCheck' | 'WaitForTargets' }>

/**
 * A reversible step of the plan: the call, and how to undo it, built from what discover saw. `inverse`
 * is absent when there is nothing to undo; `kept` then says why (a resource this run created stays for
 * inspection and is removed by a teardown).
 */
export interface Operation {
  do: Call
  inverse?: ChangeCall
  kept?: string
  /** One line for the log, e.g. `modified target group web: HealthCheckPath`. */
  says: string
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
  /** The HTTP listener that redirects to HTTPS (redirect-http-to-https). */
  redirectListenerArn?: string
  listenerRuleArn?: string
  serviceArn: string
  taskDefinitionArn: string
  /** The task definition the service ran before this run; absent when it was created. */
  previousTaskDefinitionArn?: string
  /** The operations apply executed, in order, with their placeholders resolved: what a rollback undoes. */
  journal: Operation[]
  /** True when this run created the service. */
  serviceCreated: boolean
  /** The PRIMARY deployment after apply (the one to watch). */
  deploymentId?: string
  /** Whether apply made any mutating call. */
  changed: boolean
  /**
   * The health check this run changed, if it did: until the new settings had time to fail a target, a
   * `healthy` state is the old check's (unless a probe proved the new one first).
   */
  healthCheckChange?: {
    at: number
    intervalSeconds: number
    timeoutSeconds: number
    unhealthyThreshold: number
    proven: boolean
  }
}
