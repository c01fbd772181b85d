import type { ListenerRequest, ListenerRuleRequest, LoadBalancerRequest } from '../model/request.js'
import { ecsTargetType } from '../model/target-type.js'
import { InputError } from './errors.js'
import { TARGET_GROUP_ARN } from './identifiers.js'
import type { KnownNetworkMode } from './network-mode.js'
import type { TargetGroupInput } from './validate-target-group.js'
import type { ServiceInput } from './validate-service.js'

export interface Combination {
  loadBalancer: LoadBalancerRequest | undefined
  targetGroup: TargetGroupInput | undefined
  /** load-balancer-attributes / target-group-attributes are set. */
  loadBalancerAttributes: boolean
  targetGroupAttributes: boolean
  /** The listener input differs from action.yml's default, i.e. the user set it. */
  listenerGiven: boolean
  listener: ListenerRequest
  listenerRule: ListenerRuleRequest | undefined
  redirectHttpToHttps: boolean
  service: ServiceInput
  networkMode: KnownNetworkMode | undefined
  /** preview-routing is set: the preview gets its own rule on a shared load balancer. */
  preview: boolean
}

/** Rules that relate two inputs; each error names the input that has to change. */
export function validateCombination(c: Combination): void {
  if (!c.loadBalancer) {
    const orphan = c.targetGroup
      ? 'target-group'
      : c.listenerRule
        ? 'listener-rule'
        : c.listenerGiven
          ? 'listener'
          : undefined
    if (orphan) {
      throw new InputError(
        orphan,
        undefined,
        'needs a load-balancer input (a file, inline JSON/YAML, or the name/ARN of one to reuse)'
      )
    }
    if (c.redirectHttpToHttps)
      throw new InputError('redirect-http-to-https', undefined, 'needs a load-balancer input')
  }
  if (c.loadBalancerAttributes && c.loadBalancer?.kind !== 'manage') {
    throw new InputError(
      'load-balancer-attributes',
      undefined,
      c.loadBalancer
        ? 'applies to a load balancer the action manages, but the load-balancer input names an existing one, which the action never modifies: give a CreateLoadBalancer JSON/YAML instead, or set the attributes where that load balancer is managed'
        : 'needs a load-balancer input (a CreateLoadBalancer JSON/YAML)'
    )
  }
  if (c.targetGroupAttributes && !c.targetGroup) {
    throw new InputError(
      'target-group-attributes',
      undefined,
      'needs a target-group input: the action sets attributes on the target group it manages only'
    )
  }
  if (c.redirectHttpToHttps && c.listener.Protocol !== 'HTTPS') {
    throw new InputError(
      'redirect-http-to-https',
      undefined,
      `redirects HTTP to an HTTPS listener, but the listener input is ${c.listener.Protocol} on port ${c.listener.Port}`
    )
  }
  if (c.redirectHttpToHttps && c.listener.Port === 80) {
    throw new InputError(
      'redirect-http-to-https',
      undefined,
      'needs port 80 for the redirect, but the HTTPS listener uses port 80'
    )
  }
  const attached = c.service.loadBalancers ?? []
  if (c.targetGroup && attached.length === 0) {
    throw new InputError(
      'service',
      'loadBalancers',
      'must name the container and port to put behind the target group: [{"containerName": "app", "containerPort": 4567}]'
    )
  }
  // A placeholder ARN without a target-group input is the service's own mistake: validateService names
  // its field. A real one still needs this input: the action routes only to the target group it manages.
  const placeholder = attached.some(a => !TARGET_GROUP_ARN.test(a.targetGroupArn ?? ''))
  if (c.loadBalancer && !c.targetGroup && !placeholder) {
    throw new InputError(
      'target-group',
      undefined,
      attached.length === 0
        ? 'is required with a load-balancer input: the target group (CreateTargetGroup JSON/YAML) the service registers in'
        : "is required with a load-balancer input, even when the service names a target group ARN: the action routes the load balancer's listener to the target group it manages (a CreateTargetGroup JSON/YAML), and fills in the service's targetGroupArn with it"
    )
  }
  if (c.preview && (!c.loadBalancer || !c.targetGroup)) {
    throw new InputError(
      c.loadBalancer ? 'target-group' : 'load-balancer',
      undefined,
      'is required for a preview (preview-routing): the preview gets its own target group and a rule on the shared load balancer'
    )
  }
  checkTargetType(c)
}

/** The target group must take the tasks the way ECS registers them (ecsTargetType). */
function checkTargetType(c: Combination): void {
  // A task without a network ('none') is never registered: nothing to check.
  if (!c.targetGroup || !c.networkMode || c.networkMode.mode === 'none') return
  const wanted = ecsTargetType(c.networkMode.mode)
  const actual = c.targetGroup.TargetType ?? 'instance'
  if (actual !== wanted) {
    const got =
      c.targetGroup.TargetType === undefined ? 'it is left out, which means "instance"' : `got "${actual}"`
    throw new InputError(
      'target-group',
      'TargetType',
      `must be "${wanted}" because ${c.networkMode.because}; ${got}`
    )
  }
}

/**
 * A DAEMON service runs one task per container instance: CreateService and UpdateService refuse a
 * desiredCount with it ("The daemon scheduling strategy does not support a desired count for services"),
 * so neither a count nor a scale to 0 after a failed first deploy can be honoured. The strategy cannot
 * change on an existing service, so the refusal never blocks a run where the setting would apply.
 */
export function validateDaemon(opts: {
  service: ServiceInput
  desiredCountInput: number | undefined
  newServiceOnFailure: 'keep' | 'scale-to-zero'
}): void {
  if (opts.service.schedulingStrategy !== 'DAEMON') return
  if (opts.newServiceOnFailure === 'scale-to-zero') {
    throw new InputError(
      'new-service-on-failure',
      undefined,
      'must be keep for a DAEMON service (input "service", field "schedulingStrategy"): ECS refuses a desired count for it, so a failed first deploy cannot be scaled to 0; it is kept for inspection, and a run with delete: true removes it'
    )
  }
  if (opts.desiredCountInput !== undefined) {
    throw new InputError(
      'desired-count',
      undefined,
      'must be left out for a DAEMON service (schedulingStrategy DAEMON runs one task per container instance)'
    )
  }
  if (opts.service.desiredCount !== undefined) {
    throw new InputError(
      'service',
      'desiredCount',
      'must be left out with schedulingStrategy DAEMON: ECS runs one task per container instance and refuses a desired count'
    )
  }
}
