import {
  DescribeTaskDefinitionCommand,
  ListTaskDefinitionsCommand,
  RegisterTaskDefinitionCommand,
  type ContainerDefinition,
  type ECSClient,
  type RegisterTaskDefinitionCommandInput,
  type Tag as EcsTag,
  type TaskDefinition
} from '@aws-sdk/client-ecs'
import { allPages } from '../aws/paginate.js'
import { DeployError, isAwsError, withExplanation } from '../aws/errors.js'
import { creationChanges, deepEqual, diff } from '../model/diff.js'
import { effectiveNetworkMode, normalizeTaskDefinition } from '../aws/normalize/task-definition.js'
import type { PlanStep } from '../model/plan.js'
import type { Actual } from '../model/actual.js'
import { registerInput, withImages } from '../model/task-definition.js'
import type { DeployRequest } from '../model/request.js'
import type { ApplyContext, PlanContext } from './context.js'
import { ecsTags } from './ownership.js'

/** What DescribeTaskDefinition is asked: the family (its latest ACTIVE revision) or the reference. */
export function taskDefinitionLookup(request: DeployRequest): string {
  return request.taskDefinition.kind === 'register'
    ? request.taskDefinition.input.family
    : request.taskDefinition.ref
}

/** `family` of `family`, `family:revision` or `arn:…:task-definition/family:revision`. */
export function familyOf(ref: string): string {
  return (/task-definition\/([^:/]+)/.exec(ref)?.[1] ?? ref).split(':')[0]
}

/**
 * For an existing revision registered anew with other images (request `images`): the family whose latest
 * ACTIVE revision the new one is compared with, when that is not what taskDefinitionLookup names already.
 */
export function latestRevisionLookup(request: DeployRequest): string | undefined {
  const td = request.taskDefinition
  if (td.kind !== 'reference' || !td.images) return undefined
  const family = familyOf(td.ref)
  return family === td.ref ? undefined : family
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

/** The ACTIVE revisions of exactly this family (ListTaskDefinitions' familyPrefix is a prefix), every page. */
export async function listTaskDefinitionArns(ecs: ECSClient, family: string): Promise<string[]> {
  const arns = await allPages(async nextToken => {
    const out = await ecs.send(
      new ListTaskDefinitionsCommand({ familyPrefix: family, status: 'ACTIVE', nextToken })
    )
    return { items: out.taskDefinitionArns, next: out.nextToken }
  })
  // app-pr-1 would also list app-pr-12.
  return arns.filter(arn => familyOf(arn) === family)
}

/** Network mode of the definition the service will run. */
export function desiredNetworkMode(request: DeployRequest, actual: Actual): string {
  if (request.taskDefinition.kind === 'register') return effectiveNetworkMode(request.taskDefinition.input)
  const td = actual.baseTaskDefinition?.taskDefinition ?? actual.taskDefinition
  return td ? effectiveNetworkMode(td) : 'bridge'
}

/** Containers of the definition the service will run (to fill the load balancer's container). */
export function desiredContainers(request: DeployRequest, actual: Actual): ContainerDefinition[] {
  return request.taskDefinition.kind === 'register'
    ? (request.taskDefinition.input.containerDefinitions ?? [])
    : ((actual.baseTaskDefinition?.taskDefinition ?? actual.taskDefinition)?.containerDefinitions ?? [])
}

type Registration = RegisterTaskDefinitionCommandInput & { family: string }

/**
 * What RegisterTaskDefinition would be sent, if anything is to be registered: the request's document, or
 * the referenced revision (as described, with its tags) with the request's images. Undefined for a plain
 * reference, which is used as it is.
 */
export function desiredRegistration(request: DeployRequest, actual: Actual): Registration | undefined {
  const td = request.taskDefinition
  if (td.kind === 'register') return td.input
  if (!td.images) return undefined
  const base = actual.baseTaskDefinition?.taskDefinition
  if (!base?.taskDefinitionArn) {
    throw new DeployError(
      `Task definition ${td.ref} does not exist or is not ACTIVE, so the images input has no revision to set them in. Give an existing family, family:revision or ARN, or a task definition file.`
    )
  }
  const names = (base.containerDefinitions ?? []).map(c => c.name ?? '')
  const unknown = Object.keys(td.images).filter(name => !names.includes(name))
  if (unknown.length) {
    throw new DeployError(
      `images: task definition ${base.taskDefinitionArn} has no container ${unknown.map(n => JSON.stringify(n)).join(', ')} (its containers: ${names.join(', ')}).`
    )
  }
  // Tags with the aws: prefix (e.g. CloudFormation's) are AWS's to set: RegisterTaskDefinition refuses them.
  const tags = (actual.baseTaskDefinition?.tags ?? []).filter(t => !/^aws:/i.test(t.key ?? ''))
  const input = registerInput({ taskDefinition: base, tags }) as unknown as Registration
  return withImages(input, td.images)
}

export interface TaskDefinitionPlan {
  step: PlanStep
  /** Known when no registration is needed. */
  arn?: string
}

export function planTaskDefinition(ctx: PlanContext): TaskDefinitionPlan {
  const { request, actual } = ctx
  const existing = actual.taskDefinition
  const registration = desiredRegistration(request, actual)
  if (!registration) {
    // A plain reference (a document or images always make a registration): used as it is.
    const ref = taskDefinitionLookup(request)
    if (!existing?.taskDefinitionArn) {
      throw new DeployError(
        `Task definition ${ref} (task-definition input) does not exist or is not ACTIVE. Give an existing family, family:revision or ARN, or a task definition file to register.`
      )
    }
    const arn = existing.taskDefinitionArn
    return {
      arn,
      step: { resource: 'task-definition', name: ref, action: 'none', changes: [], arn, calls: [] }
    }
  }
  const name = registration.family
  const desired = normalizeTaskDefinition(registration)
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
  const { request, actual, clients, log, step } = ctx
  const input = step.action === 'none' ? undefined : desiredRegistration(request, actual)
  if (!input) {
    if (!step.arn) throw new Error(`task definition step ${step.name} has no ARN`)
    return step.arn
  }
  const out = await withExplanation(`RegisterTaskDefinition ${input.family}`, () =>
    clients.ecs.send(new RegisterTaskDefinitionCommand({ ...input, tags: ecsTags(request, input.tags) }))
  )
  const arn = out.taskDefinition?.taskDefinitionArn
  if (!arn) throw new DeployError(`RegisterTaskDefinition ${input.family} answered without a task definition`)
  log(`registered task definition ${input.family}:${out.taskDefinition?.revision ?? '?'} (${arn})`)
  return arn
}
