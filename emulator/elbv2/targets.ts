import type {
  DeregisterTargetsCommandInput,
  DescribeTargetHealthCommandInput,
  DescribeTargetHealthCommandOutput,
  RegisterTargetsCommandInput,
  TargetDescription,
  TargetHealthDescription,
  TargetHealthReasonEnum,
  TargetHealthStateEnum
} from '@aws-sdk/client-elastic-load-balancing-v2'
import { AwsError } from '../core/errors.js'
import type { TargetAddress, TargetHealthView, TargetRef } from '../core/types.js'
import type { Elbv2Context } from './context.js'
import { HEALTH } from './health.js'
import type { TargetGroupRecord } from './store.js'
import { checkPort, required } from './validate.js'

type Out<T> = Omit<T, '$metadata'>

const MAX_TARGETS = 1000

export const refOf = (tg: TargetGroupRecord, t: TargetDescription): TargetRef => {
  const id = required(t.Id, 'Id')
  const port = t.Port ?? tg.tg.Port
  if (port === undefined) throw new AwsError('ValidationError', `A port must be specified for target '${id}'`)
  checkPort(port)
  return { id, port, ...(t.AvailabilityZone && { availabilityZone: t.AvailabilityZone }) }
}

/**
 * Where a target registered through the API is reached on this machine: ip targets on loopback at Id:Port;
 * an instance or IP that ECS registered (through the facade, with its real address) in another target group
 * at that address, as AWS reaches the same instance port or IP:port from any target group. Others have none.
 */
const addressOf = (ctx: Elbv2Context, tg: TargetGroupRecord, ref: TargetRef): TargetAddress | undefined =>
  tg.tg.TargetType === 'ip' && /^127\.\d+\.\d+\.\d+$/.test(ref.id)
    ? { host: ref.id, port: ref.port }
    : ctx.health.knownAddress(ref)

export function registerTargets(ctx: Elbv2Context, input: RegisterTargetsCommandInput): object {
  const tg = ctx.store.tg(input.TargetGroupArn)
  const refs = required(input.Targets, 'Targets').map(t => refOf(tg, t))
  for (const ref of refs) {
    if (tg.tg.TargetType === 'instance' && !/^i-[0-9a-z]+$/.test(ref.id)) {
      throw new AwsError('InvalidTarget', `The following targets are not valid instances: '${ref.id}'`)
    }
    if (tg.tg.TargetType === 'ip' && !/^[0-9a-f.:]+$/i.test(ref.id)) {
      throw new AwsError('InvalidTarget', `The IP address '${ref.id}' is not a valid IPv4 or IPv6 address`)
    }
  }
  if (ctx.health.targets(tg.arn).length + refs.length > MAX_TARGETS) {
    throw new AwsError(
      'TooManyTargets',
      `You can register at most '${MAX_TARGETS}' targets to a target group`
    )
  }
  for (const ref of refs) ctx.health.register(tg.arn, ref, addressOf(ctx, tg, ref))
  return {}
}

export function deregisterTargets(ctx: Elbv2Context, input: DeregisterTargetsCommandInput): object {
  const tg = ctx.store.tg(input.TargetGroupArn)
  const refs = required(input.Targets, 'Targets').map(t => refOf(tg, t))
  const missing = refs.filter(ref => !ctx.health.target(tg.arn, ref))
  if (missing.length) {
    throw new AwsError(
      'InvalidTarget',
      `The following targets are not registered in target group '${tg.arn}': ${missing.map(r => `'${r.id}:${r.port}'`).join(', ')}`
    )
  }
  for (const ref of refs) ctx.health.deregister(tg.arn, ref)
  return {}
}

const describe = (
  tg: TargetGroupRecord,
  ref: TargetRef,
  health: TargetHealthView
): TargetHealthDescription => {
  const hcPort = tg.tg.HealthCheckPort ?? 'traffic-port'
  return {
    Target: {
      Id: ref.id,
      Port: ref.port,
      ...(ref.availabilityZone && { AvailabilityZone: ref.availabilityZone })
    },
    HealthCheckPort: hcPort === 'traffic-port' ? String(ref.port) : hcPort,
    // The core's health view uses ELBv2's own state and reason strings.
    TargetHealth: {
      State: health.state as TargetHealthStateEnum,
      Reason: health.reason as TargetHealthReasonEnum | undefined,
      Description: health.description
    },
    AdministrativeOverride: {
      State: 'no_override',
      Reason: 'AdministrativeOverride.NoOverride',
      Description: 'No override is currently active on target'
    }
  }
}

export function describeTargetHealth(
  ctx: Elbv2Context,
  input: DescribeTargetHealthCommandInput
): Out<DescribeTargetHealthCommandOutput> {
  const tg = ctx.store.tg(input.TargetGroupArn)
  if (input.Targets?.length) {
    return {
      TargetHealthDescriptions: input.Targets.map(t => {
        const ref = refOf(tg, t)
        const rec = ctx.health.target(tg.arn, ref)
        return describe(tg, rec?.ref ?? ref, rec?.health ?? HEALTH.notRegistered)
      })
    }
  }
  return { TargetHealthDescriptions: ctx.health.targets(tg.arn).map(t => describe(tg, t.ref, t.health)) }
}
