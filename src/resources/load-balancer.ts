import {
  CreateLoadBalancerCommand,
  DescribeLoadBalancerAttributesCommand,
  DescribeLoadBalancersCommand,
  ModifyLoadBalancerAttributesCommand,
  SetSecurityGroupsCommand,
  SetSubnetsCommand,
  type CreateLoadBalancerCommandInput,
  type ElasticLoadBalancingV2Client,
  type LoadBalancer
} from '@aws-sdk/client-elastic-load-balancing-v2'
import { DeployError, isAwsError, withExplanation } from '../aws/errors.js'
import { creationChanges, sortedSet } from '../model/diff.js'
import type { FieldChange, PlanStep } from '../model/plan.js'
import type { LoadBalancerRequest } from '../model/request.js'
import type { ApplyContext, PlanContext } from './context.js'
import { elbTags, isOwned } from './ownership.js'
import {
  attributeChanges,
  attributeList,
  attributeMap,
  attributesLine,
  changedAttributes
} from './attributes.js'

/** Describe by name or ARN; absent when AWS says it does not exist. */
export async function describeLoadBalancer(opts: {
  elbv2: ElasticLoadBalancingV2Client
  lb: LoadBalancerRequest
}): Promise<LoadBalancer | undefined> {
  const { lb } = opts
  const arn = lb.kind === 'reuse' ? lb.arn : undefined
  const name = lb.kind === 'manage' ? lb.input.Name : lb.name
  try {
    const out = await opts.elbv2.send(
      new DescribeLoadBalancersCommand(arn ? { LoadBalancerArns: [arn] } : { Names: [name ?? ''] })
    )
    return out.LoadBalancers?.[0]
  } catch (error) {
    if (isAwsError(error, 'LoadBalancerNotFound')) return undefined
    throw error
  }
}

export async function describeLoadBalancerAttributes(
  elbv2: ElasticLoadBalancingV2Client,
  arn: string
): Promise<Record<string, string>> {
  const out = await elbv2.send(new DescribeLoadBalancerAttributesCommand({ LoadBalancerArn: arn }))
  return attributeMap(out.Attributes)
}

function displayName(lb: LoadBalancerRequest): string {
  return lb.kind === 'manage' ? lb.input.Name : (lb.name ?? lb.arn ?? '')
}

function requestedSubnets(input: CreateLoadBalancerCommandInput): string[] | undefined {
  const ids = input.Subnets ?? input.SubnetMappings?.map(m => m.SubnetId ?? '')
  return ids ? sortedSet(ids) : undefined
}

/** Fields CreateLoadBalancer sets for good; AWS defaults apply when the request leaves them out. */
const IMMUTABLE: { field: 'Scheme' | 'Type' | 'IpAddressType'; fallback: string }[] = [
  { field: 'Scheme', fallback: 'internet-facing' },
  { field: 'Type', fallback: 'application' },
  { field: 'IpAddressType', fallback: 'ipv4' }
]

interface LoadBalancerChanges {
  changes: FieldChange[]
  calls: ('SetSecurityGroups' | 'SetSubnets' | 'ModifyLoadBalancerAttributes')[]
}

function mutableChanges(
  input: CreateLoadBalancerCommandInput,
  lb: LoadBalancer,
  attributes: { desired?: Record<string, string>; actual?: Record<string, string> }
): LoadBalancerChanges {
  const out: LoadBalancerChanges = { changes: [], calls: [] }
  if (input.SecurityGroups) {
    const from = sortedSet(lb.SecurityGroups)
    const to = sortedSet(input.SecurityGroups)
    if (from.join() !== to.join()) {
      out.changes.push({ field: 'SecurityGroups', from, to })
      out.calls.push('SetSecurityGroups')
    }
  }
  const subnets = requestedSubnets(input)
  if (subnets) {
    const from = sortedSet((lb.AvailabilityZones ?? []).map(z => z.SubnetId ?? ''))
    if (from.join() !== subnets.join()) {
      out.changes.push({ field: 'Subnets', from, to: subnets })
      out.calls.push('SetSubnets')
    }
  }
  const changed = attributeChanges(attributes.desired, attributes.actual)
  if (changed.length) {
    out.changes.push(...changed)
    out.calls.push('ModifyLoadBalancerAttributes')
  }
  return out
}

