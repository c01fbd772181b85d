import {
  CreateTargetGroupCommand,
  DescribeTargetGroupAttributesCommand,
  DescribeTargetGroupsCommand,
  ModifyTargetGroupAttributesCommand,
  ModifyTargetGroupCommand,
  type CreateTargetGroupCommandInput,
  type DescribeTargetGroupsCommandInput,
  type ElasticLoadBalancingV2Client,
  type TargetGroup
} from '@aws-sdk/client-elastic-load-balancing-v2'
import { allPages } from '../aws/paginate.js'
import { DeployError, isAwsError, withExplanation } from '../aws/errors.js'
import { canonicalJson, creationChanges, isSubset } from '../model/diff.js'
import type { Call, ChangeCall, FieldChange, Operation, PlanStep } from '../model/plan.js'
import { isPending, pendingArn } from '../model/placeholders.js'
import type { DeployRequest } from '../model/request.js'
import { ecsTargetType } from '../model/target-type.js'
import type { CallContext, CallResult, PlanContext } from './context.js'
import { hexHash } from '../model/names.js'
import { elbTags, foreignRefusal, mayModify, ownership } from './ownership.js'
import {
  attributeChanges,
  attributeList,
  attributeMap,
  attributesLine,
  changedAttributes,
  previousAttributes
} from './attributes.js'
import { stepCalls } from './steps.js'
import { elbTagOperations, tagDiff, tagFieldChanges, tagMapOf } from './tagging.js'
import { refuseReplacement } from './deployment-strategy.js'
import { alternateTargetGroupName } from '../model/deployment-strategy.js'

/** Changed in place by ModifyTargetGroup. */
export const HEALTH_CHECK_FIELDS = [
  'HealthCheckProtocol',
  'HealthCheckPort',
  'HealthCheckPath',
  'HealthCheckEnabled',
  'HealthCheckIntervalSeconds',
  'HealthCheckTimeoutSeconds',
  'HealthyThresholdCount',
  'UnhealthyThresholdCount',
  'Matcher'
] as const

/** Fixed at creation (ModifyTargetGroup takes none of them): a change needs a new target group. */
const IMMUTABLE_FIELDS = [
  'Protocol',
  'Port',
  'VpcId',
  'TargetType',
  'ProtocolVersion',
  'IpAddressType'
] as const

const MAX_NAME = 32

export interface DesiredTargetGroupOptions {
  request: DeployRequest
  /** The load balancer's VPC, when known (it exists, or apply just created it). */
  vpcId?: string
  /** Network mode of the task definition the service will run. */
  networkMode: string
}

/**
 * The CreateTargetGroup input the request means: VpcId from the load balancer and TargetType from the
 * task's network mode when left out (what the user would otherwise look up and paste).
 */
export function desiredTargetGroup(
  opts: DesiredTargetGroupOptions
): CreateTargetGroupCommandInput & { Name: string } {
  const input = opts.request.targetGroup
  if (!input) throw new Error('desiredTargetGroup without a target-group request')
  if (input.VpcId && opts.vpcId && !isPending(opts.vpcId) && input.VpcId !== opts.vpcId) {
    throw new DeployError(
      `Target group ${input.Name}: VpcId ${input.VpcId} (target-group input) is not the load balancer's VPC ${opts.vpcId}. ` +
        "Remove VpcId from the target-group input (it defaults to the load balancer's VPC) or correct it."
    )
  }
  const expected = ecsTargetType(opts.networkMode)
  const targetType = input.TargetType ?? expected
  if (targetType !== expected && targetType !== 'alb' && targetType !== 'lambda') {
    throw new DeployError(
      `Target group ${input.Name}: TargetType ${targetType} does not fit the task definition's network mode ${opts.networkMode}. ` +
        `ECS registers ${opts.networkMode === 'awsvpc' ? 'awsvpc tasks by IP: use "TargetType": "ip"' : `${opts.networkMode} tasks by instance: use "TargetType": "instance"`} (or change networkMode).`
    )
  }
  return { ...input, VpcId: input.VpcId ?? opts.vpcId, TargetType: targetType }
}

/** Immutable settings that differ between the request and an existing target group. */
export function immutableChanges(desired: CreateTargetGroupCommandInput, actual: TargetGroup): FieldChange[] {
  const changes: FieldChange[] = []
  for (const field of IMMUTABLE_FIELDS) {
    const to = desired[field]
    // The VPC of a load balancer this run creates is not known yet: nothing to compare (a concurrent run
    // may have created the target group in it meanwhile).
    if (to === undefined || (typeof to === 'string' && isPending(to))) continue
    if (to !== actual[field]) changes.push({ field, from: actual[field], to })
  }
  return changes
}

