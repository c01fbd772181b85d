import type { Clock } from '../core/clock.js'
import type { ElbFacade, VpcInfo } from '../core/types.js'
import { clusterNotFound } from './errors.js'
import { nameOf, type ArnScope } from './ids.js'
import type { ImageBehaviours } from './images.js'
import type { HookAnswers } from './lifecycle-hooks.js'
import type { Scheduler } from './scheduler.js'
import type { ClusterRec } from './state.js'
import type { TagStore } from './tags.js'
import type { TaskDefinitionStore } from './task-definitions.js'
import type { TaskRuntime } from './task-runtime.js'

/** Everything the operation handlers share. */
export interface EcsContext {
  scope: ArnScope
  clock: Clock
  vpcs: VpcInfo[]
  elb: ElbFacade
  clusters: Map<string, ClusterRec>
  taskDefinitions: TaskDefinitionStore
  tags: TagStore
  images: ImageBehaviours
  /** What Lambda lifecycle hooks answer (control API). */
  hookAnswers: HookAnswers
  runtime: TaskRuntime
  scheduler: Scheduler
}

/** The cluster a request names (default: "default", as ECS does), or ClusterNotFoundException. */
export function clusterOf(ctx: EcsContext, ref: string | undefined): ClusterRec {
  const c = ctx.clusters.get(nameOf(ref ?? 'default'))
  if (!c || c.cluster.status !== 'ACTIVE') throw clusterNotFound()
  return c
}
