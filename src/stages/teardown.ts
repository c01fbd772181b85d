import {
  DeleteServiceCommand,
  DeregisterTaskDefinitionCommand,
  UpdateServiceCommand
} from '@aws-sdk/client-ecs'
import {
  DeleteRuleCommand,
  DeleteTargetGroupCommand,
  type Listener,
  type Rule
} from '@aws-sdk/client-elastic-load-balancing-v2'
import { DeployError, isAwsError, withExplanation } from '../aws/errors.js'
import { retryPropagation } from '../aws/retry.js'
import type { Clients } from '../aws/clients.js'
import { PREVIEW_TAG } from '../model/names.js'
import type { DeployRequest } from '../model/request.js'
import { removalLabel, type Removal, type TeardownPlan } from '../model/teardown.js'
import { describeListeners, findListener } from '../resources/listener.js'
import { catchAllRule } from '../model/deployment-strategy.js'
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
import { describeService } from '../resources/service.js'
import { describeTargetGroups } from '../resources/target-group.js'
import { describeTaskDefinition, familyOf, listTaskDefinitionArns } from '../resources/task-definition.js'

export type { Removal, TeardownPlan } from '../model/teardown.js'

/**
 * `delete: true`: removes what this stack created — its service, listener rule, target group(s) and the
 * task definition revisions it registered — and only what carries the stack's tags (see isOwned: a
 * preview's resources carry its preview tag, a base stack's none). The load balancer and its listeners
 * are shared and never deleted. Everything is read first (planTeardown), then removed: a dry run stops
 * after the reading. Running it again after success (or after an interruption) finishes the job: whatever
 * is gone already is reported as skipped.
 */
export interface TeardownOptions {
  clients: Clients
  /** The stack's request (for a preview: after applyPreview, so names and tag are the preview's). */
  request: DeployRequest
  log?: (line: string) => void
  /** Resources present but not ours: left alone, said here. Default: `log` with a "warning:" prefix. */
  warn?: (line: string) => void
  /** Read and say what would be removed; make no mutating call. */
  dryRun?: boolean
  /** DeleteTargetGroup answers ResourceInUse while the rule removal propagates; tried this many times. */
  targetGroupAttempts?: number
  retryDelayMs?: number
}

export interface TeardownResult {
  plan: TeardownPlan
  /** What was removed (with dryRun: nothing; plan.removals says what would be). */
  removed: string[]
  skipped: string[]
}

const sleep = (ms: number): Promise<void> => new Promise(resolve => setTimeout(resolve, ms))

export async function teardown(opts: TeardownOptions): Promise<TeardownResult> {
  const plan = await planTeardown(opts)
  if (opts.dryRun) {
    for (const r of plan.removals) opts.log?.(`would remove ${removalLabel(r)} (${r.calls.join(', ')})`)
    return { plan, removed: [], skipped: plan.skipped }
  }
  return { plan, ...(await applyTeardown({ ...opts, plan })) }
}

interface PlanContext extends TeardownOptions {
  plan: TeardownPlan
  skip: (line: string, warning?: boolean) => void
}

/**
 * What a teardown would remove; reads only. Refuses a base stack (no preview) unless the request
 * confirms it (delete-base-stack): a teardown job whose preview inputs came out empty would otherwise
 * remove production.
 */
