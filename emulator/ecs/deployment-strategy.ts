import type { DeploymentConfiguration, LoadBalancer } from '@aws-sdk/client-ecs'
import type { ElbFacade } from '../core/types.js'
import { invalidParameter } from './errors.js'

const SHIFTING = new Set(['BLUE_GREEN', 'LINEAR', 'CANARY'])
const STRATEGIES = new Set(['ROLLING', ...SHIFTING])

const inRange = (v: number | undefined, name: string, min: number, max: number) => {
  if (v !== undefined && !(v >= min && v <= max))
    throw invalidParameter(`${name} must be between ${min} and ${max}.`)
}
/** Percentages are multiples of 0.1. */
const tenths = (v: number | undefined, name: string) => {
  if (v !== undefined && Math.abs(v * 10 - Math.round(v * 10)) > 1e-9)
    throw invalidParameter(`${name} must be a multiple of 0.1.`)
}

/**
 * What CreateService / UpdateService check for a blue/green, linear or canary strategy: the settings'
 * ranges, the hooks' targets, and for each load balancer the alternate target group, the production
 * (and test) listener rule forwarding to the pair, and the infrastructure role.
 */
export function validateDeploymentStrategy(opts: {
  elb: ElbFacade
  config: DeploymentConfiguration | undefined
  loadBalancers: LoadBalancer[]
  /** The target type the task definition's network mode needs. */
  targetType: string
}): void {
  const { config, elb } = opts
  const strategy = config?.strategy ?? 'ROLLING'
  if (!STRATEGIES.has(strategy))
    throw invalidParameter(`strategy must be one of ROLLING, BLUE_GREEN, LINEAR, CANARY.`)
  inRange(config?.bakeTimeInMinutes, 'bakeTimeInMinutes', 0, 1440)
  const linear = config?.linearConfiguration
  inRange(linear?.stepPercent, 'linearConfiguration.stepPercent', 3, 100)
  tenths(linear?.stepPercent, 'linearConfiguration.stepPercent')
  inRange(linear?.stepBakeTimeInMinutes, 'linearConfiguration.stepBakeTimeInMinutes', 0, 1440)
  const canary = config?.canaryConfiguration
  inRange(canary?.canaryPercent, 'canaryConfiguration.canaryPercent', 0.1, 100)
  tenths(canary?.canaryPercent, 'canaryConfiguration.canaryPercent')
  inRange(canary?.canaryBakeTimeInMinutes, 'canaryConfiguration.canaryBakeTimeInMinutes', 0, 1440)
  for (const hook of config?.lifecycleHooks ?? []) {
    if (!hook.lifecycleStages?.length)
      throw invalidParameter('lifecycleHooks.lifecycleStages can not be empty.')
    if (hook.targetType !== 'PAUSE' && (!hook.hookTargetArn || !hook.roleArn))
      throw invalidParameter('A lifecycle hook with targetType AWS_LAMBDA needs hookTargetArn and roleArn.')
    inRange(hook.timeoutConfiguration?.timeoutInMinutes, 'timeoutConfiguration.timeoutInMinutes', 1, 1440)
  }
  if (!SHIFTING.has(strategy)) return
  if (!opts.loadBalancers.length)
    throw invalidParameter(`The ${strategy} deployment strategy requires a load balancer.`)
  for (const lb of opts.loadBalancers) {
    const adv = lb.advancedConfiguration
    if (!adv?.alternateTargetGroupArn || !adv.productionListenerRule || !adv.roleArn) {
      throw invalidParameter(
        `advancedConfiguration with alternateTargetGroupArn, productionListenerRule and roleArn is required for each load balancer with the ${strategy} deployment strategy.`
      )
    }
    const alternate = elb.getTargetGroup(adv.alternateTargetGroupArn)
    if (!alternate)
      throw invalidParameter(
        `Unable to find target group with targetGroupArn ${adv.alternateTargetGroupArn}.`
      )
    if (adv.alternateTargetGroupArn === lb.targetGroupArn)
      throw invalidParameter('alternateTargetGroupArn must differ from targetGroupArn.')
    if (alternate.targetType !== opts.targetType) {
      throw invalidParameter(
        `The provided target group ${adv.alternateTargetGroupArn} has target type ${alternate.targetType}, which is incompatible with the target group ${lb.targetGroupArn}.`
      )
    }
    const pair = [lb.targetGroupArn, adv.alternateTargetGroupArn]
    const rules: [string, string | undefined][] = [
      ['productionListenerRule', adv.productionListenerRule],
      ['testListenerRule', adv.testListenerRule]
    ]
    for (const [field, arn] of rules) {
      if (!arn) continue
      const rule = elb.ruleForwards(arn)
      if (!rule) throw invalidParameter(`Unable to find listener rule ${arn} (${field}).`)
      if (!rule.forwards.some(f => pair.includes(f.tgArn))) {
        throw invalidParameter(
          `The ${field} ${arn} does not forward to the target group ${lb.targetGroupArn} or ${adv.alternateTargetGroupArn}.`
        )
      }
    }
  }
}

/** Load balancers compared with each blue/green pair as a set: which one is live is ECS's business. */
export function sameLoadBalancers(a: LoadBalancer[], b: LoadBalancer[]): boolean {
  const key = (lbs: LoadBalancer[]) =>
    JSON.stringify(
      lbs.map(lb => {
        const alt = lb.advancedConfiguration?.alternateTargetGroupArn
        if (!alt) return lb
        const [first, second] = [lb.targetGroupArn ?? '', alt].sort()
        return {
          ...lb,
          targetGroupArn: first,
          advancedConfiguration: { ...lb.advancedConfiguration, alternateTargetGroupArn: second }
        }
      })
    )
  return key(a) === key(b)
}
