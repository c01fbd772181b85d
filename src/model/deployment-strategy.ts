import type {
  CreateServiceCommandInput,
  DeploymentConfiguration,
  DeploymentStrategy,
  LoadBalancer as EcsLoadBalancer,
  ServiceDeploymentLifecycleStage
} from '@aws-sdk/client-ecs'
import type { RuleCondition } from '@aws-sdk/client-elastic-load-balancing-v2'
import { fitName } from './names.js'
import type { ListenerRuleRequest } from './request.js'

/*
 * ECS's own blue/green, linear and canary deployments (DeploymentConfiguration.strategy): two target
 * groups, a production and a test listener rule whose forward weights ECS moves, lifecycle stages.
 */

/** The lifecycle stages of a service deployment, in the order ECS goes through them. */
export const LIFECYCLE_STAGES = [
  'RECONCILE_SERVICE',
  'PRE_SCALE_UP',
  'SCALE_UP',
  'POST_SCALE_UP',
  'TEST_TRAFFIC_SHIFT',
  'POST_TEST_TRAFFIC_SHIFT',
  'PRE_PRODUCTION_TRAFFIC_SHIFT',
  'PRODUCTION_TRAFFIC_SHIFT',
  'POST_PRODUCTION_TRAFFIC_SHIFT',
  'BAKE_TIME',
  'CLEAN_UP'
] as const satisfies readonly (ServiceDeploymentLifecycleStage | 'PRE_PRODUCTION_TRAFFIC_SHIFT')[]

export type LifecycleStage = (typeof LIFECYCLE_STAGES)[number]

/** `wait-until`: the deployment's end, or the stage at which the step may stop watching. */
export type WaitUntil = 'complete' | LifecycleStage

/** Whether ECS itself shifts traffic between two target groups for this configuration. */
export function isNativeStrategy(config: DeploymentConfiguration | undefined): boolean {
  const strategy: DeploymentStrategy | undefined = config?.strategy
  return strategy !== undefined && strategy !== 'ROLLING'
}

/** Whether stage `a` comes at or after stage `b` in a deployment's course. */
export function reached(a: string | undefined, b: LifecycleStage): boolean {
  const at = LIFECYCLE_STAGES.indexOf(a as LifecycleStage)
  return at >= 0 && at >= LIFECYCLE_STAGES.indexOf(b)
}

const MAX_TARGET_GROUP_NAME = 32

/**
 * The alternate target group's name: the primary's with `-alt`, cut to fit the 32 characters
 * CreateTargetGroup allows (a hash keeps long names apart). Stable, so a re-run finds it.
 */
export function alternateTargetGroupName(primary: string): string {
  return fitName(`${primary}-alt`, MAX_TARGET_GROUP_NAME)
}

/**
 * The listener rules the action creates for ECS to shift (ECS needs a rule ARN, not a listener, on an
 * ALB): everything on the listener, evaluated after every other rule, so path or host rules of previews
 * and other services still win.
 */
export const CATCH_ALL_CONDITIONS: RuleCondition[] = [
  { Field: 'path-pattern', PathPatternConfig: { Values: ['/*'] } }
]
export const CATCH_ALL_PRIORITY = 50000

export function catchAllRule(): ListenerRuleRequest {
  return {
    Conditions: CATCH_ALL_CONDITIONS,
    Priority: CATCH_ALL_PRIORITY,
    priorityRange: [CATCH_ALL_PRIORITY, CATCH_ALL_PRIORITY]
  }
}

/**
 * A preview of a blue/green service deploys ROLLING: one target group, no test listener, no hooks. A
 * preview is short-lived and reached by its own rule; a second target group and ECS's role per preview
 * would double what every pull request costs for nothing a reviewer sees.
 */
export function rollingService<T extends CreateServiceCommandInput>(service: T): T {
  const config = service.deploymentConfiguration
  if (!isNativeStrategy(config)) return service
  const {
    strategy: _s,
    bakeTimeInMinutes: _b,
    linearConfiguration: _l,
    canaryConfiguration: _c,
    lifecycleHooks: _h,
    ...rolling
  } = config ?? {}
  return {
    ...service,
    deploymentConfiguration: { ...rolling, strategy: 'ROLLING' },
    loadBalancers: service.loadBalancers?.map(({ advancedConfiguration: _a, ...lb }) => lb)
  }
}

/**
 * The two target groups of a blue/green load balancer entry, whichever of them ECS made primary last:
 * after a deployment ECS swaps `targetGroupArn` and `alternateTargetGroupArn`.
 */
export function targetGroupPair(lb: EcsLoadBalancer): string[] {
  return [lb.targetGroupArn, lb.advancedConfiguration?.alternateTargetGroupArn]
    .filter((a): a is string => Boolean(a))
    .sort()
}

/** A traffic split for the log: `blue 100% / green 0%`-like, by revision role. */
export function weightsLine(weights: { production?: number; test?: number }): string {
  const parts: string[] = []
  if (weights.production !== undefined) parts.push(`production ${formatPercent(weights.production)} new`)
  if (weights.test !== undefined) parts.push(`test ${formatPercent(weights.test)} new`)
  return parts.join(', ')
}

function formatPercent(value: number): string {
  return `${Math.round(value * 10) / 10}%`
}

/** A deployment a PAUSE lifecycle hook holds: what the summary, the PR comment and the outputs say. */
export interface PausedGate {
  hookId: string
  lifecycleStage?: string
  serviceDeploymentArn?: string
  /** The test listener's URL, where the new revision answers. */
  testUrl?: string
}

/** One line for a GitHub deployment status or a notice. */
export function pausedLine(p: PausedGate): string {
  return `Paused at ${p.lifecycleStage ?? 'a lifecycle hook'} (hook ${p.hookId}): promote: continue or rollback`
}
