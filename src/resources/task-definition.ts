import {
  DeregisterTaskDefinitionCommand,
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
import type { Call, Operation, PlanStep } from '../model/plan.js'
import { pendingArn } from '../model/placeholders.js'
import type { Actual } from '../model/actual.js'
import { registerInput, withImages } from '../model/task-definition.js'
import { redactTaskDefinition } from '../model/redact.js'
import type { DeployRequest } from '../model/request.js'
import type { CallContext, CallResult, PlanContext } from './context.js'
import { removeOrKeep, stepCalls } from './steps.js'
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

export function planTaskDefinition(ctx: PlanContext & { keepCreated?: string }): TaskDefinitionPlan {
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
    return { arn, step: unchanged(ref, arn) }
  }
  const name = registration.family
  const desired = normalizeTaskDefinition(registration)
  const current = existing ? normalizeTaskDefinition(existing) : undefined
  if (existing && deepEqual(current, desired))
    return { arn: existing.taskDefinitionArn, step: unchanged(name, existing.taskDefinitionArn) }
  // A run killed between RegisterTaskDefinition and UpdateService left the revision it meant to deploy as
  // the family's latest: deploy that one rather than register a duplicate.
  const latest = actual.latestTaskDefinition
  if (latest?.taskDefinitionArn && deepEqual(normalizeTaskDefinition(latest), desired)) {
    return { arn: latest.taskDefinitionArn, step: unchanged(name, latest.taskDefinitionArn) }
  }
  const arn = pendingArn('revision of', name)
  const operations: Operation[] = [
    {
      do: {
        call: 'RegisterTaskDefinition',
        input: { ...registration, tags: ecsTags(request, registration.tags) },
        produces: { arn }
      },
      // A revision registered for a deployment that is rolled back must not become the next run's base.
      ...removeOrKeep({
        kept: ctx.keepCreated,
        remove: { call: 'DeregisterTaskDefinition', input: { taskDefinition: arn } }
      }),
      says: `registered task definition ${name}`
    }
  ]
  if (!existing) {
    return {
      step: {
        resource: 'task-definition',
        name,
        action: 'create',
        changes: creationChanges(redactTaskDefinition(desired), /^containerDefinitions\[[^\]]*\]\.image$/),
        calls: stepCalls(operations),
        operations
      }
    }
  }
  return {
    step: {
      resource: 'task-definition',
      name,
      action: 'update',
      // Both sides redacted: no environment value, old (from AWS) or new, reaches the plan.
      changes: diff(redactTaskDefinition(current), redactTaskDefinition(desired)),
      arn: existing.taskDefinitionArn,
      reason: `differs from the latest ACTIVE revision (${existing.revision ?? '?'}): a new revision is registered`,
      calls: stepCalls(operations),
      operations
    }
  }
}

const unchanged = (name: string, arn: string | undefined): PlanStep => ({
  resource: 'task-definition',
  name,
  action: 'none',
  changes: [],
  arn,
  calls: [],
  operations: []
})

type TaskDefinitionCall = Extract<Call, { call: 'RegisterTaskDefinition' | 'DeregisterTaskDefinition' }>

/** Sends one planned task definition call as it is. */
export async function executeTaskDefinitionCall(
  ctx: CallContext,
  call: TaskDefinitionCall
): Promise<CallResult> {
  const { ecs } = ctx.clients
  switch (call.call) {
    case 'RegisterTaskDefinition': {
      const out = await withExplanation(`RegisterTaskDefinition ${ctx.name}`, () =>
        ecs.send(new RegisterTaskDefinitionCommand(call.input))
      )
      const arn = out.taskDefinition?.taskDefinitionArn
      if (!arn) throw new DeployError(`RegisterTaskDefinition ${ctx.name} answered without a task definition`)
      return { arn }
    }
    case 'DeregisterTaskDefinition':
      await withExplanation(`DeregisterTaskDefinition ${ctx.name}`, () =>
        ecs.send(new DeregisterTaskDefinitionCommand(call.input))
      )
      return {}
  }
}
