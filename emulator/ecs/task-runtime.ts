import type { Container, LaunchType, Task, TaskStopCode } from '@aws-sdk/client-ecs'
import type { Clock } from '../core/clock.js'
import type { ElbFacade, TargetHealthState, TargetHealthView, TargetRef, VpcInfo } from '../core/types.js'
import { findSubnet } from '../core/network.js'
import { arns, hex, type ArnScope } from './ids.js'
import type { ImageBehaviours } from './images.js'
import { TaskServer } from './task-server.js'
import type { ClusterRec, DeploymentRec, InstanceRec, ServiceRec, TaskRec } from './state.js'

/** Emulated seconds each lifecycle step takes. */
const STEP = { provisioning: 2, pull: 3, stopping: 2, deprovisioning: 1 }
const KEEP_STOPPED_MS = 3600_000
const MAX_STOPPED = 2000

export interface StopOptions {
  stopCode: TaskStopCode
  reason: string
  /** The essential container exited by itself (the app is already gone). */
  exit?: { exitCode?: number; reason?: string }
  /** Counts against the deployment's circuit breaker. */
  failed?: 'start' | 'health'
  /** Listed in the service's "has stopped N running tasks" event. */
  announce?: boolean
}

export interface StartOptions {
  cluster: ClusterRec
  service: ServiceRec
  deployment: DeploymentRec
  instance?: InstanceRec
  subnetId?: string
  fixedPorts: number[]
}

const targetKey = (tgArn: string, t: TargetRef) => `${tgArn}|${t.id}|${t.port}`

/** A task's target that failed its health checks: what the scheduler replaces the task for. */
export interface FailingTarget {
  tgArn: string
  ref: TargetRef
  health?: TargetHealthView
}

/**
 * Runs tasks: each is a real HTTP server on loopback, walked through ECS's lifecycle on the emulated
 * clock, registered in its deployment's target groups once RUNNING and drained before it stops.
 */
export class TaskRuntime {
  /** Target → task, to route ELB health changes without scanning. */
  private readonly byTarget = new Map<string, TaskRec>()
  private readonly stoppedQueue: TaskRec[] = []
  private readonly ipCounters = new Map<string, number>()
  private generation = 0

  constructor(
    private readonly scope: ArnScope,
    private readonly clock: Clock,
    private readonly elb: ElbFacade,
    private readonly vpcs: VpcInfo[],
    private readonly images: ImageBehaviours
  ) {}

  launch(opts: StartOptions): TaskRec {
    const { cluster, service, deployment } = opts
    const now = this.clock.now()
    const id = hex(32)
    const taskArn = arns.task(this.scope, cluster.cluster.clusterName!, id)
    const td = deployment.taskDef
    const awsvpc = td.networkMode === 'awsvpc'
    const subnet = opts.subnetId ? findSubnet(this.vpcs, opts.subnetId)?.subnet : undefined
    const privateIp = awsvpc && subnet ? this.nextIp(subnet.subnetId, subnet.cidr) : undefined
    const availabilityZone = subnet?.availabilityZone ?? opts.instance?.availabilityZone
    const launchType: LaunchType = deployment.launchType
    const eniId = `eni-${hex(17)}`
    const attachmentId = `${hex(8)}-${hex(4)}-${hex(4)}-${hex(4)}-${hex(12)}`
    const containers: Container[] = td.containerDefinitions!.map(c => ({
      containerArn: arns.container(this.scope, cluster.cluster.clusterName!, id),
      taskArn,
      name: c.name,
      image: c.image,
      lastStatus: 'PENDING',
      networkBindings: [],
      networkInterfaces: privateIp ? [{ attachmentId, privateIpv4Address: privateIp }] : [],
      healthStatus: 'UNKNOWN',
      cpu: String(c.cpu ?? 0),
      ...(c.memory !== undefined ? { memory: String(c.memory) } : {}),
      ...(c.memoryReservation !== undefined ? { memoryReservation: String(c.memoryReservation) } : {})
    }))
    const task: Task = {
      attachments: awsvpc
        ? [
            {
              id: attachmentId,
              type: 'ElasticNetworkInterface',
              status: 'PRECREATED',
              details: [
                { name: 'subnetId', value: subnet?.subnetId },
                { name: 'networkInterfaceId', value: eniId },
                { name: 'macAddress', value: `0a:${hex(2)}:${hex(2)}:${hex(2)}:${hex(2)}:${hex(2)}` },
                {
                  name: 'privateDnsName',
                  value: `ip-${(privateIp ?? '').replaceAll('.', '-')}.${this.scope.region}.compute.internal`
                },
                { name: 'privateIPv4Address', value: privateIp }
              ]
            }
          ]
        : [],
      attributes: [{ name: 'ecs.cpu-architecture', value: 'x86_64' }],
      availabilityZone,
      clusterArn: cluster.cluster.clusterArn,
      connectivity: 'CONNECTED',
      connectivityAt: new Date(now),
      ...(opts.instance ? { containerInstanceArn: opts.instance.instance.containerInstanceArn } : {}),
      containers,
      ...(td.cpu ? { cpu: td.cpu } : {}),
      ...(td.memory ? { memory: td.memory } : {}),
      createdAt: new Date(now),
      desiredStatus: 'RUNNING',
      enableExecuteCommand: false,
      group: `service:${service.service.serviceName}`,
      healthStatus: 'UNKNOWN',
      lastStatus: 'PROVISIONING',
      launchType,
      ...(launchType === 'FARGATE' ? { platformVersion: '1.4.0', platformFamily: 'Linux' } : {}),
      overrides: {
        containerOverrides: containers.map(c => ({ name: c.name })),
        inferenceAcceleratorOverrides: []
      },
      startedBy: deployment.deployment.id,
      tags: [],
      taskArn,
      taskDefinitionArn: td.taskDefinitionArn,
      version: 1
    }
    const image = td.containerDefinitions!.find(c => c.essential !== false)?.image ?? ''
    const rec: TaskRec = {
      task,
      id,
      clusterName: cluster.cluster.clusterName!,
      service,
      deployment,
      taskDef: td,
      instance: opts.instance,
      privateIp,
      subnetId: subnet?.subnetId,
      targets: [],
      health: new Map(),
      behaviour: this.images.for(image),
      nextAt: now + STEP.provisioning * 1000,
      starting: false,
      fixedPorts: opts.fixedPorts
    }
    for (const p of opts.fixedPorts) opts.instance?.usedPorts.add(p)
    cluster.tasks.set(taskArn, rec)
    deployment.tasks.add(rec)
    return rec
  }

