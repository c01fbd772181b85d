import type {
  CreateTargetGroupCommandInput,
  CreateTargetGroupCommandOutput,
  DeleteTargetGroupCommandInput,
  DescribeTargetGroupAttributesCommandInput,
  DescribeTargetGroupsCommandInput,
  DescribeTargetGroupsCommandOutput,
  ModifyTargetGroupAttributesCommandInput,
  ModifyTargetGroupCommandInput,
  ModifyTargetGroupCommandOutput,
  TargetGroup
} from '@aws-sdk/client-elastic-load-balancing-v2'
import { AwsError } from '../core/errors.js'
import type { Elbv2Context } from './context.js'
import { hexId, targetGroupArn } from './arns.js'
import { applyAttributes, asAttributeList, targetGroupAttributeDefaults } from './attributes.js'
import type { HealthConfig } from './health.js'
import { isValidMatcher } from './probe.js'
import type { TargetGroupRecord } from './store.js'
import { checkTags, setTags } from './tags.js'
import { checkName, checkPort, checkRange, page, required, validation } from './validate.js'

type Out<T> = Omit<T, '$metadata'>

const PROTOCOLS = ['HTTP', 'HTTPS', 'TCP', 'TLS', 'UDP', 'TCP_UDP', 'GENEVE']
const TARGET_TYPES = ['instance', 'ip', 'lambda', 'alb']
const HEALTH_CHECK_PROTOCOLS = ['HTTP', 'HTTPS', 'TCP']
const MAX_TARGET_GROUPS = 3000

const isHttp = (p: string | undefined) => p === 'HTTP' || p === 'HTTPS'

export const targetGroupView = (ctx: Elbv2Context, r: TargetGroupRecord): TargetGroup => ({
  ...r.tg,
  LoadBalancerArns: ctx.store.loadBalancersOf(r.arn)
})

export const healthConfigOf = (r: TargetGroupRecord): HealthConfig => ({
  enabled: r.tg.HealthCheckEnabled !== false,
  protocol: r.tg.HealthCheckProtocol ?? 'HTTP',
  path: r.tg.HealthCheckPath ?? '/',
  port: r.tg.HealthCheckPort ?? 'traffic-port',
  intervalMs: (r.tg.HealthCheckIntervalSeconds ?? 30) * 1000,
  timeoutMs: (r.tg.HealthCheckTimeoutSeconds ?? 5) * 1000,
  healthyThreshold: r.tg.HealthyThresholdCount ?? 5,
  unhealthyThreshold: r.tg.UnhealthyThresholdCount ?? 2,
  matcher: r.tg.Matcher?.HttpCode ?? '200',
  deregistrationDelayMs: Number(r.attributes['deregistration_delay.timeout_seconds'] ?? 300) * 1000
})

/** Health check fields as given or changed; checked together because the timeout depends on the interval. */
type HealthCheckFields = Pick<
  TargetGroup,
  | 'HealthCheckProtocol'
  | 'HealthCheckPort'
  | 'HealthCheckEnabled'
  | 'HealthCheckPath'
  | 'HealthCheckIntervalSeconds'
  | 'HealthCheckTimeoutSeconds'
  | 'HealthyThresholdCount'
  | 'UnhealthyThresholdCount'
  | 'Matcher'
>

