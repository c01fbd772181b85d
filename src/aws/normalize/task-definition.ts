import type {
  ContainerDefinition,
  HealthCheck,
  PortMapping,
  RegisterTaskDefinitionCommandInput,
  TaskDefinition
} from '@aws-sdk/client-ecs'
import { stripEmpty } from '../../model/diff.js'
import { TASK_DEFINITION_READ_ONLY } from '../../model/task-definition.js'

/**
 * A task definition in one canonical form, so that the file a user registers and what
 * DescribeTaskDefinition answers for it compare equal: read-only fields dropped, the defaults AWS fills
 * in removed on both sides, lists whose order AWS does not keep sorted.
 */
export type NormalizedTaskDefinition = Record<string, unknown>

type AnyTaskDefinition = RegisterTaskDefinitionCommandInput | TaskDefinition

/** Set by AWS, never by the caller; tags are compared apart (they ride on the register call). */
const READ_ONLY = [...TASK_DEFINITION_READ_ONLY, 'tags'] as const

const byName = <T extends { name?: string }>(items: T[] | undefined): T[] | undefined =>
  items ? [...items].sort((a, b) => (a.name ?? '').localeCompare(b.name ?? '')) : undefined

/** The network mode AWS uses when the definition leaves it out (bridge on EC2; Fargate requires awsvpc). */
export function effectiveNetworkMode(td: AnyTaskDefinition): string {
  return td.networkMode ?? (td.requiresCompatibilities?.includes('FARGATE') ? 'awsvpc' : 'bridge')
}

/** "1 vCPU" → "1024", "2 GB" → "2048": AWS stores task-level cpu and memory as plain unit strings. */
export function normalizeUnits(value: string | undefined, unit: 'vcpu' | 'gb'): string | undefined {
  if (value === undefined) return undefined
  const match = new RegExp(`^\\s*(\\d+(?:\\.\\d+)?)\\s*${unit}\\s*$`, 'i').exec(value)
  return match ? String(Math.round(Number(match[1]) * 1024)) : value.trim()
}

function normalizePortMapping(pm: PortMapping, networkMode: string): PortMapping {
  const out: PortMapping = { ...pm }
  if (out.protocol === 'tcp') delete out.protocol
  // AWS fills hostPort: the container port for awsvpc and host, 0 (dynamic) for bridge.
  const implied = networkMode === 'bridge' ? 0 : out.containerPort
  if (out.hostPort === implied || (networkMode === 'bridge' && out.hostPort === undefined))
    delete out.hostPort
  return out
}

function normalizeContainer(c: ContainerDefinition, networkMode: string): ContainerDefinition {
  const out: ContainerDefinition = { ...c }
  if (out.cpu === 0) delete out.cpu
  if (out.essential === true) delete out.essential
  if (out.versionConsistency === 'enabled') delete out.versionConsistency
  out.environment = byName(out.environment)
  out.secrets = byName(out.secrets)
  out.portMappings = out.portMappings?.map(pm => normalizePortMapping(pm, networkMode))
  if (out.healthCheck) out.healthCheck = normalizeHealthCheck(out.healthCheck)
  return out
}

/**
 * A container health check without the values AWS fills in when they are left out (interval 30 s,
 * timeout 5 s, 3 retries: ECS API reference, HealthCheck), so that a file that leaves them out and
 * what DescribeTaskDefinition answers compare equal.
 */
function normalizeHealthCheck(hc: HealthCheck): HealthCheck {
  const out: HealthCheck = { ...hc }
  if (out.interval === 30) delete out.interval
  if (out.timeout === 5) delete out.timeout
  if (out.retries === 3) delete out.retries
  return out
}

export function normalizeTaskDefinition(td: AnyTaskDefinition): NormalizedTaskDefinition {
  const copy: Record<string, unknown> = { ...td }
  for (const field of READ_ONLY) delete copy[field]
  const networkMode = effectiveNetworkMode(td)
  copy.networkMode = networkMode
  copy.cpu = normalizeUnits(td.cpu, 'vcpu')
  copy.memory = normalizeUnits(td.memory, 'gb')
  if (copy.enableFaultInjection === false) delete copy.enableFaultInjection
  copy.requiresCompatibilities = td.requiresCompatibilities
    ? [...td.requiresCompatibilities].sort()
    : undefined
  copy.volumes = byName(td.volumes)
  copy.containerDefinitions = byName(td.containerDefinitions)?.map(c => normalizeContainer(c, networkMode))
  return stripEmpty(copy)
}
