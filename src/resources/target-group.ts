import {
  CreateTargetGroupCommand,
  DescribeTargetGroupAttributesCommand,
  DescribeTargetGroupsCommand,
  ModifyTargetGroupAttributesCommand,
  ModifyTargetGroupCommand,
  type CreateTargetGroupCommandInput,
  type ElasticLoadBalancingV2Client,
  type ModifyTargetGroupCommandInput,
  type TargetGroup,
  type TargetTypeEnum
} from '@aws-sdk/client-elastic-load-balancing-v2'
import { DeployError, isAwsError, withExplanation } from '../aws/errors.js'
import { canonicalJson, creationChanges, isSubset } from '../model/diff.js'
import type { FieldChange, PlanStep } from '../model/plan.js'
import type { DeployRequest } from '../model/request.js'
import type { ApplyContext, PlanContext } from './context.js'
import { elbTags, hexHash, isOwned } from './ownership.js'
import {
  attributeChanges,
  attributeList,
  attributeMap,
  attributesLine,
  changedAttributes
} from './attributes.js'

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

/** Fixed at creation: a change needs a new target group. */
const IMMUTABLE_FIELDS = ['Protocol', 'Port', 'VpcId', 'TargetType', 'ProtocolVersion'] as const

const MAX_NAME = 32

/** awsvpc tasks register by IP; bridge and host tasks by instance (and dynamic port). */
export function targetTypeFor(networkMode: string): TargetTypeEnum {
  return networkMode === 'awsvpc' ? 'ip' : 'instance'
}

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
  if (input.VpcId && opts.vpcId && input.VpcId !== opts.vpcId) {
    throw new DeployError(
      `Target group ${input.Name}: VpcId ${input.VpcId} (target-group input) is not the load balancer's VPC ${opts.vpcId}. ` +
        "Remove VpcId from the target-group input (it defaults to the load balancer's VPC) or correct it."
    )
  }
  const targetType = input.TargetType ?? targetTypeFor(opts.networkMode)
  const expected = targetTypeFor(opts.networkMode)
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
    if (to !== undefined && to !== actual[field]) changes.push({ field, from: actual[field], to })
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

