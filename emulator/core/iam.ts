import { AwsError } from './errors.js'

/**
 * A small IAM policy evaluator: Allow statements with Action (wildcards allowed), Resource ARN patterns
 * and StringEquals / StringLike / ArnEquals / ArnLike conditions, explicit Deny wins. Enough to prove that
 * the README's least-privilege policies suffice, that nothing in them is superfluous, and that their
 * conditions hold where AWS evaluates them: the resource's tags (aws:ResourceTag/<key>), the tags a create
 * asks for (aws:RequestTag/<key>), the creating action of a tag-on-create (elasticloadbalancing:CreateAction,
 * ecs:CreateAction), the service's cluster (ecs:cluster) and iam:PassedToService. See emulator/FIDELITY.md.
 */
export interface PolicyStatement {
  Sid?: string
  Effect: 'Allow' | 'Deny'
  Action: string | string[]
  Resource?: string | string[]
  /** `{ "StringEquals": { "iam:PassedToService": "ecs-tasks.amazonaws.com" } }`; operators not listed above never match. */
  Condition?: Record<string, Record<string, string | string[]>>
}

export interface PolicyDocument {
  Version?: string
  Statement: PolicyStatement[]
}

/** Request context keys a Condition can test (only those the emulator's checks provide). */
export type ConditionContext = Record<string, string>

/** One authorization a request needs: its own action, or one AWS checks besides it (see impliedAuthorizations). */
export interface Authorization {
  action: string
  resources: string[]
  context?: ConditionContext
}

const list = (v: string | string[] | undefined): string[] =>
  v === undefined ? ['*'] : Array.isArray(v) ? v : [v]

