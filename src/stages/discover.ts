import {
  type ElasticLoadBalancingV2Client,
  type Listener,
  type LoadBalancer,
  type TargetGroup
} from '@aws-sdk/client-elastic-load-balancing-v2'
import type { Service } from '@aws-sdk/client-ecs'
import { emptyActual, type Actual } from '../model/actual.js'
import type { Clients } from '../aws/clients.js'
import { DeployError, explainAwsError } from '../aws/errors.js'
import type { DeployRequest } from '../model/request.js'
import { describeLoadBalancer, describeLoadBalancerAttributes } from '../resources/load-balancer.js'
import { describeListeners, findListener } from '../resources/listener.js'
import { describeRules } from '../resources/listener-rule.js'
import { describeElbTags } from '../resources/ownership.js'
import { describeService } from '../resources/service.js'
import {
  desiredNetworkMode,
  describeTaskDefinition,
  familyOf,
  latestRevisionLookup,
  taskDefinitionLookup
} from '../resources/task-definition.js'
import {
  describeTargetGroupAttributes,
  describeTargetGroupByName,
  describeTargetGroups,
  desiredTargetGroup,
  immutableChanges,
  replacementName
} from '../resources/target-group.js'

import { alternateTargetGroupName, isNativeStrategy } from '../model/deployment-strategy.js'

export type { Actual } from '../model/actual.js'

/**
 * Reads what exists; never mutates. In the steady state it costs at most seven calls: DescribeLoadBalancers,
 * DescribeTargetGroups, DescribeListeners, DescribeRules (with a listener rule), one DescribeTags for all
 * of them, DescribeTaskDefinition and DescribeServices; and one Describe…Attributes per attributes input
 * given, and a second DescribeTaskDefinition (the family's latest) when images are set on a named revision.
 * The ECS reads run alongside the ELB ones.
 */
export async function discover(opts: { clients: Clients; request: DeployRequest }): Promise<Actual> {
  const { clients, request } = opts
  try {
    const [ecs, elb] = await Promise.all([discoverEcs(opts), discoverLoadBalancer(clients.elbv2, request)])
    const actual: Actual = { ...emptyActual(), ...ecs, ...elb }
    if (request.loadBalancer && request.targetGroup) {
      Object.assign(
        actual,
        await discoverTargetGroups({ elbv2: clients.elbv2, request, actual, attached: elb.attached })
      )
    }
    const listener = findListener(actual.listeners, request.listener.Port)
    const testListener = request.testListener && findListener(actual.listeners, request.testListener.Port)
    const [rules, testRules] = await Promise.all([
      request.listenerRule && listener?.ListenerArn ? describeRules(clients.elbv2, listener.ListenerArn) : [],
      testListener?.ListenerArn ? describeRules(clients.elbv2, testListener.ListenerArn) : []
    ])
    Object.assign(actual, { rules, testRules })
    const [elbTags, attributes] = await Promise.all([
      describeElbTags(clients.elbv2, taggedArns(request, actual)),
      describeAttributes({ elbv2: clients.elbv2, request, actual })
    ])
    return { ...actual, elbTags, ...attributes }
  } catch (error) {
    if (error instanceof DeployError) throw error
    throw new DeployError(explainAwsError(error, { step: 'Describing what exists' }), { cause: error })
  }
}

async function discoverEcs(opts: { clients: Clients; request: DeployRequest }): Promise<Partial<Actual>> {
  const { clients, request } = opts
  const latestFamily = latestRevisionLookup(request)
  const [td, service, latest] = await Promise.all([
    describeTaskDefinition(clients.ecs, taskDefinitionLookup(request)),
    describeService(clients.ecs, request),
    latestFamily ? describeTaskDefinition(clients.ecs, latestFamily) : undefined
  ])
  const running = await runningRevision({ ecs: clients.ecs, request, service, known: [td, latest] })
  const rederive = request.taskDefinition.kind === 'reference' && request.taskDefinition.images
  if (!rederive) {
    const compared = request.taskDefinition.kind === 'register' ? (running ?? td) : td
    return {
      taskDefinition: compared.taskDefinition,
      taskDefinitionTags: compared.tags,
      ...(compared !== td ? { latestTaskDefinition: td.taskDefinition } : {}),
      service
    }
  }
  // A bare family builds on what the service runs; a named revision on that revision. Either way the
  // new registration is compared with what runs (else the family's latest).
  const ref = taskDefinitionLookup(request)
  const base = familyOf(ref) === ref ? (running ?? td) : td
  const newest = latest ?? td
  const compared = running ?? newest
  return {
    taskDefinition: compared.taskDefinition,
    taskDefinitionTags: compared.tags,
    ...(compared !== newest ? { latestTaskDefinition: newest.taskDefinition } : {}),
    baseTaskDefinition: base,
    service
  }
}

type Described = Awaited<ReturnType<typeof describeTaskDefinition>>

/**
 * The revision the service runs: that of its last COMPLETED deployment, when it is of the family the
 * request registers into. A deploy is compared with what runs, not with the family's latest ACTIVE
 * revision, which may be one a rolled-back deployment registered. Costs a call only when that revision
 * is not one already described.
 */
