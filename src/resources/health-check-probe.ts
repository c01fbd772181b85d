import {
  CreateRuleCommand,
  CreateTargetGroupCommand,
  DeleteRuleCommand,
  DeleteTargetGroupCommand,
  DescribeRulesCommand,
  DescribeTargetHealthCommand,
  RegisterTargetsCommand,
  type CreateTargetGroupCommandInput,
  type ModifyTargetGroupCommandInput,
  type Rule,
  type Tag,
  type TargetDescription,
  type TargetGroup,
  type TargetHealthDescription
} from '@aws-sdk/client-elastic-load-balancing-v2'
import type { Clients } from '../aws/clients.js'
import { DeployError, explainAwsError, isAwsError, withExplanation } from '../aws/errors.js'
import { canonicalJson } from '../model/diff.js'
import {
  describeHealthCheck,
  dominantFailure,
  explainHealthFailure,
  type HealthFailure
} from '../model/health-check.js'
import { hexHash } from '../model/names.js'
import { HEALTH_CHECK_FIELDS } from './target-group.js'

/** The health-check settings ModifyTargetGroup would set: the ones the probe proves. */
export type HealthCheckSettings = Pick<ModifyTargetGroupCommandInput, (typeof HEALTH_CHECK_FIELDS)[number]>

export interface ProbeHealthCheckOptions {
  clients: Pick<Clients, 'elbv2'>
  /** The live target group as DescribeTargetGroups returns it (ARN, name, Protocol/Port/VpcId/TargetType, checks). */
  targetGroup: TargetGroup
  /** The new settings (only those that change, or all): laid over the live ones. */
  settings: HealthCheckSettings
  /** A listener of the load balancer the target group serves: the probe's rule goes on it. */
  listenerArn: string
  /** Ownership tags for the temporary target group and rule, so a leftover is recognisably ours. */
  tags: Tag[]
  log?: (line: string) => void
  /** Injectable for tests; real time by default. */
  sleep?: (ms: number) => Promise<void>
  now?: () => number
}

export type ProbeVerdict = 'pass' | 'fail' | 'skipped'

/** One target as the probe saw it last: its state under the new health check. */
export interface ProbedTarget {
  id: string
  port?: number
  availabilityZone?: string
  state: string
  reason?: string
  description?: string
  healthCheckPort?: string
}

/** A failing new check in the watch's terms (assignable to its Diagnosis), for the same error text. */
export interface ProbeDiagnosis {
  kind: 'health-check'
  title: string
  cause: string
  evidence: string[]
  hint: string
}

export interface ProbeResult {
  verdict: ProbeVerdict
  /** One line: what was proven, or why nothing was. */
  summary: string
  targets: ProbedTarget[]
  /** On 'fail': why, as the watch would say it. */
  diagnosis?: ProbeDiagnosis
  /** Every AWS call made, in order (operation names). */
  calls: string[]
  /** Clean-up that failed: the probe's verdict stands, the leftover is named. */
  warnings: string[]
  durationMs: number
}

/** Target group names are at most 32 characters. */
const MAX_NAME = 32
const SUFFIX = '-probe'
/** Rule priorities go from 1 to 50000; the probe takes the highest free one, behind every real rule. */
const MAX_PRIORITY = 50000
/** How often CreateRule is tried when another rule takes the chosen priority first. */
const PRIORITY_ATTEMPTS = 5
/** ELBv2's defaults when the live target group does not say. */
const DEFAULT_INTERVAL_SECONDS = 30
const DEFAULT_TIMEOUT_SECONDS = 5
const DEFAULT_HEALTHY_THRESHOLD = 5
const DEFAULT_UNHEALTHY_THRESHOLD = 2
/**
 * Registration itself (Elb.RegistrationInProgress) takes a while before the first check goes out; the
 * checks' own bound does not include it.
 */
const REGISTRATION_ALLOWANCE_MS = 30_000
/**
 * How often the probe reads DescribeTargetHealth: a verdict lands any time within an interval, and a
 * probe lasts seconds, so reading each second costs a few calls and saves up to an interval of waiting.
 */
const MAX_POLL_MS = 1_000

const realSleep = (ms: number): Promise<void> => new Promise(resolve => setTimeout(resolve, ms))

/** The live target group with the new settings laid over its health check. */
export function probedSettings(live: TargetGroup, settings: HealthCheckSettings): TargetGroup {
  const merged: TargetGroup = { ...live }
  for (const field of HEALTH_CHECK_FIELDS) {
    const value = settings[field]
    if (value !== undefined) Object.assign(merged, { [field]: value })
  }
  return merged
}

/**
 * `<live name>-<6 hex>-probe`, ≤ 32 characters: the same for the same target group and settings, so a run
 * that died before its clean-up leaves a target group the next run of the same change finds and deletes.
 */
