import type { RuleCondition } from '@aws-sdk/client-elastic-load-balancing-v2'
import { DeployError } from '../model/errors.js'
import type { DeployRequest, ListenerRuleRequest, PreviewOptions } from '../model/request.js'
import { fitName, PREVIEW_TAG } from '../model/names.js'
import { rollingService } from '../model/deployment-strategy.js'
import { previewHost } from '../model/urls.js'
import { parsePriorityRange } from './scalars.js'
import { INPUTS } from './table.js'
import { checkPreview, HOST_HEADER_MAX } from './validate-preview.js'

export { previewHost, previewUrl } from '../model/urls.js'
export { fitName, PREVIEW_TAG } from '../model/names.js'

/**
 * PR preview environments, derived purely from the base request: per-preview names for the service,
 * target group and task definition family, a listener rule on the shared listener, and tags. No AWS call
 * here; the resource code does the rest exactly as for any other stack.
 */

/** The band listener-rule-priority-range defaults to in action.yml. */
export const DEFAULT_PRIORITY_RANGE: [number, number] = parsePriorityRange({
  input: INPUTS.listenerRulePriorityRange.name,
  text: INPUTS.listenerRulePriorityRange.default
})

/** AWS limits the derived names must respect. */
export const NAME_LIMITS = {
  targetGroup: 32,
  service: 255,
  family: 255,
  hostHeader: HOST_HEADER_MAX
} as const

/** The listener rule conditions of a preview: its host name, or `/<id>` and everything under it. */
export function previewConditions(preview: PreviewOptions): RuleCondition[] {
  if (preview.routing === 'host') {
    return [{ Field: 'host-header', HostHeaderConfig: { Values: [previewHost(preview)] } }]
  }
  return [{ Field: 'path-pattern', PathPatternConfig: { Values: [`/${preview.id}/*`, `/${preview.id}`] } }]
}

function withTag(tags: DeployRequest['tags'], key: string, value: string): DeployRequest['tags'] {
  return [...tags.filter(t => t.Key !== key), { Key: key, Value: value }]
}

/**
 * The base request turned into the preview's request. The load balancer and listener are shared: the
 * load balancer is reused by name (never created or modified by a preview), and the listener's default
 * actions stay untouched because the preview is routed by its own rule.
 */
export function applyPreview(
  request: DeployRequest,
  preview: PreviewOptions,
  opts: { priorityRange?: [number, number] } = {}
): DeployRequest {
  checkPreview(preview)
  const lb = request.loadBalancer
  if (!lb || !request.targetGroup) {
    throw new DeployError(
      'preview-id: a preview is routed by a rule on a shared load balancer, so load-balancer and target-group are required.'
    )
  }
  const id = preview.id
  const serviceName = fitName(`${request.service.serviceName}-${id}`, NAME_LIMITS.service)

  // A caller's clientToken would be shared by every preview's CreateService; the base target group ARN
  // is not the preview's (the resource code fills in the managed one).
  const { clientToken: _clientToken, ...service } = rollingService(request.service)
  const loadBalancers = service.loadBalancers?.map(({ targetGroupArn: _arn, ...rest }) => rest)

  const taskDefinition: DeployRequest['taskDefinition'] =
    request.taskDefinition.kind === 'register'
      ? {
          ...request.taskDefinition,
          input: {
            ...request.taskDefinition.input,
            family: fitName(`${request.taskDefinition.input.family}-${id}`, NAME_LIMITS.family)
          }
        }
      : request.taskDefinition

  const listenerRule: ListenerRuleRequest = {
    Conditions: previewConditions(preview),
    priorityRange: opts.priorityRange ?? request.listenerRule?.priorityRange ?? DEFAULT_PRIORITY_RANGE
  }
  const { DefaultActions: _defaultActions, ...listener } = request.listener
  // The load balancer and its attributes belong to the base stack; the target group's apply to the preview's.
  const { loadBalancerAttributes: _lbAttributes, testListener: _test, ...base } = request

  return {
    ...base,
    service: { ...service, serviceName, ...(loadBalancers ? { loadBalancers } : {}) },
    taskDefinition,
    loadBalancer: lb.kind === 'manage' ? { kind: 'reuse', name: lb.input.Name } : lb,
    targetGroup: {
      ...request.targetGroup,
      Name: fitName(`${request.targetGroup.Name}-${id}`, NAME_LIMITS.targetGroup)
    },
    listener,
    listenerRule,
    // The redirect listener, like the main listener, belongs to the base stack.
    redirectHttpToHttps: false,
    waitUntil: 'complete',
    tags: withTag(request.tags, PREVIEW_TAG, id),
    preview
  }
}
