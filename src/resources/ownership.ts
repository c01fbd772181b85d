import type { Tag as EcsTag } from '@aws-sdk/client-ecs'
import {
  DescribeTagsCommand,
  type ElasticLoadBalancingV2Client,
  type Tag as ElbTag
} from '@aws-sdk/client-elastic-load-balancing-v2'
import type { TagMap } from '../model/actual.js'
import { clusterName, PREVIEW_TAG } from '../model/names.js'
import type { DeployRequest } from '../model/request.js'

export type { TagMap } from '../model/actual.js'

/** The tag that marks what this action created, per stack (`<cluster>/<service>`). */
export const OWNER_TAG = 'ecs-alb-deploy:stack'

export function stackId(request: DeployRequest): string {
  return `${clusterName(request.cluster)}/${request.service.serviceName}`
}

/** request.tags plus the ownership tag (which wins over a user tag of the same key). */
export function elbTags(request: DeployRequest, own: ElbTag[] = []): ElbTag[] {
  const merged = new Map<string, string>()
  for (const t of [...own, ...request.tags]) if (t.Key) merged.set(t.Key, t.Value ?? '')
  merged.set(OWNER_TAG, stackId(request))
  return [...merged].map(([Key, Value]) => ({ Key, Value }))
}

export function ecsTags(request: DeployRequest, own: EcsTag[] = []): EcsTag[] {
  const merged = new Map<string, string>()
  for (const t of own) if (t.key) merged.set(t.key, t.value ?? '')
  for (const t of request.tags) merged.set(t.Key, t.Value)
  merged.set(OWNER_TAG, stackId(request))
  return [...merged].map(([key, value]) => ({ key, value }))
}

/**
 * Whether a resource is this stack's: it carries the ownership tag, and the preview tag exactly when the
 * request is a preview (with the preview's id). The ownership tag of preview `pr-1` of `web` reads
 * `<cluster>/web-pr-1`, as that of a real service named `web-pr-1` does: the preview tag tells them apart,
 * so neither stack updates or deletes the other's resources.
 */
export function isOwned(tags: TagMap | undefined, request: DeployRequest): boolean {
  return tags?.[OWNER_TAG] === stackId(request) && tags[PREVIEW_TAG] === request.preview?.id
}

/**
 * Whose a resource is, by its tags: this stack's (`ours`), nobody's (`untagged`: made by hand or by another
 * tool), or another stack's or preview's (`other`, named as `<cluster>/<service>` plus the preview id).
 * adopt-existing exists for resources made before the action was used; a resource another stack of this
 * action tagged is that stack's, and modifying it would break it (and its teardown would then delete what
 * this stack relies on), so only `untagged` is adoptable.
 */
export type Ownership = 'ours' | 'untagged' | { other: string }

export function ownership(tags: TagMap | undefined, request: DeployRequest): Ownership {
  if (isOwned(tags, request)) return 'ours'
  const owner = tags?.[OWNER_TAG]
  const preview = tags?.[PREVIEW_TAG]
  if (owner === undefined && preview === undefined) return 'untagged'
  const stack = owner === undefined ? 'an unknown stack' : `stack ${owner}`
  return { other: preview === undefined ? stack : `preview ${preview} of ${stack}` }
}

/** Whether the plan may modify a resource: ours, or untagged when the request says adopt-existing. */
export function mayModify(owner: Ownership, request: DeployRequest): boolean {
  return owner === 'ours' || (owner === 'untagged' && request.adoptExisting)
}

/**
 * The refusal for a resource another stack owns (adopt-existing does not apply), or undefined. Plan
 * functions keep their own message for an untagged resource (which names adopt-existing).
 */
export function foreignRefusal(what: string, owner: Ownership, request: DeployRequest): string | undefined {
  if (typeof owner !== 'object') return undefined
  const ours = `${stackId(request)}${request.preview ? ` (preview ${request.preview.id})` : ''}`
  return (
    `${what} belongs to ${owner.other} (its ${OWNER_TAG} / ${PREVIEW_TAG} tags), not to this stack ${ours}: ` +
    "the action does not modify another stack's resources, even with adopt-existing (which adopts untagged resources only). " +
    'Use another name, or change it from the stack that owns it.'
  )
}

export function ecsTagMap(tags: EcsTag[] | undefined): TagMap {
  const out: TagMap = {}
  for (const t of tags ?? []) if (t.key) out[t.key] = t.value ?? ''
  return out
}

/** DescribeTags takes at most 20 resources per call. */
const TAGS_PER_CALL = 20

/** The tags of these ELB resources, by ARN, in as few DescribeTags calls as AWS allows. */
export async function describeElbTags(
  elbv2: ElasticLoadBalancingV2Client,
  arns: string[]
): Promise<Record<string, TagMap>> {
  const tags: Record<string, TagMap> = {}
  for (let i = 0; i < arns.length; i += TAGS_PER_CALL) {
    const out = await elbv2.send(new DescribeTagsCommand({ ResourceArns: arns.slice(i, i + TAGS_PER_CALL) }))
    for (const d of out.TagDescriptions ?? []) {
      if (!d.ResourceArn) continue
      const map: TagMap = {}
      for (const t of d.Tags ?? []) if (t.Key) map[t.Key] = t.Value ?? ''
      tags[d.ResourceArn] = map
    }
  }
  return tags
}
