import type { Actual } from '../model/actual.js'
import type { Clients } from '../aws/clients.js'
import type { DeployRequest } from '../model/request.js'

/** What every resource planner reads; warnings collect what the user should know but is not an error. */
export interface PlanContext {
  request: DeployRequest
  actual: Actual
  warnings: string[]
}

/** What every resource applier gets; `log` takes one line per mutating call. */
export interface ApplyContext {
  clients: Clients
  request: DeployRequest
  actual: Actual
  log: (line: string) => void
}

/**
 * Stands in for the ARN of a resource this run will create, while planning: it differs from every real
 * ARN (so whatever points at it is a change) and reads well in a dry-run.
 */
export function pendingArn(kind: string, name: string): string {
  return `(new ${kind} ${name})`
}
