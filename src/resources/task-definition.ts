import {
  DescribeTaskDefinitionCommand,
  RegisterTaskDefinitionCommand,
  type ContainerDefinition,
  type ECSClient,
  type Tag as EcsTag,
  type TaskDefinition
} from '@aws-sdk/client-ecs'
import { DeployError, isAwsError, withExplanation } from '../aws-errors.js'
import { creationChanges, deepEqual, diff } from '../diff.js'
import { effectiveNetworkMode, normalizeTaskDefinition } from '../normalize/task-definition.js'
import type { PlanStep } from '../plan-types.js'
import type { DeployRequest } from '../request.js'
import type { ApplyContext, PlanContext } from './context.js'
import { ecsTags } from './ownership.js'

/** What DescribeTaskDefinition is asked: the family (its latest ACTIVE revision) or the reference. */
export function taskDefinitionLookup(request: DeployRequest): string {
  return request.taskDefinition.kind === 'register'
    ? request.taskDefinition.input.family
    : request.taskDefinition.ref
}

/** Absent when ECS does not know the family or revision (it answers ClientException). */
export async function describeTaskDefinition(
  ecs: ECSClient,
  ref: string
): Promise<{ taskDefinition?: TaskDefinition; tags: EcsTag[] }> {
  try {
    const out = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: ref, include: ['TAGS'] }))
    return { taskDefinition: out.taskDefinition, tags: out.tags ?? [] }
  } catch (error) {
    if (isAwsError(error, 'ClientException', 'InvalidParameterException')) return { tags: [] }
    throw error
  }
}

/** Network mode of the definition the service will run. */
export function desiredNetworkMode(request: DeployRequest, actual?: TaskDefinition): string {
  if (request.taskDefinition.kind === 'register') return effectiveNetworkMode(request.taskDefinition.input)
  return actual ? effectiveNetworkMode(actual) : 'bridge'
}

/** Containers of the definition the service will run (to fill the load balancer's container). */
export function desiredContainers(request: DeployRequest, actual?: TaskDefinition): ContainerDefinition[] {
  return request.taskDefinition.kind === 'register'
    ? (request.taskDefinition.input.containerDefinitions ?? [])
    : (actual?.containerDefinitions ?? [])
}

export interface TaskDefinitionPlan {
  step: PlanStep
  /** Known when no registration is needed. */
  arn?: string
}

export function planTaskDefinition(ctx: PlanContext): TaskDefinitionPlan {
  const { request, actual } = ctx
  const existing = actual.taskDefinition
  const td = request.taskDefinition
  if (td.kind === 'reference') {
    if (!existing?.taskDefinitionArn) {
      throw new DeployError(
        `Task definition ${td.ref} (task-definition input) does not exist or is not ACTIVE. Give an existing family, family:revision or ARN, or a task definition file to register.`
      )
    }
    const arn = existing.taskDefinitionArn
    return {
      arn,
      step: { resource: 'task-definition', name: td.ref, action: 'none', changes: [], arn, calls: [] }
    }
  }
  const name = td.input.family
  const desired = normalizeTaskDefinition(td.input)
  if (!existing) {
    return {
      step: {
        resource: 'task-definition',
        name,
        action: 'create',
        changes: creationChanges(desired, /^containerDefinitions\[[^\]]*\]\.image$/),
        calls: ['RegisterTaskDefinition']
      }
    }
  }
  const current = normalizeTaskDefinition(existing)
  const arn = existing.taskDefinitionArn
  if (deepEqual(current, desired)) {
    return { arn, step: { resource: 'task-definition', name, action: 'none', changes: [], arn, calls: [] } }
  }
  return {
    step: {
      resource: 'task-definition',
      name,
      action: 'update',
      changes: diff(current, desired),
      arn,
      reason: `differs from the latest ACTIVE revision (${existing.revision ?? '?'}): a new revision is registered`,
      calls: ['RegisterTaskDefinition']
    }
  }
}

export async function applyTaskDefinition(ctx: ApplyContext & { step: PlanStep }): Promise<string> {
  const { request, clients, log, step } = ctx
  const td = request.taskDefinition
  if (step.action === 'none' || td.kind === 'reference') {
    if (!step.arn) throw new Error(`task definition step ${step.name} has no ARN`)
    return step.arn
  }
  const out = await withExplanation(`RegisterTaskDefinition ${td.input.family}`, () =>
    clients.ecs.send(
      new RegisterTaskDefinitionCommand({ ...td.input, tags: ecsTags(request, td.input.tags) })
    )
  )
  const arn = out.taskDefinition?.taskDefinitionArn
  if (!arn)
    throw new DeployError(`RegisterTaskDefinition ${td.input.family} answered without a task definition`)
  log(`registered task definition ${td.input.family}:${out.taskDefinition?.revision ?? '?'} (${arn})`)
  return arn
}