export async function planTeardown(opts: TeardownOptions): Promise<TeardownPlan> {
  const { request } = opts
  if (!request.preview && !request.deleteBaseStack) {
    throw new DeployError(
      `delete: there is no preview id, so this would remove the base stack ${stackId(request)} itself. ` +
        'Set delete-base-stack: true to confirm that; for a preview, set preview-routing (and preview-id outside a pull request).'
    )
  }
  const log = opts.log ?? (() => undefined)
  const warn = opts.warn ?? ((line: string) => log(`warning: ${line}`))
  const plan: TeardownPlan = { removals: [], skipped: [] }
  const skip = (line: string, warning = false): void => {
    plan.skipped.push(line)
    if (warning) warn(line)
    else log(`skipped ${line}`)
  }
  const ctx: PlanContext = { ...opts, plan, skip }
  // Target groups the rule or service point at: a replaced target group has another name than the input's.
  const targetGroupArns = new Set<string>()
  await planService({ ...ctx, targetGroupArns })
  const listener = await sharedListener(ctx, ctx.request.listener.Port)
  await planRule({ ...ctx, listener, targetGroupArns })
  const test = ctx.request.testListener
  if (test) {
    // The test rule forwards to both groups too: it goes before them (the test listener itself stays).
    const testListener = await sharedListener(ctx, test.Port)
    await planRule({
      ...ctx,
      request: { ...ctx.request, listenerRule: catchAllRule() },
      listener: testListener,
      targetGroupArns
    })
  }
  await planTargetGroups({ ...ctx, listener, targetGroupArns })
  await planTaskDefinitions(ctx)
  return plan
}

function notOwned(kind: string, name: string, request: DeployRequest, tags: TagMap | undefined): string {
  const owner = tags?.[OWNER_TAG]
  const preview = tags?.[PREVIEW_TAG]
  const whose = !owner
    ? ' (it was not created by this action)'
    : owner !== stackId(request)
      ? ` (it belongs to ${owner})`
      : preview
        ? ` (it belongs to preview ${preview})`
        : ` (it belongs to the stack ${owner}, not a preview)`
  const wanted = `${OWNER_TAG}=${stackId(request)}${request.preview ? ` and ${PREVIEW_TAG}=${request.preview.id}` : ''}`
  return `${kind} ${name} exists but does not carry ${wanted}${whose}: left in place.`
}

async function planService(ctx: PlanContext & { targetGroupArns: Set<string> }): Promise<void> {
  const { request, clients } = ctx
  const name = request.service.serviceName
  const service = await describeService(clients.ecs, request, { missingClusterIsAbsent: true })
  if (!service) return ctx.skip(`service ${name} (already gone)`)
  if (service.status === 'DRAINING') return ctx.skip(`service ${name} (already being deleted)`)
  const tags = ecsTagMap(service.tags)
  if (!isOwned(tags, request)) return ctx.skip(notOwned('service', name, request, tags), true)
  for (const lb of service.loadBalancers ?? [])
    if (lb.targetGroupArn) ctx.targetGroupArns.add(lb.targetGroupArn)
  // The service goes first: ECS refuses to update a service whose target group no longer has a load
  // balancer (rule), so scaling to 0 after the rule is gone could fail.
  ctx.plan.removals.push({
    resource: 'service',
    name,
    arn: service.serviceArn,
    // A DAEMON service has no desired count to set (ECS refuses one); DeleteService stops its tasks.
    calls:
      service.desiredCount !== 0 && service.schedulingStrategy !== 'DAEMON'
        ? ['UpdateService', 'DeleteService']
        : ['DeleteService']
  })
}

/** The listener on this port, whose rules may hold ours; never itself deleted. */
async function sharedListener(ctx: PlanContext, port: number): Promise<Listener | undefined> {
  const { request, clients } = ctx
  if (!request.loadBalancer) return undefined
  const lb = await describeLoadBalancer({ elbv2: clients.elbv2, lb: request.loadBalancer })
  if (!lb?.LoadBalancerArn) {
    ctx.skip('listener rule: the load balancer is gone (already gone)')
    return undefined
  }
  const listener = findListener(await describeListeners(clients.elbv2, lb.LoadBalancerArn), port)
  if (!listener) ctx.skip(`listener rule: no listener on port ${port} (already gone)`)
  return listener
}

function forwardedTargetGroups(rule: Rule): string[] {
  return (rule.Actions ?? []).flatMap(a => [
    ...(a.TargetGroupArn ? [a.TargetGroupArn] : []),
    ...(a.ForwardConfig?.TargetGroups ?? []).flatMap(t => (t.TargetGroupArn ? [t.TargetGroupArn] : []))
  ])
}

