import {
  DeleteServiceCommand,
  DeregisterTaskDefinitionCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ListTaskDefinitionsCommand,
  UpdateServiceCommand,
  type Service
} from '@aws-sdk/client-ecs'
import {
  DeleteRuleCommand,
  DeleteTargetGroupCommand,
  DescribeListenersCommand,
  DescribeTargetGroupsCommand,
  type ElasticLoadBalancingV2Client,
  type Listener,
  type Rule,
  type TargetGroup
} from '@aws-sdk/client-elastic-load-balancing-v2'
import { isAwsError, withExplanation } from '../aws/errors.js'
import type { Clients } from '../aws/clients.js'
import type { DeployRequest } from '../model/request.js'
import { conditionsEqual, describeRules } from '../resources/listener-rule.js'
import { describeLoadBalancer } from '../resources/load-balancer.js'
import {
  describeElbTags,
  ecsTagMap,
  isOwned,
  OWNER_TAG,
  stackId,
  type TagMap
} from '../resources/ownership.js'
import { familyOf } from '../resources/task-definition.js'

/**
 * `delete: true`: removes what this stack created — its service, listener rule, target group(s) and the
 * task definition revisions it registered — and only what carries the stack's ownership tag. The load
 * balancer and its listeners are shared and never deleted. Running it again after success (or after an
 * interruption) finishes the job: whatever is gone already is reported as skipped.
 */
export interface TeardownOptions {
  clients: Clients
  /** The stack's request (for a preview: after applyPreview, so names and tag are the preview's). */
  request: DeployRequest
  log?: (line: string) => void
  /** Resources present but not ours: left alone, said here. Default: `log` with a "warning:" prefix. */
  warn?: (line: string) => void
  /** DeleteTargetGroup answers ResourceInUse while the rule removal propagates; tried this many times. */
  targetGroupAttempts?: number
  retryDelayMs?: number
}

export interface TeardownResult {
  removed: string[]
  skipped: string[]
}

const sleep = (ms: number): Promise<void> => new Promise(resolve => setTimeout(resolve, ms))

export async function teardown(opts: TeardownOptions): Promise<TeardownResult> {
  const log = opts.log ?? (() => undefined)
  const warn = opts.warn ?? ((line: string) => log(`warning: ${line}`))
  const result: TeardownResult = { removed: [], skipped: [] }
  const removed = (line: string): void => {
    result.removed.push(line)
    log(`removed ${line}`)
  }
  const skipped = (line: string, warning = false): void => {
    result.skipped.push(line)
    if (warning) warn(line)
    else log(`skipped ${line}`)
  }
  const ctx: StageContext = { ...opts, removed, skipped }

  // Target groups the rule or service pointed at, collected before they are gone (a replaced target
  // group has another name than the input's).
  const targetGroupArns = new Set<string>()
  // The service goes first: ECS refuses to update a service whose target group no longer has a load
  // balancer (rule), so scaling to 0 after the rule is gone could fail.
  await removeService({ ...ctx, targetGroupArns })
  const listener = await findListener(ctx)
  await removeRule({ ...ctx, listener, targetGroupArns })
  await removeTargetGroups({ ...ctx, listener, targetGroupArns })
  await deregisterTaskDefinitions(ctx)
  return result
}

interface StageContext extends TeardownOptions {
  removed: (line: string) => void
  skipped: (line: string, warning?: boolean) => void
}

function notOwned(kind: string, name: string, request: DeployRequest, tags: TagMap | undefined): string {
  const owner = tags?.[OWNER_TAG]
  return (
    `${kind} ${name} exists but does not carry ${OWNER_TAG}=${stackId(request)}` +
    (owner ? ` (it belongs to ${owner})` : ' (it was not created by this action)') +
    ': left in place.'
  )
}

/** The listener on the request's port, whose rules may hold ours; never itself deleted. */
async function findListener(ctx: StageContext): Promise<Listener | undefined> {
  const { request, clients } = ctx
  if (!request.loadBalancer) return undefined
  const lb = await describeLoadBalancer({ elbv2: clients.elbv2, lb: request.loadBalancer })
  if (!lb?.LoadBalancerArn) {
    ctx.skipped('listener rule: the load balancer is gone (already gone)')
    return undefined
  }
  const out = await clients.elbv2.send(new DescribeListenersCommand({ LoadBalancerArn: lb.LoadBalancerArn }))
  const listener = out.Listeners?.find(l => l.Port === request.listener.Port)
  if (!listener) ctx.skipped(`listener rule: no listener on port ${request.listener.Port} (already gone)`)
  return listener
}

