import type {
  AvailabilityZone,
  CreateLoadBalancerCommandInput,
  CreateLoadBalancerCommandOutput,
  DeleteLoadBalancerCommandInput,
  DescribeLoadBalancerAttributesCommandInput,
  DescribeLoadBalancersCommandInput,
  DescribeLoadBalancersCommandOutput,
  LoadBalancer,
  ModifyLoadBalancerAttributesCommandInput,
  SetSecurityGroupsCommandInput,
  SetSubnetsCommandInput
} from '@aws-sdk/client-elastic-load-balancing-v2'
import { AwsError } from '../core/errors.js'
import { findSubnet } from '../core/network.js'
import type { VpcInfo } from '../core/types.js'
import type { Elbv2Context } from './context.js'
import { canonicalHostedZoneId, dnsName, hexId, loadBalancerArn } from './arns.js'
import { applyAttributes, asAttributeList, loadBalancerAttributeDefaults } from './attributes.js'
import { checkTags, setTags } from './tags.js'
import type { LoadBalancerRecord } from './store.js'
import { checkName, page, required, validation } from './validate.js'
import { deleteListenerRecord } from './listeners.js'

type Out<T> = Omit<T, '$metadata'>

/** ELBv2 reports an ALB as provisioning for a while after creation. */
const PROVISIONING_MS = 10_000
const MAX_LOAD_BALANCERS = 50

export function loadBalancerView(ctx: Elbv2Context, r: LoadBalancerRecord): LoadBalancer {
  const active = ctx.clock.now() - r.createdMs >= PROVISIONING_MS
  return { ...r.lb, State: { Code: active ? 'active' : 'provisioning' } }
}

/** Subnets → their VPC and one zone each: same VPC, one subnet per zone, at least two zones for an ALB. */
function resolveSubnets(ctx: Elbv2Context, ids: string[]): { vpc: VpcInfo; zones: AvailabilityZone[] } {
  if (!ids.length)
    throw validation('At least two subnets in two different Availability Zones must be specified')
  const found = ids.map(id => {
    const f = findSubnet(ctx.vpcs, id)
    if (!f) throw new AwsError('SubnetNotFound', `The subnet ID '${id}' is not valid`)
    return f
  })
  const vpc = found[0].vpc
  const other = found.find(f => f.vpc.vpcId !== vpc.vpcId)
  if (other) {
    throw new AwsError(
      'InvalidConfigurationRequest',
      `All subnets must belong to the same VPC: '${vpc.vpcId}' and '${other.vpc.vpcId}' were specified`
    )
  }
  const zones = new Set<string>()
  for (const f of found) {
    if (zones.has(f.subnet.availabilityZone))
      throw validation('Only one subnet per Availability Zone is allowed')
    zones.add(f.subnet.availabilityZone)
  }
  if (zones.size < 2)
    throw validation('At least two subnets in two different Availability Zones must be specified')
  return {
    vpc,
    zones: found.map(f => ({
      ZoneName: f.subnet.availabilityZone,
      SubnetId: f.subnet.subnetId,
      LoadBalancerAddresses: []
    }))
  }
}

function resolveSecurityGroups(vpc: VpcInfo, groups: string[] | undefined): string[] {
  if (!groups?.length) return vpc.securityGroups.slice(0, 1) // the VPC's default security group
  for (const sg of groups) {
    if (!vpc.securityGroups.includes(sg))
      throw new AwsError('InvalidSecurityGroup', `Security group '${sg}' does not exist`)
  }
  return [...new Set(groups)]
}

const subnetIdsOf = (input: { Subnets?: string[]; SubnetMappings?: { SubnetId?: string }[] }): string[] => {
  if (input.Subnets?.length && input.SubnetMappings?.length) {
    throw validation('You can specify subnets or subnet mappings, but not both')
  }
  return input.Subnets ?? (input.SubnetMappings ?? []).map(m => m.SubnetId ?? '')
}

const sameSet = (a: string[] = [], b: string[] = []) => a.length === b.length && a.every(x => b.includes(x))

export function createLoadBalancer(
  ctx: Elbv2Context,
  input: CreateLoadBalancerCommandInput
): Out<CreateLoadBalancerCommandOutput> {
  const name = required(input.Name, 'Name')
  checkName('Load balancer', name)
  const type = input.Type ?? 'application'
  if (type !== 'application')
    throw validation(`This emulator supports application load balancers only, not '${type}'`)
  const scheme = input.Scheme ?? 'internet-facing'
  if (scheme !== 'internet-facing' && scheme !== 'internal') {
    throw validation(`Scheme '${scheme}' must be one of 'internet-facing, internal'`)
  }
  const ipAddressType = input.IpAddressType ?? 'ipv4'
  if (!['ipv4', 'dualstack', 'dualstack-without-public-ipv4'].includes(ipAddressType)) {
    throw validation(
      `IP address type '${ipAddressType}' must be one of 'ipv4, dualstack, dualstack-without-public-ipv4'`
    )
  }
  const { vpc, zones } = resolveSubnets(ctx, subnetIdsOf(input))
  const securityGroups = resolveSecurityGroups(vpc, input.SecurityGroups)
  const tags = checkTags(input.Tags)

  const existing = [...ctx.store.lbs.values()].find(r => r.name === name)
  if (existing) {
    const lb = existing.lb
    const same =
      lb.Scheme === scheme &&
      lb.Type === type &&
      lb.IpAddressType === ipAddressType &&
      sameSet(lb.SecurityGroups, securityGroups) &&
      sameSet(
        (lb.AvailabilityZones ?? []).map(z => z.SubnetId ?? ''),
        zones.map(z => z.SubnetId ?? '')
      )
    if (!same) {
      throw new AwsError(
        'DuplicateLoadBalancerName',
        `A load balancer with the same name '${name}' exists, but with different settings`
      )
    }
    return { LoadBalancers: [loadBalancerView(ctx, existing)] }
  }
  if (ctx.store.lbs.size >= MAX_LOAD_BALANCERS) {
    throw new AwsError(
      'TooManyLoadBalancers',
      `The quota of '${MAX_LOAD_BALANCERS}' load balancers has been reached`
    )
  }
  const id = hexId()
  const arn = loadBalancerArn(ctx, name, id)
  const createdMs = ctx.clock.now()
  const rec: LoadBalancerRecord = {
    arn,
    name,
    id,
    createdMs,
    attributes: loadBalancerAttributeDefaults(),
    lb: {
      LoadBalancerArn: arn,
      DNSName: `${scheme === 'internal' ? 'internal-' : ''}${dnsName(name, ctx.region)}`,
      CanonicalHostedZoneId: canonicalHostedZoneId(ctx.region),
      CreatedTime: new Date(createdMs),
      LoadBalancerName: name,
      Scheme: scheme,
      VpcId: vpc.vpcId,
      Type: type,
      AvailabilityZones: zones,
      SecurityGroups: securityGroups,
      IpAddressType: ipAddressType
    }
  }
  ctx.store.lbs.set(arn, rec)
  setTags(ctx, arn, tags)
  return { LoadBalancers: [loadBalancerView(ctx, rec)] }
}

