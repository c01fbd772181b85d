import {
  CreateRuleCommand,
  DeleteRuleCommand,
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
import type { Call, FieldChange, Operation, PlanStep } from '../model/plan.js'
import { pendingArn } from '../model/placeholders.js'
import type { DeployRequest, ListenerRuleRequest } from '../model/request.js'
import type { CallContext, CallResult, PlanContext } from './context.js'
import { restorableAction } from './listener.js'
import { removeOrKeep, stepCalls } from './steps.js'
import { actionsMatch } from '../aws/normalize/actions.js'
import { hexHash } from '../model/names.js'
import { blueGreenForward, forwardsToPair } from './deployment-strategy.js'
import { elbTags, foreignRefusal, isOwned, mayModify, ownership, stackId, type TagMap } from './ownership.js'

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
  alternateTargetGroupArn?: string
}): FieldChange[] {
  const { rule, existing, targetGroupArn } = opts
  const changes: FieldChange[] = []
  if (!conditionsEqual(rule.Conditions, existing.Conditions)) {
    changes.push({ field: 'Conditions', from: existing.Conditions, to: rule.Conditions })
  }
  const actions = ruleActions(opts)
  const same = opts.alternateTargetGroupArn
    ? // ECS owns the weights (and which group is live): only the pair of groups is the action's.
      forwardsToPair(existing.Actions, { primary: targetGroupArn, alternate: opts.alternateTargetGroupArn })
    : actionsMatch(actions, existing.Actions)
  if (!same) changes.push({ field: 'Actions', from: existing.Actions, to: actions })
  if (rule.Priority !== undefined && String(rule.Priority) !== existing.Priority) {
    changes.push({ field: 'Priority', from: existing.Priority, to: rule.Priority })
  }
  return changes
}

/** Forward to the target group; under a native strategy to both groups, all traffic to the live one. */
function ruleActions(opts: { targetGroupArn: string; alternateTargetGroupArn?: string }): Action[] {
  return opts.alternateTargetGroupArn
    ? blueGreenForward({ primary: opts.targetGroupArn, alternate: opts.alternateTargetGroupArn })
    : forwardTo(opts.targetGroupArn)
}

function ruleLabel(rule: ListenerRuleRequest): string {
  return rule.Conditions.map(c => normalizeCondition(c)).join(' & ')
}

export interface ListenerRulePlanOptions extends PlanContext {
  /** The group the rule forwards to: under a native strategy, the live one of the two. */
  targetGroupArn: string
  /** Under a native strategy: the other group, which ECS shifts traffic to. */
  alternateTargetGroupArn?: string
  /** The test listener's rule (test-listener) rather than the production one. */
  resource?: Extract<PlanStep['resource'], 'listener-rule' | 'test-listener-rule'>
  /** The listener's ARN, or the placeholder of the one this run creates. */
  listenerArn: string
  /** Set when a rule this run creates is kept if the run fails; else it is deleted again. */
  keepCreated?: string
}

export function planListenerRule(ctx: ListenerRulePlanOptions): PlanStep | undefined {
  const { request, actual } = ctx
  const rule = request.listenerRule
  if (!rule || !request.loadBalancer || !request.targetGroup) return undefined
  const resource = ctx.resource ?? 'listener-rule'
  const name = resource === 'test-listener-rule' ? `test ${ruleLabel(rule)}` : ruleLabel(rule)
  const actions = ruleActions(ctx)
  const existing = findRule({ request, rules: actual.rules, tags: actual.elbTags })
  if (!existing) {
    const priority =
      rule.Priority ?? allocatePriority({ request, rule, taken: takenPriorities(actual.rules) })
    const changes = creationChanges({ Priority: priority }, /^Priority$/)
    const arn = pendingArn('listener rule', name)
    const operations: Operation[] = [
      {
        do: {
          call: 'CreateRule',
          input: {
            ListenerArn: ctx.listenerArn,
            Priority: priority,
            Conditions: rule.Conditions,
            Actions: actions,
            Tags: elbTags(request)
          },
          produces: { arn },
          ...(rule.Priority === undefined ? { priorityRange: rule.priorityRange } : {})
        },
        ...removeOrKeep({ kept: ctx.keepCreated, remove: { call: 'DeleteRule', input: { RuleArn: arn } } }),
        says: `created listener rule ${name}`
      }
    ]
    return {
      resource,
      name,
      action: 'create',
      changes,
      calls: stepCalls(operations),
      operations
    }
  }
  const arn = existing.RuleArn
  const changes = ruleChanges({
    rule,
    existing,
    targetGroupArn: ctx.targetGroupArn,
    alternateTargetGroupArn: ctx.alternateTargetGroupArn
  })
  if (changes.length === 0 || !arn) {
    return { resource, name, action: 'none', changes: [], arn, calls: [], operations: [] }
  }
  const owner = ownership(actual.elbTags[arn], request)
  const foreign = foreignRefusal(`Listener rule ${name} (priority ${existing.Priority})`, owner, request)
  if (foreign) throw new DeployError(foreign)
  if (!mayModify(owner, request)) {
    throw new DeployError(
      `Listener rule ${name} (priority ${existing.Priority}) exists but was not created by this action (it lacks the ecs-alb-deploy:stack tag), ` +
        `and its ${changes.map(c => c.field).join(', ')} differ. Set the input adopt-existing: true to let the action modify it, or change the rule's conditions.`
    )
  }
  const operations: Operation[] = []
  const fields = changes.map(c => c.field).filter(f => f !== 'Priority')
  if (fields.length > 0) {
    // Actions are sent only when they change: under a native strategy they hold ECS's weights.
    const newActions = fields.includes('Actions') ? { Actions: actions } : {}
    operations.push({
      do: {
        call: 'ModifyRule',
        input: { RuleArn: arn, Conditions: rule.Conditions, ...newActions }
      },
      inverse: {
        call: 'ModifyRule',
        input: {
          RuleArn: arn,
          Conditions: existing.Conditions?.map(restorableCondition),
          ...(fields.includes('Actions') ? { Actions: existing.Actions?.map(restorableAction) } : {})
        }
      },
      says: `modified listener rule ${name}: ${fields.join(', ')}`
    })
  }
  if (changes.some(c => c.field === 'Priority')) {
    operations.push({
      do: {
        call: 'SetRulePriorities',
        input: { RulePriorities: [{ RuleArn: arn, Priority: rule.Priority }] }
      },
      inverse: {
        call: 'SetRulePriorities',
        input: { RulePriorities: [{ RuleArn: arn, Priority: Number(existing.Priority) }] }
      },
      says: `set priority of listener rule ${name} to ${rule.Priority}`
    })
  }
  return {
    resource,
    name,
    action: 'update',
    changes,
    arn,
    calls: stepCalls(operations),
    operations
  }
}

