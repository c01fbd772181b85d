import type { Task } from '@aws-sdk/client-ecs'
import type { TargetGroup } from '@aws-sdk/client-elastic-load-balancing-v2'
import type { Diagnosis, DiagnosisKind, Observations } from './types.js'
import { classifyStoppedTask, type StopCause } from './stopped-task.js'
import {
  describeHealthCheck,
  dominantFailure,
  explainHealthFailure,
  healthCheckCycleMs,
  healthFailureFromEvent,
  sameTargetGroup,
  type HealthFailure
} from '../model/health-check.js'
import { desiredCount, primaryDeployment, targetGroupName, taskEntity } from './snapshot.js'

/** `fatal`: stop watching now. `suspect`: the most likely cause so far, for a timeout. */
export interface Verdict {
  fatal?: Diagnosis
  suspect?: Diagnosis
}

interface Stop {
  task: Task
  cause: StopCause
}

const ROLLING_BACK = /rolling back|rolled back/i

/** One failure is enough when a single task is desired; otherwise the same cause on two tasks/targets. */
function failuresNeeded(obs: Observations): number {
  return desiredCount(obs.snapshot) <= 1 ? 1 : 2
}

function diagnoseDeployment(obs: Observations): Diagnosis | undefined {
  const { service, deployment } = obs.snapshot
  if (service.status && service.status !== 'ACTIVE') {
    return {
      kind: 'service-missing',
      title: `Service ${service.serviceName ?? ''} is ${service.status}`,
      cause: `the service was deleted or is being deleted (status ${service.status}) while the rollout ran`,
      evidence: [],
      hint: 'another run or person deleted the service; run the deploy again to recreate it'
    }
  }
  const rollbackEvents = obs.events
    .filter(e => ROLLING_BACK.test(e.message ?? ''))
    .map(e => `event: ${e.message}`)
  if (deployment?.rolloutState === 'FAILED') {
    const reason = deployment.rolloutStateReason ?? 'no reason given'
    const breaker = /circuit breaker/i.test(reason) || rollbackEvents.length > 0
    return {
      kind: breaker ? 'circuit-breaker' : 'rollout-failed',
      title: breaker ? 'The deployment circuit breaker stopped the rollout' : 'The rollout failed',
      cause: `ECS marked deployment ${deployment.id} FAILED: "${reason}"`,
      evidence: [
        `deployment ${deployment.id}: rolloutState FAILED, ${deployment.failedTasks ?? 0} failed tasks`,
        ...rollbackEvents
      ],
      hint: 'read the stopped tasks and the service events below for why its tasks did not stay up'
    }
  }
  if (deployment?.status === 'PRIMARY') return undefined

  const primary = primaryDeployment(service)
  // A newer deployment of the same task definition, or of a revision with the same content (a concurrent
  // run of the same deploy): not a failure.
  const sameContent = primary?.taskDefinition ? obs.sameContent?.get(primary.taskDefinition) : undefined
  if (primary && (primary.taskDefinition === obs.taskDefinitionArn || sameContent === true)) return undefined
  const differs = sameContent === false ? `, whose content differs from ${obs.taskDefinitionArn}` : ''
  const other = primary
    ? `deployment ${primary.id} (${primary.taskDefinition ?? 'unknown task definition'}${differs})`
    : 'no deployment'
  const gone = deployment ? `is ${deployment.status}` : 'is no longer listed'
  // Only ECS's own "rolling back" events prove the breaker acted: with the breaker merely enabled, a newer
  // deployment may be another run's, and calling it a rollback would make recover undo that run's deploy.
  if (rollbackEvents.length > 0) {
    return {
      kind: 'circuit-breaker',
      title: 'The deployment circuit breaker rolled back the deployment',
      cause: `deployment ${obs.watchedDeploymentId} ${gone}; the service went back to ${other}`,
      evidence: rollbackEvents,
      hint: 'the new tasks kept failing; read the stopped tasks and the service events below'
    }
  }
  return {
    kind: 'superseded',
    title: 'Another deployment replaced this one',
    cause: `deployment ${obs.watchedDeploymentId} ${gone}; the service now runs ${other}`,
    evidence: [],
    hint: 'another run or person updated the service at the same time; run the deploy again once it settles'
  }
}

const EXIT_KINDS = new Set<DiagnosisKind>(['container-exited', 'out-of-memory'])

