import type { ContainerDefinition, RegisterTaskDefinitionCommandInput } from '@aws-sdk/client-ecs'
import { clientError } from './errors.js'

/**
 * Task sizes Fargate offers (Amazon ECS Developer Guide, "Troubleshoot Amazon ECS task definition invalid
 * CPU or memory errors" / "Task size"): cpu units → the memory values in MiB it may be paired with.
 */
const GB = 1024
const range = (from: number, to: number, step: number): number[] =>
  Array.from({ length: (to - from) / step + 1 }, (_, i) => (from + i * step) * GB)
const FARGATE_SIZES: ReadonlyMap<number, readonly number[]> = new Map([
  [256, [512, 1 * GB, 2 * GB]],
  [512, range(1, 4, 1)],
  [1024, range(2, 8, 1)],
  [2048, range(4, 16, 1)],
  [4096, range(8, 30, 1)],
  [8192, range(16, 60, 4)],
  [16384, range(32, 120, 8)]
])

/** "1024", "1 vCPU" → cpu units; "2048", "2 GB" → MiB (RegisterTaskDefinition converts both). */
export function taskUnits(value: string | undefined, unit: 'vcpu' | 'gb'): number | undefined {
  if (value === undefined) return undefined
  const text = String(value).trim()
  if (/^\d+$/.test(text)) return Number(text)
  const m = new RegExp(`^(\\d+(?:\\.\\d+)?)\\s*${unit}$`, 'i').exec(text)
  return m ? Math.round(Number(m[1]) * 1024) : Number.NaN
}

const needsExecutionRole = (c: ContainerDefinition): string | undefined => {
  if (c.logConfiguration?.logDriver === 'awslogs') return 'log driver awslogs'
  if (c.secrets?.length || c.logConfiguration?.secretOptions?.length) return 'secrets'
  if (c.repositoryCredentials?.credentialsParameter) return 'private registry authentication'
  if (/^\d{12}\.dkr\.ecr\.[^/]+\.amazonaws\.com(\.cn)?\//.test(c.image ?? '')) return 'ECR images'
  return undefined
}

/**
 * What RegisterTaskDefinition refuses for a task definition that requires FARGATE, beyond network mode and
 * the presence of cpu / memory: a task size Fargate does not offer, an execution role missing where the
 * Fargate agent needs one, containers that reserve more than the task has.
 */
export function checkFargate(input: RegisterTaskDefinitionCommandInput): void {
  const cpu = taskUnits(input.cpu, 'vcpu') ?? 0
  const memory = taskUnits(input.memory, 'gb') ?? 0
  if (!FARGATE_SIZES.get(cpu)?.includes(memory)) {
    throw clientError('No Fargate configuration exists for given values.')
  }
  const containers = input.containerDefinitions ?? []
  if (!input.executionRoleArn) {
    for (const c of containers) {
      const why = needsExecutionRole(c)
      if (why)
        throw clientError(`Fargate requires task definition to have execution role ARN to support ${why}.`)
    }
  }
  checkReservations(containers, { cpu, memory })
}

/** Containers within the task's size: each hard limit, and the sums of what they reserve. */
export function checkReservations(
  containers: ContainerDefinition[],
  task: { cpu?: number; memory?: number }
): void {
  let reserved = 0
  let cpu = 0
  for (const c of containers) {
    if (task.memory && c.memory !== undefined && c.memory > task.memory) {
      throw clientError(
        `Invalid 'memory' setting for container '${c.name}'. The container memory (${c.memory}) must not exceed the task memory (${task.memory}).`
      )
    }
    reserved += c.memoryReservation ?? c.memory ?? 0
    cpu += c.cpu ?? 0
  }
  if (task.memory && reserved > task.memory) {
    throw clientError(
      `Invalid setting for container definitions. The total memory reserved by the containers (${reserved}) must not exceed the task memory (${task.memory}).`
    )
  }
  if (task.cpu && cpu > task.cpu) {
    throw clientError(
      `Invalid setting for container definitions. The total cpu of the containers (${cpu}) must not exceed the task cpu (${task.cpu}).`
    )
  }
}
