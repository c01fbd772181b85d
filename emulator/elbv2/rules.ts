import type {
  CreateRuleCommandInput,
  CreateRuleCommandOutput,
  DeleteRuleCommandInput,
  DescribeRulesCommandInput,
  DescribeRulesCommandOutput,
  ModifyRuleCommandInput,
  ModifyRuleCommandOutput,
  Rule,
  SetRulePrioritiesCommandInput,
  SetRulePrioritiesCommandOutput
} from '@aws-sdk/client-elastic-load-balancing-v2'
import { AwsError } from '../core/errors.js'
import type { Elbv2Context } from './context.js'
import { normalizeActions, normalizeConditions } from './actions.js'
import { hexId, ruleArn } from './arns.js'
import type { ListenerRecord, RuleRecord } from './store.js'
import { checkTags, setTags } from './tags.js'
import { checkRange, page, required, validation } from './validate.js'

type Out<T> = Omit<T, '$metadata'>

const MAX_RULES_PER_LOAD_BALANCER = 100

export const ruleView = (r: RuleRecord): Rule => ({
  RuleArn: r.arn,
  Priority: String(r.priority),
  Conditions: r.conditions,
  Actions: r.actions,
  IsDefault: false
})

export const defaultRuleView = (l: ListenerRecord): Rule => ({
  RuleArn: l.defaultRuleArn,
  Priority: 'default',
  Conditions: [],
  Actions: l.listener.DefaultActions ?? [],
  IsDefault: true
})

type Found = { rule: RuleRecord; listener: ListenerRecord } | { rule?: undefined; listener: ListenerRecord }

/** A rule by ARN: one of ours, or the default rule of a listener. */
function findRule(ctx: Elbv2Context, arn: string | undefined): Found {
  const rule = arn ? ctx.store.rules.get(arn) : undefined
  if (rule) return { rule, listener: ctx.store.listener(rule.listenerArn) }
  const listener = [...ctx.store.listeners.values()].find(l => l.defaultRuleArn === arn)
  if (listener) return { listener }
  throw new AwsError('RuleNotFound', `Rule '${arn ?? ''}' not found`)
}

const actionScope = (ctx: Elbv2Context, l: ListenerRecord) => {
  const lb = ctx.store.lb(l.lbArn)
  return { store: ctx.store, lbArn: lb.arn, vpcId: lb.lb.VpcId }
}

const priorityInUse = (p: number) => new AwsError('PriorityInUse', `Priority '${p}' is currently in use`)

export function createRule(ctx: Elbv2Context, input: CreateRuleCommandInput): Out<CreateRuleCommandOutput> {
  const listener = ctx.store.listener(required(input.ListenerArn, 'ListenerArn'))
  const priority = required(input.Priority, 'Priority')
  checkRange(priority, 'priority', 1, 50000)
  const conditions = normalizeConditions(input.Conditions)
  const actions = normalizeActions(input.Actions, actionScope(ctx, listener))
  const tags = checkTags(input.Tags)
  if (ctx.store.rulesOf(listener.arn).some(r => r.priority === priority)) throw priorityInUse(priority)
  if (ctx.store.ruleCountOfLoadBalancer(listener.lbArn) >= MAX_RULES_PER_LOAD_BALANCER) {
    throw new AwsError(
      'TooManyRules',
      `The maximum number of rules ('${MAX_RULES_PER_LOAD_BALANCER}') for load balancer '${listener.lbArn}' has been reached`
    )
  }
  const lb = ctx.store.lb(listener.lbArn)
  const arn = ruleArn(ctx, lb.name, lb.id, listener.id, hexId())
  const rec: RuleRecord = { arn, listenerArn: listener.arn, priority, conditions, actions }
  ctx.store.rules.set(arn, rec)
  setTags(ctx, arn, tags)
  ctx.refreshUsage()
  return { Rules: [ruleView(rec)] }
}