async function planRule(
  ctx: PlanContext & { listener: Listener | undefined; targetGroupArns: Set<string> }
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
    for (const tg of forwardedTargetGroups(rule)) ctx.targetGroupArns.add(tg)
    const arn = rule.RuleArn as string
    ctx.plan.removals.push({
      resource: 'listener-rule',
      name: arn,
      arn,
      priority: rule.Priority,
      calls: ['DeleteRule']
    })
  }
  const lookalike = request.listenerRule
    ? rules.find(r => !owned.includes(r) && conditionsEqual(r.Conditions, request.listenerRule?.Conditions))
    : undefined
  if (lookalike) {
    ctx.skip(
      notOwned(
        'listener rule',
        `${lookalike.RuleArn} (priority ${lookalike.Priority})`,
        request,
        tags[lookalike.RuleArn as string]
      ),
      true
    )
  } else if (owned.length === 0) {
    ctx.skip('listener rule (already gone)')
  }
}

async function planTargetGroups(
  ctx: PlanContext & { listener: Listener | undefined; targetGroupArns: Set<string> }
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
  if (found.length === 0) return ctx.skip(`target group ${request.targetGroup.Name} (already gone)`)

  const tags = await describeElbTags(
    clients.elbv2,
    found.map(tg => tg.TargetGroupArn as string)
  )
  for (const tg of found) {
    const arn = tg.TargetGroupArn as string
    const name = tg.TargetGroupName ?? arn
    if (!isOwned(tags[arn], request)) {
      ctx.skip(notOwned('target group', name, request, tags[arn]), true)
      continue
    }
    const listenerUses = listener?.DefaultActions?.some(a =>
      forwardedTargetGroups({ Actions: [a] }).includes(arn)
    )
    if (listenerUses) {
      ctx.skip(
        `target group ${name}: the listener on port ${listener?.Port} forwards to it by default, and a listener is never deleted: left in place.`,
        true
      )
      continue
    }
    ctx.plan.removals.push({ resource: 'target-group', name, arn, calls: ['DeleteTargetGroup'] })
  }
}

async function planTaskDefinitions(ctx: PlanContext): Promise<void> {
  const { request, clients } = ctx
  const td = request.taskDefinition
  // A reference with images had revisions registered into its family (tagged as ours); a plain one none.
  if (td.kind === 'reference' && !td.images) {
    return ctx.skip(`task definition ${td.ref} (given by reference, not registered by this action)`)
  }
  const family = td.kind === 'register' ? td.input.family : familyOf(td.ref)
  const arns = await listTaskDefinitionArns(clients.ecs, family)
  if (arns.length === 0)
    return ctx.skip(`task definition family ${family} (no ACTIVE revision, already gone)`)

  const foreign: string[] = []
  for (const arn of arns) {
    const revision = arn.slice(arn.lastIndexOf('/') + 1)
    const { tags } = await describeTaskDefinition(clients.ecs, arn)
    if (!isOwned(ecsTagMap(tags), request)) foreign.push(revision)
    else
      ctx.plan.removals.push({
        resource: 'task-definition',
        name: revision,
        arn,
        calls: ['DeregisterTaskDefinition']
      })
  }
  if (foreign.length > 0) {
    ctx.skip(
      `task definition revisions ${foreign.join(', ')} do not carry ${OWNER_TAG}=${stackId(request)}` +
        `${request.preview ? ` and ${PREVIEW_TAG}=${request.preview.id}` : ` without ${PREVIEW_TAG}`}: left registered.`,
      true
    )
  }
}

interface ApplyContext extends TeardownOptions {
  removed: (r: Removal, how?: string) => void
  skipped: (line: string, warning?: boolean) => void
}

