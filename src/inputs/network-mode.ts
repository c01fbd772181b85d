import type { CreateServiceCommandInput, NetworkMode } from '@aws-sdk/client-ecs'
import type { TaskDefinitionRequest } from '../model/request.js'

/** The task's network mode as far as it can be known before any AWS call, and how we know it. */
export interface KnownNetworkMode {
  mode: NetworkMode
  because: string
}

export function knownNetworkMode(opts: {
  taskDefinition: TaskDefinitionRequest
  service: CreateServiceCommandInput
}): KnownNetworkMode | undefined {
  const td = opts.taskDefinition
  if (td.kind === 'register') {
    return td.input.networkMode
      ? {
          mode: td.input.networkMode,
          because: `the task definition's networkMode is ${td.input.networkMode}`
        }
      : { mode: 'bridge', because: 'the task definition has no networkMode, so it is bridge' }
  }
  if (opts.service.networkConfiguration) {
    return { mode: 'awsvpc', because: 'the service has a networkConfiguration, which only awsvpc tasks take' }
  }
  if (opts.service.launchType === 'FARGATE') return { mode: 'awsvpc', because: 'FARGATE tasks use awsvpc' }
  return undefined
}
