import type { CreateTargetGroupCommandInput } from '@aws-sdk/client-elastic-load-balancing-v2'
import { InputError } from './errors.js'
import { elbNameProblem } from './identifiers.js'
import type { DocumentInput } from './parse-document.js'
import { checkShape } from './schema.js'
import { targetGroupShape } from './shapes.js'
import { checkElbTags } from './validate-load-balancer.js'
import {
  defaultHealthCheckInterval,
  defaultHealthCheckTimeout,
  healthCheckMayBeDisabled
} from '../model/target-group-defaults.js'

const INPUT = 'target-group'

export type TargetGroupInput = CreateTargetGroupCommandInput & { Name: string }

export function validateTargetGroup(doc: DocumentInput): TargetGroupInput | undefined {
  if (doc.kind === 'empty') return undefined
  if (doc.kind === 'reference') throw new Error('target-group never holds a reference') // readDocumentInput refuses it
  const tg = checkShape(targetGroupShape, doc.value, { input: INPUT })
  const fail = (field: string, message: string): never => {
    throw new InputError(INPUT, field, message)
  }
  const nameProblem = elbNameProblem(tg.Name ?? '')
  if (nameProblem) fail('Name', nameProblem)
  if (tg.VpcId !== undefined && !/^vpc-[0-9a-zA-Z]+$/.test(tg.VpcId)) {
    fail('VpcId', `must be a VPC id (vpc-…), got ${JSON.stringify(tg.VpcId)}`)
  }
  if (
    tg.HealthCheckPath !== undefined &&
    (!tg.HealthCheckPath.startsWith('/') || tg.HealthCheckPath.length > 1024)
  ) {
    fail(
      'HealthCheckPath',
      `must start with "/" and be at most 1024 characters, got ${JSON.stringify(tg.HealthCheckPath)}`
    )
  }
  if (tg.HealthCheckPort !== undefined && !validHealthCheckPort(tg.HealthCheckPort)) {
    fail(
      'HealthCheckPort',
      `must be "traffic-port" or a port from 1 to 65535, got ${JSON.stringify(tg.HealthCheckPort)}`
    )
  }
  if (tg.HealthCheckEnabled === false && !healthCheckMayBeDisabled(tg.TargetType)) {
    fail(
      'HealthCheckEnabled',
      `cannot be false: ELBv2 keeps health checks on for ${tg.TargetType ?? 'instance or ip'} targets (only lambda targets may turn them off); remove it`
    )
  }
  checkTimeoutBelowInterval(tg)
  checkMatcher(tg)
  checkElbTags(INPUT, tg)
  return tg as TargetGroupInput
}

function validHealthCheckPort(port: string): boolean {
  if (port === 'traffic-port') return true
  return /^\d{1,5}$/.test(port) && Number(port) >= 1 && Number(port) <= 65535
}

/** ELBv2 refuses a timeout that is not shorter than the interval; defaults count when one is left out. */
function checkTimeoutBelowInterval(tg: CreateTargetGroupCommandInput): void {
  const defaultInterval = defaultHealthCheckInterval(tg.Protocol, tg.TargetType)
  const defaultTimeout = defaultHealthCheckTimeout(tg.Protocol, tg.TargetType)
  const interval = tg.HealthCheckIntervalSeconds ?? defaultInterval
  const timeout = tg.HealthCheckTimeoutSeconds ?? defaultTimeout
  if (timeout < interval) return
  if (tg.HealthCheckTimeoutSeconds !== undefined) {
    const given = tg.HealthCheckIntervalSeconds === undefined ? ` (${defaultInterval} by default)` : ''
    throw new InputError(
      INPUT,
      'HealthCheckTimeoutSeconds',
      `must be less than HealthCheckIntervalSeconds${given}: got timeout ${timeout}, interval ${interval}`
    )
  }
  throw new InputError(
    INPUT,
    'HealthCheckIntervalSeconds',
    `must be greater than HealthCheckTimeoutSeconds (${defaultTimeout} by default for ${tg.Protocol ?? 'this protocol'}), got ${interval}`
  )
}

/** HttpCode: `200`, `200,202` or `200-299`, codes 200–499; GrpcCode only for GRPC target groups. */
function checkMatcher(tg: CreateTargetGroupCommandInput): void {
  const m = tg.Matcher
  if (!m) return
  const grpc = tg.ProtocolVersion === 'GRPC'
  if (grpc && m.HttpCode !== undefined) {
    throw new InputError(INPUT, 'Matcher.HttpCode', 'a GRPC target group matches GrpcCode, not HttpCode')
  }
  if (!grpc && m.GrpcCode !== undefined) {
    throw new InputError(
      INPUT,
      'Matcher.GrpcCode',
      'only a target group with ProtocolVersion GRPC matches GrpcCode'
    )
  }
  if (m.HttpCode === undefined && m.GrpcCode === undefined) {
    throw new InputError(
      INPUT,
      grpc ? 'Matcher.GrpcCode' : 'Matcher.HttpCode',
      'is required when Matcher is given'
    )
  }
  if (m.HttpCode !== undefined)
    checkCodes({ field: 'Matcher.HttpCode', text: m.HttpCode, min: 200, max: 499 })
  if (m.GrpcCode !== undefined) checkCodes({ field: 'Matcher.GrpcCode', text: m.GrpcCode, min: 0, max: 99 })
}

function checkCodes(opts: { field: string; text: string; min: number; max: number }): void {
  const bad = (why: string): never => {
    throw new InputError(
      INPUT,
      opts.field,
      `${why}: write one code ("200"), a list ("200,202") or a range ("200-299") from ${opts.min} to ${opts.max}, got ${JSON.stringify(opts.text)}`
    )
  }
  const range = /^(\d+)-(\d+)$/.exec(opts.text)
  const codes = range
    ? [Number(range[1]), Number(range[2])]
    : /^\d+(,\d+)*$/.test(opts.text)
      ? opts.text.split(',').map(Number)
      : bad('bad syntax')
  for (const c of codes) if (c < opts.min || c > opts.max) bad(`code ${c} is out of range`)
  if (range && codes[0] >= codes[1]) bad('a range must go from low to high')
}