export function probeName(live: TargetGroup, settings: HealthCheckSettings): string {
  const hash = hexHash(canonicalJson({ arn: live.TargetGroupArn, settings }), 6)
  const tail = `-${hash}${SUFFIX}`
  const base = (live.TargetGroupName ?? 'tg').slice(0, MAX_NAME - tail.length).replace(/-+$/, '')
  return `${base}${tail}`
}

/**
 * A host name no request carries: `.invalid` is reserved never to resolve (RFC 2606, RFC 6761), so no
 * client reaching the load balancer by a real name matches the probe's rule.
 */
export function probeHost(name: string): string {
  return `${hexHash(name, 12)}.probe.invalid`
}

/**
 * How long the probe waits for a verdict: every target needs at most max(Healthy, Unhealthy)ThresholdCount
 * checks (a new target turns healthy after one, unhealthy after UnhealthyThresholdCount), one more for the
 * first check's offset, the last check's timeout, and registration.
 */
export function probeBoundMs(settings: TargetGroup): number {
  const interval = (settings.HealthCheckIntervalSeconds ?? DEFAULT_INTERVAL_SECONDS) * 1000
  const timeout = (settings.HealthCheckTimeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS) * 1000
  const checks =
    Math.max(
      settings.HealthyThresholdCount ?? DEFAULT_HEALTHY_THRESHOLD,
      settings.UnhealthyThresholdCount ?? DEFAULT_UNHEALTHY_THRESHOLD
    ) + 1
  return checks * interval + timeout + REGISTRATION_ALLOWANCE_MS
}

/** Polled more often than the checks run (at most every 5 s), so a verdict is read soon after ELBv2 has it. */
export function probePollMs(settings: TargetGroup): number {
  return Math.min((settings.HealthCheckIntervalSeconds ?? DEFAULT_INTERVAL_SECONDS) * 1000, MAX_POLL_MS)
}

function probedTarget(d: TargetHealthDescription): ProbedTarget {
  return {
    id: d.Target?.Id ?? '?',
    port: d.Target?.Port,
    availabilityZone: d.Target?.AvailabilityZone,
    state: d.TargetHealth?.State ?? 'unknown',
    reason: d.TargetHealth?.Reason,
    description: d.TargetHealth?.Description,
    healthCheckPort: d.HealthCheckPort
  }
}

/** Healthy, or unhealthy with a reason: what a target's check says for good. */
const decided = (t: ProbedTarget): boolean => t.state === 'healthy' || (t.state === 'unhealthy' && !!t.reason)

const label = (t: { id: string; port?: number }): string => `${t.id}:${t.port ?? ''}`

function diagnosisOf(merged: TargetGroup, failing: ProbedTarget[]): ProbeDiagnosis {
  const failures: HealthFailure[] = failing.map(t => ({
    reason: t.reason,
    description: t.description,
    healthCheckPort: t.healthCheckPort
  }))
  const explanation = explainHealthFailure(merged, dominantFailure(failures) ?? {})
  const name = merged.TargetGroupName ?? 'target group'
  return {
    kind: 'health-check',
    title: `The new health check of ${name} fails on targets that pass the current one`,
    cause: `${explanation.cause}. New health check ${describeHealthCheck(merged, merged.TargetGroupArn)}`,
    evidence: failing.map(t => {
      const detail = [t.reason, t.description].filter(Boolean).join(': ')
      return `target ${label(t)}: healthy now, ${t.state}${detail ? ` (${detail})` : ''} under the new check`
    }),
    hint: `${explanation.hint}; the target group was not changed`
  }
}

/** Every rule of the listener (DescribeRules pages). */
async function listenerRules(opts: ProbeHealthCheckOptions, calls: string[]): Promise<Rule[]> {
  const rules: Rule[] = []
  let marker: string | undefined
  do {
    calls.push('DescribeRules')
    const out = await withExplanation(`DescribeRules ${opts.listenerArn}`, () =>
      opts.clients.elbv2.send(new DescribeRulesCommand({ ListenerArn: opts.listenerArn, Marker: marker }))
    )
    rules.push(...(out.Rules ?? []))
    marker = out.NextMarker
  } while (marker)
  return rules
}

function highestFree(taken: Set<number>): number {
  for (let p = MAX_PRIORITY; p >= 1; p--) if (!taken.has(p)) return p
  throw new DeployError(
    `Every priority of listener rules is taken: no room for the health-check probe's rule`
  )
}

const forwardsTo = (rule: Rule, arn: string): boolean =>
  (rule.Actions ?? []).some(
    a => a.TargetGroupArn === arn || (a.ForwardConfig?.TargetGroups ?? []).some(t => t.TargetGroupArn === arn)
  )

