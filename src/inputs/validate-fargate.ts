import type { ContainerDefinition, RegisterTaskDefinitionCommandInput } from '@aws-sdk/client-ecs'

/**
 * The task sizes Fargate offers, from the ECS Developer Guide ("Task size", and "Troubleshoot Amazon ECS
 * task definition invalid CPU or memory errors":
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-cpu-memory-error.html): per cpu value,
 * the memory in MiB from `min` to `max` in steps of `step` (or the listed values).
 */
const FARGATE_TASK_SIZES: Record<number, { min: number; max: number; step: number; label: string }> = {
  256: { min: 512, max: 2048, step: 512, label: '512, 1024 or 2048' },
  512: { min: 1024, max: 4096, step: 1024, label: '1024 to 4096 in steps of 1024' },
  1024: { min: 2048, max: 8192, step: 1024, label: '2048 to 8192 in steps of 1024' },
  2048: { min: 4096, max: 16384, step: 1024, label: '4096 to 16384 in steps of 1024' },
  4096: { min: 8192, max: 30720, step: 1024, label: '8192 to 30720 in steps of 1024' },
  8192: { min: 16384, max: 61440, step: 4096, label: '16384 to 61440 in steps of 4096' },
  16384: { min: 32768, max: 122880, step: 8192, label: '32768 to 122880 in steps of 8192' }
}

/** "1024" or "1 vCPU" → cpu units, "2048" or "2 GB" → MiB, as RegisterTaskDefinition converts them. */
export function taskSize(value: string | undefined, unit: 'vCPU' | 'GB'): number | undefined {
  if (value === undefined) return undefined
  const text = String(value).trim()
  if (/^\d+$/.test(text)) return Number(text)
  const m = new RegExp(`^(\\d+(?:\\.\\d+)?)\\s*${unit}$`, 'i').exec(text)
  return m ? Math.round(Number(m[1]) * 1024) : undefined
}

function fargateMemoryProblem(cpu: number, memory: number): string | undefined {
  const size = FARGATE_TASK_SIZES[cpu]
  if (!size) return undefined
  const fits = memory >= size.min && memory <= size.max && (memory - size.min) % size.step === 0
  // 256 cpu offers 512, 1024 and 2048: the step of 512 would also allow 1536.
  if (fits && !(cpu === 256 && memory === 1536)) return undefined
  return `${memory} MiB is not a Fargate task size for cpu ${cpu}: Fargate offers ${size.label} MiB with it`
}

/** Why the Fargate agent needs the execution role for this container, if it does. */
function executionRoleNeed(c: ContainerDefinition): { field: string; why: string } | undefined {
  if (c.logConfiguration?.logDriver === 'awslogs')
    return { field: 'logConfiguration.logDriver', why: 'the awslogs log driver' }
  if (c.secrets?.length) return { field: 'secrets', why: 'secrets' }
  if (c.logConfiguration?.secretOptions?.length)
    return { field: 'logConfiguration.secretOptions', why: 'log configuration secrets' }
  if (c.repositoryCredentials) return { field: 'repositoryCredentials', why: 'private registry credentials' }
  if (/^\d{12}\.dkr\.ecr\.[^/]+\.amazonaws\.com(\.cn)?\//.test(c.image ?? ''))
    return { field: 'image', why: 'an image from ECR' }
  return undefined
}

type Fail = (field: string, message: string) => never

/**
 * What RegisterTaskDefinition refuses for a task definition that requires FARGATE (network mode and the
 * presence of cpu / memory are checked before): a task size Fargate does not offer, and an execution role
 * missing where the Fargate agent acts for the task (pulling from ECR or a private registry, fetching
 * secrets, sending awslogs).
 */
export function checkFargate(td: RegisterTaskDefinitionCommandInput, fail: Fail): void {
  const cpu = taskSize(td.cpu, 'vCPU')
  const memory = taskSize(td.memory, 'GB')
  if (cpu === undefined || !FARGATE_TASK_SIZES[cpu]) {
    fail(
      'cpu',
      `${JSON.stringify(td.cpu)} is not a Fargate task cpu: use one of ${Object.keys(FARGATE_TASK_SIZES).join(', ')} (or "0.25 vCPU" … "16 vCPU")`
    )
  }
  if (memory === undefined) fail('memory', `${JSON.stringify(td.memory)} is not a memory size in MiB or GB`)
  const problem = fargateMemoryProblem(cpu as number, memory as number)
  if (problem) fail('memory', problem)
  if (td.executionRoleArn) return
  ;(td.containerDefinitions ?? []).forEach((c, i) => {
    const need = executionRoleNeed(c)
    if (need) {
      fail(
        'executionRoleArn',
        `is required on Fargate for ${need.why} (containerDefinitions[${i}].${need.field}): give the ARN of a task execution role`
      )
    }
  })
}

/**
 * Containers within the task's size, as RegisterTaskDefinition checks when the task has a size: each
 * container's memory limit, and the sums of what they reserve (memoryReservation, else memory) and of
 * their cpu.
 */
export function checkReservations(td: RegisterTaskDefinitionCommandInput, fail: Fail): void {
  const taskMemory = taskSize(td.memory, 'GB')
  const taskCpu = taskSize(td.cpu, 'vCPU')
  const containers = td.containerDefinitions ?? []
  let reserved = 0
  let cpu = 0
  containers.forEach((c, i) => {
    if (taskMemory !== undefined && c.memory !== undefined && c.memory > taskMemory) {
      fail(
        `containerDefinitions[${i}].memory`,
        `${c.memory} MiB is more than the task's memory (${taskMemory} MiB)`
      )
    }
    reserved += c.memoryReservation ?? c.memory ?? 0
    cpu += c.cpu ?? 0
  })
  if (taskMemory !== undefined && reserved > taskMemory) {
    fail(
      'containerDefinitions',
      `the containers reserve ${reserved} MiB of memory in all (memoryReservation, else memory), more than the task's memory (${taskMemory} MiB)`
    )
  }
  if (taskCpu !== undefined && cpu > taskCpu) {
    fail(
      'containerDefinitions',
      `the containers' cpu adds up to ${cpu}, more than the task's cpu (${taskCpu})`
    )
  }
}
