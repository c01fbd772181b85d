import type {
  CapacityProviderStrategyItem,
  CreateServiceCommandInput,
  Deployment,
  PlacementStrategy,
  UpdateServiceCommandInput
} from '@aws-sdk/client-ecs'
import { invalidParameter } from './errors.js'
import type { ServiceRec } from './state.js'

/**
 * Service fields as ECS stores and describes them (see FIDELITY.md): defaults filled in, case rewritten,
 * and the fields ECS keeps per deployment rather than on the service.
 */

/** An omitted base or weight is described as 0 (API reference, CapacityProviderStrategyItem). */
export const describedCapacityProviderStrategy = (
  items: CapacityProviderStrategyItem[]
): CapacityProviderStrategyItem[] =>
  items.map(i => ({ capacityProvider: i.capacityProvider, weight: i.weight ?? 0, base: i.base ?? 0 }))

/** binpack on memory / cpu is described upper-case (MEMORY, CPU), whatever case it was given in. */
export const describedPlacementStrategy = (items: PlacementStrategy[]): PlacementStrategy[] =>
  items.map(s =>
    s.field && ['memory', 'cpu'].includes(s.field.toLowerCase())
      ? { ...s, field: s.field.toUpperCase() }
      : { ...s }
  )

const key = (items: CapacityProviderStrategyItem[] | undefined): string =>
  JSON.stringify(
    describedCapacityProviderStrategy(items ?? [])
      .map(i => `${i.capacityProvider}/${i.weight}/${i.base}`)
      .sort()
  )

/**
 * UpdateService refuses a new capacity provider strategy (or a first one on a launch-type service)
 * without forceNewDeployment; the message is ECS's own (pipe-cd/pipecd#6385, kayac/ecspresso#481).
 */
export function checkCapacityProviderChange(svc: ServiceRec, input: UpdateServiceCommandInput): void {
  const wanted = input.capacityProviderStrategy
  if (!wanted || input.forceNewDeployment) return
  const current = svc.service.capacityProviderStrategy
  if (current && key(current) === key(wanted)) return
  throw invalidParameter(
    'When switching from launch type to capacity provider strategy on an existing service, or making a change to a capacity provider strategy on a service that is already using one, you must force a new deployment.'
  )
}

/** The fields ECS describes on a deployment (API reference, Deployment), as UpdateService names them. */
const DEPLOYMENT_FIELDS = [
  'serviceConnectConfiguration',
  'volumeConfigurations',
  'vpcLatticeConfigurations'
] as const

type DeploymentFields = Pick<Deployment, (typeof DEPLOYMENT_FIELDS)[number]>

/** Whether UpdateService changes a per-deployment field (which starts a new deployment, as on AWS). */
export function deploymentFieldsChange(svc: ServiceRec, input: UpdateServiceCommandInput): boolean {
  const primary = svc.deployments[0]?.deployment
  return DEPLOYMENT_FIELDS.some(
    f => input[f] !== undefined && JSON.stringify(input[f]) !== JSON.stringify(primary?.[f] ?? emptyOf(f))
  )
}

const emptyOf = (f: (typeof DEPLOYMENT_FIELDS)[number]): unknown =>
  f === 'serviceConnectConfiguration' ? { enabled: false } : []

/**
 * Writes the per-deployment fields on the deployment just started: those the call gives, else the ones of
 * the deployment it replaces. An empty list or disabled Service Connect is described as absent.
 */
export function stampDeploymentFields(
  svc: ServiceRec,
  input: CreateServiceCommandInput | UpdateServiceCommandInput
): void {
  const [current, previous] = svc.deployments
  if (!current) return
  const fields: DeploymentFields = {}
  for (const f of DEPLOYMENT_FIELDS) {
    const value = input[f] ?? previous?.deployment[f]
    const off = JSON.stringify(value) === JSON.stringify(emptyOf(f))
    if (value !== undefined && !off) Object.assign(fields, { [f]: value })
  }
  Object.assign(current.deployment, fields)
}

/** The service-level fields UpdateService sets without a new deployment of their own. */
export function applyServiceLevelFields(svc: ServiceRec, input: UpdateServiceCommandInput): boolean {
  const s = svc.service
  let changed = false
  if (input.capacityProviderStrategy) {
    s.capacityProviderStrategy = describedCapacityProviderStrategy(input.capacityProviderStrategy)
    delete s.launchType
  }
  if (input.availabilityZoneRebalancing) s.availabilityZoneRebalancing = input.availabilityZoneRebalancing
  if (input.serviceRegistries) {
    // A change of registries starts new tasks that register with them (UpdateService, serviceRegistries).
    changed = JSON.stringify(input.serviceRegistries) !== JSON.stringify(s.serviceRegistries ?? [])
    s.serviceRegistries = input.serviceRegistries
  }
  return changed
}
