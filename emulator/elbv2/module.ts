import type { Action } from '@aws-sdk/client-elastic-load-balancing-v2'
import { AwsError } from '../core/errors.js'
import type { Clock } from '../core/clock.js'
import type { ElbFacade, ServiceModule, TargetGroupView, VpcInfo } from '../core/types.js'
import type { Elbv2Context } from './context.js'
import { HealthMonitor } from './health.js'
import { ListenerServers } from './router.js'
import { forwardTargets, Store } from './store.js'
import { decodeQuery, isQueryRequest } from './query.js'
import { encodeError, encodeResult } from './xml.js'
import {
  createLoadBalancer,
  deleteLoadBalancer,
  describeLoadBalancerAttributes,
  describeLoadBalancers,
  loadBalancerView,
  modifyLoadBalancerAttributes,
  setSecurityGroups,
  setSubnets
} from './load-balancers.js'
import {
  createTargetGroup,
  deleteTargetGroup,
  describeTargetGroupAttributes,
  describeTargetGroups,
  healthConfigOf,
  modifyTargetGroup,
  modifyTargetGroupAttributes,
  targetGroupView
} from './target-groups.js'
import { deregisterTargets, describeTargetHealth, registerTargets } from './targets.js'
import {
  createListener,
  deleteListener,
  describeListenerCertificates,
  describeListeners,
  modifyListener
} from './listeners.js'
import {
  createRule,
  defaultRuleView,
  deleteRule,
  describeRules,
  modifyRule,
  ruleView,
  setRulePriorities
} from './rules.js'
import { addTags, describeTags, removeTags } from './tags.js'

/**
 * Every operation takes the SDK's input type for its call. The query decoder has already coerced numbers
 * and booleans, so the decoded params are handed over as that type (`never` here only to let one table
 * hold operations with different inputs).
 */
type Operation = (ctx: Elbv2Context, input: never) => unknown

const OPERATIONS: Record<string, Operation> = {
  CreateLoadBalancer: createLoadBalancer,
  DescribeLoadBalancers: describeLoadBalancers,
  DeleteLoadBalancer: deleteLoadBalancer,
  DescribeLoadBalancerAttributes: describeLoadBalancerAttributes,
  ModifyLoadBalancerAttributes: modifyLoadBalancerAttributes,
  SetSecurityGroups: setSecurityGroups,
  SetSubnets: setSubnets,
  CreateTargetGroup: createTargetGroup,
  DescribeTargetGroups: describeTargetGroups,
  ModifyTargetGroup: modifyTargetGroup,
  DeleteTargetGroup: deleteTargetGroup,
  DescribeTargetGroupAttributes: describeTargetGroupAttributes,
  ModifyTargetGroupAttributes: modifyTargetGroupAttributes,
  RegisterTargets: registerTargets,
  DeregisterTargets: deregisterTargets,
  DescribeTargetHealth: describeTargetHealth,
  CreateListener: createListener,
  DescribeListeners: describeListeners,
  ModifyListener: modifyListener,
  DeleteListener: deleteListener,
  DescribeListenerCertificates: describeListenerCertificates,
  CreateRule: createRule,
  DescribeRules: describeRules,
  ModifyRule: modifyRule,
  DeleteRule: deleteRule,
  SetRulePriorities: setRulePriorities,
  AddTags: addTags,
  RemoveTags: removeTags,
  DescribeTags: describeTags
}

const MUTATING = /^(Create|Delete|Modify|Register|Deregister|Add|Remove|Set)/

/** One row of GET /_emulator/listeners: where a listener really answers on this machine. */
export interface LocalListener {
  listenerArn: string
  loadBalancerArn: string
  loadBalancerName: string
  dnsName: string
  port: number
  protocol: string
  localUrl: string
}