function forwardedTargetGroups(rule: Rule): string[] {
  return (rule.Actions ?? []).flatMap(a => [
    ...(a.TargetGroupArn ? [a.TargetGroupArn] : []),
    ...(a.ForwardConfig?.TargetGroups ?? []).flatMap(t => (t.TargetGroupArn ? [t.TargetGroupArn] : []))
  ])
}

async function removeRule(
  ctx: StageContext & { listener: Listener | undefined; targetGroupArns: Set<string> }
): Promise<void> {
  const { request, clients, listener } = ctx
  if (!listener?.ListenerArn) return
  const rules = (await describeRules(clients.elbv2, listener.ListenerArn)).filter(
    r => !r.IsDefault && r.RuleArn
  )
  const tags = await describeElbTags(
    clients.elbv2,
    rules.map(r => r.RuleArn as string)
  )
  const owned = rules.filter(r => isOwned(tags[r.RuleArn as string], request))
  for (const rule of owned) {
    const arn = rule.RuleArn as string
    for (const tg of forwardedTargetGroups(rule)) ctx.targetGroupArns.add(tg)
    try {
      await withExplanation(`DeleteRule ${arn}`, () =>
        clients.elbv2.send(new DeleteRuleCommand({ RuleArn: arn }))
      )
      ctx.removed(`listener rule ${arn} (priority ${rule.Priority})`)
    } catch (error) {
      if (!isAwsError(error, 'RuleNotFound')) throw error
      ctx.skipped(`listener rule ${arn} (already gone)`)
    }
  }
  const lookalike = request.listenerRule
    ? rules.find(r => !owned.includes(r) && conditionsEqual(r.Conditions, request.listenerRule?.Conditions))
    : undefined
  if (lookalike) {
    ctx.skipped(
      notOwned(
        'listener rule',
        `${lookalike.RuleArn} (priority ${lookalike.Priority})`,
        request,
        tags[lookalike.RuleArn as string]
      ),
      true
    )
  } else if (owned.length === 0) {
    ctx.skipped('listener rule (already gone)')
  }
}

async function describeServiceAnyState(ctx: StageContext): Promise<Service | undefined> {
  const { request, clients } = ctx
  try {
    const out = await clients.ecs.send(
      new DescribeServicesCommand({
        cluster: request.cluster,
        services: [request.service.serviceName],
        include: ['TAGS']
      })
    )
    return out.services?.find(s => s.serviceName === request.service.serviceName)
  } catch (error) {
    if (isAwsError(error, 'ClusterNotFound', 'ServiceNotFound')) return undefined
    throw error
  }
}

async function removeService(ctx: StageContext & { targetGroupArns: Set<string> }): Promise<void> {
  const { request, clients } = ctx
  const name = request.service.serviceName
  const service = await describeServiceAnyState(ctx)
  if (!service || service.status === 'INACTIVE') return ctx.skipped(`service ${name} (already gone)`)
  if (service.status === 'DRAINING') return ctx.skipped(`service ${name} (already being deleted)`)
  const tags = ecsTagMap(service.tags)
  if (!isOwned(tags, request)) return ctx.skipped(notOwned('service', name, request, tags), true)

  for (const lb of service.loadBalancers ?? [])
    if (lb.targetGroupArn) ctx.targetGroupArns.add(lb.targetGroupArn)
  const cluster = request.cluster
  try {
    if (service.desiredCount !== 0) {
      await withExplanation(`UpdateService ${name}`, () =>
        clients.ecs.send(new UpdateServiceCommand({ cluster, service: name, desiredCount: 0 }))
      )
      ctx.log?.(`scaled service ${name} to 0`)
    }
    await withExplanation(`DeleteService ${name}`, () =>
      clients.ecs.send(new DeleteServiceCommand({ cluster, service: name }))
    )
  } catch (error) {
    // Deleted meanwhile (a concurrent teardown, or an interrupted one finishing).
    if (!isAwsError(error, 'ServiceNotFound', 'ServiceNotActive')) throw error
    return ctx.skipped(`service ${name} (already gone)`)
  }
  ctx.removed(`service ${name} (scaled to 0, deleted)`)
}

async function describeTargetGroups(
  elbv2: ElasticLoadBalancingV2Client,
  query: { Names: string[] } | { TargetGroupArns: string[] }
): Promise<TargetGroup[]> {
  try {
    return (await elbv2.send(new DescribeTargetGroupsCommand(query))).TargetGroups ?? []
  } catch (error) {
    if (isAwsError(error, 'TargetGroupNotFound')) return []
    throw error
  }
}

