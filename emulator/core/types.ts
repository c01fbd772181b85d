import type { Clock } from './clock.js'

/** What every request handler gets. */
export interface RequestContext {
  region: string
  accountId: string
  clock: Clock
  /** The emulator's own base URL (http://127.0.0.1:PORT). */
  baseUrl: string
  /** Caller's access key id, from the SigV4 Authorization header (for IAM enforcement). */
  accessKeyId?: string
}

export interface DecodedRequest {
  operation: string
  params: Record<string, unknown>
}

export interface EncodedResponse {
  status: number
  headers: Record<string, string>
  body: string
}

/**
 * One emulated AWS service: its wire protocol and its operations. The server core does the rest
 * (routing, call log, faults, IAM) identically for every service.
 */
export interface ServiceModule {
  readonly service: 'ecs' | 'elbv2'
  /** IAM prefix: "ecs" or "elasticloadbalancing". */
  readonly iamPrefix: string
  /** True when this request belongs to this service. */
  claims(headers: Record<string, string | string[] | undefined>, body: string): boolean
  decode(headers: Record<string, string | string[] | undefined>, body: string): DecodedRequest
  isMutating(operation: string): boolean
  handle(operation: string, params: Record<string, unknown>, ctx: RequestContext): Promise<unknown> | unknown
  encodeResult(operation: string, result: unknown, requestId: string): EncodedResponse
  encodeError(
    code: string,
    message: string,
    status: number,
    fault: 'Sender' | 'Receiver',
    requestId: string
  ): EncodedResponse
  /**
   * Module-specific control routes under /_emulator/ (e.g. "listeners", "tasks/stop"). Return
   * undefined when the route is not this module's.
   */
  control?(method: string, route: string, body: unknown): Promise<unknown> | unknown
  /** A resource's tags by ARN (for aws:ResourceTag/<key> in IAM conditions); undefined when not this module's. */
  resourceTags?(arn: string): Record<string, string> | undefined
  /** Control API: state dump, reset to the seeded account, stop every server and timer it owns. */
  dump(): unknown
  reset(): Promise<void> | void
  stop(): Promise<void>
}

/** A target as ELBv2 knows it (Id + Port) and where it really listens on this machine. */
export interface TargetRef {
  id: string
  port: number
  availabilityZone?: string
}

export interface TargetAddress {
  host: string
  port: number
}

export type TargetHealthState = 'initial' | 'healthy' | 'unhealthy' | 'unused' | 'draining' | 'unavailable'

export interface TargetHealthView {
  state: TargetHealthState
  reason?: string
  description?: string
}

export interface TargetGroupView {
  arn: string
  name: string
  protocol: string
  port: number
  targetType: 'instance' | 'ip' | 'lambda' | 'alb'
  vpcId?: string
  loadBalancerArns: string[]
  healthCheckPath: string
  healthCheckPort: string
  healthCheckIntervalSeconds: number
  healthCheckTimeoutSeconds: number
  healthyThresholdCount: number
  unhealthyThresholdCount: number
  matcher: string
  deregistrationDelaySeconds: number
}

/** One target group of a rule's forward action and its weight. */
export interface ForwardWeight {
  tgArn: string
  weight: number
}

/**
 * What the ELBv2 module offers the ECS module: ECS registers its tasks as targets and listens for
 * health changes to replace tasks that fail their checks, as the real ECS scheduler does.
 */
export interface ElbFacade {
  getTargetGroup(arn: string): TargetGroupView | undefined
  /** Registers a target; `address` is where the emulator really reaches it on this machine. */
  registerTarget(tgArn: string, target: TargetRef, address: TargetAddress): void
  /** Starts draining (deregistration delay), then removes the target. */
  deregisterTarget(tgArn: string, target: TargetRef): void
  targetHealth(tgArn: string, target: TargetRef): TargetHealthView | undefined
  /** A listener rule's (or a listener's default rule's) forward targets; undefined when no such rule. */
  ruleForwards(ruleArn: string): { lbArn: string; forwards: ForwardWeight[] } | undefined
  /**
   * Rewrites a rule's forward action to these weighted target groups, as ECS does for blue/green with the
   * infrastructure role (ModifyRule on the customer's behalf).
   */
  setForwardWeights(ruleArn: string, weights: ForwardWeight[]): void
  /** Called on every health state change of a target. Returns an unsubscribe function. */
  onHealthChange(
    listener: (e: {
      tgArn: string
      target: TargetRef
      previous: TargetHealthView
      current: TargetHealthView
    }) => void
  ): () => void
}

/** The seeded networking both services agree on. */
export interface VpcInfo {
  vpcId: string
  cidr: string
  subnets: { subnetId: string; availabilityZone: string; cidr: string }[]
  securityGroups: string[]
}
