import {
  CreateRuleCommand,
  DescribeRulesCommand,
  ModifyRuleCommand,
  SetRulePrioritiesCommand,
  type Action,
  type ElasticLoadBalancingV2Client,
  type Rule,
  type RuleCondition
} from '@aws-sdk/client-elastic-load-balancing-v2'
import { allPages } from '../aws/paginate.js'
import { DeployError, explainAwsError, isAwsError, withExplanation } from '../aws/errors.js'
import { canonicalJson, creationChanges } from '../model/diff.js'
import type { FieldChange, PlanStep } from '../model/plan.js'
import type { DeployRequest, ListenerRuleRequest } from '../model/request.js'
import type { ApplyContext, PlanContext } from './context.js'
import { actionsMatch } from '../aws/normalize/actions.js'
import { hexHash } from '../model/names.js'
import { elbTags, isOwned, stackId, type TagMap } from './ownership.js'

/** How often CreateRule is tried when concurrent runs take the allocated priority first. */
const PRIORITY_ATTEMPTS = 5

const sorted = (values: string[] | undefined): string[] => [...(values ?? [])].sort()

/**
 * One condition in one spelling: AWS accepts `Values` or the `*Config` form for host-header and
 * path-pattern, and answers DescribeRules with both.
 */
export function normalizeCondition(c: RuleCondition): string {
  const field = c.Field ?? ''
  const regex = c.RegexValues ? { regex: sorted(c.RegexValues) } : {}
  switch (field) {
    case 'host-header':
      return canonicalJson({
        field,
        values: sorted((c.HostHeaderConfig?.Values ?? c.Values)?.map(v => v.toLowerCase())),
        ...regex
      })
    case 'path-pattern':
      return canonicalJson({ field, values: sorted(c.PathPatternConfig?.Values ?? c.Values), ...regex })
    case 'http-header':
      return canonicalJson({
        field,
        name: c.HttpHeaderConfig?.HttpHeaderName?.toLowerCase(),
        values: sorted(c.HttpHeaderConfig?.Values),
        ...regex
      })
    case 'query-string':
      return canonicalJson({
        field,
        values: sorted(
          (c.QueryStringConfig?.Values ?? []).map(kv => canonicalJson({ k: kv.Key, v: kv.Value }))
        )
      })
    case 'http-request-method':
      return canonicalJson({ field, values: sorted(c.HttpRequestMethodConfig?.Values) })
    case 'source-ip':
      return canonicalJson({ field, values: sorted(c.SourceIpConfig?.Values) })
    default:
      return canonicalJson(c)
  }
}

export function conditionsEqual(a: RuleCondition[] | undefined, b: RuleCondition[] | undefined): boolean {
  return (
    canonicalJson(sorted(a?.map(normalizeCondition))) === canonicalJson(sorted(b?.map(normalizeCondition)))
  )
}

/** Our rule: the one with this stack's ownership tag, else one with exactly our conditions. */
export function findRule(opts: {
  request: DeployRequest
  rules: Rule[]
  tags: Record<string, TagMap>
}): Rule | undefined {
  const { request, rules, tags } = opts
  const candidates = rules.filter(r => !r.IsDefault)
  return (
    candidates.find(r => isOwned(tags[r.RuleArn ?? ''], request)) ??
    candidates.find(r => conditionsEqual(r.Conditions, request.listenerRule?.Conditions))
  )
}

function takenPriorities(rules: Rule[]): Set<number> {
  return new Set(rules.map(r => Number(r.Priority)).filter(p => Number.isInteger(p)))
}

/**
 * A priority that is the same on every run of this stack (a hash of `<cluster>/<service>` in the range),
 * moved up past priorities in use, wrapping within the range.
 */
export function allocatePriority(opts: {
  request: DeployRequest
  rule: ListenerRuleRequest
  taken: Set<number>
}): number {
  const [low, high] = opts.rule.priorityRange
  const size = high - low + 1
  const start = parseInt(hexHash(stackId(opts.request), 8), 16) % size
  for (let i = 0; i < size; i++) {
    const priority = low + ((start + i) % size)
    if (!opts.taken.has(priority)) return priority
  }
  throw new DeployError(
    `No free listener rule priority in ${low}-${high}: widen listener-rule-priority-range or set Priority in listener-rule.`
  )
}

export function forwardTo(targetGroupArn: string): Action[] {
  return [{ Type: 'forward', TargetGroupArn: targetGroupArn }]
}

export function ruleChanges(opts: {
  rule: ListenerRuleRequest
  existing: Rule
  targetGroupArn: string
}): FieldChange[] {
  const { rule, existing, targetGroupArn } = opts
  const changes: FieldChange[] = []
  if (!conditionsEqual(rule.Conditions, existing.Conditions)) {
    changes.push({ field: 'Conditions', from: existing.Conditions, to: rule.Conditions })
  }
  const actions = forwardTo(targetGroupArn)
  if (!actionsMatch(actions, existing.Actions))
    changes.push({ field: 'Actions', from: existing.Actions, to: actions })
  if (rule.Priority !== undefined && String(rule.Priority) !== existing.Priority) {
    changes.push({ field: 'Priority', from: existing.Priority, to: rule.Priority })
  }
  return changes
}

function ruleLabel(rule: ListenerRuleRequest): string {
  return rule.Conditions.map(c => normalizeCondition(c)).join(' & ')
}