/** Was one of the task's targets seen healthy before it stopped? */
function servedHealthy(task: Task, obs: Observations): boolean {
  const tracks = [...obs.targets.values()]
  const entity = taskEntity(
    task,
    tracks.map(t => t.targetId)
  )
  return tracks.some(t => t.targetId === entity && t.everHealthy)
}

/** Evidence of the first few stops of a kind in full; the rest counted, they say the same. */
const STOPS_IN_FULL = 3

function fromStop(stop: Stop, all: Stop[]): Diagnosis {
  const same = all.filter(s => s.cause.kind === stop.cause.kind)
  const rest = same.length - STOPS_IN_FULL
  return {
    kind: stop.cause.kind,
    title: stop.cause.title,
    cause: stop.cause.cause,
    evidence: [
      ...same.slice(0, STOPS_IN_FULL).flatMap(s => s.cause.evidence),
      ...(rest > 0 ? [`… and ${rest} more task(s) stopped the same way`] : [])
    ],
    hint: stop.cause.hint
  }
}

function diagnoseHealth(obs: Observations, stops: Stop[]): Verdict {
  const graceMs = (obs.snapshot.service.healthCheckGracePeriodSeconds ?? 0) * 1000
  const needed = failuresNeeded(obs)
  const settingsByArn = new Map<string, TargetGroup>(
    obs.targetGroupSettings.filter(t => t.TargetGroupArn).map(t => [t.TargetGroupArn as string, t])
  )
  const eventFailures = obs.events.flatMap(e => {
    const parsed = healthFailureFromEvent(e.message ?? '')
    return parsed ? [{ ...parsed, message: e.message ?? '' }] : []
  })
  const tracks = [...obs.targets.values()]
  const arns = new Set<string>([
    ...obs.snapshot.targetGroups.map(g => g.targetGroupArn),
    ...stops.flatMap(s => (s.cause.targetGroupArn ? [s.cause.targetGroupArn] : []))
  ])

  let suspect: Diagnosis | undefined
  for (const arn of arns) {
    const settings = settingsByArn.get(arn)
    const name = settings?.TargetGroupName ?? targetGroupName(arn)
    const entities = new Map<string, string[]>()
    const failures: HealthFailure[] = []
    const mine = tracks.filter(t => t.targetGroupArn === arn && !t.baseline)
    for (const track of mine) {
      const u = track.unhealthy
      // Unhealthy within the grace period is an app still starting, not a failure (yet).
      if (!u || u.atMs - track.firstSeenMs < graceMs) continue
      const failure = { reason: u.reason, description: u.description, healthCheckPort: u.healthCheckPort }
      failures.push(failure)
      const detail = [u.reason, u.description].filter(Boolean).join(': ')
      entities.set(track.targetId, [
        `target ${track.targetId} in ${name}: ${u.state}${detail ? ` (${detail})` : ''}`
      ])
    }
    const targetIds = mine.map(t => t.targetId)
    for (const stop of stops) {
      if (stop.cause.kind !== 'health-check' || stop.cause.targetGroupArn !== arn) continue
      const entity = taskEntity(stop.task, targetIds)
      entities.set(entity, [...(entities.get(entity) ?? []), ...stop.cause.evidence])
    }
    if (entities.size === 0) continue

    const events = eventFailures.filter(e => sameTargetGroup(e.targetGroup, arn))
    const failure = dominantFailure(failures) ?? events[events.length - 1]?.failure ?? {}
    const explanation = explainHealthFailure(settings, failure)
    const diagnosis: Diagnosis = {
      kind: 'health-check',
      title: `Targets fail the load balancer health check of ${name}`,
      cause: `${explanation.cause}. Health check ${describeHealthCheck(settings, arn)}`,
      evidence: [...[...entities.values()].flat(), ...events.slice(-3).map(e => `event: ${e.message}`)],
      hint: explanation.hint
    }
    const healthyNew = mine.some(t => t.everHealthy)
    const cyclesPassed =
      obs.firstNewTargetMs !== undefined &&
      obs.nowMs - obs.firstNewTargetMs >= 2 * healthCheckCycleMs(settings)
    if (entities.size >= needed || (!healthyNew && cyclesPassed)) return { fatal: diagnosis }
    suspect ??= diagnosis
  }
  return { suspect }
}