/** A condition as DescribeRules answers it (both spellings), made fit to send back: the `*Config` one. */
function restorableCondition(c: RuleCondition): RuleCondition {
  const hasConfig =
    c.HostHeaderConfig ??
    c.PathPatternConfig ??
    c.HttpHeaderConfig ??
    c.QueryStringConfig ??
    c.HttpRequestMethodConfig ??
    c.SourceIpConfig
  if (!hasConfig) return c
  const { Values: _values, ...rest } = c
  return rest
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

type RuleCall = Extract<Call, { call: 'CreateRule' | 'ModifyRule' | 'SetRulePriorities' | 'DeleteRule' }>

/** Sends one planned listener rule call as it is (CreateRule may move to a free priority, see below). */
export async function executeRuleCall(ctx: CallContext, call: RuleCall): Promise<CallResult> {
  const { elbv2 } = ctx.clients
  switch (call.call) {
    case 'CreateRule':
      return { arn: await createRule(ctx, call) }
    case 'ModifyRule':
      await withExplanation(`ModifyRule ${ctx.name}`, () => elbv2.send(new ModifyRuleCommand(call.input)))
      return {}
    case 'SetRulePriorities':
      await withExplanation(`SetRulePriorities ${ctx.name}`, () =>
        elbv2.send(new SetRulePrioritiesCommand(call.input))
      )
      return {}
    case 'DeleteRule':
      await withExplanation(`DeleteRule ${ctx.name}`, () => elbv2.send(new DeleteRuleCommand(call.input)))
      return {}
  }
}

/**
 * CreateRule is not idempotent and priorities are shared: on PriorityInUse (a concurrent run took it),
 * look again — the rule may now exist (a concurrent run of this stack) — and try the next free priority.
 */
async function createRule(ctx: CallContext, call: Extract<Call, { call: 'CreateRule' }>): Promise<string> {
  const { request, clients, name } = ctx
  const input = call.input
  const listenerArn = input.ListenerArn ?? ''
  const conditions = input.Conditions ?? []
  const taken = new Set<number>()
  let priority = input.Priority ?? 0
  for (let attempt = 1; ; attempt++) {
    try {
      const out = await clients.elbv2.send(new CreateRuleCommand({ ...input, Priority: priority }))
      const arn = out.Rules?.[0]?.RuleArn
      if (!arn) throw new DeployError(`CreateRule ${name} answered without a rule`)
      return arn
    } catch (error) {
      const range = call.priorityRange
      if (!isAwsError(error, 'PriorityInUse') || !range || attempt >= PRIORITY_ATTEMPTS) {
        const explained = explainAwsError(error, { step: `CreateRule ${name} (priority ${priority})` })
        throw new DeployError(explained, { cause: error })
      }
      const rules = await describeRules(clients.elbv2, listenerArn)
      const same = rules.find(r => !r.IsDefault && conditionsEqual(r.Conditions, conditions))
      if (same?.RuleArn && actionsMatch(input.Actions ?? [], same.Actions)) return same.RuleArn
      for (const p of takenPriorities(rules)) taken.add(p)
      taken.add(priority)
      priority = allocatePriority({
        request,
        rule: { Conditions: conditions, priorityRange: range },
        taken
      })
    }
  }
}