function checkHealthFields(h: HealthCheckFields): void {
  if (h.HealthCheckProtocol && !HEALTH_CHECK_PROTOCOLS.includes(h.HealthCheckProtocol)) {
    throw validation(
      `Health check protocol '${h.HealthCheckProtocol}' must be one of '${HEALTH_CHECK_PROTOCOLS.join(', ')}'`
    )
  }
  if (h.HealthCheckPort !== undefined && h.HealthCheckPort !== 'traffic-port') {
    const n = Number(h.HealthCheckPort)
    if (!Number.isInteger(n) || n < 1 || n > 65535) {
      throw validation(
        `Health check port '${h.HealthCheckPort}' must be 'traffic-port' or a port between 1 and 65535`
      )
    }
  }
  if (
    h.HealthCheckPath !== undefined &&
    (!h.HealthCheckPath.startsWith('/') || h.HealthCheckPath.length > 1024)
  ) {
    throw validation(
      `Health check path '${h.HealthCheckPath}' must start with '/' and be at most 1024 characters long`
    )
  }
  checkRange(h.HealthCheckIntervalSeconds, 'healthCheckIntervalSeconds', 5, 300)
  checkRange(h.HealthCheckTimeoutSeconds, 'healthCheckTimeoutSeconds', 2, 120)
  checkRange(h.HealthyThresholdCount, 'healthyThresholdCount', 2, 10)
  checkRange(h.UnhealthyThresholdCount, 'unhealthyThresholdCount', 2, 10)
  if (
    h.HealthCheckTimeoutSeconds !== undefined &&
    h.HealthCheckIntervalSeconds !== undefined &&
    h.HealthCheckTimeoutSeconds >= h.HealthCheckIntervalSeconds
  ) {
    throw validation(
      `Health check timeout '${h.HealthCheckTimeoutSeconds}' must be smaller than the interval '${h.HealthCheckIntervalSeconds}'`
    )
  }
  if (h.Matcher?.HttpCode !== undefined && !isValidMatcher(h.Matcher.HttpCode)) {
    throw validation(
      `Health check matcher HTTP code '${h.Matcher.HttpCode}' must be like '200', '200,202' or '200-299' within 200-499`
    )
  }
}

/**
 * Defaults by the target group's protocol, as the CreateTargetGroup API reference gives them: timeout 6 s
 * for HTTP, 10 s for TCP, TLS or HTTPS, 5 s for GENEVE; interval 30 s, 10 s for GENEVE (lambda: 30 / 35).
 */
const defaultTimeout = (protocol: string): number =>
  protocol === 'HTTP' ? 6 : protocol === 'GENEVE' ? 5 : 10
const defaultInterval = (protocol: string): number => (protocol === 'GENEVE' ? 10 : 30)

/** "If the target type is instance, ip, or alb, health checks are always enabled and can't be disabled." */
function checkHealthCheckEnabled(targetType: string, enabled: boolean | undefined): void {
  if (enabled === false && targetType !== 'lambda') {
    throw validation(`Health checks cannot be disabled for target groups with target type '${targetType}'`)
  }
}

