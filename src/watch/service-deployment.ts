import {
  DescribeServiceDeploymentsCommand,
  ListServiceDeploymentsCommand,
  StopServiceDeploymentCommand,
  type ServiceDeployment
} from '@aws-sdk/client-ecs'
import type { TargetGroup, TargetHealthDescription } from '@aws-sdk/client-elastic-load-balancing-v2'
import type { Clients } from '../aws/clients.js'
import { reached, weightsLine, type WaitUntil } from '../model/deployment-strategy.js'
import {
  describeHealthCheck,
  dominantFailure,
  explainHealthFailure,
  healthFailureFromEvent,
  sameTargetGroup,
  targetGroupName,
  type HealthFailure
} from '../model/health-check.js'
import type { WaitOptions } from '../model/request.js'
import {
  describeService,
  describeTargetGroups,
  describeTargetHealth,
  describeTasks,
  isThrottling,
  listStoppedTaskArns,
  type PollTarget
} from './poll.js'
import { classifyStoppedTask } from './stopped-task.js'
import type { Clock } from './types.js'
import { systemClock } from './watch.js'

/*
 * The watch of ECS's own blue/green, linear and canary deployments: the service deployment's status,
 * lifecycle stage and traffic weights (DescribeServiceDeployments), and the new revision's target group
 * health (DescribeTargetHealth, and the service's events for targets replaced between polls: DescribeServices):
 * three calls per poll whatever the task count. When the new targets fail
 * their health check the action asks ECS to roll back (StopServiceDeployment ROLLBACK) and reports it.
 */

export interface ServiceDeploymentWatchOptions {
  clients: Clients
  cluster: string
  serviceName: string
  /** The deployment to follow; absent: the service's newest, found with ListServiceDeployments. */
  serviceDeploymentArn?: string
  /** The run started a deployment at this time: an older one is not it. */
  notBefore?: Date
  /** The group the new revision registers into (the alternate while the deployment runs). */
  greenTargetGroupArn?: string
  waitUntil: WaitUntil
  /**
   * rollback-on-failure: when the action decides the deployment failed, ask ECS to roll back. False: the
   * step fails and the deployment is left as it is (ECS's own failure detection may still act).
   */
  rollbackOnFailure?: boolean
  /** A rollback asked for (promote: rollback): ROLLBACK_SUCCESSFUL is then the success. */
  expectRollback?: boolean
  wait: Pick<WaitOptions, 'minutes' | 'pollIntervalSeconds'>
  log?: (line: string) => void
  clock?: Clock
}

export type ServiceDeploymentOutcome = 'complete' | 'reached' | 'paused' | 'rolled-back' | 'failed'

export interface ServiceDeploymentResult {
  outcome: ServiceDeploymentOutcome
  serviceDeploymentArn?: string
  /** The stage the deployment was at when the watch ended. */
  lifecycleStage?: string
  /** The PAUSE hook waiting for ContinueServiceDeployment. */
  hookId?: string
  /** Why it failed, in words (a health check, or ECS's own reason). */
  reason?: string
  timeline: { atMs: number; line: string }[]
  durationMs: number
}

const CLOCK_SLACK_MS = 60_000
const FINAL_FAILURES = new Set(['ROLLBACK_SUCCESSFUL', 'ROLLBACK_FAILED', 'STOPPED'])
/** Reason codes of targets that are not (yet, or any more) being checked: not a failed health check. */
const NOT_CHECKED = new Set([
  'Target.NotRegistered',
  'Target.DeregistrationInProgress',
  'Elb.InitialHealthChecking'
])

/** The service's newest service deployment (the one UpdateService or CreateService just started). */
export async function newestServiceDeployment(opts: {
  clients: Clients
  cluster: string
  serviceName: string
  /** Only one created at or after this time (a deployment this run started may take a moment to be listed). */
  notBefore?: Date
}): Promise<string | undefined> {
  const out = await opts.clients.ecs.send(
    new ListServiceDeploymentsCommand({ cluster: opts.cluster, service: opts.serviceName })
  )
  const newest = [...(out.serviceDeployments ?? [])].sort(
    (a, b) => (b.createdAt?.getTime() ?? 0) - (a.createdAt?.getTime() ?? 0)
  )[0]
  // One under way is ours; a finished one only if it is not older than the run (ECS's clock against ours,
  // with a minute of slack: a skewed clock must not hide the deployment this run started).
  const running = newest?.status === 'PENDING' || newest?.status === 'IN_PROGRESS'
  const created = newest?.createdAt?.getTime() ?? 0
  if (opts.notBefore && !running && created < opts.notBefore.getTime() - CLOCK_SLACK_MS) return undefined
  return newest?.serviceDeploymentArn
}

