import type {
  Attribute,
  Compatibility,
  ContainerDefinition,
  DeregisterTaskDefinitionCommandInput,
  DescribeTaskDefinitionCommandInput,
  ListTaskDefinitionFamiliesCommandInput,
  ListTaskDefinitionsCommandInput,
  NetworkMode,
  PortMapping,
  RegisterTaskDefinitionCommandInput,
  Tag,
  TaskDefinition
} from '@aws-sdk/client-ecs'
import { arns, type ArnScope } from './ids.js'
import { clientError } from './errors.js'
import { checkFargate, checkReservations, taskUnits } from './fargate.js'
import { paginate } from './paging.js'
import type { TagStore } from './tags.js'

const FAMILY_RE = /^[A-Za-z0-9_-]{1,255}$/

/** Every revision of every family, as RegisterTaskDefinition left it (with AWS's defaults filled in). */
export class TaskDefinitionStore {
  private families = new Map<string, TaskDefinition[]>()

  constructor(
    private readonly scope: ArnScope,
    private readonly tags: TagStore,
    private readonly now: () => Date
  ) {}

  clear(): void {
    this.families.clear()
  }

  all(): TaskDefinition[] {
    return [...this.families.values()].flat()
  }

  register(input: RegisterTaskDefinitionCommandInput): { taskDefinition: TaskDefinition; tags?: Tag[] } {
    const family = input.family ?? ''
    if (!FAMILY_RE.test(family)) {
      throw clientError(
        'Family contains invalid characters. Up to 255 letters (uppercase and lowercase), numbers, hyphens, and underscores are allowed.'
      )
    }
    const containers = input.containerDefinitions ?? []
    if (containers.length === 0) throw clientError('Container list cannot be empty.')
    const requires = input.requiresCompatibilities ?? []
    const fargate = requires.includes('FARGATE')
    // Left out, the network mode is bridge (on Linux), which Fargate refuses like an explicit one.
    const networkMode: NetworkMode = input.networkMode ?? 'bridge'
    if (fargate && networkMode !== 'awsvpc') throw clientError('Fargate only supports network mode ‘awsvpc’.')
    if (fargate && !input.cpu) throw clientError("Fargate requires that 'cpu' be defined at the task level.")
    if (fargate && !input.memory)
      throw clientError("Fargate requires that 'memory' be defined at the task level.")
    const names = new Set<string>()
    for (const c of containers) {
      if (!c.name) throw clientError('Container.name should not be null or empty.')
      if (!c.image) throw clientError(`Container.image should not be null or empty.`)
      if (names.has(c.name)) throw clientError(`Duplicate container names are not allowed. Name: ${c.name}`)
      names.add(c.name)
      if (!input.memory && c.memory === undefined && c.memoryReservation === undefined) {
        throw clientError(
          `Invalid setting for container '${c.name}'. At least one of 'memory' or 'memoryReservation' must be specified.`
        )
      }
    }
    if (fargate) checkFargate(input)
    else
      checkReservations(containers, {
        cpu: taskUnits(input.cpu, 'vcpu'),
        memory: taskUnits(input.memory, 'gb')
      })
    if (!containers.some(c => c.essential !== false)) {
      throw clientError(
        'Invalid setting for container definitions. At least one container must be essential.'
      )
    }
    const containerDefinitions = containers.map(c => normalizeContainer(c, networkMode))
    const revisions = this.families.get(family) ?? []
    const revision = revisions.length + 1
    const taskDefinitionArn = arns.taskDefinition(this.scope, family, revision)
    const td: TaskDefinition = {
      taskDefinitionArn,
      containerDefinitions,
      family,
      ...(input.taskRoleArn ? { taskRoleArn: input.taskRoleArn } : {}),
      ...(input.executionRoleArn ? { executionRoleArn: input.executionRoleArn } : {}),
      networkMode,
      revision,
      volumes: input.volumes ?? [],
      status: 'ACTIVE',
      requiresAttributes: requiredAttributes(input, containerDefinitions, networkMode),
      placementConstraints: input.placementConstraints ?? [],
      compatibilities: compatibilitiesOf(networkMode, input),
      ...(input.runtimePlatform ? { runtimePlatform: input.runtimePlatform } : {}),
      ...(requires.length ? { requiresCompatibilities: requires } : {}),
      ...(input.cpu ? { cpu: String(input.cpu) } : {}),
      ...(input.memory ? { memory: String(input.memory) } : {}),
      ...(input.pidMode ? { pidMode: input.pidMode } : {}),
      ...(input.ipcMode ? { ipcMode: input.ipcMode } : {}),
      ...(input.ephemeralStorage ? { ephemeralStorage: input.ephemeralStorage } : {}),
      registeredAt: this.now(),
      registeredBy: `arn:aws:iam::${this.scope.accountId}:root`
    }
    revisions.push(td)
    this.families.set(family, revisions)
    if (input.tags?.length) this.tags.set(taskDefinitionArn, input.tags)
    return { taskDefinition: td, ...(input.tags?.length ? { tags: input.tags } : {}) }
  }

  /** "family", "family:revision" or an ARN; a bare family means its latest ACTIVE revision. */
  find(ref: string): TaskDefinition | undefined {
    const m = /^(?:arn:aws[^:]*:ecs:[^:]*:\d*:task-definition\/)?([^:/]+)(?::(\d+))?$/.exec(ref)
    if (!m) return undefined
    const revisions = this.families.get(m[1])
    if (!revisions) return undefined
    if (m[2] !== undefined) return revisions[Number(m[2]) - 1]
    return [...revisions].reverse().find(r => r.status === 'ACTIVE')
  }