/** The target group as ELBv2 stores it: every health check default filled in. */
function buildTargetGroup(
  ctx: Elbv2Context,
  input: CreateTargetGroupCommandInput
): Omit<TargetGroup, 'TargetGroupArn'> {
  const targetType = input.TargetType ?? 'instance'
  if (!TARGET_TYPES.includes(targetType))
    throw validation(`Target type '${targetType}' must be one of '${TARGET_TYPES.join(', ')}'`)
  if (targetType === 'lambda') {
    return {
      TargetGroupName: input.Name,
      TargetType: targetType,
      HealthCheckEnabled: input.HealthCheckEnabled ?? false,
      HealthCheckPath: input.HealthCheckPath ?? '/',
      HealthCheckIntervalSeconds: input.HealthCheckIntervalSeconds ?? 35,
      HealthCheckTimeoutSeconds: input.HealthCheckTimeoutSeconds ?? 30,
      HealthyThresholdCount: input.HealthyThresholdCount ?? 5,
      UnhealthyThresholdCount: input.UnhealthyThresholdCount ?? 2,
      Matcher: { HttpCode: input.Matcher?.HttpCode ?? '200' }
    }
  }
  if (!input.Protocol) throw validation('A protocol must be specified')
  if (!PROTOCOLS.includes(input.Protocol))
    throw validation(`Protocol '${input.Protocol}' must be one of '${PROTOCOLS.join(', ')}'`)
  if (input.Port === undefined) throw validation('A port must be specified')
  checkPort(input.Port)
  if (!input.VpcId) throw validation('A VPC ID must be specified')
  if (!ctx.vpcs.some(v => v.vpcId === input.VpcId))
    throw validation(`The VPC ID '${input.VpcId}' is not found`)
  const http = isHttp(input.Protocol)
  const hcProtocol = input.HealthCheckProtocol ?? (http ? input.Protocol : 'TCP')
  const hcHttp = isHttp(hcProtocol)
  checkHealthCheckEnabled(targetType, input.HealthCheckEnabled)
  const fields: HealthCheckFields = {
    HealthCheckProtocol: hcProtocol,
    HealthCheckPort: input.HealthCheckPort ?? 'traffic-port',
    HealthCheckEnabled: input.HealthCheckEnabled ?? true,
    HealthCheckIntervalSeconds: input.HealthCheckIntervalSeconds ?? defaultInterval(input.Protocol),
    HealthCheckTimeoutSeconds: input.HealthCheckTimeoutSeconds ?? defaultTimeout(input.Protocol),
    HealthyThresholdCount: input.HealthyThresholdCount ?? 5,
    UnhealthyThresholdCount: input.UnhealthyThresholdCount ?? 2,
    ...(hcHttp && {
      HealthCheckPath: input.HealthCheckPath ?? '/',
      Matcher:
        input.ProtocolVersion === 'GRPC'
          ? { GrpcCode: input.Matcher?.GrpcCode ?? '12' }
          : { HttpCode: input.Matcher?.HttpCode ?? '200' }
    })
  }
  if (!http && input.HealthCheckPath !== undefined && !hcHttp)
    throw validation('A health check path can only be set for HTTP or HTTPS health checks')
  checkHealthFields(fields)
  return {
    TargetGroupName: input.Name,
    Protocol: input.Protocol,
    Port: input.Port,
    VpcId: input.VpcId,
    ...fields,
    TargetType: targetType,
    ...(http && { ProtocolVersion: input.ProtocolVersion ?? 'HTTP1' }),
    IpAddressType: input.IpAddressType ?? 'ipv4'
  }
}

const sameSettings = (a: object, b: object): boolean => {
  const norm = (o: object) => JSON.stringify(Object.entries(o).sort(([x], [y]) => x.localeCompare(y)))
  return norm(a) === norm(b)
}

export function createTargetGroup(
  ctx: Elbv2Context,
  input: CreateTargetGroupCommandInput
): Out<CreateTargetGroupCommandOutput> {
  const name = required(input.Name, 'Name')
  checkName('Target group', name)
  const tg = buildTargetGroup(ctx, input)
  const tags = checkTags(input.Tags)
  const existing = [...ctx.store.tgs.values()].find(r => r.name === name)
  if (existing) {
    const { TargetGroupArn: _arn, ...current } = existing.tg
    if (!sameSettings(current, tg)) {
      throw new AwsError(
        'DuplicateTargetGroupName',
        `A target group with the same name '${name}' exists, but with different settings`
      )
    }
    return { TargetGroups: [targetGroupView(ctx, existing)] }
  }
  if (ctx.store.tgs.size >= MAX_TARGET_GROUPS)
    throw new AwsError('TooManyTargetGroups', 'You have reached the maximum number of target groups')
  const arn = targetGroupArn(ctx, name, hexId())
  const rec: TargetGroupRecord = {
    arn,
    name,
    tg: { TargetGroupArn: arn, ...tg },
    attributes: targetGroupAttributeDefaults()
  }
  ctx.store.tgs.set(arn, rec)
  setTags(ctx, arn, tags)
  ctx.health.addGroup(arn)
  return { TargetGroups: [targetGroupView(ctx, rec)] }
}

