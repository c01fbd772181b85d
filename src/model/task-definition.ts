import type { ContainerDefinition, RegisterTaskDefinitionRequest, TaskDefinition } from '@aws-sdk/client-ecs'
import { isPlainObject } from './diff.js'

/**
 * Task definition documents as data: what the inputs stage builds and the resources stage registers
 * share these, so a described revision and a file are turned into RegisterTaskDefinition input one way.
 */

/**
 * What DescribeTaskDefinition returns on top of the RegisterTaskDefinition input: AWS sets these, so a
 * described definition is accepted and these are dropped. The type check below fails when the SDK adds
 * an output-only field this list does not name.
 */
export const TASK_DEFINITION_READ_ONLY = [
  'taskDefinitionArn',
  'revision',
  'status',
  'requiresAttributes',
  'compatibilities',
  'registeredAt',
  'registeredBy',
  'deregisteredAt',
  'deleteRequestedAt'
] as const satisfies readonly Exclude<keyof TaskDefinition, keyof RegisterTaskDefinitionRequest>[]
type UnlistedReadOnly = Exclude<
  Exclude<keyof TaskDefinition, keyof RegisterTaskDefinitionRequest>,
  (typeof TASK_DEFINITION_READ_ONLY)[number]
>
export const everyReadOnlyFieldListed: [UnlistedReadOnly] extends [never] ? true : UnlistedReadOnly = true

/**
 * DescribeTaskDefinition output (`{"taskDefinition": {...}, "tags": [...]}` or the inner object) turned
 * into RegisterTaskDefinition input: fields AWS sets are dropped, the tags kept.
 */
export function registerInput(value: Record<string, unknown>): Record<string, unknown> {
  let inner = value
  if (isPlainObject(value.taskDefinition) && value.family === undefined) {
    const { taskDefinition, tags } = value
    inner = { ...taskDefinition }
    if (Array.isArray(tags) && tags.length > 0 && inner.tags === undefined) inner.tags = tags
  }
  const out = { ...inner }
  for (const key of TASK_DEFINITION_READ_ONLY) delete out[key]
  return out
}

/** A task definition with some containers' images replaced; nothing else changes. */
export function withImages<T extends { containerDefinitions?: ContainerDefinition[] }>(
  td: T,
  images: Record<string, string>
): T {
  return {
    ...td,
    containerDefinitions: (td.containerDefinitions ?? []).map(c => {
      const image = images[c.name ?? '']
      return image === undefined ? c : { ...c, image }
    })
  }
}
