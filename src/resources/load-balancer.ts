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
import type { Call, ChangeCall, FieldChange, Operation, PlanStep } from '../model/plan.js'
import { pendingArn, pendingVpc } from '../model/placeholders.js'
import type { LoadBalancerRequest } from '../model/request.js'
import type { CallContext, CallResult, PlanContext } from './context.js'
import { stepCalls } from './steps.js'
import { elbTagOperations, tagDiff, tagFieldChanges, tagMapOf } from './tagging.js'
import { elbTags, ownership } from './ownership.js'
import {
  attributeChanges,
  attributeList,
  attributeMap,
  attributesLine,
  changedAttributes,
  previousAttributes
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

/** The SetSecurityGroups, SetSubnets and ModifyLoadBalancerAttributes a load balancer needs, with inverses. */
function mutableChanges(
  opts: { name: string; input: CreateLoadBalancerCommandInput; lb: LoadBalancer },
  attributes: { desired?: Record<string, string>; actual?: Record<string, string> }
): { changes: FieldChange[]; operations: Operation[] } {
  const { name, input, lb } = opts
  const LoadBalancerArn = lb.LoadBalancerArn
  const changes: FieldChange[] = []
  const operations: Operation[] = []
  if (input.SecurityGroups) {
    const from = sortedSet(lb.SecurityGroups)
    const to = sortedSet(input.SecurityGroups)
    if (from.join() !== to.join()) {
      changes.push({ field: 'SecurityGroups', from, to })
      operations.push({
        do: { call: 'SetSecurityGroups', input: { LoadBalancerArn, SecurityGroups: input.SecurityGroups } },
        inverse: {
          call: 'SetSecurityGroups',
          input: { LoadBalancerArn, SecurityGroups: lb.SecurityGroups ?? [] }
        },
        says: `set security groups of load balancer ${name}: ${input.SecurityGroups.join(', ')}`
      })
    }
  }
  const subnets = requestedSubnets(input)
  if (subnets) {
    const from = sortedSet((lb.AvailabilityZones ?? []).map(z => z.SubnetId ?? ''))
    if (from.join() !== subnets.join()) {
      changes.push({ field: 'Subnets', from, to: subnets })
      operations.push({
        do: {
          call: 'SetSubnets',
          input: input.SubnetMappings
            ? { LoadBalancerArn, SubnetMappings: input.SubnetMappings }
            : { LoadBalancerArn, Subnets: input.Subnets }
        },
        inverse: { call: 'SetSubnets', input: { LoadBalancerArn, Subnets: from } },
        says: `set subnets of load balancer ${name}: ${subnets.join(', ')}`
      })
    }
  }
  const changed = attributeChanges(attributes.desired, attributes.actual)
  if (changed.length) {
    changes.push(...changed)
    const wanted = changedAttributes(attributes.desired, changed)
    const previous = previousAttributes(changed)
    operations.push({
      do: {
        call: 'ModifyLoadBalancerAttributes',
        input: { LoadBalancerArn, Attributes: attributeList(wanted) }
      },
      ...(Object.keys(previous).length
        ? {
            inverse: {
              call: 'ModifyLoadBalancerAttributes',
              input: { LoadBalancerArn, Attributes: attributeList(previous) }
            } as ChangeCall
          }
        : { kept: 'the previous values were not read' }),
      says: `set attributes of load balancer ${name}: ${attributesLine(wanted)}`
    })
  }
  return { changes, operations }
}

export function planLoadBalancer(ctx: PlanContext & { keepCreated: string }): PlanStep | undefined {
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
    const arn = pendingArn('load balancer', name)
    const operations: Operation[] = [
      {
        do: {
          call: 'CreateLoadBalancer',
          input: { ...input, Tags: elbTags(request, input.Tags) },
          produces: { arn, vpcId: pendingVpc(name) }
        },
        kept: ctx.keepCreated,
        says: `created load balancer ${name}`
      }
    ]
    if (attributes.length) {
      const all = request.loadBalancerAttributes ?? {}
      operations.push({
        do: {
          call: 'ModifyLoadBalancerAttributes',
          input: { LoadBalancerArn: arn, Attributes: attributeList(all) }
        },
        kept: ctx.keepCreated,
        says: `set attributes of load balancer ${name}: ${attributesLine(all)}`
      })
    }
    return {
      resource: 'load-balancer',
      name,
      action: 'create',
      changes: [...creationChanges({ ...input, Tags: undefined }, /^Scheme$/), ...attributes],
      calls: stepCalls(operations),
      operations
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
  const { changes, operations } = mutableChanges(
    { name, input, lb },
    {
      desired: request.loadBalancerAttributes,
      actual: actual.loadBalancerAttributes
    }
  )
  const lbArn = lb.LoadBalancerArn ?? ''
  const tags = tagDiff(tagMapOf(elbTags(request, input.Tags)), actual.elbTags[lbArn])
  changes.push(...tagFieldChanges(tags))
  operations.push(...elbTagOperations({ arn: lbArn, what: `load balancer ${name}`, diff: tags }))
  const step = unchanged(name, lb)
  if (changes.length === 0) return step
  // A load balancer is never adopted (not even untagged with adopt-existing): it is left as it is, with a warning.
  const owner = ownership(actual.elbTags[lb.LoadBalancerArn ?? ''], request)
  if (owner !== 'ours') {
    ctx.warnings.push(
      `Load balancer ${name} ${owner === 'untagged' ? 'was not created by this action (no ecs-alb-deploy:stack tag)' : `belongs to ${owner.other}`}: ${changes.map(c => c.field).join(' and ')} differ from the load-balancer input but are left unchanged.`
    )
    return step
  }
  return { ...step, action: 'update', changes, calls: stepCalls(operations), operations }
}

const unchanged = (name: string, lb: LoadBalancer): PlanStep => ({
  resource: 'load-balancer',
  name,
  action: 'none',
  changes: [],
  arn: lb.LoadBalancerArn,
  calls: [],
  operations: []
})

function checkApplication(lb: LoadBalancer, name: string): void {
  if (lb.Type && lb.Type !== 'application') {
    throw new DeployError(
      `Load balancer ${name} is of type ${lb.Type}: this action needs an Application Load Balancer.`
    )
  }
}

type LoadBalancerCall = Extract<
  Call,
  { call: 'CreateLoadBalancer' | 'SetSecurityGroups' | 'SetSubnets' | 'ModifyLoadBalancerAttributes' }
>

/** Sends one planned load balancer call as it is. */
export async function executeLoadBalancerCall(ctx: CallContext, call: LoadBalancerCall): Promise<CallResult> {
  const { elbv2 } = ctx.clients
  switch (call.call) {
    case 'CreateLoadBalancer': {
      const out = await withExplanation(`CreateLoadBalancer ${ctx.name}`, () =>
        elbv2.send(new CreateLoadBalancerCommand(call.input))
      )
      const lb = out.LoadBalancers?.[0]
      if (!lb?.LoadBalancerArn) {
        throw new DeployError(`CreateLoadBalancer ${ctx.name} answered without a load balancer`)
      }
      return { arn: lb.LoadBalancerArn, vpcId: lb.VpcId, dnsName: lb.DNSName }
    }
    case 'SetSecurityGroups':
      await withExplanation(`SetSecurityGroups ${ctx.name}`, () =>
        elbv2.send(new SetSecurityGroupsCommand(call.input))
      )
      return {}
    case 'SetSubnets':
      await withExplanation(`SetSubnets ${ctx.name}`, () => elbv2.send(new SetSubnetsCommand(call.input)))
      return {}
    case 'ModifyLoadBalancerAttributes':
      await withExplanation(`ModifyLoadBalancerAttributes ${ctx.name}`, () =>
        elbv2.send(new ModifyLoadBalancerAttributesCommand(call.input))
      )
      return {}
  }
}