export function planListenerRule(ctx: PlanContext & { targetGroupArn: string }): PlanStep | undefined {
  const { request, actual } = ctx
  const rule = request.listenerRule
  if (!rule || !request.loadBalancer || !request.targetGroup) return undefined
  const name = ruleLabel(rule)
  const existing = findRule({ request, rules: actual.rules, tags: actual.elbTags })
  if (!existing) {
    const priority =
      rule.Priority ?? allocatePriority({ request, rule, taken: takenPriorities(actual.rules) })
    const changes = creationChanges({ Priority: priority }, /^Priority$/)
    return { resource: 'listener-rule', name, action: 'create', changes, calls: ['CreateRule'] }
  }
  const arn = existing.RuleArn
  const changes = ruleChanges({ rule, existing, targetGroupArn: ctx.targetGroupArn })
  if (changes.length === 0)
    return { resource: 'listener-rule', name, action: 'none', changes, arn, calls: [] }
  if (!request.adoptExisting && !isOwned(actual.elbTags[arn ?? ''], request)) {
    throw new DeployError(
      `Listener rule ${name} (priority ${existing.Priority}) exists but was not created by this action (it lacks the ecs-alb-deploy:stack tag), ` +
        `and its ${changes.map(c => c.field).join(', ')} differ. Set the input adopt-existing: true to let the action modify it, or change the rule's conditions.`
    )
  }
  const calls = [
    ...(changes.some(c => c.field !== 'Priority') ? ['ModifyRule'] : []),
    ...(changes.some(c => c.field === 'Priority') ? ['SetRulePriorities'] : [])
  ]
  return { resource: 'listener-rule', name, action: 'update', changes, arn, calls }
}

export async function describeRules(
  elbv2: ElasticLoadBalancingV2Client,
  listenerArn: string
): Promise<Rule[]> {
  return allPages(async Marker => {
    const out = await elbv2.send(new DescribeRulesCommand({ ListenerArn: listenerArn, Marker }))
    return { items: out.Rules, next: out.NextMarker }
  })
}

export async function applyListenerRule(
  ctx: ApplyContext & { step: PlanStep; listenerArn: string; targetGroupArn: string }
): Promise<string> {
  const { request, clients, log, step, targetGroupArn } = ctx
  const rule = request.listenerRule
  if (!rule) throw new Error('applyListenerRule without a listener-rule request')
  if (step.action === 'create') return createRule({ ...ctx, rule })
  const arn = step.arn
  if (!arn) throw new Error(`listener rule step ${step.name} has no ARN`)
  if (step.action !== 'update') return arn
  const existing = ctx.actual.rules.find(r => r.RuleArn === arn) ?? {}
  const fields = ruleChanges({ rule, existing, targetGroupArn }).map(c => c.field)
  if (fields.includes('Conditions') || fields.includes('Actions')) {
    await withExplanation(`ModifyRule ${step.name}`, () =>
      clients.elbv2.send(
        new ModifyRuleCommand({
          RuleArn: arn,
          Conditions: rule.Conditions,
          Actions: forwardTo(targetGroupArn)
        })
      )
    )
    log(`modified listener rule ${step.name}: ${fields.filter(f => f !== 'Priority').join(', ')}`)
  }
  if (fields.includes('Priority')) {
    await withExplanation(`SetRulePriorities ${step.name}`, () =>
      clients.elbv2.send(
        new SetRulePrioritiesCommand({ RulePriorities: [{ RuleArn: arn, Priority: rule.Priority }] })
      )
    )
    log(`set priority of listener rule ${step.name} to ${rule.Priority}`)
  }
  return arn
}

/**
 * CreateRule is not idempotent and priorities are shared: on PriorityInUse (a concurrent run took it),
 * look again — the rule may now exist (a concurrent run of this stack) — and try the next free priority.
 */
async function createRule(
  ctx: ApplyContext & {
    step: PlanStep
    listenerArn: string
    targetGroupArn: string
    rule: ListenerRuleRequest
  }
): Promise<string> {
  const { request, clients, log, step, rule, listenerArn } = ctx
  let rules: Rule[] = ctx.actual.rules
  const taken = takenPriorities(rules)
  for (let attempt = 1; ; attempt++) {
    const priority = rule.Priority ?? allocatePriority({ request, rule, taken })
    try {
      const out = await clients.elbv2.send(
        new CreateRuleCommand({
          ListenerArn: listenerArn,
          Priority: priority,
          Conditions: rule.Conditions,
          Actions: forwardTo(ctx.targetGroupArn),
          Tags: elbTags(request)
        })
      )
      const arn = out.Rules?.[0]?.RuleArn
      if (!arn) throw new DeployError(`CreateRule ${step.name} answered without a rule`)
      log(`created listener rule ${step.name} at priority ${priority} (${arn})`)
      return arn
    } catch (error) {
      if (
        !isAwsError(error, 'PriorityInUse') ||
        rule.Priority !== undefined ||
        attempt >= PRIORITY_ATTEMPTS
      ) {
        const explained = explainAwsError(error, { step: `CreateRule ${step.name} (priority ${priority})` })
        throw new DeployError(explained, { cause: error })
      }
      rules = await describeRules(clients.elbv2, listenerArn)
      const same = rules.find(r => !r.IsDefault && conditionsEqual(r.Conditions, rule.Conditions))
      if (same?.RuleArn && actionsMatch(forwardTo(ctx.targetGroupArn), same.Actions)) {
        log(`listener rule ${step.name} was created meanwhile at priority ${same.Priority} (${same.RuleArn})`)
        return same.RuleArn
      }
      for (const p of takenPriorities(rules)) taken.add(p)
      taken.add(priority)
    }
  }
}