export function describeTargetGroups(
  ctx: Elbv2Context,
  input: DescribeTargetGroupsCommandInput
): Out<DescribeTargetGroupsCommandOutput> {
  let chosen = [...ctx.store.tgs.values()]
  const filters = [input.Names?.length, input.TargetGroupArns?.length, input.LoadBalancerArn].filter(
    Boolean
  ).length
  if (filters > 1)
    throw validation('Only one of load balancer ARN, target group ARNs or names can be specified')
  if (input.Names?.length) {
    const missing = input.Names.filter(n => !chosen.some(r => r.name === n))
    if (missing.length)
      throw new AwsError('TargetGroupNotFound', `Target groups '[${missing.join(', ')}]' not found`)
    chosen = chosen.filter(r => input.Names?.includes(r.name))
  } else if (input.TargetGroupArns?.length) {
    if (input.TargetGroupArns.some(a => !ctx.store.tgs.has(a)))
      throw new AwsError('TargetGroupNotFound', 'One or more target groups not found')
    chosen = chosen.filter(r => input.TargetGroupArns?.includes(r.arn))
  } else if (input.LoadBalancerArn) {
    const lbArn = ctx.store.lb(input.LoadBalancerArn).arn
    chosen = chosen.filter(r => ctx.store.loadBalancersOf(r.arn).includes(lbArn))
  }
  const p = page(chosen, input.Marker, input.PageSize)
  return { TargetGroups: p.items.map(r => targetGroupView(ctx, r)), NextMarker: p.next }
}

export function modifyTargetGroup(
  ctx: Elbv2Context,
  input: ModifyTargetGroupCommandInput
): Out<ModifyTargetGroupCommandOutput> {
  const rec = ctx.store.tg(input.TargetGroupArn)
  const { TargetGroupArn: _arn, ...changes } = input
  const defined = Object.fromEntries(
    Object.entries(changes).filter(([, v]) => v !== undefined)
  ) as HealthCheckFields
  checkHealthCheckEnabled(rec.tg.TargetType ?? 'instance', defined.HealthCheckEnabled)
  const next: TargetGroup = { ...rec.tg, ...defined }
  if (defined.Matcher) next.Matcher = { ...defined.Matcher }
  if (next.HealthCheckProtocol && !isHttp(next.HealthCheckProtocol)) {
    if (defined.HealthCheckPath !== undefined)
      throw validation('A health check path can only be set for HTTP or HTTPS health checks')
    delete next.HealthCheckPath
    delete next.Matcher
  } else if (next.HealthCheckPath === undefined) {
    next.HealthCheckPath = '/'
    next.Matcher ??= { HttpCode: '200' }
  }
  checkHealthFields(next)
  rec.tg = next
  return { TargetGroups: [targetGroupView(ctx, rec)] }
}

export function deleteTargetGroup(ctx: Elbv2Context, input: DeleteTargetGroupCommandInput): object {
  const arn = required(input.TargetGroupArn, 'TargetGroupArn')
  if (!ctx.store.tgs.has(arn)) return {}
  const users = ctx.store.usersOf(arn)
  if (users.length)
    throw new AwsError('ResourceInUse', `Target group '${arn}' is currently in use by a listener or a rule`)
  ctx.health.removeGroup(arn)
  ctx.store.tgs.delete(arn)
  ctx.store.tags.delete(arn)
  return {}
}

export function describeTargetGroupAttributes(
  ctx: Elbv2Context,
  input: DescribeTargetGroupAttributesCommandInput
) {
  return { Attributes: asAttributeList(ctx.store.tg(input.TargetGroupArn).attributes) }
}

export function modifyTargetGroupAttributes(
  ctx: Elbv2Context,
  input: ModifyTargetGroupAttributesCommandInput
) {
  const rec = ctx.store.tg(input.TargetGroupArn)
  rec.attributes = applyAttributes('Target group', rec.attributes, required(input.Attributes, 'Attributes'))
  return { Attributes: asAttributeList(rec.attributes) }
}
