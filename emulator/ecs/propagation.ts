import { invalidParameter } from './errors.js'

/**
 * ECS's eventual consistency, as windows of emulated time after the event that opens each one. AWS has
 * them all (terraform-provider-aws retries each: internal/service/ecs/service.go, retryServiceCreate,
 * resourceServiceDelete, and the DescribeServices retry after create, hashicorp/terraform-provider-aws#3387);
 * their length on AWS is not documented and varies (seconds). They are closed by default: tests that chain
 * SDK calls directly (CreateService right after CreateListener, DescribeServices right after CreateService)
 * stay deterministic; the control API opens each for as long as a test needs.
 */
export interface PropagationWindows {
  /** CreateService / UpdateService after a target group was associated with a load balancer. */
  targetGroupAssociationMs: number
  /** CreateService after the first CreateService of the account (which creates ECS's service-linked role). */
  serviceLinkedRoleMs: number
  /** DescribeServices answers MISSING for a service created this long ago or less. */
  serviceVisibleMs: number
  /** DeleteService after the UpdateService that scaled the service to 0. */
  deploymentsActiveMs: number
}

export const DEFAULT_WINDOWS: PropagationWindows = {
  targetGroupAssociationMs: 0,
  serviceLinkedRoleMs: 0,
  serviceVisibleMs: 0,
  deploymentsActiveMs: 0
}

/**
 * Windows for an emulator people drive by hand (the demo, `npm run emulator`): 1.5 s of real time each, so a
 * first deploy meets AWS's eventual consistency and the action's retries run, as they would on AWS.
 */
export function awsLikeWindows(timeScale: number): PropagationWindows {
  const ms = Math.round(1500 / timeScale)
  return {
    targetGroupAssociationMs: ms,
    serviceLinkedRoleMs: ms,
    serviceVisibleMs: ms,
    deploymentsActiveMs: ms
  }
}

export class Propagation {
  private readonly initial: PropagationWindows
  windows: PropagationWindows

  constructor(initial: Partial<PropagationWindows> = {}) {
    this.initial = { ...DEFAULT_WINDOWS, ...initial }
    this.windows = { ...this.initial }
  }

  /** When the account's first CreateService came (the service-linked role's creation). */
  private firstCreateServiceMs?: number

  set(windows: Partial<PropagationWindows>): PropagationWindows {
    for (const [k, v] of Object.entries(windows)) {
      if (!(k in DEFAULT_WINDOWS)) throw new Error(`propagation: unknown window "${k}"`)
      if (typeof v !== 'number' || !(v >= 0))
        throw new Error(`propagation: "${k}" must be a number of ms >= 0`)
      this.windows[k as keyof PropagationWindows] = v
    }
    return this.windows
  }

  reset(): void {
    this.windows = { ...this.initial }
    this.firstCreateServiceMs = undefined
  }

  /** "Unable to assume the service linked role" while the role created by the first CreateService propagates. */
  checkServiceLinkedRole(nowMs: number): void {
    this.firstCreateServiceMs ??= nowMs
    if (nowMs < this.firstCreateServiceMs + this.windows.serviceLinkedRoleMs) {
      throw invalidParameter(
        'Unable to assume the service linked role. Please verify that the ECS service linked role exists.'
      )
    }
  }

  /** ECS does not see a target group's association with a load balancer at once. */
  checkAssociation(opts: { targetGroupArn: string; associatedAtMs?: number; nowMs: number }): void {
    const { associatedAtMs, nowMs } = opts
    if (associatedAtMs !== undefined && nowMs < associatedAtMs + this.windows.targetGroupAssociationMs) {
      throw invalidParameter(
        `The target group with targetGroupArn ${opts.targetGroupArn} does not have an associated load balancer.`
      )
    }
  }

  serviceVisible(createdAtMs: number | undefined, nowMs: number): boolean {
    return createdAtMs === undefined || nowMs >= createdAtMs + this.windows.serviceVisibleMs
  }

  checkDeploymentsStopped(scaledToZeroAtMs: number | undefined, nowMs: number): void {
    if (scaledToZeroAtMs !== undefined && nowMs < scaledToZeroAtMs + this.windows.deploymentsActiveMs) {
      throw invalidParameter('The service cannot be stopped while deployments are active.')
    }
  }
}
