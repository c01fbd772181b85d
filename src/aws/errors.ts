/**
 * AWS errors turned into what to do next. Throttling never gets here as a loop of ours: the SDK's
 * standard retry strategy handles it (see aws.ts).
 */

export { DeployError } from '../model/errors.js'
import { DeployError } from '../model/errors.js'

/**
 * The AWS error code without the SDK's `Exception` suffix: the wire says `LoadBalancerNotFound`, the SDK
 * names the class `LoadBalancerNotFoundException`; both spellings compare equal this way.
 */
export function awsErrorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined
  const e = error as { name?: unknown; Code?: unknown; code?: unknown }
  const raw = [e.Code, e.code, e.name].find((v): v is string => typeof v === 'string' && v !== 'Error')
  return raw?.replace(/Exception$/, '')
}

export function isAwsError(error: unknown, ...codes: string[]): boolean {
  const code = awsErrorCode(error)
  return code !== undefined && codes.some(c => c.replace(/Exception$/, '') === code)
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

export interface ErrorContext {
  /** The call that failed and on what, e.g. "CreateService ecs-simple-service-elb". */
  step: string
}

/**
 * Any error as the message to show: an AWS error says which step failed, its code, AWS's message and
 * what to do about it; a DeployError (already explained) and any other error keep their message.
 */
export function explainAwsError(error: unknown, context?: ErrorContext): string {
  if (error instanceof DeployError) return error.message
  const code = awsErrorCode(error)
  const message = messageOf(error)
  if (!code || !isFromAws(error)) return message
  const head = `${context?.step ?? 'AWS call'} failed (${code}): ${message}`
  const hint = advice(code, message, context?.step ?? '')
  return hint ? `${head}\n${hint}` : head
}

/** SDK service errors carry $metadata / $fault; a plain Error or TypeError does not. */
function isFromAws(error: unknown): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    ('$metadata' in error || '$fault' in error || 'Code' in error)
  )
}

function advice(code: string, message: string, step: string): string {
  const lower = message.toLowerCase()
  if (
    code === 'AccessDenied' ||
    code === 'UnauthorizedOperation' ||
    lower.includes('not authorized to perform')
  ) {
    const action = /perform:?\s+([a-z0-9-]+:[A-Za-z0-9]+)/i.exec(message)?.[1] ?? actionOf(step)
    return `The role is not allowed ${action}: add it to the role's policy (see README, least-privilege IAM policy).`
  }
  if (lower.includes('does not have an associated load balancer')) {
    return (
      'ECS only accepts a target group that is attached to a load balancer (by a listener default action ' +
      'or a listener rule). The action attaches it before creating the service and retried while ECS did ' +
      'not see the attachment yet; if the listener or rule exists, run the action again (what it created ' +
      'is reused), else check that nothing removed it meanwhile.'
    )
  }
  if (lower.includes('unable to assume the service linked role')) {
    return (
      "ECS's service-linked role (AWSServiceRoleForECS) is missing or was created moments ago; the action " +
      'retried meanwhile. Check that it exists (aws iam create-service-linked-role --aws-service-name ' +
      'ecs.amazonaws.com creates it), then run the action again.'
    )
  }
  if (lower.includes('cannot be stopped while deployments are active')) {
    return (
      'The service was scaled to 0 and ECS still counts its deployments as active; the action retried ' +
      'meanwhile. Run the teardown again in a minute: the service is already at 0 tasks.'
    )
  }
  switch (code) {
    case 'DuplicateTargetGroupName':
      return 'A target group with this name exists with other settings (protocol, port, VPC or target type). Rename it in the target-group input, or delete the old one.'
    case 'PriorityInUse':
      return 'Another rule took this priority. Set a free Priority in the listener-rule input, or let the action allocate one (omit Priority).'
    case 'TooManyRules':
      // The quota is per load balancer, over all its listeners, default rules not counted (Quotas for your
      // Application Load Balancers: https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-limits.html).
      return 'The load balancer has reached its rule quota (100 rules by default, counted over all its listeners, default rules not counted). Remove unused rules on any of its listeners (e.g. the previews of closed pull requests: delete: true) or ask AWS to raise the "Rules per Application Load Balancer" quota.'
    case 'ServiceNotActive':
      return 'The service is not ACTIVE (it is being deleted). Wait until it is INACTIVE, then run the action again to create it anew.'
    case 'ClusterNotFound':
      return 'Check the `cluster` input: no ECS cluster of that name exists in this account and region.'
    case 'CertificateNotFound':
      return 'Check Certificates[].CertificateArn in the listener input: the certificate must exist in ACM in the same region.'
    case 'InvalidParameter':
    case 'InvalidConfigurationRequest':
    case 'ValidationError':
    case 'Client':
      return 'AWS rejected a parameter of this call: fix it in the corresponding input file.'
    default:
      return ''
  }
}

function actionOf(step: string): string {
  const op = step.split(' ')[0] ?? ''
  if (!/^[A-Z][a-z]+[A-Z]/.test(op)) return 'the denied action (see the message above)'
  const ecs = /Service|TaskDefinition/.test(op)
  return `${ecs ? 'ecs' : 'elasticloadbalancing'}:${op}`
}

/** Runs one AWS call and explains its failure. */
export async function withExplanation<T>(step: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call()
  } catch (error) {
    if (error instanceof DeployError) throw error
    throw new DeployError(explainAwsError(error, { step }), { cause: error })
  }
}
