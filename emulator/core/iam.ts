import { AwsError } from './errors.js'

/**
 * A small IAM policy evaluator: Allow statements with Action (wildcards allowed), Resource ARN patterns
 * and StringEquals / StringNotEquals / StringLike / StringNotLike / ArnEquals / ArnLike conditions, each
 * also with the set qualifiers ForAllValues: and ForAnyValue:, explicit Deny wins. Enough to prove that
 * the README's least-privilege policies suffice, that nothing in them is superfluous, and that their
 * conditions hold where AWS evaluates them: the resource's tags (aws:ResourceTag/<key>), the tags a request
 * sets (aws:RequestTag/<key>) and the keys it sets or removes (aws:TagKeys), the creating action of a
 * tag-on-create (elasticloadbalancing:CreateAction, ecs:CreateAction), the service's cluster (ecs:cluster),
 * iam:PassedToService and iam:AWSServiceName. See emulator/FIDELITY.md.
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

/**
 * Request context keys a Condition can test (only those the emulator's checks provide): a string for a
 * single-valued key, a list for a multivalued one (aws:TagKeys).
 */
export type ConditionContext = Record<string, string | string[]>

/** One authorization a request needs: its own action, or one AWS checks besides it (see impliedAuthorizations). */
export interface Authorization {
  action: string
  resources: string[]
  context?: ConditionContext
}

const list = (v: string | string[] | undefined): string[] =>
  v === undefined ? ['*'] : Array.isArray(v) ? v : [v]

const glob = (pattern: string, value: string, flags = 'i'): boolean => {
  const re = new RegExp(
    '^' +
      pattern
        .split('*')
        .map(p => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
        .join('.*') +
      '$',
    flags
  )
  return re.test(value)
}

/** Whether one request value matches one of the policy's values (case-sensitive, as AWS compares strings). */
const MATCHERS: Record<string, (wanted: string[], actual: string) => boolean> = {
  // ARN operators compare like strings here: the policies' ARN patterns have no case or region subtleties.
  StringEquals: (wanted, actual) => wanted.includes(actual),
  ArnEquals: (wanted, actual) => wanted.includes(actual),
  StringLike: (wanted, actual) => wanted.some(w => glob(w, actual, '')),
  ArnLike: (wanted, actual) => wanted.some(w => glob(w, actual, ''))
}
/** A negated operator holds for a value that matches none of the policy's values. */
const NEGATED: Record<string, string> = { StringNotEquals: 'StringEquals', StringNotLike: 'StringLike' }

/** One operator on one request value; an operator this file does not model never matches. */
function valueMatches(operator: string, wanted: string[], actual: string): boolean {
  const negated = NEGATED[operator]
  if (negated) return !MATCHERS[negated](wanted, actual)
  return MATCHERS[operator]?.(wanted, actual) ?? false
}

/**
 * One operator on one context key, as the IAM User Guide defines it. Without a set qualifier a missing key
 * matches only a negated operator. `ForAllValues:` holds when every value in the request matches (so also
 * when the request has none); `ForAnyValue:` when at least one does (so never when it has none).
 */
function keyMatches(operator: string, wanted: string[], actual: string | string[] | undefined): boolean {
  const [qualifier, base] = operator.includes(':') ? operator.split(':', 2) : [undefined, operator]
  const values = actual === undefined ? [] : Array.isArray(actual) ? actual : [actual]
  if (qualifier === 'ForAllValues') return values.every(v => valueMatches(base, wanted, v))
  if (qualifier === 'ForAnyValue') return values.some(v => valueMatches(base, wanted, v))
  if (qualifier !== undefined) return false
  if (actual === undefined) return NEGATED[base] !== undefined
  // A multivalued key needs a set qualifier: without one the emulator never matches it.
  return typeof actual === 'string' && valueMatches(base, wanted, actual)
}

/** A condition block holds when every operator's every key matches. */
function conditionHolds(condition: PolicyStatement['Condition'], context: ConditionContext): boolean {
  if (!condition) return true
  return Object.entries(condition).every(([operator, keys]) =>
    Object.entries(keys).every(([key, values]) =>
      keyMatches(operator, Array.isArray(values) ? values : [values], context[key])
    )
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

/**
 * aws:RequestTag/<key> of the tags a request sets, and aws:TagKeys, their keys (ELBv2 spells them
 * Key/Value, ECS key/value). A request without tags has no aws:TagKeys.
 */
function requestTags(tags: unknown, key: string, value: string): ConditionContext {
  const out: ConditionContext = {}
  const keys: string[] = []
  for (const t of Array.isArray(tags) ? (tags as Record<string, unknown>[]) : []) {
    if (typeof t[key] !== 'string') continue
    out[`aws:RequestTag/${t[key] as string}`] = String(t[value] ?? '')
    keys.push(t[key] as string)
  }
  if (keys.length > 0) out['aws:TagKeys'] = keys
  return out
}

/** aws:TagKeys of a request that removes tags by key (RemoveTags, UntagResource). */
const removedTagKeys = (keys: unknown): ConditionContext =>
  Array.isArray(keys) && keys.length > 0 ? { 'aws:TagKeys': keys.map(String) } : {}

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
 * not authorized; a create is on `*`, with aws:RequestTag and aws:TagKeys); ECS service operations: the
 * service's ARN, and ecs:cluster (the cluster's ARN), as AWS builds them from the cluster and service names.
 * Tagging calls (AddTags, RemoveTags, TagResource, UntagResource) carry aws:TagKeys, the keys they touch.
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
    const context =
      operation.startsWith('Create') || operation === 'AddTags'
        ? requestTags(params.Tags, 'Key', 'Value')
        : operation === 'RemoveTags'
          ? removedTagKeys(params.TagKeys)
          : {}
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
  if (operation === 'TagResource')
    return { resources: arnsIn(params), context: requestTags(params.tags, 'key', 'value') }
  if (operation === 'UntagResource')
    return { resources: arnsIn(params), context: removedTagKeys(params.tagKeys) }
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
 * EC2 reads ELBv2 makes with the caller's permissions (ELB guide, "Elastic Load Balancing API permissions":
 * the caller must be allowed them besides the ELBv2 action). SetSecurityGroups and the rest need none.
 */
