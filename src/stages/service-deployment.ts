import type { Clients } from '../aws/clients.js'
import { DeployError } from '../aws/errors.js'
import type { Applied } from '../model/plan.js'
import type { DeployRequest } from '../model/request.js'
import { describeService } from '../resources/service.js'
import { watchServiceDeployment, type ServiceDeploymentResult } from '../watch/service-deployment.js'

/** The group a running blue/green deployment registers the new revision into: the service's alternate. */
export async function greenTargetGroup(opts: {
  clients: Clients
  request: DeployRequest
}): Promise<string | undefined> {
  const service = await describeService(opts.clients.ecs, opts.request)
  return service?.loadBalancers?.find(lb => lb.advancedConfiguration?.alternateTargetGroupArn)
    ?.advancedConfiguration?.alternateTargetGroupArn
}

/**
 * The watch stage of a BLUE_GREEN, LINEAR or CANARY service: follows the service deployment apply
 * started. A failure (ECS's rollback, or the action's, see watchServiceDeployment) is a DeployError.
 */
export async function watchNativeDeployment(opts: {
  clients: Clients
  request: DeployRequest
  applied: Applied
  startedAt: Date
  log: (line: string) => void
}): Promise<ServiceDeploymentResult> {
  const { clients, request, applied } = opts
  const green = await greenTargetGroup(opts)
  const result = await watchServiceDeployment({
    clients,
    cluster: request.cluster,
    serviceName: request.service.serviceName,
    // Only a service call starts a deployment: after any other change, the newest one is the one to report.
    notBefore: startedOne(applied) ? opts.startedAt : undefined,
    greenTargetGroupArn: green,
    waitUntil: request.waitUntil,
    rollbackOnFailure: request.wait.rollbackOnFailure,
    wait: request.wait,
    log: opts.log
  })
  if (result.outcome === 'failed') {
    throw new ServiceDeploymentFailed(result)
  }
  return result
}

function startedOne(applied: Applied): boolean {
  return applied.journal.some(op => op.do.call === 'UpdateService' || op.do.call === 'CreateService')
}

export class ServiceDeploymentFailed extends DeployError {
  constructor(readonly result: ServiceDeploymentResult) {
    super(
      `The ${result.serviceDeploymentArn ? 'service deployment' : 'deployment'} failed: ${result.reason ?? 'no reason given'}`
    )
    this.name = 'ServiceDeploymentFailed'
  }
}