const glob = (pattern: string, value: string): boolean => {
  const re = new RegExp(
    '^' +
      pattern
        .split('*')
        .map(p => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
        .join('.*') +
      '$',
    'i'
  )
  return re.test(value)
}

/** A condition block holds when every operator's every key matches one of its values. */
function conditionHolds(condition: PolicyStatement['Condition'], context: ConditionContext): boolean {
  if (!condition) return true
  return Object.entries(condition).every(([operator, keys]) =>
    Object.entries(keys).every(([key, values]) => {
      const actual = context[key]
      if (actual === undefined) return false
      const wanted = Array.isArray(values) ? values : [values]
      // ARN operators compare like strings here: the policies' ARN patterns have no case or region subtleties.
      if (operator === 'StringEquals' || operator === 'ArnEquals') return wanted.includes(actual)
      if (operator === 'StringLike' || operator === 'ArnLike') return wanted.some(w => glob(w, actual))
      return false
    })
  )
}

export function evaluate(
  policy: PolicyDocument,
  action: string,
  resources: string[],
  context: ConditionContext = {}
): boolean {
  const res = resources.length ? resources : ['*']
  const applies = (s: PolicyStatement, r: string) =>
    list(s.Action).some(a => glob(a, action)) &&
    list(s.Resource).some(p => p === '*' || glob(p, r)) &&
    conditionHolds(s.Condition, context)
  if (policy.Statement.some(s => s.Effect === 'Deny' && res.some(r => applies(s, r)))) return false
  return res.every(r => policy.Statement.some(s => s.Effect === 'Allow' && applies(s, r)))
}

const nonEmptyList = (v: unknown): boolean => Array.isArray(v) && v.length > 0

/** ECS operations that tag what they create when given `tags` (ECS then also authorizes ecs:TagResource). */
const ECS_TAG_ON_CREATE = new Set([
  'CreateService',
  'RegisterTaskDefinition',
  'CreateCluster',
  'CreateCapacityProvider',
  'CreateTaskSet',
  'RunTask',
  'StartTask'
])

/** aws:RequestTag/<key> of the tags a request asks for (ELBv2 spells them Key/Value, ECS key/value). */
function requestTags(tags: unknown, key: string, value: string): ConditionContext {
  const out: ConditionContext = {}
  for (const t of Array.isArray(tags) ? (tags as Record<string, unknown>[]) : []) {
    if (typeof t[key] === 'string') out[`aws:RequestTag/${t[key] as string}`] = String(t[value] ?? '')
  }
  return out
}

/** ELBv2 parameters that name the resource an operation acts on (AWS authorizes against it alone). */
const ELB_RESOURCE_PARAMS = ['RuleArn', 'ListenerArn', 'TargetGroupArn', 'LoadBalancerArn', 'ResourceArns']
/** ECS operations on a service: authorized against the service's ARN, with ecs:cluster. */
const ECS_SERVICE_OPERATIONS = new Set(['CreateService', 'UpdateService', 'DeleteService'])

/** ARNs named anywhere in the request: the resources of an operation this file does not model. */
export const arnsIn = (params: unknown): string[] => {
  const out = new Set<string>()
  const walk = (v: unknown) => {
    if (typeof v === 'string' && v.startsWith('arn:aws:')) out.add(v)
    else if (Array.isArray(v)) v.forEach(walk)
    else if (v && typeof v === 'object') Object.values(v).forEach(walk)
  }
  walk(params)
  return [...out]
}

/**
 * The resources an operation is authorized against and its request-wide condition keys. ELBv2: the ARN
 * of the rule / listener / target group / load balancer it acts on (a target group in a forward action is
 * not authorized; a create is on `*`, with aws:RequestTag); ECS service operations: the service's ARN, and
 * ecs:cluster (the cluster's ARN), as AWS builds them from the cluster and service names.
 */
export function requestAuthorization(opts: {
  service: 'ecs' | 'elbv2'
  operation: string
  params: Record<string, unknown>
  region: string
  accountId: string
}): { resources: string[]; context: ConditionContext } {
  const { service, operation, params } = opts
  if (service === 'elbv2') {
    const context = operation.startsWith('Create') ? requestTags(params.Tags, 'Key', 'Value') : {}
    if (operation === 'CreateTargetGroup' || operation === 'CreateLoadBalancer')
      return { resources: [], context }
    if (operation === 'SetRulePriorities') return { resources: arnsIn(params.RulePriorities), context }
    for (const key of ELB_RESOURCE_PARAMS) {
      if (params[key] !== undefined) return { resources: arnsIn(params[key]), context }
    }
    return { resources: arnsIn(params), context }
  }
  if (ECS_SERVICE_OPERATIONS.has(operation)) {
    const base = `arn:aws:ecs:${opts.region}:${opts.accountId}`
    const cluster = typeof params.cluster === 'string' && params.cluster ? params.cluster : 'default'
    const clusterArn = cluster.startsWith('arn:') ? cluster : `${base}:cluster/${cluster}`
    const clusterName = clusterArn.split('/').pop() as string
    const named = String(params.service ?? params.serviceName ?? '')
    const serviceArn = named.startsWith('arn:') ? named : `${base}:service/${clusterName}/${named}`
    return {
      resources: [serviceArn],
      context: { 'ecs:cluster': clusterArn, ...requestTags(params.tags, 'key', 'value') }
    }
  }
  return { resources: arnsIn(params), context: {} }
}

const roleArn = (role: string, accountId: string): string =>
  role.startsWith('arn:') ? role : `arn:aws:iam::${accountId}:role/${role}`

/** The roles a service's load balancers' advancedConfiguration and lifecycle hooks name. */
function blueGreenRoles(params: Record<string, unknown>): string[] {
  const lbs = Array.isArray(params.loadBalancers) ? (params.loadBalancers as Record<string, unknown>[]) : []
  const cfg = (params.deploymentConfiguration ?? {}) as Record<string, unknown>
  const hooks = Array.isArray(cfg.lifecycleHooks) ? (cfg.lifecycleHooks as Record<string, unknown>[]) : []
  const roles = [
    ...lbs.map(lb => (lb.advancedConfiguration as Record<string, unknown> | undefined)?.roleArn),
    ...hooks.map(h => h.roleArn)
  ]
  return [...new Set(roles.filter((r): r is string => typeof r === 'string' && r !== ''))]
}

/**
 * Authorizations AWS checks besides the operation's own action: tagging on create (ELBv2 wants
 * elasticloadbalancing:AddTags for `Create*` with Tags, ECS wants ecs:TagResource for a create with tags)
 * and iam:PassRole for the roles a task definition or service hands to ECS.
 */
export function impliedAuthorizations(opts: {
  service: 'ecs' | 'elbv2'
  operation: string
  params: Record<string, unknown>
  accountId: string
}): Authorization[] {
  const { service, operation, params, accountId } = opts
  const out: Authorization[] = []
  if (service === 'elbv2' && operation.startsWith('Create') && nonEmptyList(params.Tags)) {
    out.push({
      action: 'elasticloadbalancing:AddTags',
      resources: [],
      context: { 'elasticloadbalancing:CreateAction': operation, ...requestTags(params.Tags, 'Key', 'Value') }
    })
  }
  if (service === 'ecs' && ECS_TAG_ON_CREATE.has(operation) && nonEmptyList(params.tags)) {
    out.push({
      action: 'ecs:TagResource',
      resources: [],
      context: { 'ecs:CreateAction': operation, ...requestTags(params.tags, 'key', 'value') }
    })
  }
  if (service === 'ecs' && operation === 'RegisterTaskDefinition') {
    for (const key of ['taskRoleArn', 'executionRoleArn']) {
      const role = params[key]
      if (typeof role === 'string' && role !== '') {
        out.push({
          action: 'iam:PassRole',
          resources: [roleArn(role, accountId)],
          context: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' }
        })
      }
    }
  }
  if (service === 'ecs' && operation === 'CreateService' && typeof params.role === 'string' && params.role) {
    out.push({
      action: 'iam:PassRole',
      resources: [roleArn(params.role, accountId)],
      context: { 'iam:PassedToService': 'ecs.amazonaws.com' }
    })
  }
  if (service === 'ecs' && (operation === 'CreateService' || operation === 'UpdateService')) {
    // Blue/green: the infrastructure role for the load balancer and the lifecycle hooks' roles go to ECS.
    for (const role of blueGreenRoles(params)) {
      out.push({
        action: 'iam:PassRole',
        resources: [roleArn(role, accountId)],
        context: { 'iam:PassedToService': 'ecs.amazonaws.com' }
      })
    }
  }
  return out
}

/**
 * Throws AWS's access-denied error unless the policy allows the action on every resource. `resourceTags`
 * gives a resource's tags, offered to the conditions as aws:ResourceTag/<key> of that resource.
 */
export function enforce(opts: {
  policy: PolicyDocument | undefined
  action: string
  resources: string[]
  service: 'ecs' | 'elbv2'
  context?: ConditionContext
  resourceTags?: (arn: string) => Record<string, string> | undefined
}): void {
  const { policy, action, resources, service, context = {} } = opts
  const withTags = (arn: string): ConditionContext => {
    const out: ConditionContext = { ...context }
    for (const [k, v] of Object.entries(opts.resourceTags?.(arn) ?? {})) out[`aws:ResourceTag/${k}`] = v
    return out
  }
  if (!policy) return
  const allowed = resources.length
    ? resources.every(r => evaluate(policy, action, [r], withTags(r)))
    : evaluate(policy, action, [], context)
  if (allowed) return
  const who = 'arn:aws:sts::123456789012:assumed-role/github-actions-deploy/ecs-alb-deploy'
  const msg = `User: ${who} is not authorized to perform: ${action}${resources.length ? ` on resource: ${resources[0]}` : ''}`
  throw service === 'ecs'
    ? new AwsError('AccessDeniedException', msg, 400)
    : new AwsError('AccessDenied', msg, 403)
}
