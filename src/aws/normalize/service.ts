import type {
  CapacityProviderStrategyItem,
  PlacementStrategy,
  Service,
  UpdateServiceCommandInput
} from '@aws-sdk/client-ecs'
import { sortedSet } from '../../model/diff.js'

/**
 * What ECS does to a service's fields between UpdateService and DescribeServices, so that a file and what
 * ECS answers for it compare equal, and what ECS answered can be sent back to restore it.
 */

/**
 * Fields ECS describes on the deployment that runs them, not on the service (API reference, Deployment:
 * serviceConnectConfiguration, volumeConfigurations, vpcLatticeConfigurations).
 */
export const DEPLOYMENT_FIELDS = [
  'serviceConnectConfiguration',
  'volumeConfigurations',
  'vpcLatticeConfigurations'
] as const

type DeploymentField = (typeof DEPLOYMENT_FIELDS)[number]

const isDeploymentField = (field: string): field is DeploymentField =>
  (DEPLOYMENT_FIELDS as readonly string[]).includes(field)

/** A field as ECS describes it: on the service, or on its PRIMARY deployment for the three above. */
export function describedServiceField(service: Service, field: string): unknown {
  if (isDeploymentField(field)) {
    return service.deployments?.find(d => d.status === 'PRIMARY')?.[field]
  }
  return (service as Record<string, unknown>)[field]
}

/**
 * What UpdateService takes to turn a field off, for fields ECS leaves out when they were never set: the
 * inverse of setting one sends this (an empty list, or Service Connect disabled).
 */
export const SERVICE_FIELD_OFF: Partial<Record<keyof UpdateServiceCommandInput, unknown>> = {
  serviceRegistries: [],
  volumeConfigurations: [],
  vpcLatticeConfigurations: [],
  serviceConnectConfiguration: { enabled: false }
}

/**
 * ECS describes an omitted `base` and `weight` as 0 (API reference, CapacityProviderStrategyItem: "If no
 * value is specified, the default value of 0 is used"), and keeps no order: compare them filled and sorted.
 */
export function canonicalCapacityProviderStrategy(
  items: CapacityProviderStrategyItem[]
): CapacityProviderStrategyItem[] {
  return sortedSet(
    items.map(i => ({ capacityProvider: i.capacityProvider, base: i.base ?? 0, weight: i.weight ?? 0 }))
  )
}

/** binpack's `memory` / `cpu` come back upper-case (MEMORY, CPU); other fields are attribute names, kept. */
const CASE_FREE_FIELDS = ['memory', 'cpu']

export function canonicalPlacementStrategy(items: PlacementStrategy[]): PlacementStrategy[] {
  return items.map(s => {
    const field = s.field?.toLowerCase()
    return field !== undefined && CASE_FREE_FIELDS.includes(field)
      ? { type: s.type, field: field.toUpperCase() }
      : { type: s.type, field: s.field }
  })
}
