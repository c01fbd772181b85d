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
