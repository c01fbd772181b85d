import type { Actual } from '../model/actual.js'
import type { Clients } from '../aws/clients.js'
import type { DeployRequest } from '../model/request.js'

/** What every resource planner reads; warnings collect what the user should know but is not an error. */
export interface PlanContext {
  request: DeployRequest
  actual: Actual
  warnings: string[]
}

/** What executing one planned call needs: the inputs are complete, nothing is recomputed. */
export interface CallContext {
  clients: Clients
  request: DeployRequest
  /** The step's name, for error messages: `ModifyTargetGroup web: …`. */
  name: string
  /** Where retries of a call AWS refused for a moment are told. */
  log?: (line: string) => void
}

/** What a call returned that later calls or the outputs need. */
export interface CallResult {
  arn?: string
  vpcId?: string
  dnsName?: string
  /** UpdateService / CreateService: the PRIMARY deployment they started. */
  deploymentId?: string
}

export { pendingArn } from '../model/placeholders.js'