async function runningRevision(opts: {
  ecs: Clients['ecs']
  request: DeployRequest
  service?: Service
  known: (Described | undefined)[]
}): Promise<Described | undefined> {
  const { request, service } = opts
  const td = request.taskDefinition
  const family = td.kind === 'register' ? td.input.family : td.images ? familyOf(td.ref) : undefined
  const completed =
    service?.deployments?.find(d => d.status === 'PRIMARY' && d.rolloutState === 'COMPLETED') ??
    service?.deployments?.find(d => d.rolloutState === 'COMPLETED')
  const arn = completed?.taskDefinition ?? service?.taskDefinition
  if (!family || !arn || familyOf(arn) !== family) return undefined
  const known = opts.known.find(k => k?.taskDefinition?.taskDefinitionArn === arn)
  if (known) return known
  const described = await describeTaskDefinition(opts.ecs, arn)
  return described.taskDefinition ? described : undefined
}

interface LoadBalancerSide {
  loadBalancer?: LoadBalancer
  listeners: Listener[]
  /** Target groups attached to the load balancer. */
  attached: TargetGroup[]
}

async function discoverLoadBalancer(
  elbv2: ElasticLoadBalancingV2Client,
  request: DeployRequest
): Promise<LoadBalancerSide> {
  if (!request.loadBalancer) return { listeners: [], attached: [] }
  const loadBalancer = await describeLoadBalancer({ elbv2, lb: request.loadBalancer })
  const LoadBalancerArn = loadBalancer?.LoadBalancerArn
  if (!LoadBalancerArn) return { loadBalancer, listeners: [], attached: [] }
  const [attached, listeners] = await Promise.all([
    describeTargetGroups(elbv2, { LoadBalancerArn }),
    describeListeners(elbv2, LoadBalancerArn)
  ])
  return { loadBalancer, listeners, attached }
}

/**
 * The requested target group and, when its immutable settings differ from the request, the replacement
 * an earlier run made. Both are normally attached to the load balancer, so found in the one listing
 * above; a lookup by name happens only when one is not attached (e.g. a run interrupted in between).
 */
async function discoverTargetGroups(opts: {
  elbv2: ElasticLoadBalancingV2Client
  request: DeployRequest
  actual: Actual
  attached: TargetGroup[]
}): Promise<Pick<Actual, 'targetGroup' | 'replacementTargetGroup' | 'alternateTargetGroup'>> {
  const { elbv2, request, actual, attached } = opts
  const name = request.targetGroup?.Name ?? ''
  const byName = async (n: string): Promise<TargetGroup | undefined> =>
    attached.find(tg => tg.TargetGroupName === n) ?? (await describeTargetGroupByName(elbv2, n))
  const [targetGroup, alternateTargetGroup] = await Promise.all([
    byName(name),
    isNativeStrategy(request.service.deploymentConfiguration)
      ? byName(alternateTargetGroupName(name))
      : undefined
  ])
  if (alternateTargetGroup) return { targetGroup, alternateTargetGroup }
  if (!targetGroup) return { targetGroup }
  let desired
  try {
    desired = desiredTargetGroup({
      request,
      vpcId: actual.loadBalancer?.VpcId,
      networkMode: desiredNetworkMode(request, actual)
    })
  } catch {
    // An invalid request: planning reports it, with the same message, before any change.
    return { targetGroup }
  }
  if (immutableChanges(desired, targetGroup).length === 0) return { targetGroup }
  return { targetGroup, replacementTargetGroup: await byName(replacementName(desired)) }
}

/**
 * The attributes the plan compares: of the target group the service will use (an earlier run's replacement
 * when there is one) and of the load balancer, each only when the request names attributes for it.
 */
async function describeAttributes(opts: {
  elbv2: ElasticLoadBalancingV2Client
  request: DeployRequest
  actual: Actual
}): Promise<Pick<Actual, 'targetGroupAttributes' | 'loadBalancerAttributes'>> {
  const { elbv2, request, actual } = opts
  const tgArn = request.targetGroupAttributes
    ? (actual.replacementTargetGroup ?? actual.targetGroup)?.TargetGroupArn
    : undefined
  const altArn = request.targetGroupAttributes ? actual.alternateTargetGroup?.TargetGroupArn : undefined
  const lbArn = request.loadBalancerAttributes ? actual.loadBalancer?.LoadBalancerArn : undefined
  const [tg, alt, lb] = await Promise.all([
    tgArn ? describeTargetGroupAttributes(elbv2, tgArn) : undefined,
    altArn ? describeTargetGroupAttributes(elbv2, altArn) : undefined,
    lbArn ? describeLoadBalancerAttributes(elbv2, lbArn) : undefined
  ])
  return {
    targetGroupAttributes: {
      ...(tgArn && tg ? { [tgArn]: tg } : {}),
      ...(altArn && alt ? { [altArn]: alt } : {})
    },
    ...(lb ? { loadBalancerAttributes: lb } : {})
  }
}

function taggedArns(request: DeployRequest, actual: Actual): string[] {
  const listenerPorts = [
    request.listener.Port,
    ...(request.redirectHttpToHttps ? [80] : []),
    ...(request.testListener ? [request.testListener.Port] : [])
  ]
  const arns = [
    actual.loadBalancer?.LoadBalancerArn,
    actual.targetGroup?.TargetGroupArn,
    actual.replacementTargetGroup?.TargetGroupArn,
    actual.alternateTargetGroup?.TargetGroupArn,
    ...listenerPorts.map(port => findListener(actual.listeners, port)?.ListenerArn),
    ...[...actual.rules, ...actual.testRules].filter(r => !r.IsDefault).map(r => r.RuleArn)
  ]
  return [...new Set(arns.filter((a): a is string => Boolean(a)))]
}