/** `<name>-<6 hex>`: a name that is stable for the same immutable settings, so a re-run finds it. */
export function replacementName(desired: CreateTargetGroupCommandInput & { Name: string }): string {
  const settings = Object.fromEntries(IMMUTABLE_FIELDS.map(f => [f, desired[f]]))
  const suffix = hexHash(canonicalJson(settings), 6)
  const base = desired.Name.slice(0, MAX_NAME - suffix.length - 1).replace(/-+$/, '')
  return `${base}-${suffix}`
}

/**
 * ELBv2 refuses a timeout that is not below the interval, counting the target group's current value of the
 * one a ModifyTargetGroup leaves out; the inputs stage only sees the file, so this is checked here, before
 * any call, against the live target group.
 */
export function timingProblem(
  desired: CreateTargetGroupCommandInput,
  actual: TargetGroup
): string | undefined {
  const interval = desired.HealthCheckIntervalSeconds ?? actual.HealthCheckIntervalSeconds
  const timeout = desired.HealthCheckTimeoutSeconds ?? actual.HealthCheckTimeoutSeconds
  if (interval === undefined || timeout === undefined || timeout < interval) return undefined
  const source = (given: number | undefined) => (given === undefined ? 'its current' : 'the requested')
  return (
    `HealthCheckTimeoutSeconds ${timeout} (${source(desired.HealthCheckTimeoutSeconds)} value) must be less than ` +
    `HealthCheckIntervalSeconds ${interval} (${source(desired.HealthCheckIntervalSeconds)} value), and ELBv2 keeps the current value of the one the target-group input leaves out. ` +
    'Set both HealthCheckIntervalSeconds and HealthCheckTimeoutSeconds in the target-group input.'
  )
}

export function healthCheckChanges(
  desired: CreateTargetGroupCommandInput,
  actual: TargetGroup
): FieldChange[] {
  const changes: FieldChange[] = []
  for (const field of HEALTH_CHECK_FIELDS) {
    const to = desired[field]
    if (!isSubset(to, actual[field])) changes.push({ field, from: actual[field], to })
  }
  return changes
}

/**
 * Target groups by name, ARN or load balancer, every page. None when AWS says one does not exist: it
 * fails the whole call for one unknown name or ARN, so ask for one at a time where some may be gone.
 */
export async function describeTargetGroups(
  elbv2: ElasticLoadBalancingV2Client,
  query: Pick<DescribeTargetGroupsCommandInput, 'Names' | 'TargetGroupArns' | 'LoadBalancerArn'>
): Promise<TargetGroup[]> {
  try {
    return await allPages(async Marker => {
      const out = await elbv2.send(new DescribeTargetGroupsCommand({ ...query, Marker }))
      return { items: out.TargetGroups, next: out.NextMarker }
    })
  } catch (error) {
    if (isAwsError(error, 'TargetGroupNotFound')) return []
    throw error
  }
}

export async function describeTargetGroupByName(
  elbv2: ElasticLoadBalancingV2Client,
  name: string
): Promise<TargetGroup | undefined> {
  return (await describeTargetGroups(elbv2, { Names: [name] }))[0]
}

export async function describeTargetGroupAttributes(
  elbv2: ElasticLoadBalancingV2Client,
  arn: string
): Promise<Record<string, string>> {
  const out = await elbv2.send(new DescribeTargetGroupAttributesCommand({ TargetGroupArn: arn }))
  return attributeMap(out.Attributes)
}

export interface TargetGroupPlan {
  step: PlanStep
  /** ARN when the target group to use exists already; undefined when this run creates it. */
  arn?: string
  /** The name of the target group the service ends up in. */
  name: string
}

export interface TargetGroupPlanOptions extends PlanContext {
  networkMode: string
  /** The load balancer's VPC: its id, or the placeholder of the one this run creates. */
  vpcId?: string
  /** The listener in front of the target group, when it exists: where a health-check probe can attach. */
  listenerArn?: string
  /** Whether a created target group is kept when the run fails (the run creates the service). */
  keepCreated: string
}