  describe(input: DescribeTaskDefinitionCommandInput): { taskDefinition: TaskDefinition; tags?: Tag[] } {
    const td = this.find(input.taskDefinition ?? '')
    if (!td) throw clientError('Unable to describe task definition.')
    const withTags = input.include?.includes('TAGS')
    return { taskDefinition: td, ...(withTags ? { tags: this.tags.get(td.taskDefinitionArn!) } : {}) }
  }

  deregister(input: DeregisterTaskDefinitionCommandInput): { taskDefinition: TaskDefinition } {
    const ref = input.taskDefinition ?? ''
    if (!/:\d+$/.test(ref)) throw clientError('Invalid revision number. Number: ' + (ref.split(':')[1] ?? ''))
    const td = this.find(ref)
    if (!td) throw clientError('The specified task definition does not exist.')
    if (td.status === 'ACTIVE') {
      td.status = 'INACTIVE'
      td.deregisteredAt = this.now()
    }
    return { taskDefinition: td }
  }

  list(input: ListTaskDefinitionsCommandInput): { taskDefinitionArns: string[]; nextToken?: string } {
    const status = input.status ?? 'ACTIVE'
    let defs = input.familyPrefix ? (this.families.get(input.familyPrefix) ?? []) : this.sortedAll()
    defs = defs.filter(d => d.status === status)
    const arnsOut = defs.map(d => d.taskDefinitionArn!)
    if (input.sort === 'DESC') arnsOut.reverse()
    const page = paginate(arnsOut, input.maxResults, input.nextToken, 100)
    return { taskDefinitionArns: page.items, ...(page.nextToken ? { nextToken: page.nextToken } : {}) }
  }

  listFamilies(input: ListTaskDefinitionFamiliesCommandInput): { families: string[]; nextToken?: string } {
    const status = input.status ?? 'ACTIVE'
    const families = [...this.families.entries()]
      .filter(([name]) => !input.familyPrefix || name.startsWith(input.familyPrefix))
      .filter(([, revs]) => {
        const active = revs.some(r => r.status === 'ACTIVE')
        return status === 'ALL' || (status === 'ACTIVE' ? active : !active)
      })
      .map(([name]) => name)
      .sort()
    const page = paginate(families, input.maxResults, input.nextToken, 100)
    return { families: page.items, ...(page.nextToken ? { nextToken: page.nextToken } : {}) }
  }

  private sortedAll(): TaskDefinition[] {
    return [...this.families.keys()].sort().flatMap(f => this.families.get(f)!)
  }
}

function normalizeContainer(c: ContainerDefinition, networkMode: NetworkMode): ContainerDefinition {
  const portMappings = (c.portMappings ?? []).map(p => normalizePort(p, networkMode, c.name!))
  return {
    ...c,
    cpu: c.cpu ?? 0,
    portMappings,
    essential: c.essential ?? true,
    environment: c.environment ?? [],
    mountPoints: c.mountPoints ?? [],
    volumesFrom: c.volumesFrom ?? [],
    systemControls: c.systemControls ?? [],
    // DescribeTaskDefinition answers a container health check with AWS's defaults filled in.
    ...(c.healthCheck
      ? {
          healthCheck: {
            ...c.healthCheck,
            interval: c.healthCheck.interval ?? 30,
            timeout: c.healthCheck.timeout ?? 5,
            retries: c.healthCheck.retries ?? 3
          }
        }
      : {})
  }
}

function normalizePort(p: PortMapping, networkMode: NetworkMode, container: string): PortMapping {
  if (p.containerPort === undefined) {
    throw clientError(
      `Invalid setting for container '${container}'. containerPort is required in portMappings.`
    )
  }
  const samePort = networkMode === 'awsvpc' || networkMode === 'host'
  if (samePort && p.hostPort !== undefined && p.hostPort !== p.containerPort) {
    throw clientError(
      `When networkMode=${networkMode}, the host ports and container ports in port mappings must match.`
    )
  }
  return {
    ...p,
    containerPort: p.containerPort,
    hostPort: p.hostPort ?? (samePort ? p.containerPort : 0),
    protocol: p.protocol ?? 'tcp'
  }
}

function requiredAttributes(
  input: RegisterTaskDefinitionCommandInput,
  containers: ContainerDefinition[],
  networkMode: NetworkMode
): Attribute[] {
  const names = new Set<string>(['com.amazonaws.ecs.capability.docker-remote-api.1.18'])
  if (networkMode === 'awsvpc') {
    names.add('ecs.capability.task-eni')
    names.add('com.amazonaws.ecs.capability.docker-remote-api.1.29')
  }
  if (input.taskRoleArn) names.add('com.amazonaws.ecs.capability.task-iam-role')
  if (input.executionRoleArn) names.add('ecs.capability.execution-role-awslogs')
  for (const c of containers) {
    if (c.logConfiguration?.logDriver === 'awslogs')
      names.add('com.amazonaws.ecs.capability.logging-driver.awslogs')
    if (/\.dkr\.ecr\./.test(c.image ?? '')) names.add('com.amazonaws.ecs.capability.ecr-auth')
    if (c.healthCheck) names.add('ecs.capability.container-health-check')
  }
  return [...names].map(name => ({ name }))
}

function compatibilitiesOf(
  networkMode: NetworkMode,
  input: RegisterTaskDefinitionCommandInput
): Compatibility[] {
  const out: Compatibility[] = ['EC2']
  if (networkMode !== 'awsvpc') out.unshift('EXTERNAL')
  if (networkMode === 'awsvpc' && input.cpu && input.memory) out.push('FARGATE')
  return out
}