  /** One lifecycle step when its time has come. */
  advance(rec: TaskRec, now: number): void {
    const t = rec.task
    if (
      t.lastStatus === 'RUNNING' &&
      rec.exitAtMs !== undefined &&
      now >= rec.exitAtMs &&
      t.desiredStatus === 'RUNNING'
    ) {
      const oom = rec.behaviour.oom === true
      this.stop(rec, {
        stopCode: 'EssentialContainerExited',
        reason: 'Essential container in task exited',
        exit: {
          exitCode: oom ? 137 : (rec.behaviour.exitCode ?? 1),
          reason: oom ? 'OutOfMemoryError: Container killed due to memory usage' : undefined
        },
        failed: this.isHealthy(rec) && rec.targets.length > 0 ? undefined : 'start'
      })
      return
    }
    if (rec.listeningPort !== undefined && t.lastStatus === 'PENDING' && t.desiredStatus === 'RUNNING') {
      this.onRunning(rec, rec.hostname!, rec.listeningPort)
      return
    }
    if (rec.starting || now < rec.nextAt) return
    switch (t.lastStatus) {
      case 'PROVISIONING':
        t.lastStatus = 'PENDING'
        t.pullStartedAt = new Date(now)
        if (t.attachments?.[0]) t.attachments[0].status = 'ATTACHED'
        rec.nextAt = now + STEP.pull * 1000
        break
      case 'PENDING':
        if (rec.behaviour.pullFails) {
          const image = rec.taskDef.containerDefinitions!.find(c => c.essential !== false)?.image ?? ''
          const reason = `CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref ${image}: not found`
          for (const c of t.containers ?? []) c.reason = reason
          this.stop(rec, { stopCode: 'TaskFailedToStart', reason, failed: 'start' })
          return
        }
        t.pullStoppedAt = new Date(now)
        this.startApp(rec)
        break
      case 'DEACTIVATING':
        this.enterStopping(rec, now)
        break
      case 'STOPPING':
        if (rec.taskDef.networkMode === 'awsvpc') {
          t.lastStatus = 'DEPROVISIONING'
          if (t.attachments?.[0]) t.attachments[0].status = 'DELETED'
          rec.nextAt = now + STEP.deprovisioning * 1000
        } else this.finish(rec, now)
        break
      case 'DEPROVISIONING':
        this.finish(rec, now)
        break
    }
  }

