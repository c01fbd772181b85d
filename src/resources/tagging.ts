import { TagResourceCommand, UntagResourceCommand } from '@aws-sdk/client-ecs'
import { AddTagsCommand, RemoveTagsCommand } from '@aws-sdk/client-elastic-load-balancing-v2'
import { withExplanation } from '../aws/errors.js'
import type { TagMap } from '../model/actual.js'
import { PREVIEW_TAG } from '../model/names.js'
import type { Call, FieldChange, Operation } from '../model/plan.js'
import type { CallContext, CallResult } from './context.js'
import { OWNER_TAG } from './ownership.js'

/**
 * Tags the inputs give, brought onto a resource that exists already. Only added or changed, never removed:
 * the action keeps no record of which keys it set earlier, and a key the inputs no longer list may be
 * someone else's (a cost-allocation tag added in the console). The ownership and preview tags are never
 * touched here: they are written at creation, and adding them to an adopted resource would make a teardown
 * delete it.
 */
const RESERVED = [OWNER_TAG, PREVIEW_TAG]

export interface TagDiff {
  /** Keys the resource lacks, with the wanted values. */
  added: TagMap
  /** Keys with another value, with the wanted values. */
  changed: TagMap
  /** The values `changed` replaces. */
  previous: TagMap
}

export function tagDiff(wanted: TagMap, have: TagMap | undefined): TagDiff {
  const diff: TagDiff = { added: {}, changed: {}, previous: {} }
  for (const [key, value] of Object.entries(wanted)) {
    if (RESERVED.includes(key)) continue
    const now = have?.[key]
    if (now === undefined) diff.added[key] = value
    else if (now !== value) {
      diff.changed[key] = value
      diff.previous[key] = now
    }
  }
  return diff
}

/** ELBv2's Key/Value list as a map. */
export function tagMapOf(tags: { Key?: string; Value?: string }[] | undefined): TagMap {
  const map: TagMap = {}
  for (const t of tags ?? []) if (t.Key) map[t.Key] = t.Value ?? ''
  return map
}

export function tagFieldChanges(diff: TagDiff): FieldChange[] {
  return [
    ...Object.entries(diff.changed).map(([k, to]) => ({ field: `tags.${k}`, from: diff.previous[k], to })),
    ...Object.entries(diff.added).map(([k, to]) => ({ field: `tags.${k}`, to }))
  ]
}

const keysLine = (map: TagMap) => Object.keys(map).join(', ')
const elbList = (map: TagMap) => Object.entries(map).map(([Key, Value]) => ({ Key, Value }))
const ecsList = (map: TagMap) => Object.entries(map).map(([key, value]) => ({ key, value }))

/** AddTags for an ELBv2 resource: changed keys go back to their values, added keys are removed again. */
export function elbTagOperations(opts: { arn: string; what: string; diff: TagDiff }): Operation[] {
  const { arn, what, diff } = opts
  const operations: Operation[] = []
  if (Object.keys(diff.changed).length > 0) {
    operations.push({
      do: { call: 'AddTags', input: { ResourceArns: [arn], Tags: elbList(diff.changed) } },
      inverse: { call: 'AddTags', input: { ResourceArns: [arn], Tags: elbList(diff.previous) } },
      says: `changed tags of ${what}: ${keysLine(diff.changed)}`
    })
  }
  if (Object.keys(diff.added).length > 0) {
    operations.push({
      do: { call: 'AddTags', input: { ResourceArns: [arn], Tags: elbList(diff.added) } },
      inverse: { call: 'RemoveTags', input: { ResourceArns: [arn], TagKeys: Object.keys(diff.added) } },
      says: `added tags to ${what}: ${keysLine(diff.added)}`
    })
  }
  return operations
}

/** TagResource for an ECS resource, undone the same way. */
export function ecsTagOperations(opts: { arn: string; what: string; diff: TagDiff }): Operation[] {
  const { arn, what, diff } = opts
  const operations: Operation[] = []
  if (Object.keys(diff.changed).length > 0) {
    operations.push({
      do: { call: 'TagResource', input: { resourceArn: arn, tags: ecsList(diff.changed) } },
      inverse: { call: 'TagResource', input: { resourceArn: arn, tags: ecsList(diff.previous) } },
      says: `changed tags of ${what}: ${keysLine(diff.changed)}`
    })
  }
  if (Object.keys(diff.added).length > 0) {
    operations.push({
      do: { call: 'TagResource', input: { resourceArn: arn, tags: ecsList(diff.added) } },
      inverse: { call: 'UntagResource', input: { resourceArn: arn, tagKeys: Object.keys(diff.added) } },
      says: `added tags to ${what}: ${keysLine(diff.added)}`
    })
  }
  return operations
}

type TagCall = Extract<Call, { call: 'AddTags' | 'RemoveTags' | 'TagResource' | 'UntagResource' }>

export async function executeTagCall(ctx: CallContext, call: TagCall): Promise<CallResult> {
  const { ecs, elbv2 } = ctx.clients
  const label = `${call.call} ${ctx.name}`
  switch (call.call) {
    case 'AddTags':
      await withExplanation(label, () => elbv2.send(new AddTagsCommand(call.input)))
      return {}
    case 'RemoveTags':
      await withExplanation(label, () => elbv2.send(new RemoveTagsCommand(call.input)))
      return {}
    case 'TagResource':
      await withExplanation(label, () => ecs.send(new TagResourceCommand(call.input)))
      return {}
    case 'UntagResource':
      await withExplanation(label, () => ecs.send(new UntagResourceCommand(call.input)))
      return {}
  }
}