/** Stops that do not fail the deploy on their own, but do when they repeat (container health check, …). */
function diagnoseRepeatedStops(obs: Observations, stops: Stop[]): Verdict {
  const needed = failuresNeeded(obs)
  let suspect: Diagnosis | undefined
  for (const stop of stops) {
    if (stop.cause.repeats || stop.cause.kind === 'health-check') continue
    const same = stops.filter(s => s.cause.kind === stop.cause.kind)
    const diagnosis = fromStop(stop, stops)
    if (same.length >= needed) return { fatal: diagnosis }
    suspect ??= diagnosis
  }
  return { suspect }
}

function merge(outer: Diagnosis, inner: Diagnosis | undefined): Diagnosis {
  if (!inner) return outer
  return {
    ...outer,
    cause: `${outer.cause}. Underlying cause: ${inner.cause}`,
    evidence: [...outer.evidence, ...inner.evidence],
    hint: inner.hint || outer.hint
  }
}

/**
 * Decides from everything observed so far whether the rollout has failed for a reason that will not
 * change by waiting. Pure: the poll loop owns the AWS calls and the clock.
 */
export function diagnose(obs: Observations): Verdict {
  const stops: Stop[] = obs.stoppedTasks.flatMap(task => {
    const cause = classifyStoppedTask(task)
    if (!cause) return []
    // A container that exits before its task ever served will exit again in the next task; one that
    // served healthy first may have been stopped by hand or by a passing fault: wait for a second one.
    if (cause.repeats && EXIT_KINDS.has(cause.kind) && servedHealthy(task, obs))
      return [{ task, cause: { ...cause, repeats: false } }]
    return [{ task, cause }]
  })
  const repeating = stops.find(s => s.cause.repeats)
  const repeatingDiagnosis = repeating ? fromStop(repeating, stops) : undefined
  const health = diagnoseHealth(obs, stops)
  const repeated = diagnoseRepeatedStops(obs, stops)
  const deployment = diagnoseDeployment(obs)
  if (deployment) {
    const inner = repeatingDiagnosis ?? health.fatal ?? repeated.fatal ?? health.suspect ?? repeated.suspect
    return { fatal: merge(deployment, inner) }
  }
  const fatal = repeatingDiagnosis ?? health.fatal ?? repeated.fatal
  if (fatal) return { fatal }
  return { suspect: health.suspect ?? repeated.suspect }
}

export interface TimeoutInput {
  obs: Observations
  minutes: number
  /** The last progress line. */
  progress: string
  waitingFor: string[]
}

/** The diagnosis when the wait ran out: where it stood, and the most likely cause seen so far. */
export function diagnoseTimeout(input: TimeoutInput): Diagnosis {
  const suspect = diagnose(input.obs).suspect
  const waiting = input.waitingFor.length ? `; waiting for ${input.waitingFor.join(', ')}` : ''
  const likely = suspect ? `. Most likely cause: ${suspect.cause}` : ''
  const recent = input.obs.events.slice(-5).map(e => `event: ${e.message}`)
  return {
    kind: 'timeout',
    title: `The rollout did not finish within ${input.minutes} min`,
    cause: `last state: ${input.progress}${waiting}${likely}`,
    evidence: [...(suspect?.evidence ?? []), ...recent],
    hint:
      suspect?.hint ??
      "read the service events and the tasks' logs; if the app just needs longer to start, raise wait-for-minutes"
  }
}

/**
 * When DescribeServices does not know the service: deleted while we watched, or (`created`) never visible
 * since this run created it.
 */
export function serviceMissing(serviceName: string, cluster: string, created = false): Diagnosis {
  if (created) {
    return {
      kind: 'service-missing',
      title: `Service ${serviceName} not visible`,
      cause: `CreateService succeeded, but DescribeServices still answers MISSING for ${serviceName} in cluster ${cluster}`,
      evidence: [],
      hint: 'ECS has not made the new service visible yet (eventual consistency): run the deploy again in a few minutes; it finds and reuses the service'
    }
  }
  return {
    kind: 'service-missing',
    title: `Service ${serviceName} not found`,
    cause: `DescribeServices does not list service ${serviceName} in cluster ${cluster} any more`,
    evidence: [],
    hint: 'another run or person deleted the service; run the deploy again to recreate it'
  }
}