  private startApp(rec: TaskRec): void {
    rec.starting = true
    const gen = this.generation
    const hostname = hex(12)
    const delayMs = (rec.behaviour.startDelaySeconds ?? 0) * 1000
    const server = new TaskServer(hostname, {
      readyAtRealMs: Date.now() + this.clock.real(delayMs),
      healthStatus: rec.behaviour.healthStatus,
      hang: rec.behaviour.hang === true
    })
    rec.server = server
    server.start().then(
      port => {
        rec.starting = false
        if (gen !== this.generation || rec.task.desiredStatus !== 'RUNNING') {
          void server.close()
          return
        }
        rec.hostname = hostname
        rec.listeningPort = port
      },
      () => {
        rec.starting = false
        this.stop(rec, {
          stopCode: 'TaskFailedToStart',
          reason: 'ResourceInitializationError: no port',
          failed: 'start'
        })
      }
    )
  }

  private onRunning(rec: TaskRec, hostname: string, realPort: number): void {
    const now = this.clock.now()
    const t = rec.task
    t.lastStatus = 'RUNNING'
    t.startedAt = new Date(now)
    rec.runningAtMs = now
    const bridge = rec.taskDef.networkMode !== 'awsvpc'
    for (const [i, c] of (t.containers ?? []).entries()) {
      const def = rec.taskDef.containerDefinitions![i]
      c.lastStatus = 'RUNNING'
      c.runtimeId = hostname + hex(52)
      if (bridge) {
        c.networkBindings = (def.portMappings ?? []).map(p => ({
          bindIP: '0.0.0.0',
          containerPort: p.containerPort,
          hostPort: p.hostPort || realPort,
          protocol: p.protocol ?? 'tcp'
        }))
      }
    }
    if (rec.behaviour.exitAfterSeconds !== undefined || rec.behaviour.oom) {
      rec.exitAtMs = now + (rec.behaviour.exitAfterSeconds ?? 5) * 1000
    }
    const dep = rec.deployment!
    for (const lb of dep.loadBalancers) {
      if (!lb.targetGroupArn) continue
      const ref = this.targetOf(rec, lb.containerName ?? '', lb.containerPort ?? 0, realPort)
      try {
        this.elb.registerTarget(lb.targetGroupArn, ref, { host: '127.0.0.1', port: realPort })
      } catch {
        continue // the target group went away; ECS would log it and carry on
      }
      rec.targets.push({ tgArn: lb.targetGroupArn, ref })
      rec.health.set(lb.targetGroupArn, this.elb.targetHealth(lb.targetGroupArn, ref)?.state ?? 'initial')
      this.byTarget.set(targetKey(lb.targetGroupArn, ref), rec)
      const reg = rec.service!.pending.registered
      reg.set(lb.targetGroupArn, (reg.get(lb.targetGroupArn) ?? 0) + 1)
    }
  }

  private targetOf(rec: TaskRec, containerName: string, containerPort: number, realPort: number): TargetRef {
    if (rec.taskDef.networkMode === 'awsvpc') {
      return { id: rec.privateIp!, port: containerPort, availabilityZone: rec.task.availabilityZone }
    }
    const container = rec.task.containers?.find(c => c.name === containerName)
    const binding = container?.networkBindings?.find(b => b.containerPort === containerPort)
    return {
      id: rec.instance?.ec2InstanceId ?? '',
      port: binding?.hostPort ?? realPort,
      availabilityZone: rec.instance?.availabilityZone
    }
  }

  /** Healthy for the scheduler: RUNNING, and healthy in every target group it is registered in. */
  isHealthy(rec: TaskRec): boolean {
    if (rec.task.lastStatus !== 'RUNNING' || rec.task.desiredStatus !== 'RUNNING') return false
    const expected = rec.deployment?.loadBalancers.length ?? 0
    if (rec.targets.length < expected) return false
    for (const state of rec.health.values()) if (state !== 'healthy') return false
    return true
  }

  /**
   * The target of a running task that has been failing, once its grace period is over, with ELBv2's
   * view of it (reason and description), which ECS quotes in its "is unhealthy" event.
   */
  failingTarget(rec: TaskRec, now: number, graceSeconds: number): FailingTarget | undefined {
    if (rec.task.lastStatus !== 'RUNNING' || rec.task.desiredStatus !== 'RUNNING') return undefined
    if (now < (rec.runningAtMs ?? now) + graceSeconds * 1000) return undefined
    for (const [tgArn, state] of rec.health) {
      if (state !== 'unhealthy') continue
      const ref = rec.targets.find(t => t.tgArn === tgArn)?.ref
      if (!ref) continue
      return { tgArn, ref, health: this.elb.targetHealth(tgArn, ref) }
    }
    return undefined
  }

  onHealthChange(tgArn: string, target: TargetRef, state: TargetHealthState): void {
    const rec = this.byTarget.get(targetKey(tgArn, target))
    if (rec && rec.health.has(tgArn)) rec.health.set(tgArn, state)
  }

