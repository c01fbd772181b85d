import type {
  DescribeTasksCommandInput,
  ListTasksCommandInput,
  StopTaskCommandInput,
  Task
} from '@aws-sdk/client-ecs'
import { clusterOf, type EcsContext } from './context.js'
import { invalidParameter, serviceNotFound } from './errors.js'
import { nameOf } from './ids.js'
import { paginate } from './paging.js'
import type { ClusterRec, TaskRec } from './state.js'

const findTask = (cluster: ClusterRec, ref: string): TaskRec | undefined =>
  cluster.tasks.get(ref) ?? [...cluster.tasks.values()].find(t => t.id === nameOf(ref))

export function listTasks(ctx: EcsContext, input: ListTasksCommandInput) {
  const cluster = clusterOf(ctx, input.cluster)
  const desired = input.desiredStatus ?? 'RUNNING'
  const group = input.serviceName ? `service:${nameOf(input.serviceName)}` : undefined
  if (input.serviceName && !cluster.services.has(nameOf(input.serviceName))) throw serviceNotFound()
  const family = input.family
  const instance = input.containerInstance
  const out: string[] = []
  for (const rec of cluster.tasks.values()) {
    const t = rec.task
    if (t.desiredStatus !== desired) continue
    if (group && t.group !== group) continue
    if (input.startedBy && t.startedBy !== input.startedBy) continue
    if (input.launchType && t.launchType !== input.launchType) continue
    if (family && rec.taskDef.family !== family) continue
    if (instance && t.containerInstanceArn !== instance && !t.containerInstanceArn?.endsWith(`/${instance}`))
      continue
    out.push(t.taskArn!)
  }
  const page = paginate(out, input.maxResults, input.nextToken, 100)
  return { taskArns: page.items, ...(page.nextToken ? { nextToken: page.nextToken } : {}) }
}

export function describeTasks(ctx: EcsContext, input: DescribeTasksCommandInput) {
  const cluster = clusterOf(ctx, input.cluster)
  const refs = input.tasks ?? []
  if (refs.length === 0) throw invalidParameter('Tasks cannot be empty.')
  if (refs.length > 100) throw invalidParameter('tasks can have at most 100 items.')
  const withTags = input.include?.includes('TAGS') ?? false
  const tasks: Task[] = []
  const failures: { arn: string; reason: string }[] = []
  for (const ref of refs) {
    const rec = findTask(cluster, ref)
    if (!rec) failures.push({ arn: ref, reason: 'MISSING' })
    else tasks.push(withTags ? { ...rec.task, tags: ctx.tags.get(rec.task.taskArn!) } : rec.task)
  }
  return { tasks, failures }
}

export function stopTask(ctx: EcsContext, input: StopTaskCommandInput) {
  const cluster = clusterOf(ctx, input.cluster)
  const rec = findTask(cluster, input.task ?? '')
  if (!rec) throw invalidParameter('The referenced task was not found.')
  ctx.runtime.stop(rec, { stopCode: 'UserInitiated', reason: input.reason ?? 'Task stopped by user' })
  return { task: rec.task }
}