export async function describeTargetGroupByName(
  elbv2: ElasticLoadBalancingV2Client,
  name: string
): Promise<TargetGroup | undefined> {
  try {
    const out = await elbv2.send(new DescribeTargetGroupsCommand({ Names: [name] }))
    return out.TargetGroups?.[0]
  } catch (error) {
    if (isAwsError(error, 'TargetGroupNotFound')) return undefined
    throw error
  }
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

export function planTargetGroup(ctx: PlanContext & { networkMode: string }): TargetGroupPlan | undefined {
  const { request, actual } = ctx
  if (!request.targetGroup) return undefined
  const desired = desiredTargetGroup({
    request,
    vpcId: actual.loadBalancer?.VpcId,
    networkMode: ctx.networkMode
  })
  const name = desired.Name
  const existing = actual.targetGroup
  // A new target group starts with AWS's defaults: every requested attribute is set right after creation.
  const newAttributes = attributeChanges(request.targetGroupAttributes, undefined)
  const createCalls = ['CreateTargetGroup', ...(newAttributes.length ? ['ModifyTargetGroupAttributes'] : [])]
  if (!existing) {
    const changes = creationChanges(
      { ...desired, Tags: undefined },
      /^(Protocol|Port|TargetType|HealthCheckPath)$/
    )
    return {
      name,
      step: {
        resource: 'target-group',
        name,
        action: 'create',
        changes: [...changes, ...newAttributes],
        calls: createCalls
      }
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
  return {
    name: newName,
    step: {
      resource: 'target-group',
      name: newName,
      action: 'replace',
      changes: [...immutable, ...newAttributes],
      calls: createCalls,
      reason: `${why}, so a new target group ${newName} is created and swapped in (listener/rule and service), without downtime`
    }
  }
}

function inPlace(
  ctx: PlanContext,
  desired: CreateTargetGroupCommandInput & { Name: string },
  existing: TargetGroup
): TargetGroupPlan {
  const arn = existing.TargetGroupArn
  const name = desired.Name
  const health = healthCheckChanges(desired, existing)
  const attributes = attributeChanges(
    ctx.request.targetGroupAttributes,
    ctx.actual.targetGroupAttributes[arn ?? '']
  )
  const changes = [...health, ...attributes]
  const step: PlanStep = { resource: 'target-group', name, action: 'none', changes: [], arn, calls: [] }
  if (changes.length === 0) return { name, arn, step }
  if (!ctx.request.adoptExisting && !isOwned(ctx.actual.elbTags[arn ?? ''], ctx.request)) {
    throw new DeployError(
      `Target group ${name} exists but was not created by this action (it lacks the ecs-alb-deploy:stack tag), and its ` +
        `${changes.map(c => c.field).join(', ')} differ from the ${inputsNamed(health.length > 0, attributes.length > 0)}. Set the input adopt-existing: true to let the action modify it, or use another Name.`
    )
  }
  const calls = [
    ...(health.length ? ['ModifyTargetGroup'] : []),
    ...(attributes.length ? ['ModifyTargetGroupAttributes'] : [])
  ]
  return { name, arn, step: { ...step, action: 'update', changes, calls } }
}

const inputsNamed = (health: boolean, attributes: boolean): string =>
  health && attributes
    ? 'target-group and target-group-attributes inputs'
    : attributes
      ? 'target-group-attributes input'
      : 'target-group input'

export interface AppliedTargetGroup {
  arn: string
  name: string
}

export async function applyTargetGroup(
  ctx: ApplyContext & { step: PlanStep; vpcId?: string; networkMode: string }
): Promise<AppliedTargetGroup> {
  const { request, clients, log, step } = ctx
  const desired = desiredTargetGroup({ request, vpcId: ctx.vpcId, networkMode: ctx.networkMode })
  if (step.action === 'create' || step.action === 'replace') {
    const input: CreateTargetGroupCommandInput = {
      ...desired,
      Name: step.name,
      Tags: elbTags(request, desired.Tags)
    }
    const out = await withExplanation(`CreateTargetGroup ${step.name}`, () =>
      clients.elbv2.send(new CreateTargetGroupCommand(input))
    )
    const arn = out.TargetGroups?.[0]?.TargetGroupArn
    if (!arn) throw new DeployError(`CreateTargetGroup ${step.name} answered without a target group`)
    log(`created target group ${step.name} (${arn})`)
    if (step.calls.includes('ModifyTargetGroupAttributes')) {
      await modifyAttributes({ ...ctx, arn, attributes: request.targetGroupAttributes ?? {} })
    }
    return { arn, name: step.name }
  }
  const arn = step.arn
  if (!arn) throw new Error(`target group step ${step.name} has no ARN`)
  if (step.calls.includes('ModifyTargetGroup')) {
    const input: ModifyTargetGroupCommandInput = { TargetGroupArn: arn }
    const fields = HEALTH_CHECK_FIELDS.filter(f => step.changes.some(c => c.field === f))
    for (const field of fields) Object.assign(input, { [field]: desired[field] })
    await withExplanation(`ModifyTargetGroup ${step.name}`, () =>
      clients.elbv2.send(new ModifyTargetGroupCommand(input))
    )
    log(`modified target group ${step.name}: ${fields.join(', ')}`)
  }
  if (step.calls.includes('ModifyTargetGroupAttributes')) {
    await modifyAttributes({
      ...ctx,
      arn,
      attributes: changedAttributes(request.targetGroupAttributes, step.changes)
    })
  }
  return { arn, name: step.name }
}

async function modifyAttributes(
  ctx: ApplyContext & { step: PlanStep; arn: string; attributes: Record<string, string> }
): Promise<void> {
  const { step, attributes } = ctx
  await withExplanation(`ModifyTargetGroupAttributes ${step.name}`, () =>
    ctx.clients.elbv2.send(
      new ModifyTargetGroupAttributesCommand({
        TargetGroupArn: ctx.arn,
        Attributes: attributeList(attributes)
      })
    )
  )
  ctx.log(`set attributes of target group ${step.name}: ${attributesLine(attributes)}`)
}