const ELB_EC2_READS: Record<string, string[]> = {
  CreateLoadBalancer: [
    'ec2:DescribeAccountAttributes',
    'ec2:DescribeAddresses',
    'ec2:DescribeInternetGateways',
    'ec2:DescribeSecurityGroups',
    'ec2:DescribeSubnets',
    'ec2:DescribeVpcs'
  ],
  CreateTargetGroup: ['ec2:DescribeInternetGateways', 'ec2:DescribeVpcs'],
  RegisterTargets: [
    'ec2:DescribeInstances',
    'ec2:DescribeInternetGateways',
    'ec2:DescribeSubnets',
    'ec2:DescribeVpcs'
  ],
  SetIpAddressType: ['ec2:DescribeSubnets'],
  SetSubnets: ['ec2:DescribeSubnets']
}

/** ELBv2's service-linked role, created on the account's first load balancer or target group. */
export const ELB_SERVICE_LINKED_ROLE = 'elasticloadbalancing.amazonaws.com'
const ELB_CREATES_SERVICE_LINKED_ROLE = new Set(['CreateLoadBalancer', 'CreateTargetGroup'])

/** The service-linked role (by its service name) an operation creates when the account has none yet. */
export function serviceLinkedRoleOf(service: 'ecs' | 'elbv2', operation: string): string | undefined {
  return service === 'elbv2' && ELB_CREATES_SERVICE_LINKED_ROLE.has(operation)
    ? ELB_SERVICE_LINKED_ROLE
    : undefined
}

/**
 * Authorizations AWS checks besides the operation's own action: tagging on create (ELBv2 wants
 * elasticloadbalancing:AddTags for `Create*` with Tags, ECS wants ecs:TagResource for a create with tags),
 * iam:PassRole for the roles a task definition or service hands to ECS, the EC2 reads ELBv2 makes for
 * the caller, and iam:CreateServiceLinkedRole when the operation has to create ELBv2's service-linked role
 * (the account has none yet: `serviceLinkedRoles` lists the service names of those that exist).
 */
export function impliedAuthorizations(opts: {
  service: 'ecs' | 'elbv2'
  operation: string
  params: Record<string, unknown>
  accountId: string
  serviceLinkedRoles?: ReadonlySet<string>
}): Authorization[] {
  const { service, operation, params, accountId } = opts
  const out: Authorization[] = []
  if (service === 'elbv2') {
    for (const action of ELB_EC2_READS[operation] ?? []) out.push({ action, resources: [] })
  }
  const linkedRole = serviceLinkedRoleOf(service, operation)
  if (linkedRole && !opts.serviceLinkedRoles?.has(linkedRole)) {
    out.push({
      action: 'iam:CreateServiceLinkedRole',
      resources: [
        `arn:aws:iam::${accountId}:role/aws-service-role/${linkedRole}/AWSServiceRoleForElasticLoadBalancing`
      ],
      context: { 'iam:AWSServiceName': linkedRole }
    })
  }
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