export function describeLoadBalancers(
  ctx: Elbv2Context,
  input: DescribeLoadBalancersCommandInput
): Out<DescribeLoadBalancersCommandOutput> {
  const all = [...ctx.store.lbs.values()]
  let chosen = all
  if (input.Names?.length && input.LoadBalancerArns?.length) {
    throw validation('Load balancer names and load balancer ARNs cannot be specified at the same time')
  }
  if (input.Names?.length) {
    const missing = input.Names.filter(n => !all.some(r => r.name === n))
    if (missing.length)
      throw new AwsError('LoadBalancerNotFound', `Load balancers '[${missing.join(', ')}]' not found`)
    chosen = all.filter(r => input.Names?.includes(r.name))
  } else if (input.LoadBalancerArns?.length) {
    const missing = input.LoadBalancerArns.filter(a => !ctx.store.lbs.has(a))
    if (missing.length) throw new AwsError('LoadBalancerNotFound', `One or more load balancers not found`)
    chosen = all.filter(r => input.LoadBalancerArns?.includes(r.arn))
  }
  const p = page(chosen, input.Marker, input.PageSize)
  return { LoadBalancers: p.items.map(r => loadBalancerView(ctx, r)), NextMarker: p.next }
}

export async function deleteLoadBalancer(
  ctx: Elbv2Context,
  input: DeleteLoadBalancerCommandInput
): Promise<object> {
  const arn = required(input.LoadBalancerArn, 'LoadBalancerArn')
  const rec = ctx.store.lbs.get(arn)
  if (!rec) return {} // deleting a load balancer that is gone succeeds, as in ELBv2
  if (rec.attributes['deletion_protection.enabled'] === 'true') {
    throw new AwsError(
      'OperationNotPermitted',
      `Load balancer '${arn}' cannot be deleted because deletion protection is enabled`
    )
  }
  for (const l of ctx.store.listenersOf(arn)) await deleteListenerRecord(ctx, l)
  ctx.store.lbs.delete(arn)
  ctx.store.tags.delete(arn)
  ctx.refreshUsage()
  return {}
}

export function describeLoadBalancerAttributes(
  ctx: Elbv2Context,
  input: DescribeLoadBalancerAttributesCommandInput
) {
  return { Attributes: asAttributeList(ctx.store.lb(input.LoadBalancerArn).attributes) }
}

export function modifyLoadBalancerAttributes(
  ctx: Elbv2Context,
  input: ModifyLoadBalancerAttributesCommandInput
) {
  const rec = ctx.store.lb(input.LoadBalancerArn)
  rec.attributes = applyAttributes('Load balancer', rec.attributes, required(input.Attributes, 'Attributes'))
  return { Attributes: asAttributeList(rec.attributes) }
}

const vpcOf = (ctx: Elbv2Context, rec: LoadBalancerRecord): VpcInfo => {
  const vpc = ctx.vpcs.find(v => v.vpcId === rec.lb.VpcId)
  if (!vpc) throw new AwsError('InternalFailure', `VPC '${rec.lb.VpcId ?? ''}' vanished`, 500)
  return vpc
}

export function setSecurityGroups(ctx: Elbv2Context, input: SetSecurityGroupsCommandInput) {
  const rec = ctx.store.lb(input.LoadBalancerArn)
  const groups = required(input.SecurityGroups, 'SecurityGroups')
  rec.lb.SecurityGroups = groups.length ? resolveSecurityGroups(vpcOf(ctx, rec), groups) : []
  return { SecurityGroupIds: rec.lb.SecurityGroups }
}

export function setSubnets(ctx: Elbv2Context, input: SetSubnetsCommandInput) {
  const rec = ctx.store.lb(input.LoadBalancerArn)
  const { vpc, zones } = resolveSubnets(ctx, subnetIdsOf(input))
  if (vpc.vpcId !== rec.lb.VpcId) {
    throw new AwsError(
      'InvalidSubnet',
      `The subnets must be in the VPC '${rec.lb.VpcId ?? ''}' of the load balancer`
    )
  }
  rec.lb.AvailabilityZones = zones
  if (input.IpAddressType) rec.lb.IpAddressType = input.IpAddressType
  return { AvailabilityZones: zones, IpAddressType: rec.lb.IpAddressType }
}
