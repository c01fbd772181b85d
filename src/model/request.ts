import type {
  CreateServiceCommandInput,
  RegisterTaskDefinitionCommandInput,
  Tag as EcsTag
} from '@aws-sdk/client-ecs'
import type {
  Action,
  Certificate,
  CreateLoadBalancerCommandInput,
  CreateTargetGroupCommandInput,
  RuleCondition
} from '@aws-sdk/client-elastic-load-balancing-v2'
import type { WaitUntil } from './deployment-strategy.js'

/**
 * Everything the action was asked to do, read once from the inputs and validated. Every later stage
 * takes this object; nothing below the inputs stage (src/inputs/) calls `core.getInput`.
 */
export interface DeployRequest {
  cluster: string
  region?: string
  /** CreateService input shape; `cluster` is filled from the `cluster` input. */
  service: CreateServiceCommandInput & { serviceName: string }
  taskDefinition: TaskDefinitionRequest
  /** Absent: the service runs without a load balancer (nothing to create or watch on the ELB side). */
  loadBalancer?: LoadBalancerRequest
  /** CreateTargetGroup input shape; `VpcId` may be absent (taken from the load balancer). */
  targetGroup?: CreateTargetGroupCommandInput & { Name: string }
  /**
   * Attributes to hold (ModifyLoadBalancerAttributes), by key; keys left out keep their values. Only with a
   * load balancer the action manages.
   */
  loadBalancerAttributes?: Record<string, string>
  /** Target group attributes to hold (ModifyTargetGroupAttributes), by key; keys left out keep their values. */
  targetGroupAttributes?: Record<string, string>
  listener: ListenerRequest
  /** When present, the service is routed by a rule on the listener instead of its default action. */
  listenerRule?: ListenerRuleRequest
  /** Also keep an HTTP listener on port 80 that redirects to the HTTPS listener. */
  redirectHttpToHttps: boolean
  /**
   * Under a native strategy (BLUE_GREEN, LINEAR, CANARY): the listener whose rule serves the new revision
   * before production does (ECS's test listener rule). Absent: no test traffic stage.
   */
  testListener?: ListenerRequest
  /** The step succeeds once the service deployment reaches this lifecycle stage, or completes. */
  waitUntil: WaitUntil
  /** Act on the service's paused deployment instead of deploying (ContinueServiceDeployment). */
  promote?: 'continue' | 'rollback'
  desiredCount?: number
  forceNewDeployment: boolean
  /** Tags put on everything the action creates, besides its ownership tag. */
  tags: { Key: string; Value: string }[]
  wait: WaitOptions
  dryRun: boolean
  summary: boolean
  /** Modify resources that exist but lack the action's ownership tag. */
  adoptExisting: boolean
  maxAttempts: number
  /** A PR preview: names, rule and tags derived from the base inputs (src/preview.ts). */
  preview?: PreviewOptions
  /** Tear down (the preview's or the stack's owned resources) instead of deploying. */
  delete: boolean
  /** Confirms a teardown without a preview: it removes the base stack itself. */
  deleteBaseStack: boolean
  /** GitHub deployment + PR comment; absent: skipped with one notice. */
  githubToken?: string
}

export interface PreviewOptions {
  /** e.g. pr-123; lower case letters, digits and hyphens. */
  id: string
  routing: 'host' | 'path'
  /** For host routing: e.g. "{id}.preview.example.com". */
  hostTemplate: string
  /** Band for the preview rule's priority (listener-rule-priority-range). */
  priorityRange?: [number, number]
}

export type TaskDefinitionRequest =
  /** Register this definition unless the family's latest ACTIVE revision is the same. */
  | { kind: 'register'; input: RegisterTaskDefinitionCommandInput & { family: string }; source: string }
  /**
   * Use an existing revision: `family`, `family:revision` or a task definition ARN. With `images` (container
   * → image), that revision with those images is registered into its family, unless the family's latest
   * ACTIVE revision is already the same.
   */
  | { kind: 'reference'; ref: string; images?: Record<string, string> }

export type LoadBalancerRequest =
  /** Create or update to this shape. */
  | { kind: 'manage'; input: CreateLoadBalancerCommandInput & { Name: string } }
  /** Reuse an existing load balancer, never modify it. */
  | { kind: 'reuse'; name?: string; arn?: string }

export interface ListenerRequest {
  Port: number
  Protocol: 'HTTP' | 'HTTPS'
  Certificates?: Certificate[]
  SslPolicy?: string
  AlpnPolicy?: string[]
  /** Default actions for the listener; absent means "forward to the managed target group". */
  DefaultActions?: Action[]
}

export interface ListenerRuleRequest {
  Conditions: RuleCondition[]
  /** Absent: allocated deterministically from the conditions within `priorityRange`. */
  Priority?: number
  priorityRange: [number, number]
}

export interface WaitOptions {
  enabled: boolean
  minutes: number
  pollIntervalSeconds: number
  rollbackOnFailure: boolean
  /** What to do with a service this run created when its first deployment fails. */
  newServiceOnFailure: 'keep' | 'scale-to-zero'
}

export type { EcsTag }
