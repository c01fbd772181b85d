import type { Clock } from '../core/clock.js'
import type { ElbFacade, ServiceModule, VpcInfo } from '../core/types.js'
import type { EcsContext } from './context.js'
import {
  createCluster,
  describeClusters,
  describeContainerInstances,
  listContainerInstances
} from './clusters.js'
import { control } from './control.js'
import { unsupportedOperation } from './errors.js'
import { ImageBehaviours } from './images.js'
import * as protocol from './protocol.js'
import { Scheduler } from './scheduler.js'
import { HookAnswers } from './lifecycle-hooks.js'
import { TrafficShifter } from './traffic-shift.js'
import {
  createService,
  deleteService,
  describeService,
  describeServices,
  listServices,
  updateService
} from './services.js'
import { SEEDED_CLUSTER, seedCluster } from './state.js'
import { listTagsForResource, tagResource, untagResource } from './tagging.js'
import { TagStore } from './tags.js'
import { TaskDefinitionStore } from './task-definitions.js'
import { TaskRuntime } from './task-runtime.js'
import { describeTasks, listTasks, stopTask } from './tasks-api.js'
import {
  continueServiceDeployment,
  describeServiceDeployments,
  listServiceDeployments,
  stopServiceDeployment
} from './service-deployments.js'

export interface EcsModuleOptions {
  clock: Clock
  region: string
  accountId: string
  vpcs: VpcInfo[]
  elb: ElbFacade
}

type Handler = (ctx: EcsContext, params: never) => unknown

/** The SDK's input types describe the JSON the client sent; each handler narrows `params` to its own. */
const operations: Record<string, Handler> = {
  CreateCluster: createCluster,
  DescribeClusters: describeClusters,
  ListContainerInstances: listContainerInstances,
  DescribeContainerInstances: describeContainerInstances,
  RegisterTaskDefinition: (ctx, p) => ctx.taskDefinitions.register(p),
  DescribeTaskDefinition: (ctx, p) => ctx.taskDefinitions.describe(p),
  DeregisterTaskDefinition: (ctx, p) => ctx.taskDefinitions.deregister(p),
  ListTaskDefinitions: (ctx, p) => ctx.taskDefinitions.list(p),
  ListTaskDefinitionFamilies: (ctx, p) => ctx.taskDefinitions.listFamilies(p),
  CreateService: createService,
  UpdateService: updateService,
  DeleteService: deleteService,
  DescribeServices: describeServices,
  ListServices: listServices,
  ListTasks: listTasks,
  DescribeTasks: describeTasks,
  StopTask: stopTask,
  TagResource: tagResource,
  UntagResource: untagResource,
  ListTagsForResource: listTagsForResource,
  ListServiceDeployments: listServiceDeployments,
  DescribeServiceDeployments: describeServiceDeployments,
  ContinueServiceDeployment: continueServiceDeployment,
  StopServiceDeployment: stopServiceDeployment
}

export function createEcsModule(opts: EcsModuleOptions): { module: ServiceModule } {
  const scope = { region: opts.region, accountId: opts.accountId }
  const { clock } = opts
  const tags = new TagStore()
  const images = new ImageBehaviours()
  const runtime = new TaskRuntime(scope, clock, opts.elb, opts.vpcs, images)
  const hookAnswers = new HookAnswers()
  const shifter = new TrafficShifter({ scope, clock, elb: opts.elb, runtime, answers: hookAnswers })
  const ctx: EcsContext = {
    scope,
    clock,
    vpcs: opts.vpcs,
    elb: opts.elb,
    clusters: new Map(),
    taskDefinitions: new TaskDefinitionStore(scope, tags, () => clock.nowDate()),
    tags,
    images,
    hookAnswers,
    runtime,
    scheduler: new Scheduler(clock, runtime, opts.vpcs, shifter)
  }
  const seed = () => {
    ctx.clusters.clear()
    ctx.clusters.set(SEEDED_CLUSTER, seedCluster(scope, opts.vpcs, clock.nowDate()))
  }
  seed()

  let timer: NodeJS.Timeout | undefined
  const startTicking = () => {
    // One emulated second, but never more often than every 10 real ms: the steps compare against the clock anyway.
    timer = clock.setInterval(() => ctx.scheduler.tick(ctx.clusters), Math.max(1000, clock.emulated(10)))
  }
  startTicking()
  const unsubscribe = opts.elb.onHealthChange(e => runtime.onHealthChange(e.tgArn, e.target, e.current.state))

  const shutdown = async () => {
    clock.clearInterval(timer)
    timer = undefined
    await runtime.closeAll(ctx.clusters.values())
  }

  const module: ServiceModule = {
    service: 'ecs',
    iamPrefix: 'ecs',
    claims: headers => protocol.claims(headers),
    decode: (headers, body) => protocol.decode(headers, body),
    isMutating: protocol.isMutating,
    handle: (operation, params) => {
      const handler = operations[operation]
      if (!handler) throw unsupportedOperation(operation)
      return handler(ctx, params as never)
    },
    encodeResult: (_op, result) => protocol.encodeResult(result),
    encodeError: (code, message, status) => protocol.encodeError(code, message, status),
    control: (method, route, body) => control(ctx, method, route, body),
    resourceTags: arn =>
      arn.startsWith('arn:aws:ecs:')
        ? Object.fromEntries(tags.get(arn).map(t => [t.key ?? '', t.value ?? '']))
        : undefined,
    dump: () =>
      JSON.parse(
        JSON.stringify({
          clusters: [...ctx.clusters.values()].map(c => ({
            cluster: c.cluster,
            containerInstances: c.instances.map(i => i.instance),
            services: [...c.services.values()].map(s => describeService(ctx, s, true)),
            tasks: [...c.tasks.values()].map(t => t.task)
          })),
          taskDefinitions: ctx.taskDefinitions.all(),
          images: images.list()
        })
      ),
    reset: async () => {
      await shutdown()
      tags.clear()
      images.clear()
      hookAnswers.clear()
      ctx.taskDefinitions.clear()
      seed()
      startTicking()
    },
    stop: async () => {
      await shutdown()
      unsubscribe()
    }
  }
  return { module }
}
