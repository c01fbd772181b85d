/*
 * Names and ARNs as AWS accepts them. Partition, region and account are checked for their form only:
 * the emulator and GovCloud/China partitions must pass too.
 */

import { ACCOUNT, ARN_PREFIX, REGION } from '../model/names.js'

export { CLUSTER_ARN, clusterName } from '../model/names.js'

/** ALB and target group names: 1–32 letters, digits and hyphens, no hyphen at either end. */
export const ELB_NAME = /^(?!-)[A-Za-z0-9-]{1,32}(?<!-)$/
/** Service, cluster, task family and container names. */
export const ECS_NAME = /^[A-Za-z0-9_-]{1,255}$/

export const TARGET_GROUP_ARN = new RegExp(
  `^${ARN_PREFIX}:elasticloadbalancing:${REGION}:${ACCOUNT}:targetgroup/[A-Za-z0-9-]{1,32}/[0-9a-f]{16}$`
)
export const LOAD_BALANCER_ARN = new RegExp(
  `^${ARN_PREFIX}:elasticloadbalancing:${REGION}:${ACCOUNT}:loadbalancer/(app|net|gwy)/[A-Za-z0-9-]{1,32}/[0-9a-f]{16}$`
)
export const CERTIFICATE_ARN = new RegExp(
  `^${ARN_PREFIX}:(acm:${REGION}:${ACCOUNT}:certificate/[0-9a-f-]{36}|iam::${ACCOUNT}:server-certificate/.+)$`
)
export const TASK_DEFINITION_ARN = new RegExp(
  `^${ARN_PREFIX}:ecs:${REGION}:${ACCOUNT}:task-definition/[A-Za-z0-9_-]{1,255}:[1-9]\\d*$`
)
/** `family` (latest ACTIVE revision) or `family:revision`. */
export const TASK_DEFINITION_FAMILY_REVISION = /^[A-Za-z0-9_-]{1,255}(:[1-9]\d*)?$/
export const AWS_REGION = new RegExp(`^${REGION}$`)

/** Why an ALB or target group name is refused, or undefined when it is fine. */
export function elbNameProblem(name: string): string | undefined {
  if (name.length < 1 || name.length > 32) return `must be 1 to 32 characters, got ${name.length}`
  if (!/^[A-Za-z0-9-]+$/.test(name))
    return `may hold only letters, digits and hyphens, got ${JSON.stringify(name)}`
  if (name.startsWith('-') || name.endsWith('-'))
    return `must not begin or end with a hyphen, got ${JSON.stringify(name)}`
  return undefined
}

/** Why a service, family or container name is refused, or undefined when it is fine. */
export function ecsNameProblem(name: string): string | undefined {
  if (name.length < 1 || name.length > 255) return `must be 1 to 255 characters, got ${name.length}`
  if (!ECS_NAME.test(name)) {
    return `may hold only letters, digits, underscores and hyphens, got ${JSON.stringify(name)}`
  }
  return undefined
}
