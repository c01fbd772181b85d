import { AwsError } from './errors.js'

/**
 * A small IAM policy evaluator: Allow statements with Action (wildcards allowed), Resource ARN patterns
 * and StringEquals / StringLike conditions, explicit Deny wins. Enough to prove that the README's
 * least-privilege policy suffices, and that nothing in it is superfluous.
 */
export interface PolicyStatement {
  Sid?: string
  Effect: 'Allow' | 'Deny'
  Action: string | string[]
  Resource?: string | string[]
  /** `{ "StringEquals": { "iam:PassedToService": "ecs-tasks.amazonaws.com" } }`; other operators never match. */
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
      if (operator === 'StringEquals') return wanted.includes(actual)
      if (operator === 'StringLike') return wanted.some(w => glob(w, actual))
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

const roleArn = (role: string, accountId: string): string =>
  role.startsWith('arn:') ? role : `arn:aws:iam::${accountId}:role/${role}`

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
    out.push({ action: 'elasticloadbalancing:AddTags', resources: [] })
  }
  if (service === 'ecs' && ECS_TAG_ON_CREATE.has(operation) && nonEmptyList(params.tags)) {
    out.push({ action: 'ecs:TagResource', resources: [] })
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
  return out
}

export function enforce(
  policy: PolicyDocument | undefined,
  action: string,
  resources: string[],
  service: 'ecs' | 'elbv2',
  context: ConditionContext = {}
): void {
  if (!policy || evaluate(policy, action, resources, context)) return
  const who = 'arn:aws:sts::123456789012:assumed-role/github-actions-deploy/ecs-alb-deploy'
  const msg = `User: ${who} is not authorized to perform: ${action}${resources.length ? ` on resource: ${resources[0]}` : ''}`
  throw service === 'ecs'
    ? new AwsError('AccessDeniedException', msg, 400)
    : new AwsError('AccessDenied', msg, 403)
}
