import { AwsError } from './errors.js'

/**
 * A small IAM policy evaluator: Allow statements with Action (wildcards allowed) and Resource ARN
 * patterns, explicit Deny wins. Enough to prove that the README's least-privilege policy suffices.
 */
export interface PolicyStatement {
  Effect: 'Allow' | 'Deny'
  Action: string | string[]
  Resource?: string | string[]
}

export interface PolicyDocument {
  Version?: string
  Statement: PolicyStatement[]
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

export function evaluate(policy: PolicyDocument, action: string, resources: string[]): boolean {
  const res = resources.length ? resources : ['*']
  const applies = (s: PolicyStatement, r: string) =>
    list(s.Action).some(a => glob(a, action)) && list(s.Resource).some(p => p === '*' || glob(p, r))
  if (policy.Statement.some(s => s.Effect === 'Deny' && res.some(r => applies(s, r)))) return false
  return res.every(r => policy.Statement.some(s => s.Effect === 'Allow' && applies(s, r)))
}

export function enforce(
  policy: PolicyDocument | undefined,
  action: string,
  resources: string[],
  service: 'ecs' | 'elbv2'
): void {
  if (!policy || evaluate(policy, action, resources)) return
  const who = 'arn:aws:sts::123456789012:assumed-role/github-actions-deploy/ecs-alb-deploy'
  const msg = `User: ${who} is not authorized to perform: ${action}${resources.length ? ` on resource: ${resources[0]}` : ''}`
  throw service === 'ecs'
    ? new AwsError('AccessDeniedException', msg, 400)
    : new AwsError('AccessDenied', msg, 403)
}