export function planTargetGroup(ctx: TargetGroupPlanOptions): TargetGroupPlan | undefined {
  const { request, actual } = ctx
  if (!request.targetGroup) return undefined
  const desired = desiredTargetGroup({ request, vpcId: ctx.vpcId, networkMode: ctx.networkMode })
  const name = desired.Name
  const existing = actual.targetGroup
  // A new target group starts with AWS's defaults: every requested attribute is set right after creation.
  const newAttributes = attributeChanges(request.targetGroupAttributes, undefined)
  if (!existing) {
    const changes = creationChanges(
      { ...desired, Tags: undefined },
      /^(Protocol|Port|TargetType|HealthCheckPath)$/
    )
    return {
      name,
      step: created({ ctx, desired, name, action: 'create', changes: [...changes, ...newAttributes] })
    }
  }
  const immutable = immutableChanges(desired, existing)
  if (immutable.length === 0) return inPlace(ctx, desired, existing)

  const newName = replacementName(desired)
  const why =
    `${immutable.map(c => `${c.field} ${String(c.from)} → ${String(c.to)}`).join(', ')}: ` +
    `${immutable.length > 1 ? 'these cannot' : 'this cannot'} change on an existing target group`
  ctx.warnings.push(
    `Target group ${name} (${existing.TargetGroupArn}) is kept but no longer used: delete it once its targets have drained.`
  )
  const replacement = actual.replacementTargetGroup
  if (replacement) {
    const plan = inPlace(ctx, { ...desired, Name: newName }, replacement)
    return { ...plan, step: { ...plan.step, reason: `${why}; using ${newName}, created by an earlier run` } }
  }
  const step = created({
    ctx,
    desired: { ...desired, Name: newName },
    name: newName,
    action: 'replace',
    changes: [...immutable, ...newAttributes]
  })
  return {
    name: newName,
    step: {
      ...step,
      reason: `${why}, so a new target group ${newName} is created and swapped in (listener/rule and service), without downtime`
    }
  }
}

function created(opts: {
  ctx: TargetGroupPlanOptions
  desired: CreateTargetGroupCommandInput & { Name: string }
  name: string
  action: 'create' | 'replace'
  changes: FieldChange[]
}): PlanStep {
  const { ctx, desired, name } = opts
  const arn = pendingArn('target group', name)
  const operations: Operation[] = [
    {
      do: {
        call: 'CreateTargetGroup',
        input: { ...desired, Name: name, Tags: elbTags(ctx.request, desired.Tags) },
        produces: { arn }
      },
      kept: ctx.keepCreated,
      says: `created target group ${name}`
    }
  ]
  const attributes = ctx.request.targetGroupAttributes ?? {}
  if (Object.keys(attributes).length > 0) {
    operations.push({
      do: {
        call: 'ModifyTargetGroupAttributes',
        input: { TargetGroupArn: arn, Attributes: attributeList(attributes) }
      },
      kept: ctx.keepCreated,
      says: `set attributes of target group ${name}: ${attributesLine(attributes)}`
    })
  }
  return {
    resource: 'target-group',
    name,
    action: opts.action,
    changes: opts.changes,
    calls: stepCalls(operations),
    operations
  }
}

function inPlace(
  ctx: TargetGroupPlanOptions,
  desired: CreateTargetGroupCommandInput & { Name: string },
  existing: TargetGroup
): TargetGroupPlan {
  const arn = existing.TargetGroupArn
  const name = desired.Name
  const health = healthCheckChanges(desired, existing)
  const timing = health.length > 0 ? timingProblem(desired, existing) : undefined
  if (timing) throw new DeployError(`Target group ${name}: ${timing}`)
  const before = ctx.actual.targetGroupAttributes[arn ?? ''] ?? {}
  const attributes = attributeChanges(ctx.request.targetGroupAttributes, before)
  const tags = tagDiff(tagMapOf(elbTags(ctx.request, desired.Tags)), ctx.actual.elbTags[arn ?? ''])
  const changes = [...health, ...attributes, ...tagFieldChanges(tags)]
  const step: PlanStep = {
    resource: 'target-group',
    name,
    action: 'none',
    changes: [],
    arn,
    calls: [],
    operations: []
  }
  if (changes.length === 0 || !arn) return { name, arn, step }
  const owner = ownership(ctx.actual.elbTags[arn], ctx.request)
  const foreign = foreignRefusal(`Target group ${name}`, owner, ctx.request)
  if (foreign) throw new DeployError(foreign)
  if (!mayModify(owner, ctx.request)) {
    throw new DeployError(
      `Target group ${name} exists but was not created by this action (it lacks the ecs-alb-deploy:stack tag), and its ` +
        `${changes.map(c => c.field).join(', ')} differ from the ${inputsNamed(health.length > 0, attributes.length > 0)}. Set the input adopt-existing: true to let the action modify it, or use another Name.`
    )
  }
  const operations: Operation[] = []
  if (health.length > 0) {
    const settings = { TargetGroupArn: arn, ...Object.fromEntries(health.map(c => [c.field, c.to])) }
    const previous = { TargetGroupArn: arn, ...Object.fromEntries(health.map(c => [c.field, c.from])) }
    if (ctx.listenerArn) {
      operations.push({
        do: {
          call: 'ProbeHealthCheck',
          input: { targetGroup: existing, settings, listenerArn: ctx.listenerArn }
        },
        says: `proved the new health check of target group ${name} on its current targets`
      })
    }
    operations.push({
      do: { call: 'ModifyTargetGroup', input: settings },
      inverse: { call: 'ModifyTargetGroup', input: previous },
      says: `modified target group ${name}: ${health.map(c => c.field).join(', ')}`
    })
  }
  if (attributes.length > 0) {
    const wanted = changedAttributes(ctx.request.targetGroupAttributes, attributes)
    const previous = previousAttributes(attributes)
    operations.push({
      do: {
        call: 'ModifyTargetGroupAttributes',
        input: { TargetGroupArn: arn, Attributes: attributeList(wanted) }
      },
      ...(Object.keys(previous).length
        ? {
            inverse: {
              call: 'ModifyTargetGroupAttributes',
              input: { TargetGroupArn: arn, Attributes: attributeList(previous) }
            } as ChangeCall
          }
        : { kept: 'the previous values were not read' }),
      says: `set attributes of target group ${name}: ${attributesLine(wanted)}`
    })
  }
  operations.push(...elbTagOperations({ arn, what: `target group ${name}`, diff: tags }))
  return { name, arn, step: { ...step, action: 'update', changes, calls: stepCalls(operations), operations } }
}

