import type { Clients } from '../aws/clients.js'
import { explainAwsError } from '../aws/errors.js'
import type { Actual } from '../model/actual.js'
import type { Applied } from '../model/plan.js'
import type { ApplyFailed } from './apply.js'
import type { DeployRequest } from '../model/request.js'
import { formatDiagnosis, watchRollout, type WatchResult } from '../watch/index.js'
import { rollBack, type RollbackOutcome } from './rollback.js'

/** A run that did not leave production as asked; the message is the diagnosis and what the rollback did. */
export class RolloutFailed extends Error {
  constructor(
    message: string,
    readonly result: WatchResult,
    readonly rollback?: string,
    readonly outcome?: RollbackOutcome
  ) {
    super(message)
  }
}

export interface WatchOutcome {
  result: WatchResult
  /** What happened after a failure: rollback, scale to zero, or nothing (and why). */
  rollback?: string
}

/**
 * Every target group the service routes to: the managed one, and those the service input names by ARN
 * itself (the entry the managed one fills in, as resources/service.ts does, is not one of them).
 */
export function serviceTargetGroups(
  request: DeployRequest,
  applied: Pick<Applied, 'targetGroupArn'>
): string[] {
  const given = request.service.loadBalancers ?? []
  const filled = applied.targetGroupArn ? given.findIndex(lb => !lb.loadBalancerName) : -1
  const named = given.flatMap((lb, i) => (i !== filled && lb.targetGroupArn ? [lb.targetGroupArn] : []))
  return [...new Set([...(applied.targetGroupArn ? [applied.targetGroupArn] : []), ...named])]
}

/**
 * Why a failed run is not rolled back, when it is not: another deployment replaced ours (going back
 * would undo it), or the inputs say so. Undefined: roll back.
 */
export function noRollbackReason(opts: { request: DeployRequest; superseded: boolean }): string | undefined {
  if (opts.superseded) {
    return 'not attempted: another deployment changed the service, and it is left to that deployment'
  }
  if (!opts.request.wait.rollbackOnFailure) return 'not attempted (rollback-on-failure: false)'
  return undefined
}

/** The target groups the service used before this run: where production must be healthy after a rollback. */
export function targetGroupsBefore(actual: Actual): string[] {
  return (actual.service?.loadBalancers ?? []).flatMap(lb => (lb.targetGroupArn ? [lb.targetGroupArn] : []))
}

/**
 * After a failure part-way through apply: undoes what ran (unless nothing did, or the inputs say not
 * to), and returns the message to fail with, the rollback's outcome appended.
 */
export async function undoFailedApply(opts: {
  clients: Clients
  request: DeployRequest
  actual: Actual
  failure: ApplyFailed
  log: (line: string) => void
}): Promise<{ message: string; outcome?: RollbackOutcome }> {
  const { request, actual, failure } = opts
  const message = explainAwsError(failure.cause)
  const skip =
    failure.journal.length === 0
      ? 'not needed: nothing was changed'
      : noRollbackReason({ request, superseded: false })
  if (skip) return { message: `${message}\nRollback ${skip}` }
  const outcome = await rollBack({
    clients: opts.clients,
    request,
    journal: failure.journal,
    previousTaskDefinitionArn: actual.service?.taskDefinition,
    service: actual.service
      ? 'existed'
      : failure.journal.some(op => op.do.call === 'CreateService')
        ? 'created'
        : 'not-created',
    targetGroupArns: targetGroupsBefore(actual),
    log: opts.log
  })
  return { message: `${message}\nRollback ${outcome.summary}`, outcome }
}

/**
 * Watches the rollout apply started; on failure undoes the whole run (stages/rollback.ts), then throws
 * RolloutFailed. A service this run created is never "rolled back" (there is nothing to go back to):
 * it is kept for inspection or scaled to zero, per new-service-on-failure.
 */
export async function watchAndRecover(opts: {
  clients: Clients
  request: DeployRequest
  applied: Applied
  /** The target groups the service used before the run (a replaced target group's predecessor). */
  previousTargetGroupArns?: string[]
  log: (line: string) => void
}): Promise<WatchOutcome> {
  const { clients, request, applied, log } = opts
  const result = await watchRollout({
    clients,
    cluster: request.cluster,
    serviceName: request.service.serviceName,
    targetGroupArns: serviceTargetGroups(request, applied),
    wait: request.wait,
    log,
    deploymentId: applied.deploymentId,
    taskDefinitionArn: applied.taskDefinitionArn,
    healthCheckChange: applied.healthCheckChange,
    serviceCreated: applied.serviceCreated
  })
  if (result.ok) return { result }

  const message = result.diagnosis ? formatDiagnosis(result.diagnosis) : 'The rollout did not become healthy.'
  const skip = noRollbackReason({ request, superseded: result.diagnosis?.kind === 'superseded' })
  if (skip) throw new RolloutFailed(`${message}\nRollback ${skip}`, result, skip)
  const back = await rollBack({
    clients,
    request,
    journal: applied.journal,
    previousTaskDefinitionArn: applied.previousTaskDefinitionArn,
    service: applied.serviceCreated ? 'created' : 'existed',
    targetGroupArns: opts.previousTargetGroupArns ?? serviceTargetGroups(request, applied),
    log
  })
  const finalResult = back.result
    ? { ...result, targets: back.result.targets, timeline: [...result.timeline, ...back.result.timeline] }
    : result
  throw new RolloutFailed(`${message}\nRollback ${back.summary}`, finalResult, back.summary, back)
}
