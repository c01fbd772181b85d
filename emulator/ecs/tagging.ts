import type {
  ListTagsForResourceCommandInput,
  TagResourceCommandInput,
  UntagResourceCommandInput
} from '@aws-sdk/client-ecs'
import type { EcsContext } from './context.js'
import { invalidParameter, resourceNotFound } from './errors.js'

/** ECS answers unknown ARNs of a known kind with "not found", malformed ones with InvalidParameter. */
function assertExists(ctx: EcsContext, arn: string | undefined): string {
  const m = /^arn:aws[^:]*:ecs:[^:]+:\d+:([a-z-]+)\/(.+)$/.exec(arn ?? '')
  if (!m) throw invalidParameter('The ARN provided is invalid.')
  const [, kind, rest] = m
  const parts = rest.split('/')
  let found = false
  if (kind === 'cluster') found = ctx.clusters.has(rest)
  else if (kind === 'service') {
    const cluster = parts.length > 1 ? ctx.clusters.get(parts[0]) : undefined
    found = cluster?.services.get(parts[parts.length - 1])?.service.serviceArn === arn
  } else if (kind === 'task-definition') found = ctx.taskDefinitions.find(rest) !== undefined
  else if (kind === 'task') found = ctx.clusters.get(parts[0])?.tasks.has(arn!) ?? false
  else if (kind === 'container-instance') {
    found = ctx.clusters.get(parts[0])?.instances.some(i => i.instance.containerInstanceArn === arn) ?? false
  }
  if (!found) throw resourceNotFound('The specified resource could not be found.')
  return arn!
}

export function tagResource(ctx: EcsContext, input: TagResourceCommandInput) {
  const arn = assertExists(ctx, input.resourceArn)
  if (!input.tags?.length) throw invalidParameter('Tags cannot be empty.')
  ctx.tags.add(arn, input.tags)
  return {}
}

export function untagResource(ctx: EcsContext, input: UntagResourceCommandInput) {
  const arn = assertExists(ctx, input.resourceArn)
  ctx.tags.remove(arn, input.tagKeys ?? [])
  return {}
}

export function listTagsForResource(ctx: EcsContext, input: ListTagsForResourceCommandInput) {
  return { tags: ctx.tags.get(assertExists(ctx, input.resourceArn)) }
}