export async function describeServiceDeployment(
  clients: Clients,
  arn: string
): Promise<ServiceDeployment | undefined> {
  const out = await clients.ecs.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [arn] }))
  return out.serviceDeployments?.[0]
}

/** The PAUSE hook a deployment waits at, if any. */
export function pausedHook(sd: ServiceDeployment | undefined): string | undefined {
  return sd?.lifecycleHookDetails?.find(h => h.status === 'AWAITING_ACTION' && h.targetType === 'PAUSE')
    ?.hookId
}

/**
 * The Lambda hook that made ECS roll back, in words: its function, and the stage it ran at (`stages`: the
 * stage each hook was first seen running at; ECS's details do not carry it).
 */
export function failedHookLine(
  sd: ServiceDeployment,
  stages: ReadonlyMap<string, string>
): string | undefined {
  const hook = sd.lifecycleHookDetails?.find(h => h.status === 'FAILED' || h.status === 'TIMED_OUT')
  if (!hook?.hookId) return undefined
  const what = hook.targetArn
    ? `lifecycle hook ${hook.targetArn} (hook ${hook.hookId})`
    : `lifecycle hook ${hook.hookId}`
  const verdict = hook.status === 'TIMED_OUT' ? 'timed out' : 'answered FAILED'
  const stage = stages.get(hook.hookId) ?? sd.lifecycleStage
  return `${what} ${verdict}${stage ? ` at ${stage}` : ''}`
}

/** One line per change: status, stage and the share of traffic on the new revision. */
export function deploymentLine(sd: ServiceDeployment): string {
  const target = sd.targetServiceRevision
  const weights = weightsLine({
    production: target?.requestedProductionTrafficWeight,
    test: target?.requestedTestTrafficWeight
  })
  const stage = sd.lifecycleStage ? ` ${sd.lifecycleStage}` : ''
  return `service deployment ${sd.status ?? '?'}${stage}${weights ? ` (${weights})` : ''}`
}

/** `BLUE_GREEN, bake time 5 min` and the like, from the deployment's own configuration. */
export function strategyLine(sd: ServiceDeployment): string {
  const c = sd.deploymentConfiguration
  const parts: string[] = [c?.strategy ?? 'ROLLING']
  if (c?.linearConfiguration) {
    parts.push(
      `steps of ${c.linearConfiguration.stepPercent ?? 10}% every ${c.linearConfiguration.stepBakeTimeInMinutes ?? 6} min`
    )
  }
  if (c?.canaryConfiguration) {
    parts.push(
      `canary ${c.canaryConfiguration.canaryPercent ?? 5}% for ${c.canaryConfiguration.canaryBakeTimeInMinutes ?? 10} min`
    )
  }
  if (c?.bakeTimeInMinutes !== undefined) parts.push(`bake time ${c.bakeTimeInMinutes} min`)
  return parts.join(', ')
}

/**
 * The new revision's targets as seen so far: which were checked, and which failed a health check, from
 * DescribeTargetHealth or from the service's events (a target the scheduler replaced between two polls
 * is only seen there). A replaced target still counts: its failure repeats in the next task.
 */
export class GreenHealth {
  private readonly checked = new Set<string>()
  private readonly failed = new Map<string, HealthFailure>()

  add(descriptions: TargetHealthDescription[]): void {
    for (const d of descriptions) {
      const key = `${d.Target?.Id ?? ''}:${d.Target?.Port ?? ''}`
      if (NOT_CHECKED.has(d.TargetHealth?.Reason ?? '')) continue
      this.checked.add(key)
      if (d.TargetHealth?.State === 'unhealthy') {
        this.failed.set(key, {
          reason: d.TargetHealth.Reason,
          description: d.TargetHealth.Description,
          healthCheckPort: d.HealthCheckPort
        })
      }
    }
  }

  /** A service event `… (port N) is unhealthy in (target-group …) due to (reason …)` about this group. */
  addEvent(message: string, targetGroupArn: string): void {
    const seen = healthFailureFromEvent(message)
    if (!seen || !sameTargetGroup(seen.targetGroup, targetGroupArn)) return
    const key = `event:${message}`
    this.checked.add(key)
    this.failed.set(key, seen.failure)
  }

  get anyFailed(): boolean {
    return this.failed.size > 0
  }

