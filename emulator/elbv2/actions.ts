import type { Action, RuleCondition } from '@aws-sdk/client-elastic-load-balancing-v2'
import { AwsError } from '../core/errors.js'
import type { Store } from './store.js'
import { validation } from './validate.js'

const TERMINAL = new Set(['forward', 'redirect', 'fixed-response'])
const ACTION_TYPES = new Set([...TERMINAL, 'authenticate-oidc', 'authenticate-cognito', 'jwt-validation'])
const CONTENT_TYPES = ['text/plain', 'text/css', 'text/html', 'application/javascript', 'application/json']

export interface ActionScope {
  store: Store
  lbArn: string
  vpcId?: string
}

/**
 * Validates actions and returns them the way DescribeListeners/DescribeRules report them: a forward to
 * one target group carries both TargetGroupArn and ForwardConfig (weight 1, stickiness off), a redirect
 * carries its "#{…}" defaults.
 */
export function normalizeActions(actions: Action[] | undefined, scope: ActionScope): Action[] {
  if (!actions?.length) throw validation('At least one action must be specified')
  const out = actions.map(a => normalizeAction(a, scope))
  if (!out.some(a => TERMINAL.has(a.Type ?? ''))) {
    throw validation('You must specify exactly one forward, redirect or fixed-response action')
  }
  if (out.filter(a => TERMINAL.has(a.Type ?? '')).length > 1) {
    throw new AwsError(
      'TooManyActions',
      'You can specify only one forward, redirect or fixed-response action'
    )
  }
  return out.some(a => a.Order !== undefined) ? [...out].sort((x, y) => (x.Order ?? 0) - (y.Order ?? 0)) : out
}

function normalizeAction(a: Action, scope: ActionScope): Action {
  const type = a.Type ?? ''
  if (!ACTION_TYPES.has(type))
    throw validation(`Action type '${type}' must be one of '${[...ACTION_TYPES].join(', ')}'`)
  if (type === 'forward') return normalizeForward(a, scope)
  if (type === 'redirect') {
    const r = a.RedirectConfig
    if (!r) throw validation('A redirect configuration must be specified for redirect actions')
    if (r.StatusCode !== 'HTTP_301' && r.StatusCode !== 'HTTP_302') {
      throw validation(`Redirect status code '${r.StatusCode ?? ''}' must be one of 'HTTP_301, HTTP_302'`)
    }
    if (r.Path && !r.Path.startsWith('/')) throw validation(`Redirect path '${r.Path}' must start with '/'`)
    return {
      Type: type,
      ...(a.Order !== undefined && { Order: a.Order }),
      RedirectConfig: {
        Protocol: r.Protocol ?? '#{protocol}',
        Port: r.Port ?? '#{port}',
        Host: r.Host ?? '#{host}',
        Path: r.Path ?? '/#{path}',
        Query: r.Query ?? '#{query}',
        StatusCode: r.StatusCode
      }
    }
  }
  if (type === 'fixed-response') {
    const f = a.FixedResponseConfig
    if (!f || !/^[245]\d\d$/.test(f.StatusCode ?? '')) {
      throw validation(`Fixed response status code '${f?.StatusCode ?? ''}' must be a 2XX, 4XX or 5XX code`)
    }
    if (f.ContentType && !CONTENT_TYPES.includes(f.ContentType)) {
      throw validation(`Content type '${f.ContentType}' must be one of '${CONTENT_TYPES.join(', ')}'`)
    }
    if ((f.MessageBody ?? '').length > 1024)
      throw validation('Fixed response message body cannot be longer than 1024 characters')
    return { Type: type, ...(a.Order !== undefined && { Order: a.Order }), FixedResponseConfig: { ...f } }
  }
  return { ...a }
}

function normalizeForward(a: Action, scope: ActionScope): Action {
  const configured = a.ForwardConfig?.TargetGroups ?? []
  let groups = configured.map(t => ({ TargetGroupArn: t.TargetGroupArn ?? '', Weight: t.Weight ?? 1 }))
  if (a.TargetGroupArn) {
    if (groups.length && (groups.length > 1 || groups[0].TargetGroupArn !== a.TargetGroupArn)) {
      throw validation(
        'You cannot specify a target group ARN and a forward config with different target groups'
      )
    }
    if (!groups.length) groups = [{ TargetGroupArn: a.TargetGroupArn, Weight: 1 }]
  }
  if (!groups.length) throw validation('A target group ARN must be specified for forward actions')
  if (groups.length > 5) throw validation('A forward action can have at most 5 target groups')
  for (const g of groups) {
    if (g.Weight < 0 || g.Weight > 999)
      throw validation(`Target group weight '${g.Weight}' must be between 0 and 999`)
    checkTargetGroupFits(g.TargetGroupArn, scope)
  }
  const stickiness = a.ForwardConfig?.TargetGroupStickinessConfig
  return {
    Type: 'forward',
    ...(groups.length === 1 && { TargetGroupArn: groups[0].TargetGroupArn }),
    ...(a.Order !== undefined && { Order: a.Order }),
    ForwardConfig: {
      TargetGroups: groups,
      TargetGroupStickinessConfig: stickiness?.Enabled
        ? { Enabled: true, DurationSeconds: stickiness.DurationSeconds ?? 3600 }
        : { Enabled: false }
    }
  }
}

