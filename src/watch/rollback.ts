import { UpdateServiceCommand } from '@aws-sdk/client-ecs'
import type { Clients } from '../aws/clients.js'
import type { WaitOptions } from '../model/request.js'
import type { Clock, WatchResult } from './types.js'
import { describeService } from './poll.js'
import { primaryDeployment } from './snapshot.js'
import { watchRollout } from './watch.js'

export interface RollbackOptions {
  clients: Clients
  cluster: string
  serviceName: string
  /** The task definition the service ran before this run. */
  previousTaskDefinitionArn: string
  targetGroupArns: string[]
  wait: Pick<WaitOptions, 'minutes' | 'pollIntervalSeconds'>
  log?: (line: string) => void
  clock?: Clock
}

/**
 * Returns the service to the task definition it ran before, and waits for that deployment with the
 * same rules as the rollout. When the circuit breaker has already rolled back, its deployment is
 * watched instead of starting another one. `ok` says whether the rollback itself succeeded.
 */
export async function rollback(opts: RollbackOptions): Promise<WatchResult> {
  const log = opts.log ?? (() => undefined)
  const target = {
    clients: opts.clients,
    cluster: opts.cluster,
    serviceName: opts.serviceName,
    targetGroupArns: []
  }
  const service = await describeService(target)
  const primary = service ? primaryDeployment(service) : undefined
  let deploymentId: string | undefined
  if (primary?.taskDefinition === opts.previousTaskDefinitionArn) {
    deploymentId = primary.id
    log(`already rolled back to ${opts.previousTaskDefinitionArn} (deployment ${deploymentId}); watching it`)
  } else {
    log(`rolling back to ${opts.previousTaskDefinitionArn}`)
    const out = await opts.clients.ecs.send(
      new UpdateServiceCommand({
        cluster: opts.cluster,
        service: opts.serviceName,
        taskDefinition: opts.previousTaskDefinitionArn,
        forceNewDeployment: false
      })
    )
    deploymentId = out.service ? primaryDeployment(out.service)?.id : undefined
  }
  return watchRollout({
    clients: opts.clients,
    cluster: opts.cluster,
    serviceName: opts.serviceName,
    deploymentId,
    taskDefinitionArn: opts.previousTaskDefinitionArn,
    targetGroupArns: opts.targetGroupArns,
    wait: opts.wait,
    log: opts.log,
    clock: opts.clock
  })
}

/** For a service this run created whose first deployment failed: stop its tasks, keep the service. */
export async function scaleToZero(opts: {
  clients: Clients
  cluster: string
  serviceName: string
}): Promise<void> {
  await opts.clients.ecs.send(
    new UpdateServiceCommand({ cluster: opts.cluster, service: opts.serviceName, desiredCount: 0 })
  )
}