  /**
   * A failure waiting will not change: two targets (one when only one was ever checked) failed the check.
   */
  failure(opts: { settings?: TargetGroup; targetGroupArn: string }): string | undefined {
    if (this.failed.size === 0 || this.failed.size < Math.min(2, this.checked.size)) return undefined
    const failure = dominantFailure([...this.failed.values()]) ?? {}
    const explained = explainHealthFailure(opts.settings, failure)
    return (
      `the new revision's targets in ${targetGroupName(opts.targetGroupArn)} fail the health check: ${explained.cause} ` +
      `(${describeHealthCheck(opts.settings, opts.targetGroupArn)}); ${explained.hint}`
    )
  }
}

const STOPPED_EVENT = /\bstopped\b/i

/**
 * Why the new revision's tasks stop, when it will repeat in the next task (an image that cannot be
 * pulled, a container that exits before serving): the same diagnosis as a rolling deploy's.
 */
async function newRevisionStop(opts: {
  poll: PollTarget
  taskDefinitionArn: string
  seen: Set<string>
}): Promise<string | undefined> {
  const unseen = (await listStoppedTaskArns(opts.poll)).filter(a => !opts.seen.has(a))
  for (const a of unseen) opts.seen.add(a)
  const tasks = await describeTasks(opts.poll, unseen)
  for (const task of tasks) {
    if (task.taskDefinitionArn !== opts.taskDefinitionArn) continue
    const cause = classifyStoppedTask(task)
    if (cause?.repeats) return `${cause.title}: ${cause.cause} (${cause.evidence.join('; ')}); ${cause.hint}`
  }
  return undefined
}

