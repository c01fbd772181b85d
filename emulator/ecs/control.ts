import type { EcsContext } from './context.js'
import type { ImageBehaviour } from './images.js'
import type { HookAnswer } from './lifecycle-hooks.js'
import { nameOf } from './ids.js'
import type { TaskRec } from './state.js'

/** Body of `POST /_emulator/tasks/stop`. */
export interface StopTasksRequest {
  cluster?: string
  service?: string
  taskArn?: string
  count?: number
  mode: 'exit' | 'app-down'
  reason?: string
  exitCode?: number
}

function stopTasks(ctx: EcsContext, body: StopTasksRequest): { taskArns: string[] } {
  if (body?.mode !== 'exit' && body?.mode !== 'app-down')
    throw new Error('tasks/stop: "mode" must be "exit" or "app-down"')
  const clusters = body.cluster ? [ctx.clusters.get(nameOf(body.cluster))] : [...ctx.clusters.values()]
  const candidates: TaskRec[] = []
  for (const c of clusters) {
    for (const rec of c?.tasks.values() ?? []) {
      if (rec.task.lastStatus !== 'RUNNING' || rec.task.desiredStatus !== 'RUNNING') continue
      if (body.taskArn && rec.task.taskArn !== body.taskArn && rec.id !== nameOf(body.taskArn)) continue
      if (body.service && rec.task.group !== `service:${nameOf(body.service)}`) continue
      if (body.mode === 'app-down' && rec.server?.mode.down) continue
      candidates.push(rec)
    }
  }
  const chosen = candidates.slice(0, body.taskArn ? 1 : (body.count ?? 1))
  for (const rec of chosen) {
    if (body.mode === 'app-down') rec.server?.goDown()
    else {
      ctx.runtime.stop(rec, {
        stopCode: 'EssentialContainerExited',
        reason: 'Essential container in task exited',
        exit: { exitCode: body.exitCode ?? 137, reason: body.reason }
      })
    }
  }
  return { taskArns: chosen.map(r => r.task.taskArn!) }
}

/** Applies what can change in a running app (its answers) to the tasks already running the image. */
function applyLive(ctx: EcsContext): void {
  for (const c of ctx.clusters.values()) {
    for (const rec of c.tasks.values()) {
      if (!rec.server || rec.task.desiredStatus !== 'RUNNING') continue
      const image = rec.taskDef.containerDefinitions!.find(x => x.essential !== false)?.image ?? ''
      const b = ctx.images.for(image)
      rec.server.mode.healthStatus = b.healthStatus
      rec.server.mode.hang = b.hang === true
    }
  }
}

function compactServices(ctx: EcsContext) {
  return [...ctx.clusters.values()].flatMap(c =>
    [...c.services.values()].map(s => ({
      cluster: c.cluster.clusterName,
      name: s.service.serviceName,
      status: s.service.status,
      desiredCount: s.service.desiredCount,
      deployments: s.deployments.map(d => ({
        id: d.deployment.id,
        status: d.deployment.status,
        rolloutState: d.deployment.rolloutState,
        taskDefinition: d.deployment.taskDefinition,
        running: d.deployment.runningCount,
        pending: d.deployment.pendingCount,
        failed: d.deployment.failedTasks
      }))
    }))
  )
}

/** Control routes under /_emulator/ that belong to ECS; undefined for any other route. */
export function control(ctx: EcsContext, method: string, route: string, body: unknown): unknown {
  if (route === 'images' && method === 'POST') {
    const rules = (Array.isArray(body) ? body : [body]) as ImageBehaviour[]
    for (const r of rules) ctx.images.add(r)
    applyLive(ctx)
    return { images: ctx.images.list() }
  }
  if (route === 'images' && method === 'DELETE') {
    ctx.images.clear()
    applyLive(ctx)
    return { ok: true }
  }
  if (route === 'images' && method === 'GET') return { images: ctx.images.list() }
  if (route === 'tasks/stop' && method === 'POST') return stopTasks(ctx, body as StopTasksRequest)
  if (route === 'services' && method === 'GET') return { services: compactServices(ctx) }
  if (route === 'hooks' && method === 'POST') {
    for (const r of (Array.isArray(body) ? body : [body]) as HookAnswer[]) ctx.hookAnswers.add(r)
    return ctx.hookAnswers.list()
  }
  if (route === 'hooks' && method === 'GET') return ctx.hookAnswers.list()
  if (route === 'hooks' && method === 'DELETE') {
    ctx.hookAnswers.clear()
    return { ok: true }
  }
  return undefined
}
