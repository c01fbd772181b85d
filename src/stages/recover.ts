import type { Clients } from '../aws/clients.js'
import type { Applied } from '../model/plan.js'
import type { DeployRequest } from '../model/request.js'
import { formatDiagnosis, rollback, scaleToZero, watchRollout, type WatchResult } from '../watch/index.js'

/** A rollout that did not become healthy; the message is the diagnosis (and what the rollback did). */
export class RolloutFailed extends Error {
  constructor(
    message: string,
    readonly result: WatchResult,
    readonly rollback?: string
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
function serviceTargetGroups(request: DeployRequest, applied: Applied): string[] {
  const given = request.service.loadBalancers ?? []
  const filled = applied.targetGroupArn ? given.findIndex(lb => !lb.loadBalancerName) : -1
  const named = given.flatMap((lb, i) => (i !== filled && lb.targetGroupArn ? [lb.targetGroupArn] : []))
  return [...new Set([...(applied.targetGroupArn ? [applied.targetGroupArn] : []), ...named])]
}

/**
 * Watches the rollout apply started; on failure applies the recovery the inputs ask for, then throws
 * RolloutFailed. A service this run created is never "rolled back" (there is nothing to go back to):
 * it is kept for inspection or scaled to zero, per new-service-on-failure.
 */
export async function watchAndRecover(opts: {
  clients: Clients
  request: DeployRequest
  applied: Applied
  log: (line: string) => void
}): Promise<WatchOutcome> {
  const { clients, request, applied, log } = opts
  const common = {
    clients,
    cluster: request.cluster,
    serviceName: request.service.serviceName,
    targetGroupArns: serviceTargetGroups(request, applied),
    wait: request.wait,
    log
  }
  const result = await watchRollout({
    ...common,
    deploymentId: applied.deploymentId,
    taskDefinitionArn: applied.taskDefinitionArn
  })
  if (result.ok) return { result }

  const message = result.diagnosis ? formatDiagnosis(result.diagnosis) : 'The rollout did not become healthy.'
  let recovery: string | undefined
  let finalResult = result
  if (result.diagnosis?.kind === 'superseded') {
    // The service now runs what another deployment asked for: going back (or scaling to 0) would undo it.
    recovery = 'not attempted: another deployment changed the service, and it is left to that deployment'
  } else if (applied.serviceCreated) {
    if (request.wait.newServiceOnFailure === 'scale-to-zero') {
      await scaleToZero(common)
      recovery =
        'the service was created by this run, so there is nothing to roll back to: scaled to 0 (new-service-on-failure: scale-to-zero)'
    } else {
      recovery =
        'none: the service was created by this run and is left as it is for inspection (new-service-on-failure: keep)'
    }
  } else if (!request.wait.rollbackOnFailure) {
    recovery = 'not attempted (rollback-on-failure: false)'
  } else if (
    !applied.previousTaskDefinitionArn ||
    applied.previousTaskDefinitionArn === applied.taskDefinitionArn
  ) {
    recovery = 'not attempted: the task definition did not change, there is no earlier revision to return to'
  } else {
    const previous = applied.previousTaskDefinitionArn
    // rollback() says "rolling back to …" itself.
    const back = await rollback({ ...common, previousTaskDefinitionArn: previous })
    finalResult = { ...result, targets: back.targets, timeline: [...result.timeline, ...back.timeline] }
    recovery = back.ok
      ? `succeeded: the service runs ${previous} again, with every target healthy`
      : `did not succeed: ${back.diagnosis ? formatDiagnosis(back.diagnosis) : 'the previous revision did not become healthy'}`
  }
  throw new RolloutFailed(`${message}\nRollback ${recovery}`, finalResult, recovery)
}
