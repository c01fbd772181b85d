import type { LoadBalancer as EcsLoadBalancer, Service } from '@aws-sdk/client-ecs'
import type { Action } from '@aws-sdk/client-elastic-load-balancing-v2'
import { DeployError } from '../aws/errors.js'
import { targetGroupPair } from '../model/deployment-strategy.js'

/*
 * What ECS owns under BLUE_GREEN, LINEAR and CANARY: the forward weights of the production and test
 * rules, and which of the two target groups is primary. The action creates the rules and the alternate
 * group once; afterwards it compares only what is its own (which two groups, which conditions), so an
 * identical re-run changes nothing whichever group is live.
 */

/** The two groups a blue/green rule forwards to, as the action creates it: all traffic to the primary. */
export function blueGreenForward(pair: { primary: string; alternate: string }): Action[] {
  return [
    {
      Type: 'forward',
      ForwardConfig: {
        TargetGroups: [
          { TargetGroupArn: pair.primary, Weight: 100 },
          { TargetGroupArn: pair.alternate, Weight: 0 }
        ]
      }
    }
  ]
}

/** Whether a rule's actions forward to these two groups (or one of them), whatever weights ECS set. */
export function forwardsToPair(
  actions: Action[] | undefined,
  pair: { primary: string; alternate: string }
): boolean {
  if (actions?.length !== 1) return false
  const [action] = actions
  if (action?.Type !== 'forward') return false
  const groups = (action.ForwardConfig?.TargetGroups ?? []).map(t => t.TargetGroupArn)
  if (groups.length === 0 && action.TargetGroupArn) groups.push(action.TargetGroupArn)
  // ECS may leave out a group it weighs 0: forwarding to one of the two is still the pair.
  return groups.length > 0 && groups.every(g => g === pair.primary || g === pair.alternate)
}

/**
 * The two groups as ECS has them now: after a completed deployment ECS swaps them, so the group the
 * service names as primary is the live one. A new service (or one without these groups) starts with the
 * requested group live.
 */
export function orientPair(opts: { requested: string; alternate: string; existing?: Service }): {
  primary: string
  alternate: string
} {
  const pair = [opts.requested, opts.alternate].sort().join()
  const running = opts.existing?.loadBalancers?.find(lb => targetGroupPair(lb).join() === pair)
  return running?.targetGroupArn === opts.alternate
    ? { primary: opts.alternate, alternate: opts.requested }
    : { primary: opts.requested, alternate: opts.alternate }
}

/** What the action fills into each blue/green load balancer entry of the service. */
export interface AdvancedFill {
  primary: string
  alternate: string
  productionListenerRule: string
  testListenerRule?: string
}

/**
 * The service's load balancer entry with its advancedConfiguration filled in, `fill` oriented as ECS has
 * the groups (orientPair): sending the original orientation back after a swap would be a change.
 */
export function blueGreenLoadBalancer(opts: { entry: EcsLoadBalancer; fill: AdvancedFill }): EcsLoadBalancer {
  const { entry, fill } = opts
  return {
    ...entry,
    targetGroupArn: fill.primary,
    advancedConfiguration: {
      ...entry.advancedConfiguration,
      alternateTargetGroupArn: fill.alternate,
      productionListenerRule: fill.productionListenerRule,
      ...(fill.testListenerRule ? { testListenerRule: fill.testListenerRule } : {})
    }
  }
}

/** A load balancer entry in one spelling for comparison: the pair of groups in order, whichever is live. */
export function comparableLoadBalancer(lb: EcsLoadBalancer): Record<string, unknown> {
  const advanced = lb.advancedConfiguration
  return {
    targetGroupArn: advanced?.alternateTargetGroupArn ? targetGroupPair(lb).join(' ') : lb.targetGroupArn,
    loadBalancerName: lb.loadBalancerName,
    containerName: lb.containerName,
    containerPort: lb.containerPort,
    ...(advanced
      ? {
          advancedConfiguration: {
            productionListenerRule: advanced.productionListenerRule,
            testListenerRule: advanced.testListenerRule,
            roleArn: advanced.roleArn
          }
        }
      : {})
  }
}

/** A change of a blue/green target group that needs a new one: not something the action swaps under ECS. */
export function refuseReplacement(opts: { name: string; reason: string }): never {
  throw new DeployError(
    `Target group ${opts.name}: ${opts.reason}. Under a BLUE_GREEN, LINEAR or CANARY strategy ECS moves traffic between the two target groups itself, ` +
      'so the action does not swap in a replacement: keep the protocol, port and target type, or deploy the change under a new target group Name.'
  )
}
