import type { NetworkMode } from '@aws-sdk/client-ecs'
import type { TargetTypeEnum } from '@aws-sdk/client-elastic-load-balancing-v2'

/**
 * How ECS registers a task in a target group: awsvpc tasks by their own IP, bridge and host tasks by their
 * container instance (and its host port). The inputs stage checks it when the network mode is known from
 * the inputs; the plan, when it is known only once the referenced task definition is described.
 */
export function ecsTargetType(networkMode: NetworkMode | string): TargetTypeEnum {
  return networkMode === 'awsvpc' ? 'ip' : 'instance'
}