const inputsNamed = (health: boolean, attributes: boolean): string =>
  health && attributes
    ? 'target-group and target-group-attributes inputs'
    : attributes
      ? 'target-group-attributes input'
      : 'target-group input'

type TargetGroupCall = Extract<
  Call,
  { call: 'CreateTargetGroup' | 'ModifyTargetGroup' | 'ModifyTargetGroupAttributes' }
>

/** Sends one planned target group call as it is. */
export async function executeTargetGroupCall(ctx: CallContext, call: TargetGroupCall): Promise<CallResult> {
  const { elbv2 } = ctx.clients
  switch (call.call) {
    case 'CreateTargetGroup': {
      const out = await withExplanation(`CreateTargetGroup ${ctx.name}`, () =>
        elbv2.send(new CreateTargetGroupCommand(call.input))
      )
      const arn = out.TargetGroups?.[0]?.TargetGroupArn
      if (!arn) throw new DeployError(`CreateTargetGroup ${ctx.name} answered without a target group`)
      return { arn }
    }
    case 'ModifyTargetGroup':
      await withExplanation(`ModifyTargetGroup ${ctx.name}`, () =>
        elbv2.send(new ModifyTargetGroupCommand(call.input))
      )
      return {}
    case 'ModifyTargetGroupAttributes':
      await withExplanation(`ModifyTargetGroupAttributes ${ctx.name}`, () =>
        elbv2.send(new ModifyTargetGroupAttributesCommand(call.input))
      )
      return {}
  }
}

/**
 * The alternate target group of a native strategy: the primary's settings under a derived name, created
 * once and then held to the same settings. Neither group is replaced under ECS (refuseReplacement).
 */
export function planAlternateTargetGroup(ctx: TargetGroupPlanOptions & { primary: TargetGroupPlan }): {
  step: PlanStep
  arn: string
} {
  const { request, actual, primary } = ctx
  if (primary.step.action === 'replace') {
    refuseReplacement({ name: primary.name, reason: primary.step.reason ?? 'its immutable settings changed' })
  }
  const name = alternateTargetGroupName(primary.name)
  const plan = planTargetGroup({
    ...ctx,
    request: { ...request, targetGroup: { ...(request.targetGroup as DesiredTargetGroup), Name: name } },
    actual: { ...actual, targetGroup: actual.alternateTargetGroup, replacementTargetGroup: undefined },
    // Nothing serves from it between deployments: no current targets to prove a health check on.
    listenerArn: undefined
  })
  if (!plan) throw new Error('planAlternateTargetGroup without a target-group request')
  if (plan.step.action === 'replace') {
    refuseReplacement({ name, reason: plan.step.reason ?? 'its immutable settings changed' })
  }
  return { step: plan.step, arn: plan.arn ?? pendingArn('target group', name) }
}

type DesiredTargetGroup = CreateTargetGroupCommandInput & { Name: string }