  stop(rec: TaskRec, opts: StopOptions): void {
    const t = rec.task
    if (t.desiredStatus === 'STOPPED') return
    const now = this.clock.now()
    t.desiredStatus = 'STOPPED'
    t.stopCode = opts.stopCode
    t.stoppedReason = opts.reason
    t.stoppingAt = new Date(now)
    if (opts.failed && rec.deployment) {
      rec.failed = opts.failed
      rec.deployment.failureKind = opts.failed
      rec.deployment.deployment.failedTasks = (rec.deployment.deployment.failedTasks ?? 0) + 1
      rec.deployment.breakerFailures++
    }
    if (opts.announce && rec.service) rec.service.pending.stopped.push(rec.id)
    if (opts.exit) {
      t.executionStoppedAt = new Date(now)
      for (const c of t.containers ?? []) {
        c.lastStatus = 'STOPPED'
        c.exitCode = opts.exit.exitCode
        if (opts.exit.reason) c.reason = opts.exit.reason
      }
      void rec.server?.close()
    }
    if (t.lastStatus === 'PROVISIONING' || t.lastStatus === 'PENDING') {
      this.enterStopping(rec, now)
      return
    }
    let drainSeconds = 0
    for (const { tgArn, ref } of rec.targets) {
      drainSeconds = Math.max(drainSeconds, this.elb.getTargetGroup(tgArn)?.deregistrationDelaySeconds ?? 0)
      try {
        this.elb.deregisterTarget(tgArn, ref)
      } catch {
        // already gone with its target group
      }
      rec.health.delete(tgArn)
      const dereg = rec.service?.pending.deregistered
      dereg?.set(tgArn, (dereg.get(tgArn) ?? 0) + 1)
    }
    if (rec.targets.length && t.lastStatus === 'RUNNING') {
      t.lastStatus = 'DEACTIVATING'
      rec.nextAt = now + drainSeconds * 1000
    } else this.enterStopping(rec, now)
  }

  private enterStopping(rec: TaskRec, now: number): void {
    const t = rec.task
    t.lastStatus = 'STOPPING'
    t.executionStoppedAt ??= new Date(now)
    for (const c of t.containers ?? []) {
      if (c.lastStatus === 'RUNNING') c.exitCode = 0
      c.lastStatus = 'STOPPED'
    }
    void rec.server?.close()
    rec.nextAt = now + STEP.stopping * 1000
  }

  private finish(rec: TaskRec, now: number): void {
    rec.task.lastStatus = 'STOPPED'
    rec.task.stoppedAt = new Date(now)
    for (const { tgArn, ref } of rec.targets) {
      // The OS may already have given this task's host port to a newer task registered as the same target.
      const key = targetKey(tgArn, ref)
      if (this.byTarget.get(key) === rec) this.byTarget.delete(key)
    }
    for (const p of rec.fixedPorts) rec.instance?.usedPorts.delete(p)
    rec.deployment?.tasks.delete(rec)
    rec.server = undefined
    this.stoppedQueue.push(rec)
  }

  /** Forgets stopped tasks after an hour (AWS keeps them about that long), and beyond a cap. */
  prune(clusters: Map<string, ClusterRec>, now: number): void {
    while (
      this.stoppedQueue.length &&
      (this.stoppedQueue.length > MAX_STOPPED ||
        now - this.stoppedQueue[0].task.stoppedAt!.getTime() > KEEP_STOPPED_MS)
    ) {
      const rec = this.stoppedQueue.shift()!
      clusters.get(rec.clusterName)?.tasks.delete(rec.task.taskArn!)
    }
  }

  /** Closes every task server; callbacks of servers still starting are ignored from here on. */
  async closeAll(clusters: Iterable<ClusterRec>): Promise<void> {
    this.generation++
    const closing: Promise<void>[] = []
    for (const c of clusters)
      for (const rec of c.tasks.values()) if (rec.server) closing.push(rec.server.close())
    await Promise.all(closing)
    this.byTarget.clear()
    this.stoppedQueue.length = 0
    this.ipCounters.clear()
  }

  private nextIp(subnetId: string, cidr: string): string {
    const [addr, bits] = cidr.split('/')
    const base = addr.split('.').reduce((a, o) => a * 256 + Number(o), 0)
    const size = 2 ** (32 - Number(bits))
    const n = this.ipCounters.get(subnetId) ?? 10
    this.ipCounters.set(subnetId, n + 1 >= size - 1 ? 10 : n + 1)
    const ip = base + (n % (size - 2))
    return [24, 16, 8, 0].map(s => (ip >>> s) & 255).join('.')
  }
}