/** Follows one service deployment to its end, to a PAUSE hook, or to the `wait-until` stage. */
export async function watchServiceDeployment(
  opts: ServiceDeploymentWatchOptions
): Promise<ServiceDeploymentResult> {
  const clock = opts.clock ?? systemClock
  const log = opts.log ?? (() => undefined)
  const start = clock.now()
  const deadline = start + opts.wait.minutes * 60_000
  const intervalMs = Math.max(opts.wait.pollIntervalSeconds, 0) * 1000
  const timeline: { atMs: number; line: string }[] = []
  const say = (line: string): void => {
    timeline.push({ atMs: clock.now() - start, line })
    log(line)
  }
  const poll: PollTarget = {
    clients: opts.clients,
    cluster: opts.cluster,
    serviceName: opts.serviceName,
    targetGroupArns: opts.greenTargetGroupArn ? [opts.greenTargetGroupArn] : []
  }
  let arn = opts.serviceDeploymentArn
  let last: ServiceDeployment | undefined
  let lastLine: string | undefined
  let saidStrategy = false
  let decided: string | undefined
  const green = new GreenHealth()
  const seenTasks = new Set<string>()
  let prevFailed = 0
  let stopCause: string | undefined
  const seenEvents = new Set<string>()
  // Events before the watch are another deployment's; ECS's clock, so a second of slack.
  const startedAt = (opts.notBefore?.getTime() ?? Date.now()) - 1000
  let settings: TargetGroup | undefined
  const hookStages = new Map<string, string>()
  /** The action's verdict: asks ECS to roll back (false: rollback-on-failure is off, stop watching). */
  const fail = async (deployment: string, why: string): Promise<boolean> => {
    say(`failing: ${why}`)
    if (opts.rollbackOnFailure === false) {
      say('rollback-on-failure is false: the service deployment is left as it is')
      return false
    }
    await opts.clients.ecs.send(
      new StopServiceDeploymentCommand({ serviceDeploymentArn: deployment, stopType: 'ROLLBACK' })
    )
    say('asked ECS to roll back (StopServiceDeployment ROLLBACK); production stays on the old revision')
    return true
  }
  const done = (outcome: ServiceDeploymentOutcome, extra: Partial<ServiceDeploymentResult> = {}) => ({
    outcome,
    serviceDeploymentArn: arn,
    lifecycleStage: last?.lifecycleStage,
    timeline,
    durationMs: clock.now() - start,
    ...extra
  })

  for (;;) {
    try {
      arn ??= await newestServiceDeployment({ ...opts, notBefore: opts.notBefore })
      const watching = !decided && poll.targetGroupArns.length > 0
      const [sd, health, service] = await Promise.all([
        arn ? describeServiceDeployment(opts.clients, arn) : undefined,
        watching ? describeTargetHealth(poll) : [],
        watching ? describeService(poll) : undefined
      ])
      let somethingStopped = false
      for (const event of service?.events ?? []) {
        const id = event.id ?? `${event.createdAt?.toISOString() ?? ''}|${event.message ?? ''}`
        if (seenEvents.has(id) || (event.createdAt?.getTime() ?? 0) < startedAt) continue
        seenEvents.add(id)
        if (opts.greenTargetGroupArn) green.addEvent(event.message ?? '', opts.greenTargetGroupArn)
        if (STOPPED_EVENT.test(event.message ?? '')) somethingStopped = true
      }
      const failedTasks = (service?.deployments ?? []).reduce((n, d) => n + (d.failedTasks ?? 0), 0)
      if (failedTasks > prevFailed) somethingStopped = true
      prevFailed = Math.max(prevFailed, failedTasks)
      // Only when the service shows that something stopped: a rollout that goes well pays nothing for it.
      if (somethingStopped && service?.taskDefinition && !decided) {
        const cause = await newRevisionStop({
          poll,
          taskDefinitionArn: service.taskDefinition,
          seen: seenTasks
        })
        if (cause) stopCause = cause
      }
      if (sd) {
        last = sd
        if (!saidStrategy) {
          say(`${strategyLine(sd)}: following ${arn ?? ''}`)
          saidStrategy = true
        }
        const line = deploymentLine(sd)
        if (line !== lastLine) {
          say(
            sd.lifecycleStage === 'BAKE_TIME'
              ? `${line}: bake time ${sd.deploymentConfiguration?.bakeTimeInMinutes ?? 0} min`
              : line
          )
          lastLine = line
        }
        const status = sd.status ?? ''
        for (const h of sd.lifecycleHookDetails ?? []) {
          if (h.hookId && sd.lifecycleStage && !hookStages.has(h.hookId))
            hookStages.set(h.hookId, sd.lifecycleStage)
        }
        if (status === 'SUCCESSFUL') return done('complete', { lifecycleStage: 'complete' })
        if (FINAL_FAILURES.has(status)) {
          if (opts.expectRollback && status === 'ROLLBACK_SUCCESSFUL') return done('rolled-back')
          const ecsReason = [...new Set([sd.statusReason, sd.rollback?.reason].filter(Boolean))].join('; ')
          // The cause ECS acted on, when the action did not decide itself: a Lambda hook's verdict.
          const cause = decided ?? failedHookLine(sd, hookStages)
          const reason = cause
            ? `${cause}. ECS rolled back: ${status}${ecsReason ? ` (${ecsReason})` : ''}`
            : `service deployment ${status}${ecsReason ? `: ${ecsReason}` : ''}`
          return done('failed', { reason })
        }
        const hookId = pausedHook(sd)
        if (hookId && !decided) {
          say(
            `paused at ${sd.lifecycleStage ?? '?'} by PAUSE hook ${hookId}: promote with promote: continue (or rollback)`
          )
          return done('paused', { hookId })
        }
        if (
          !decided &&
          !opts.expectRollback &&
          opts.waitUntil !== 'complete' &&
          reached(sd.lifecycleStage, opts.waitUntil)
        ) {
          say(
            `stopped waiting at ${sd.lifecycleStage ?? opts.waitUntil} (wait-until: ${opts.waitUntil}): ECS continues the deployment on its own`
          )
          return done('reached')
        }
        if (!decided && opts.greenTargetGroupArn && health.length > 0) {
          green.add(health[0]?.descriptions ?? [])
        }
        if (!decided && stopCause && arn && status === 'IN_PROGRESS') {
          decided = `the new revision's tasks stop: ${stopCause}`
          if (!(await fail(arn, decided))) return done('failed', { reason: decided })
        }
        if (!decided && opts.greenTargetGroupArn && status === 'IN_PROGRESS') {
          if (green.anyFailed) {
            // Read once, on the first failure: a rollout that goes well never pays for it.
            settings ??= (await describeTargetGroups(poll))[0]
            const failure = green.failure({ settings, targetGroupArn: opts.greenTargetGroupArn })
            if (failure && arn) {
              decided = failure
              if (!(await fail(arn, decided))) return done('failed', { reason: decided })
            }
          }
        }
      }
    } catch (err) {
      if (!isThrottling(err)) throw err
      say(`throttled (${(err as Error).name}); polling again`)
    }
    const remaining = deadline - clock.now()
    if (remaining <= 0) {
      return done('failed', {
        reason:
          decided ??
          `the service deployment did not finish within ${opts.wait.minutes} min (last: ${last ? deploymentLine(last) : 'not found'})`
      })
    }
    await clock.sleep(Math.min(intervalMs, remaining))
  }
}