/**
 * Proves new health-check settings against the service's current targets before production depends on
 * them: the targets healthy under the current check are registered in a temporary target group with the
 * new settings, which a listener rule no real request matches attaches to the load balancer (so ELBv2
 * checks them, and no traffic goes there), until each target has a verdict. The temporary rule and target
 * group are always removed; a failed clean-up is a warning.
 *
 * Why a rule and not a weight-0 entry in the production forward action: a rule is a resource of its own,
 * created and deleted without touching anything that serves traffic; a weight-0 entry would modify the
 * live listener's action (twice), race every other writer of it, and leave production's action changed
 * when the clean-up fails.
 */
export async function probeHealthCheck(opts: ProbeHealthCheckOptions): Promise<ProbeResult> {
  const log = opts.log ?? (() => undefined)
  const sleep = opts.sleep ?? realSleep
  const now = opts.now ?? Date.now
  const started = now()
  const calls: string[] = []
  const warnings: string[] = []
  const live = opts.targetGroup
  const liveArn = live.TargetGroupArn
  if (!liveArn) throw new Error('probeHealthCheck: the target group has no ARN')
  const merged = probedSettings(live, opts.settings)
  const done = (r: Omit<ProbeResult, 'calls' | 'warnings' | 'durationMs'>): ProbeResult => {
    log(`health-check probe: ${r.summary}`)
    return { ...r, calls, warnings, durationMs: now() - started }
  }

  if (merged.HealthCheckEnabled === false) {
    return done({ verdict: 'skipped', summary: 'the new settings disable health checks', targets: [] })
  }
  if (live.TargetType === 'lambda' || live.TargetType === 'alb') {
    return done({ verdict: 'skipped', summary: `${live.TargetType} targets are not probed`, targets: [] })
  }

  calls.push('DescribeTargetHealth')
  const current = await withExplanation(`DescribeTargetHealth ${live.TargetGroupName ?? liveArn}`, () =>
    opts.clients.elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: liveArn }))
  )
  const healthy = (current.TargetHealthDescriptions ?? []).filter(d => d.TargetHealth?.State === 'healthy')
  if (healthy.length === 0) {
    return done({
      verdict: 'skipped',
      summary: 'no target is healthy under the current check: nothing to compare the new one against',
      targets: (current.TargetHealthDescriptions ?? []).map(probedTarget)
    })
  }
  const targets: TargetDescription[] = healthy.map(d => ({
    Id: d.Target?.Id,
    Port: d.Target?.Port,
    ...(d.Target?.AvailabilityZone && { AvailabilityZone: d.Target.AvailabilityZone })
  }))

  const name = probeName(live, opts.settings)
  let probeArn: string | undefined
  let ruleArn: string | undefined
  let registered = false
  try {
    const input: CreateTargetGroupCommandInput = {
      Name: name,
      Protocol: live.Protocol,
      ProtocolVersion: live.ProtocolVersion,
      Port: live.Port,
      VpcId: live.VpcId,
      TargetType: live.TargetType,
      ...(live.IpAddressType && { IpAddressType: live.IpAddressType }),
      ...Object.fromEntries(HEALTH_CHECK_FIELDS.map(f => [f, merged[f]]).filter(([, v]) => v !== undefined)),
      Tags: opts.tags.length ? opts.tags : undefined
    }
    calls.push('CreateTargetGroup')
    const created = await withExplanation(`CreateTargetGroup ${name}`, () =>
      opts.clients.elbv2.send(new CreateTargetGroupCommand(input))
    )
    probeArn = created.TargetGroups?.[0]?.TargetGroupArn
    if (!probeArn) throw new DeployError(`CreateTargetGroup ${name} answered without a target group`)
    const tgArn = probeArn
    log(`health-check probe: created target group ${name} with the new health check`)

    // A run that died before its clean-up may have left the rule: use it (and delete it below).
    const rules = await listenerRules(opts, calls)
    ruleArn = rules.find(r => forwardsTo(r, tgArn))?.RuleArn
    ruleArn ??= await createRule({ opts, rules, tgArn, name, calls, log })

    calls.push('RegisterTargets')
    await withExplanation(`RegisterTargets ${name}`, () =>
      opts.clients.elbv2.send(new RegisterTargetsCommand({ TargetGroupArn: tgArn, Targets: targets }))
    )
    registered = true
    log(
      `health-check probe: checking ${targets.map(t => label({ id: t.Id ?? '?', port: t.Port })).join(', ')}`
    )

    const seen = await awaitVerdicts({ opts, tgArn, name, merged, targets, calls, sleep, now })
    const failing = seen.filter(t => t.state === 'unhealthy')
    if (failing.length) {
      return done({
        verdict: 'fail',
        summary: `${failing.length}/${seen.length} target(s) fail the new health check`,
        targets: seen,
        diagnosis: diagnosisOf(merged, failing)
      })
    }
    if (seen.every(t => t.state === 'healthy')) {
      return done({
        verdict: 'pass',
        summary: `${seen.length}/${seen.length} target(s) pass the new health check`,
        targets: seen
      })
    }
    const pending = seen
      .filter(t => !decided(t))
      .map(t => `${label(t)} ${t.state}${t.reason ? ` (${t.reason})` : ''}`)
    return done({
      verdict: 'skipped',
      summary: `no verdict within ${Math.round(probeBoundMs(merged) / 1000)} s (${pending.join(', ')}): the change is not proven`,
      targets: seen
    })
  } finally {
    await cleanUp({ opts, probeArn, ruleArn, registered, targets, name, calls, warnings, log })
  }
}