export function createElbv2Module(opts: {
  clock: Clock
  region: string
  accountId: string
  vpcs: VpcInfo[]
}): {
  module: ServiceModule
  facade: ElbFacade
} {
  const store = new Store()
  const health = new HealthMonitor({
    clock: opts.clock,
    config: arn => {
      const tg = store.tgs.get(arn)
      return tg && healthConfigOf(tg)
    }
  })
  const servers = new ListenerServers({ store, health, clock: opts.clock })
  const ctx: Elbv2Context = {
    ...opts,
    store,
    health,
    servers,
    refreshUsage: () => {
      for (const arn of store.tgs.keys()) health.setInUse(arn, store.loadBalancersOf(arn).length > 0)
    }
  }

  const listeners = (): LocalListener[] =>
    [...store.listeners.values()].map(l => {
      const lb = store.lbs.get(l.lbArn)
      const port = servers.localPort(l.arn) ?? 0
      return {
        listenerArn: l.arn,
        loadBalancerArn: l.lbArn,
        loadBalancerName: lb?.name ?? '',
        dnsName: lb?.lb.DNSName ?? '',
        port: l.listener.Port ?? 0,
        protocol: l.listener.Protocol ?? 'HTTP',
        localUrl: `http://127.0.0.1:${port}`
      }
    })

  const module: ServiceModule = {
    service: 'elbv2',
    iamPrefix: 'elasticloadbalancing',
    claims: isQueryRequest,
    decode: (_headers, body) => decodeQuery(body),
    isMutating: op => MUTATING.test(op),
    handle: (operation, params) => {
      const op = OPERATIONS[operation]
      if (!op)
        throw new AwsError('InvalidAction', `Could not find operation ${operation} for version 2015-12-01`)
      return op(ctx, params as never)
    },
    encodeResult,
    encodeError,
    control: (method, route) => {
      if (method === 'GET' && route === 'listeners') return listeners()
      return undefined
    },
    resourceTags: arn =>
      store.tags.has(arn)
        ? Object.fromEntries((store.tags.get(arn) ?? []).map(t => [t.Key ?? '', t.Value ?? '']))
        : undefined,
    dump: () => ({
      loadBalancers: [...store.lbs.values()].map(r => ({
        ...loadBalancerView(ctx, r),
        Attributes: r.attributes
      })),
      targetGroups: [...store.tgs.values()].map(r => ({
        ...targetGroupView(ctx, r),
        Attributes: r.attributes,
        Targets: health.targets(r.arn).map(t => ({ ...t.ref, address: t.address, health: t.health }))
      })),
      listeners: [...store.listeners.values()].map(l => ({
        ...l.listener,
        localUrl: `http://127.0.0.1:${servers.localPort(l.arn) ?? 0}`
      })),
      rules: [...store.listeners.values()].flatMap(l => [
        ...store.rulesOf(l.arn).map(r => ({ ListenerArn: l.arn, ...ruleView(r) })),
        { ListenerArn: l.arn, ...defaultRuleView(l) }
      ]),
      tags: Object.fromEntries(store.tags)
    }),
    reset: async () => {
      health.clear()
      await servers.closeAll()
      store.clear()
    },
    stop: async () => {
      health.stop()
      await servers.closeAll()
      store.clear()
    }
  }

  /** A rule by ARN, or a listener's default rule, with a way to replace its actions. */
  const ruleByArn = (arn: string) => {
    const rule = store.rules.get(arn)
    if (rule) {
      return {
        lbArn: store.listener(rule.listenerArn).lbArn,
        actions: () => rule.actions,
        set: (actions: Action[]) => (rule.actions = actions)
      }
    }
    const l = [...store.listeners.values()].find(x => x.defaultRuleArn === arn)
    if (!l) return undefined
    return {
      lbArn: l.lbArn,
      actions: () => l.listener.DefaultActions ?? [],
      set: (actions: Action[]) => (l.listener = { ...l.listener, DefaultActions: actions })
    }
  }

  const facade: ElbFacade = {
    getTargetGroup: (arn): TargetGroupView | undefined => {
      const r = store.tgs.get(arn)
      if (!r) return undefined
      const h = healthConfigOf(r)
      return {
        arn,
        name: r.name,
        protocol: r.tg.Protocol ?? 'HTTP',
        port: r.tg.Port ?? 80,
        targetType: (r.tg.TargetType ?? 'instance') as TargetGroupView['targetType'],
        vpcId: r.tg.VpcId,
        loadBalancerArns: store.loadBalancersOf(arn),
        healthCheckPath: h.path,
        healthCheckPort: h.port,
        healthCheckIntervalSeconds: h.intervalMs / 1000,
        healthCheckTimeoutSeconds: h.timeoutMs / 1000,
        healthyThresholdCount: h.healthyThreshold,
        unhealthyThresholdCount: h.unhealthyThreshold,
        matcher: h.matcher,
        deregistrationDelaySeconds: h.deregistrationDelayMs / 1000
      }
    },
    registerTarget: (tgArn, target, address) => {
      store.tg(tgArn)
      health.register(tgArn, target, address)
    },
    deregisterTarget: (tgArn, target) => {
      health.deregister(tgArn, target)
    },
    targetHealth: (tgArn, target) => health.target(tgArn, target)?.health,
    ruleForwards: ruleArn => {
      const found = ruleByArn(ruleArn)
      if (!found) return undefined
      const forward = found.actions().find(a => a.Type === 'forward')
      const weighted = forward?.ForwardConfig?.TargetGroups
      const forwards = weighted?.length
        ? weighted.map(g => ({ tgArn: g.TargetGroupArn ?? '', weight: g.Weight ?? 1 }))
        : (forward ? forwardTargets(forward) : []).map(tgArn => ({ tgArn, weight: 1 }))
      return { lbArn: found.lbArn, forwards }
    },
    setForwardWeights: (ruleArn, weights) => {
      const found = ruleByArn(ruleArn)
      if (!found) throw new AwsError('RuleNotFound', `Rule '${ruleArn}' not found`)
      const actions = found.actions().map(a =>
        a.Type === 'forward'
          ? {
              Type: 'forward' as const,
              ...(a.Order !== undefined && { Order: a.Order }),
              ForwardConfig: {
                TargetGroups: weights.map(w => ({ TargetGroupArn: w.tgArn, Weight: w.weight })),
                TargetGroupStickinessConfig: a.ForwardConfig?.TargetGroupStickinessConfig ?? {
                  Enabled: false
                }
              }
            }
          : a
      )
      found.set(actions)
      ctx.refreshUsage()
    },
    onHealthChange: listener => health.onChange(listener)
  }

  return { module, facade }
}
