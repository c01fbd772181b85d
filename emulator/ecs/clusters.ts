import type {
  Cluster,
  CreateClusterCommandInput,
  DescribeClustersCommandInput,
  DescribeContainerInstancesCommandInput,
  ListContainerInstancesCommandInput
} from '@aws-sdk/client-ecs'
import { clusterOf, type EcsContext } from './context.js'
import { invalidParameter } from './errors.js'
import { arns, nameOf } from './ids.js'
import { paginate } from './paging.js'
import { newCluster, type ClusterRec } from './state.js'

const NAME_RE = /^[A-Za-z0-9_-]{1,255}$/

function describeCluster(ctx: EcsContext, c: ClusterRec, withTags: boolean): Cluster {
  let running = 0
  let pending = 0
  for (const t of c.tasks.values()) {
    if (t.task.lastStatus === 'RUNNING') running++
    else if (t.task.lastStatus === 'PENDING' || t.task.lastStatus === 'PROVISIONING') pending++
  }
  const active = [...c.services.values()].filter(s => s.service.status === 'ACTIVE').length
  return {
    ...c.cluster,
    registeredContainerInstancesCount: c.instances.length,
    runningTasksCount: running,
    pendingTasksCount: pending,
    activeServicesCount: active,
    tags: withTags ? ctx.tags.get(c.cluster.clusterArn!) : []
  }
}

export function createCluster(ctx: EcsContext, input: CreateClusterCommandInput) {
  const name = input.clusterName ?? 'default'
  if (!NAME_RE.test(name)) {
    throw invalidParameter(
      'Cluster name can have up to 255 characters: letters (uppercase and lowercase), numbers, underscores, and hyphens.'
    )
  }
  let c = ctx.clusters.get(name)
  if (!c || c.cluster.status !== 'ACTIVE') {
    c = newCluster(ctx.scope, name, ctx.clock.nowDate(), {
      capacityProviders: input.capacityProviders ?? [],
      defaultCapacityProviderStrategy: input.defaultCapacityProviderStrategy ?? [],
      ...(input.settings ? { settings: input.settings } : {})
    })
    ctx.clusters.set(name, c)
    if (input.tags?.length) ctx.tags.set(c.cluster.clusterArn!, input.tags)
  }
  return { cluster: describeCluster(ctx, c, true) }
}

export function describeClusters(ctx: EcsContext, input: DescribeClustersCommandInput) {
  const refs = input.clusters?.length ? input.clusters : ['default']
  const withTags = input.include?.includes('TAGS') ?? false
  const clusters: Cluster[] = []
  const failures: { arn: string; reason: string }[] = []
  for (const ref of refs) {
    const c = ctx.clusters.get(nameOf(ref))
    if (c) clusters.push(describeCluster(ctx, c, withTags))
    else
      failures.push({ arn: ref.startsWith('arn:') ? ref : arns.cluster(ctx.scope, ref), reason: 'MISSING' })
  }
  return { clusters, failures }
}

export function listContainerInstances(ctx: EcsContext, input: ListContainerInstancesCommandInput) {
  const c = clusterOf(ctx, input.cluster)
  const list = c.instances
    .filter(i => !input.status || i.instance.status === input.status)
    .map(i => i.instance.containerInstanceArn!)
  const page = paginate(list, input.maxResults, input.nextToken, 100)
  return { containerInstanceArns: page.items, ...(page.nextToken ? { nextToken: page.nextToken } : {}) }
}

export function describeContainerInstances(ctx: EcsContext, input: DescribeContainerInstancesCommandInput) {
  const c = clusterOf(ctx, input.cluster)
  const refs = input.containerInstances ?? []
  if (refs.length === 0) throw invalidParameter('ContainerInstances cannot be empty.')
  if (refs.length > 100) throw invalidParameter('containerInstances can have at most 100 items.')
  const containerInstances = []
  const failures: { arn: string; reason: string }[] = []
  for (const ref of refs) {
    const rec = c.instances.find(
      i => i.instance.containerInstanceArn === ref || i.instance.containerInstanceArn!.endsWith(`/${ref}`)
    )
    if (!rec) {
      failures.push({ arn: ref, reason: 'MISSING' })
      continue
    }
    let running = 0
    let pending = 0
    for (const t of c.tasks.values()) {
      if (t.instance !== rec) continue
      if (t.task.lastStatus === 'RUNNING') running++
      else if (t.task.lastStatus === 'PENDING' || t.task.lastStatus === 'PROVISIONING') pending++
    }
    containerInstances.push({ ...rec.instance, runningTasksCount: running, pendingTasksCount: pending })
  }
  return { containerInstances, failures }
}