/** A target group may serve one ALB only, in the ALB's VPC, over HTTP or HTTPS. */
function checkTargetGroupFits(tgArn: string, scope: ActionScope): void {
  const tg = scope.store.tg(tgArn).tg
  if (tg.TargetType === 'instance' || tg.TargetType === 'ip') {
    if (tg.VpcId !== scope.vpcId) {
      throw validation(
        `The VPC ID '${tg.VpcId ?? ''}' of target group '${tgArn}' does not match the VPC ID '${scope.vpcId ?? ''}' of load balancer '${scope.lbArn}'`
      )
    }
  }
  if (tg.Protocol !== 'HTTP' && tg.Protocol !== 'HTTPS' && tg.TargetType !== 'lambda') {
    throw new AwsError(
      'IncompatibleProtocols',
      `The protocol '${tg.Protocol ?? ''}' of target group '${tgArn}' is not supported by application load balancers`
    )
  }
  const others = scope.store.loadBalancersOf(tgArn).filter(arn => arn !== scope.lbArn)
  if (others.length) {
    throw new AwsError(
      'TargetGroupAssociationLimit',
      `The following target groups cannot be associated with more than one load balancer: ${tgArn}`
    )
  }
}

const FIELDS = [
  'path-pattern',
  'host-header',
  'http-header',
  'http-request-method',
  'query-string',
  'source-ip'
]
const SINGLE_FIELDS = new Set(['path-pattern', 'host-header', 'http-request-method', 'source-ip'])

/** Values a condition matches on, whichever form the caller used. */
export const conditionValues = (c: RuleCondition): string[] => {
  switch (c.Field) {
    case 'path-pattern':
      return c.PathPatternConfig?.Values ?? c.Values ?? []
    case 'host-header':
      return c.HostHeaderConfig?.Values ?? c.Values ?? []
    case 'http-header':
      return c.HttpHeaderConfig?.Values ?? []
    case 'http-request-method':
      return c.HttpRequestMethodConfig?.Values ?? []
    case 'query-string':
      return (c.QueryStringConfig?.Values ?? []).map(v => `${v.Key ?? ''}=${v.Value ?? ''}`)
    case 'source-ip':
      return c.SourceIpConfig?.Values ?? []
    default:
      return []
  }
}

/**
 * Validates conditions (one of each single-valued field, at most five values in all) and returns them
 * with both the `Values` and the `…Config` form filled for path and host conditions.
 */
export function normalizeConditions(conditions: RuleCondition[] | undefined): RuleCondition[] {
  if (!conditions?.length) throw validation('A rule must have at least one condition')
  const seen = new Set<string>()
  let total = 0
  const out = conditions.map(c => {
    const field = c.Field ?? ''
    if (!FIELDS.includes(field))
      throw validation(`Condition field '${field}' must be one of '${FIELDS.join(', ')}'`)
    if (SINGLE_FIELDS.has(field) && seen.has(field))
      throw validation(`A rule can only have one '${field}' condition`)
    seen.add(field)
    if (field === 'http-header' && !c.HttpHeaderConfig?.HttpHeaderName) {
      throw validation('An HTTP header name must be specified for http-header conditions')
    }
    const values = conditionValues(c)
    if (!values.length || values.some(v => v === ''))
      throw validation(`A '${field}' condition must have at least one non-empty value`)
    if (values.some(v => v.length > 128))
      throw validation(`Condition value cannot be longer than '128' characters`)
    total += values.length
    if (field === 'path-pattern')
      return { Field: field, Values: values, PathPatternConfig: { Values: values } }
    if (field === 'host-header') return { Field: field, Values: values, HostHeaderConfig: { Values: values } }
    return { ...c }
  })
  if (total > 5) throw validation(`A rule can only have '5' condition values, but '${total}' were specified`)
  return out
}