async function createRule(args: {
  opts: ProbeHealthCheckOptions
  rules: Rule[]
  tgArn: string
  name: string
  calls: string[]
  log: (line: string) => void
}): Promise<string> {
  const { opts, tgArn, name, calls } = args
  const taken = new Set(args.rules.map(r => Number(r.Priority)).filter(p => Number.isInteger(p)))
  const host = probeHost(name)
  for (let attempt = 1; ; attempt++) {
    const priority = highestFree(taken)
    calls.push('CreateRule')
    try {
      const out = await opts.clients.elbv2.send(
        new CreateRuleCommand({
          ListenerArn: opts.listenerArn,
          Priority: priority,
          Conditions: [{ Field: 'host-header', HostHeaderConfig: { Values: [host] } }],
          Actions: [{ Type: 'forward', TargetGroupArn: tgArn }],
          Tags: opts.tags.length ? opts.tags : undefined
        })
      )
      const arn = out.Rules?.[0]?.RuleArn
      if (!arn) throw new DeployError(`CreateRule for ${name} answered without a rule`)
      args.log(`health-check probe: rule at priority ${priority} (host ${host}, matched by no request)`)
      return arn
    } catch (error) {
      // Another writer took the priority between DescribeRules and CreateRule: take the next free one.
      if (isAwsError(error, 'PriorityInUse') && attempt < PRIORITY_ATTEMPTS) {
        taken.add(priority)
        continue
      }
      if (error instanceof DeployError) throw error
      throw new DeployError(explainAwsError(error, { step: `CreateRule for ${name}` }), { cause: error })
    }
  }
}

async function awaitVerdicts(args: {
  opts: ProbeHealthCheckOptions
  tgArn: string
  name: string
  merged: TargetGroup
  targets: TargetDescription[]
  calls: string[]
  sleep: (ms: number) => Promise<void>
  now: () => number
}): Promise<ProbedTarget[]> {
  const { opts, tgArn, merged, calls, sleep, now } = args
  const deadline = now() + probeBoundMs(merged)
  const pollMs = probePollMs(merged)
  for (;;) {
    await sleep(pollMs)
    calls.push('DescribeTargetHealth')
    const out = await withExplanation(`DescribeTargetHealth ${args.name}`, () =>
      opts.clients.elbv2.send(
        new DescribeTargetHealthCommand({ TargetGroupArn: tgArn, Targets: args.targets })
      )
    )
    const seen = (out.TargetHealthDescriptions ?? []).map(probedTarget)
    if (seen.length > 0 && seen.every(decided)) return seen
    if (now() >= deadline) return seen
  }
}

async function cleanUp(args: {
  opts: ProbeHealthCheckOptions
  probeArn?: string
  ruleArn?: string
  registered: boolean
  targets: TargetDescription[]
  name: string
  calls: string[]
  warnings: string[]
  log: (line: string) => void
}): Promise<void> {
  const { opts, probeArn, ruleArn, calls, warnings, name } = args
  const attempt = async (op: string, what: string, call: () => Promise<unknown>): Promise<void> => {
    calls.push(op)
    try {
      await call()
    } catch (error) {
      // Already gone is what clean-up wants.
      if (isAwsError(error, 'TargetGroupNotFound', 'RuleNotFound')) return
      const warning = `health-check probe: ${what} failed, delete it by hand: ${explainAwsError(error, { step: op })}`
      warnings.push(warning)
      args.log(`warning: ${warning}`)
    }
  }
  // No DeregisterTargets: deleting a target group drops its registrations and leaves the targets
  // themselves alone (ELBv2 API reference, DeleteTargetGroup), one call and one permission fewer.
  if (ruleArn) {
    await attempt('DeleteRule', `deleting rule ${ruleArn}`, () =>
      opts.clients.elbv2.send(new DeleteRuleCommand({ RuleArn: ruleArn }))
    )
  }
  if (probeArn) {
    await attempt('DeleteTargetGroup', `deleting target group ${name} (${probeArn})`, () =>
      opts.clients.elbv2.send(new DeleteTargetGroupCommand({ TargetGroupArn: probeArn }))
    )
  }
}