export function describeRules(
  ctx: Elbv2Context,
  input: DescribeRulesCommandInput
): Out<DescribeRulesCommandOutput> {
  let rules: Rule[]
  if (input.RuleArns?.length) {
    if (input.ListenerArn)
      throw validation('Rule ARNs and a listener ARN cannot be specified at the same time')
    rules = input.RuleArns.map(arn => {
      if (
        !ctx.store.rules.has(arn) &&
        ![...ctx.store.listeners.values()].some(l => l.defaultRuleArn === arn)
      ) {
        throw new AwsError('RuleNotFound', 'One or more rules not found')
      }
      const found = findRule(ctx, arn)
      return found.rule ? ruleView(found.rule) : defaultRuleView(found.listener)
    })
  } else if (input.ListenerArn) {
    const listener = ctx.store.listener(input.ListenerArn)
    rules = [...ctx.store.rulesOf(listener.arn).map(ruleView), defaultRuleView(listener)]
  } else {
    throw validation('You must specify either listener ARN or rule ARNs')
  }
  const p = page(rules, input.Marker, input.PageSize)
  return { Rules: p.items, NextMarker: p.next }
}

export function modifyRule(ctx: Elbv2Context, input: ModifyRuleCommandInput): Out<ModifyRuleCommandOutput> {
  const found = findRule(ctx, required(input.RuleArn, 'RuleArn'))
  const scope = actionScope(ctx, found.listener)
  if (!found.rule) {
    if (input.Conditions?.length)
      throw new AwsError('OperationNotPermitted', 'Conditions cannot be specified for a default rule')
    if (input.Actions?.length) {
      found.listener.listener = {
        ...found.listener.listener,
        DefaultActions: normalizeActions(input.Actions, scope)
      }
    }
    ctx.refreshUsage()
    return { Rules: [defaultRuleView(found.listener)] }
  }
  const conditions = input.Conditions?.length ? normalizeConditions(input.Conditions) : found.rule.conditions
  const actions = input.Actions?.length ? normalizeActions(input.Actions, scope) : found.rule.actions
  found.rule.conditions = conditions
  found.rule.actions = actions
  ctx.refreshUsage()
  return { Rules: [ruleView(found.rule)] }
}

export function deleteRule(ctx: Elbv2Context, input: DeleteRuleCommandInput): object {
  const found = findRule(ctx, required(input.RuleArn, 'RuleArn'))
  if (!found.rule)
    throw new AwsError('OperationNotPermitted', `Default rule '${input.RuleArn ?? ''}' cannot be deleted`)
  ctx.store.rules.delete(found.rule.arn)
  ctx.store.tags.delete(found.rule.arn)
  ctx.refreshUsage()
  return {}
}

export function setRulePriorities(
  ctx: Elbv2Context,
  input: SetRulePrioritiesCommandInput
): Out<SetRulePrioritiesCommandOutput> {
  const changes = required(input.RulePriorities, 'RulePriorities').map(c => {
    const found = findRule(ctx, required(c.RuleArn, 'RuleArn'))
    if (!found.rule)
      throw new AwsError(
        'OperationNotPermitted',
        `The priority of default rule '${c.RuleArn ?? ''}' cannot be changed`
      )
    const priority = required(c.Priority, 'Priority')
    checkRange(priority, 'priority', 1, 50000)
    return { rule: found.rule, priority }
  })
  const moved = new Set(changes.map(c => c.rule.arn))
  const taken = new Map<string, Set<number>>()
  for (const { rule, priority } of changes) {
    const used =
      taken.get(rule.listenerArn) ??
      new Set(
        ctx.store
          .rulesOf(rule.listenerArn)
          .filter(r => !moved.has(r.arn))
          .map(r => r.priority)
      )
    taken.set(rule.listenerArn, used)
    if (used.has(priority)) throw priorityInUse(priority)
    used.add(priority)
  }
  for (const { rule, priority } of changes) rule.priority = priority
  return { Rules: changes.map(c => ruleView(c.rule)) }
}
