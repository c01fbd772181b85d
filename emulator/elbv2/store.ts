import type {
  Action,
  LoadBalancer,
  Listener,
  RuleCondition,
  Tag,
  TargetGroup
} from '@aws-sdk/client-elastic-load-balancing-v2'
import { AwsError } from '../core/errors.js'

export interface LoadBalancerRecord {
  arn: string
  name: string
  id: string
  createdMs: number
  /** Everything but State, which follows from createdMs. */
  lb: LoadBalancer
  attributes: Record<string, string>
}

export interface TargetGroupRecord {
  arn: string
  name: string
  /** Everything but LoadBalancerArns, which follows from the listeners and rules. */
  tg: TargetGroup
  attributes: Record<string, string>
}

export interface ListenerRecord {
  arn: string
  id: string
  lbArn: string
  listener: Listener
  defaultRuleArn: string
}

export interface RuleRecord {
  arn: string
  listenerArn: string
  priority: number
  conditions: RuleCondition[]
  actions: Action[]
}

/** Every ELBv2 resource of the emulated account, in creation order. */
export class Store {
  readonly lbs = new Map<string, LoadBalancerRecord>()
  readonly tgs = new Map<string, TargetGroupRecord>()
  readonly listeners = new Map<string, ListenerRecord>()
  readonly rules = new Map<string, RuleRecord>()
  readonly tags = new Map<string, Tag[]>()

  clear(): void {
    this.lbs.clear()
    this.tgs.clear()
    this.listeners.clear()
    this.rules.clear()
    this.tags.clear()
  }

  lb(arn: string | undefined): LoadBalancerRecord {
    const r = arn ? this.lbs.get(arn) : undefined
    if (!r) throw new AwsError('LoadBalancerNotFound', `Load balancer '${arn ?? ''}' not found`)
    return r
  }

  tg(arn: string | undefined): TargetGroupRecord {
    const r = arn ? this.tgs.get(arn) : undefined
    if (!r) throw new AwsError('TargetGroupNotFound', `Target group '${arn ?? ''}' not found`)
    return r
  }

  listener(arn: string | undefined): ListenerRecord {
    const r = arn ? this.listeners.get(arn) : undefined
    if (!r) throw new AwsError('ListenerNotFound', `Listener '${arn ?? ''}' not found`)
    return r
  }

  listenersOf(lbArn: string): ListenerRecord[] {
    return [...this.listeners.values()].filter(l => l.lbArn === lbArn)
  }

  rulesOf(listenerArn: string): RuleRecord[] {
    return [...this.rules.values()]
      .filter(r => r.listenerArn === listenerArn)
      .sort((a, b) => a.priority - b.priority)
  }

  ruleCountOfLoadBalancer(lbArn: string): number {
    return this.listenersOf(lbArn).reduce((n, l) => n + this.rulesOf(l.arn).length, 0)
  }

  /** Load balancers whose listeners or rules forward to the target group, as DescribeTargetGroups reports. */
  loadBalancersOf(tgArn: string): string[] {
    const out = new Set<string>()
    for (const l of this.listeners.values()) {
      const actions = [l.listener.DefaultActions ?? [], ...this.rulesOf(l.arn).map(r => r.actions)].flat()
      if (actions.some(a => forwardTargets(a).includes(tgArn))) out.add(l.lbArn)
    }
    return [...out]
  }

  /** Listeners and rules that forward to the target group (what blocks its deletion). */
  usersOf(tgArn: string): string[] {
    const out: string[] = []
    for (const l of this.listeners.values()) {
      if ((l.listener.DefaultActions ?? []).some(a => forwardTargets(a).includes(tgArn))) out.push(l.arn)
      for (const r of this.rulesOf(l.arn))
        if (r.actions.some(a => forwardTargets(a).includes(tgArn))) out.push(r.arn)
    }
    return out
  }
}

/** Target groups an action forwards to. */
export const forwardTargets = (a: Action): string[] => {
  if (a.Type !== 'forward') return []
  const arns = (a.ForwardConfig?.TargetGroups ?? []).map(t => t.TargetGroupArn ?? '')
  if (a.TargetGroupArn) arns.push(a.TargetGroupArn)
  return [...new Set(arns.filter(Boolean))]
}
