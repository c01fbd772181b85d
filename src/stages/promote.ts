import { ContinueServiceDeploymentCommand, ListServiceDeploymentsCommand } from '@aws-sdk/client-ecs'
import type { Clients } from '../aws/clients.js'
import { DeployError, withExplanation } from '../aws/errors.js'
import type { DeployRequest } from '../model/request.js'
import {
  describeServiceDeployment,
  pausedHook,
  watchServiceDeployment,
  type ServiceDeploymentResult
} from '../watch/service-deployment.js'
import { greenTargetGroup } from './service-deployment.js'

/**
 * `promote: continue | rollback`: the second half of a promotion gate. Finds the service's deployment a
 * PAUSE lifecycle hook holds, answers the hook (ContinueServiceDeployment) and watches the deployment to
 * its end. Without a paused deployment it makes no mutating call.
 */
export async function promote(opts: {
  clients: Clients
  request: DeployRequest
  log: (line: string) => void
}): Promise<ServiceDeploymentResult> {
  const { clients, request, log } = opts
  const action = request.promote === 'rollback' ? 'ROLLBACK' : 'CONTINUE'
  const service = request.service.serviceName
  const listed = await withExplanation(`ListServiceDeployments ${service}`, () =>
    clients.ecs.send(
      new ListServiceDeploymentsCommand({ cluster: request.cluster, service, status: ['IN_PROGRESS'] })
    )
  )
  let paused: { arn: string; hookId: string; stage?: string } | undefined
  for (const brief of listed.serviceDeployments ?? []) {
    if (!brief.serviceDeploymentArn) continue
    const sd = await describeServiceDeployment(clients, brief.serviceDeploymentArn)
    const hookId = pausedHook(sd)
    if (hookId) paused = { arn: brief.serviceDeploymentArn, hookId, stage: sd?.lifecycleStage }
  }
  if (!paused) {
    throw new DeployError(
      `promote: ${request.promote}: service ${service} in cluster ${request.cluster} has no deployment paused by a PAUSE lifecycle hook ` +
        `(${(listed.serviceDeployments ?? []).length} in progress). Nothing was changed. Run the deploy with a PAUSE hook in ` +
        'deploymentConfiguration.lifecycleHooks first, or check that the gate was not already answered (or timed out).'
    )
  }
  log(`promote: ${action} hook ${paused.hookId} of ${paused.arn} (paused at ${paused.stage ?? '?'})`)
  const green = await greenTargetGroup({ clients, request })
  await withExplanation(`ContinueServiceDeployment ${service}`, () =>
    clients.ecs.send(
      new ContinueServiceDeploymentCommand({
        serviceDeploymentArn: paused.arn,
        hookId: paused.hookId,
        action
      })
    )
  )
  return watchServiceDeployment({
    clients,
    cluster: request.cluster,
    serviceName: service,
    serviceDeploymentArn: paused.arn,
    greenTargetGroupArn: action === 'CONTINUE' ? green : undefined,
    waitUntil: request.waitUntil,
    expectRollback: action === 'ROLLBACK',
    wait: request.wait,
    log
  })
}
