import type { HealthCheckChange, Snapshot } from './types.js'
import { desiredCount, targetGroupName } from './snapshot.js'

export interface Completion {
  done: boolean
  /** What is still missing, in words (empty when done). */
  waitingFor: string[]
}

/**
 * The rollout is done when the watched deployment finished (ECS says COMPLETED; a service without a
 * rollout state — CODE_DEPLOY/EXTERNAL controllers — when it is the only deployment left), it runs as
 * many tasks as desired, and every target group serves from enough healthy targets. Draining targets
 * are old tasks leaving and do not hold success back.
 */
export function checkCompletion(snapshot: Snapshot): Completion {
  const waitingFor: string[] = []
  const { service, deployment } = snapshot
  const desired = desiredCount(snapshot)

  if (!deployment) {
    if (service.deployments?.length) waitingFor.push('the watched deployment is gone')
    else if ((service.runningCount ?? 0) !== (service.desiredCount ?? 0)) {
      waitingFor.push(`running ${service.runningCount ?? 0}/${service.desiredCount ?? 0}`)
    }
  } else {
    if (deployment.status !== 'PRIMARY')
      waitingFor.push(`deployment is ${deployment.status ?? 'not PRIMARY'}`)
    if (deployment.rolloutState) {
      if (deployment.rolloutState !== 'COMPLETED') waitingFor.push(`deployment ${deployment.rolloutState}`)
    } else if ((service.deployments?.length ?? 0) > 1) {
      waitingFor.push(`${(service.deployments?.length ?? 1) - 1} older deployment(s) still active`)
    }
    if ((deployment.runningCount ?? 0) !== desired)
      waitingFor.push(`running ${deployment.runningCount ?? 0}/${desired}`)
  }
  if (desired === 0) return { done: waitingFor.length === 0, waitingFor }

  for (const group of snapshot.targetGroups) {
    const serving = group.descriptions.filter(t => t.TargetHealth?.State !== 'draining')
    const healthy = serving.filter(t => t.TargetHealth?.State === 'healthy').length
    const name = targetGroupName(group.targetGroupArn)
    if (healthy < desired) waitingFor.push(`${name}: ${healthy}/${desired} healthy`)
    else if (healthy < serving.length)
      waitingFor.push(`${name}: ${serving.length - healthy} target(s) not healthy`)
  }
  return { done: waitingFor.length === 0, waitingFor }
}

/**
 * When `healthy` starts to mean the new health check's verdict: UnhealthyThresholdCount intervals plus a
 * timeout after an unproven change (before that, a target that fails the new check may still show the
 * old check's `healthy`). Undefined when there is nothing to wait for: no change, or one a probe proved.
 */
export function healthyTrustedFrom(change: HealthCheckChange | undefined): number | undefined {
  if (!change || change.proven) return undefined
  return change.at + (change.unhealthyThreshold * change.intervalSeconds + change.timeoutSeconds) * 1000
}
