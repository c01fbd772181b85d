import type {
  AddTagsCommandInput,
  DescribeTagsCommandInput,
  DescribeTagsCommandOutput,
  RemoveTagsCommandInput,
  Tag
} from '@aws-sdk/client-elastic-load-balancing-v2'
import { AwsError } from '../core/errors.js'
import type { Elbv2Context } from './context.js'
import { resourceKind } from './arns.js'
import { required, validation } from './validate.js'

const MAX_TAGS = 50

const notFound = (arn: string): AwsError => {
  switch (resourceKind(arn)) {
    case 'targetgroup':
      return new AwsError('TargetGroupNotFound', `Target group '${arn}' not found`)
    case 'listener':
      return new AwsError('ListenerNotFound', `Listener '${arn}' not found`)
    case 'listener-rule':
      return new AwsError('RuleNotFound', `Rule '${arn}' not found`)
    default:
      return new AwsError('LoadBalancerNotFound', `Load balancer '${arn}' not found`)
  }
}

const exists = (ctx: Elbv2Context, arn: string): boolean =>
  ctx.store.lbs.has(arn) ||
  ctx.store.tgs.has(arn) ||
  ctx.store.listeners.has(arn) ||
  ctx.store.rules.has(arn) ||
  [...ctx.store.listeners.values()].some(l => l.defaultRuleArn === arn)

/** Tags given to a Create* call, checked as AddTags checks them. */
export function checkTags(tags: Tag[] | undefined): Tag[] {
  const list = tags ?? []
  const keys = new Set<string>()
  for (const t of list) {
    const key = required(t.Key, 'Key')
    if (keys.has(key)) throw new AwsError('DuplicateTagKeys', `Tag key '${key}' is duplicated`)
    if (key.length > 128) throw validation(`Tag key '${key}' cannot be longer than '128' characters`)
    if (key.toLowerCase().startsWith('aws:')) throw validation(`Tag key '${key}' cannot start with 'aws:'`)
    keys.add(key)
  }
  if (list.length > MAX_TAGS)
    throw new AwsError('TooManyTags', `You can add at most '${MAX_TAGS}' tags to a resource`)
  return list.map(t => ({ Key: t.Key, Value: t.Value ?? '' }))
}

export function setTags(ctx: Elbv2Context, arn: string, tags: Tag[]): void {
  const current = new Map((ctx.store.tags.get(arn) ?? []).map(t => [t.Key, t]))
  for (const t of tags) current.set(t.Key, t)
  if (current.size > MAX_TAGS) {
    throw new AwsError('TooManyTags', `The resource '${arn}' would have more than '${MAX_TAGS}' tags`)
  }
  ctx.store.tags.set(arn, [...current.values()])
}

export function addTags(ctx: Elbv2Context, input: AddTagsCommandInput): object {
  const arns = required(input.ResourceArns, 'ResourceArns')
  const tags = checkTags(required(input.Tags, 'Tags'))
  for (const arn of arns) if (!exists(ctx, arn)) throw notFound(arn)
  for (const arn of arns) setTags(ctx, arn, tags)
  return {}
}

export function removeTags(ctx: Elbv2Context, input: RemoveTagsCommandInput): object {
  const arns = required(input.ResourceArns, 'ResourceArns')
  const keys = new Set(required(input.TagKeys, 'TagKeys'))
  for (const arn of arns) if (!exists(ctx, arn)) throw notFound(arn)
  for (const arn of arns)
    ctx.store.tags.set(
      arn,
      (ctx.store.tags.get(arn) ?? []).filter(t => !keys.has(t.Key ?? ''))
    )
  return {}
}

export function describeTags(
  ctx: Elbv2Context,
  input: DescribeTagsCommandInput
): Omit<DescribeTagsCommandOutput, '$metadata'> {
  const arns = required(input.ResourceArns, 'ResourceArns')
  if (arns.length > 20) {
    throw validation(
      `1 validation error detected: Value at 'resourceArns' failed to satisfy constraint: Member must have length less than or equal to 20`
    )
  }
  for (const arn of arns) if (!exists(ctx, arn)) throw notFound(arn)
  return { TagDescriptions: arns.map(arn => ({ ResourceArn: arn, Tags: ctx.store.tags.get(arn) ?? [] })) }
}