/** Carries out a plan, in its order; a resource gone meanwhile (a concurrent teardown) is skipped. */
export async function applyTeardown(
  opts: TeardownOptions & { plan: TeardownPlan }
): Promise<Omit<TeardownResult, 'plan'>> {
  const log = opts.log ?? (() => undefined)
  const warn = opts.warn ?? ((line: string) => log(`warning: ${line}`))
  const result = { removed: [] as string[], skipped: [...opts.plan.skipped] }
  const ctx: ApplyContext = {
    ...opts,
    removed: (r, how) => {
      const line = `${removalLabel(r)}${how ? ` (${how})` : ''}`
      result.removed.push(line)
      log(`removed ${line}`)
    },
    skipped: (line, warning = false) => {
      result.skipped.push(line)
      if (warning) warn(line)
      else log(`skipped ${line}`)
    }
  }
  for (const r of opts.plan.removals) {
    if (r.resource === 'service') await removeService(ctx, r)
    else if (r.resource === 'listener-rule') await removeRule(ctx, r)
    else if (r.resource === 'target-group') await deleteTargetGroup(ctx, r)
    else await deregisterTaskDefinition(ctx, r)
  }
  return result
}

async function removeService(ctx: ApplyContext, r: Removal): Promise<void> {
  const { request, clients } = ctx
  const { cluster } = request
  const name = r.name
  try {
    if (r.calls.includes('UpdateService')) {
      await withExplanation(`UpdateService ${name}`, () =>
        clients.ecs.send(new UpdateServiceCommand({ cluster, service: name, desiredCount: 0 }))
      )
      ctx.log?.(`scaled service ${name} to 0`)
    }
    await withExplanation(`DeleteService ${name}`, () =>
      retryPropagation({
        what: `DeleteService ${name}`,
        call: () => clients.ecs.send(new DeleteServiceCommand({ cluster, service: name })),
        log: ctx.log
      })
    )
  } catch (error) {
    // Deleted meanwhile (a concurrent teardown, or an interrupted one finishing).
    if (!isAwsError(error, 'ServiceNotFound', 'ServiceNotActive')) throw error
    return ctx.skipped(`service ${name} (already gone)`)
  }
  ctx.removed(r, 'scaled to 0, deleted')
}

async function removeRule(ctx: ApplyContext, r: Removal): Promise<void> {
  const arn = r.arn as string
  try {
    await withExplanation(`DeleteRule ${arn}`, () =>
      ctx.clients.elbv2.send(new DeleteRuleCommand({ RuleArn: arn }))
    )
    ctx.removed(r)
  } catch (error) {
    if (!isAwsError(error, 'RuleNotFound')) throw error
    ctx.skipped(`listener rule ${arn} (already gone)`)
  }
}

async function deleteTargetGroup(ctx: ApplyContext, r: Removal): Promise<void> {
  const attempts = ctx.targetGroupAttempts ?? 5
  const delay = ctx.retryDelayMs ?? 3000
  for (let attempt = 1; ; attempt++) {
    try {
      await ctx.clients.elbv2.send(new DeleteTargetGroupCommand({ TargetGroupArn: r.arn }))
      return ctx.removed(r)
    } catch (error) {
      if (isAwsError(error, 'TargetGroupNotFound'))
        return ctx.skipped(`target group ${r.name} (already gone)`)
      if (!isAwsError(error, 'ResourceInUse') || attempt >= attempts) {
        if (isAwsError(error, 'ResourceInUse')) {
          return ctx.skipped(
            `target group ${r.name} is still in use (by a listener or rule of someone else) after ${attempts} attempts: left in place.`,
            true
          )
        }
        throw error
      }
      ctx.log?.(`target group ${r.name} still in use, retrying in ${delay} ms`)
      await sleep(delay)
    }
  }
}

async function deregisterTaskDefinition(ctx: ApplyContext, r: Removal): Promise<void> {
  const arn = r.arn as string
  await withExplanation(`DeregisterTaskDefinition ${arn}`, () =>
    ctx.clients.ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: arn }))
  )
  ctx.removed(r, 'deregistered')
}