async function removeTargetGroups(
  ctx: StageContext & { listener: Listener | undefined; targetGroupArns: Set<string> }
): Promise<void> {
  const { request, clients, listener } = ctx
  if (!request.targetGroup) return
  const byName = await describeTargetGroups(clients.elbv2, { Names: [request.targetGroup.Name] })
  const known = new Set(byName.map(tg => tg.TargetGroupArn))
  const others = [...ctx.targetGroupArns].filter(arn => !known.has(arn))
  // One at a time: a missing ARN fails the whole DescribeTargetGroups call.
  const found = [...byName]
  for (const arn of others)
    found.push(...(await describeTargetGroups(clients.elbv2, { TargetGroupArns: [arn] })))
  if (found.length === 0) return ctx.skipped(`target group ${request.targetGroup.Name} (already gone)`)

  const tags = await describeElbTags(
    clients.elbv2,
    found.map(tg => tg.TargetGroupArn as string)
  )
  for (const tg of found) {
    const arn = tg.TargetGroupArn as string
    const name = tg.TargetGroupName ?? arn
    if (!isOwned(tags[arn], request)) {
      ctx.skipped(notOwned('target group', name, request, tags[arn]), true)
      continue
    }
    const listenerUses = listener?.DefaultActions?.some(a =>
      forwardedTargetGroups({ Actions: [a] }).includes(arn)
    )
    if (listenerUses) {
      ctx.skipped(
        `target group ${name}: the listener on port ${listener?.Port} forwards to it by default, and a listener is never deleted: left in place.`,
        true
      )
      continue
    }
    await deleteTargetGroup({ ...ctx, arn, name })
  }
}

async function deleteTargetGroup(ctx: StageContext & { arn: string; name: string }): Promise<void> {
  const attempts = ctx.targetGroupAttempts ?? 5
  const delay = ctx.retryDelayMs ?? 3000
  for (let attempt = 1; ; attempt++) {
    try {
      await ctx.clients.elbv2.send(new DeleteTargetGroupCommand({ TargetGroupArn: ctx.arn }))
      return ctx.removed(`target group ${ctx.name}`)
    } catch (error) {
      if (isAwsError(error, 'TargetGroupNotFound'))
        return ctx.skipped(`target group ${ctx.name} (already gone)`)
      if (!isAwsError(error, 'ResourceInUse') || attempt >= attempts) {
        if (isAwsError(error, 'ResourceInUse')) {
          return ctx.skipped(
            `target group ${ctx.name} is still in use (by a listener or rule of someone else) after ${attempts} attempts: left in place.`,
            true
          )
        }
        throw error
      }
      ctx.log?.(`target group ${ctx.name} still in use, retrying in ${delay} ms`)
      await sleep(delay)
    }
  }
}

async function deregisterTaskDefinitions(ctx: StageContext): Promise<void> {
  const { request, clients } = ctx
  const td = request.taskDefinition
  // A reference with images had revisions registered into its family (tagged as ours); a plain one none.
  if (td.kind === 'reference' && !td.images) {
    return ctx.skipped(`task definition ${td.ref} (given by reference, not registered by this action)`)
  }
  const family = td.kind === 'register' ? td.input.family : familyOf(td.ref)
  const arns: string[] = []
  let nextToken: string | undefined
  do {
    const out = await clients.ecs.send(
      new ListTaskDefinitionsCommand({ familyPrefix: family, status: 'ACTIVE', nextToken })
    )
    // familyPrefix is a prefix: app-pr-1 would also list app-pr-12.
    arns.push(...(out.taskDefinitionArns ?? []).filter(arn => familyOf(arn) === family))
    nextToken = out.nextToken
  } while (nextToken)
  if (arns.length === 0)
    return ctx.skipped(`task definition family ${family} (no ACTIVE revision, already gone)`)

  const foreign: string[] = []
  for (const arn of arns) {
    const out = await clients.ecs.send(
      new DescribeTaskDefinitionCommand({ taskDefinition: arn, include: ['TAGS'] })
    )
    if (!isOwned(ecsTagMap(out.tags), request)) {
      foreign.push(arn.slice(arn.lastIndexOf('/') + 1))
      continue
    }
    await withExplanation(`DeregisterTaskDefinition ${arn}`, () =>
      clients.ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: arn }))
    )
    ctx.removed(`task definition ${arn.slice(arn.lastIndexOf('/') + 1)} (deregistered)`)
  }
  if (foreign.length > 0) {
    ctx.skipped(
      `task definition revisions ${foreign.join(', ')} do not carry ${OWNER_TAG}=${stackId(request)}: left registered.`,
      true
    )
  }
}