export function planLoadBalancer(ctx: PlanContext): PlanStep | undefined {
  const { request, actual } = ctx
  const lbRequest = request.loadBalancer
  if (!lbRequest) return undefined
  const lb = actual.loadBalancer
  const name = displayName(lbRequest)
  if (lbRequest.kind === 'reuse') {
    if (!lb && request.preview) {
      throw new DeployError(
        `preview ${request.preview.id}: load balancer ${name} does not exist. A preview shares the base stack's load balancer and listener: ` +
          'deploy the base service first (the same inputs without preview-routing), then the previews.'
      )
    }
    if (!lb) {
      throw new DeployError(
        `Load balancer ${name} (load-balancer input) does not exist. Give the name or ARN of an existing Application Load Balancer, or a CreateLoadBalancer JSON to have it created.`
      )
    }
    checkApplication(lb, name)
    return unchanged(name, lb)
  }
  const input = lbRequest.input
  if (!lb) {
    // A new load balancer starts with AWS's defaults: every requested attribute is set right after creation.
    const attributes = attributeChanges(request.loadBalancerAttributes, undefined)
    return {
      resource: 'load-balancer',
      name,
      action: 'create',
      changes: [...creationChanges({ ...input, Tags: undefined }, /^Scheme$/), ...attributes],
      calls: ['CreateLoadBalancer', ...(attributes.length ? ['ModifyLoadBalancerAttributes'] : [])]
    }
  }
  checkApplication(lb, name)
  for (const { field, fallback } of IMMUTABLE) {
    const want = input[field]
    const have = lb[field] ?? fallback
    if (want !== undefined && want !== have) {
      throw new DeployError(
        `Load balancer ${name}: ${field} is ${have} but the load-balancer input asks for ${want}, and ${field} cannot change on an existing load balancer. ` +
          `The action does not replace load balancers (their DNS name would change): give a new Name to create another one, or delete ${name} first.`
      )
    }
  }
  const { changes, calls } = mutableChanges(input, lb, {
    desired: request.loadBalancerAttributes,
    actual: actual.loadBalancerAttributes
  })
  const step = unchanged(name, lb)
  if (changes.length === 0) return step
  if (!isOwned(actual.elbTags[lb.LoadBalancerArn ?? ''], request)) {
    ctx.warnings.push(
      `Load balancer ${name} was not created by this action (no ecs-alb-deploy:stack tag): ${changes.map(c => c.field).join(' and ')} differ from the load-balancer input but are left unchanged.`
    )
    return step
  }
  return { ...step, action: 'update', changes, calls }
}

const unchanged = (name: string, lb: LoadBalancer): PlanStep => ({
  resource: 'load-balancer',
  name,
  action: 'none',
  changes: [],
  arn: lb.LoadBalancerArn,
  calls: []
})

function checkApplication(lb: LoadBalancer, name: string): void {
  if (lb.Type && lb.Type !== 'application') {
    throw new DeployError(
      `Load balancer ${name} is of type ${lb.Type}: this action needs an Application Load Balancer.`
    )
  }
}

export async function applyLoadBalancer(ctx: ApplyContext, step: PlanStep): Promise<LoadBalancer> {
  const { request, actual, clients, log } = ctx
  const lbRequest = request.loadBalancer
  if (!lbRequest) throw new Error('applyLoadBalancer without a load-balancer request')
  if (step.action === 'none') return actual.loadBalancer as LoadBalancer
  if (lbRequest.kind !== 'manage') throw new Error('a reused load balancer is never changed')
  const input = lbRequest.input
  if (step.action === 'create') {
    const out = await withExplanation(`CreateLoadBalancer ${input.Name}`, () =>
      clients.elbv2.send(new CreateLoadBalancerCommand({ ...input, Tags: elbTags(request, input.Tags) }))
    )
    const lb = out.LoadBalancers?.[0]
    if (!lb?.LoadBalancerArn)
      throw new DeployError(`CreateLoadBalancer ${input.Name} answered without a load balancer`)
    log(`created load balancer ${input.Name} (${lb.LoadBalancerArn})`)
    if (step.calls.includes('ModifyLoadBalancerAttributes')) {
      await modifyAttributes({
        ...ctx,
        arn: lb.LoadBalancerArn,
        attributes: request.loadBalancerAttributes ?? {}
      })
    }
    return lb
  }
  const lb = actual.loadBalancer as LoadBalancer
  const LoadBalancerArn = lb.LoadBalancerArn
  let updated: LoadBalancer = lb
  if (step.calls.includes('SetSecurityGroups')) {
    const out = await withExplanation(`SetSecurityGroups ${input.Name}`, () =>
      clients.elbv2.send(
        new SetSecurityGroupsCommand({ LoadBalancerArn, SecurityGroups: input.SecurityGroups })
      )
    )
    updated = { ...updated, SecurityGroups: out.SecurityGroupIds }
    log(`set security groups of load balancer ${input.Name}: ${(input.SecurityGroups ?? []).join(', ')}`)
  }
  if (step.calls.includes('SetSubnets')) {
    const out = await withExplanation(`SetSubnets ${input.Name}`, () =>
      clients.elbv2.send(
        new SetSubnetsCommand(
          input.SubnetMappings
            ? { LoadBalancerArn, SubnetMappings: input.SubnetMappings }
            : { LoadBalancerArn, Subnets: input.Subnets }
        )
      )
    )
    updated = { ...updated, AvailabilityZones: out.AvailabilityZones ?? updated.AvailabilityZones }
    log(`set subnets of load balancer ${input.Name}: ${(requestedSubnets(input) ?? []).join(', ')}`)
  }
  if (step.calls.includes('ModifyLoadBalancerAttributes') && LoadBalancerArn) {
    await modifyAttributes({
      ...ctx,
      arn: LoadBalancerArn,
      attributes: changedAttributes(request.loadBalancerAttributes, step.changes)
    })
  }
  return updated
}

async function modifyAttributes(
  ctx: ApplyContext & { arn: string; attributes: Record<string, string> }
): Promise<void> {
  const name = displayName(ctx.request.loadBalancer as LoadBalancerRequest)
  await withExplanation(`ModifyLoadBalancerAttributes ${name}`, () =>
    ctx.clients.elbv2.send(
      new ModifyLoadBalancerAttributesCommand({
        LoadBalancerArn: ctx.arn,
        Attributes: attributeList(ctx.attributes)
      })
    )
  )
  ctx.log(`set attributes of load balancer ${name}: ${attributesLine(ctx.attributes)}`)
}
