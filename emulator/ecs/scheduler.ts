import type { Deployment, ThresholdConfiguration } from '@aws-sdk/client-ecs'
import type { Clock } from '../core/clock.js'
import { findSubnet } from '../core/network.js'
import type { VpcInfo } from '../core/types.js'
import { deploymentId } from './ids.js'
import { addEvent, flushEvents } from './events.js'
import type { TaskRuntime } from './task-runtime.js'
import { isShifting, stageIndex, type TrafficShifter } from './traffic-shift.js'
import type { ClusterRec, DeploymentRec, DeploymentSpec, InstanceRec, ServiceRec, TaskRec } from './state.js'

const KEEP_INACTIVE_MS = 3600_000
const PLACEMENT_EVENT_EVERY_MS = 60_000

const isLive = (t: TaskRec) => t.task.desiredStatus === 'RUNNING'
const isPending = (t: TaskRec) => ['PROVISIONING', 'PENDING', 'ACTIVATING'].includes(t.task.lastStatus ?? '')

/**
 * The circuit breaker's failure threshold: by default (BOUNDED_PERCENT 50) 0.5 × desired count, at least 3,
 * at most 200; UNBOUNDED_PERCENT drops the bounds; COUNT is the value itself.
 */
export function failureThreshold(desired: number, cfg?: ThresholdConfiguration): number {
  const value = cfg?.value ?? 50
  if (cfg?.type === 'COUNT') return Math.max(1, value)
  const share = Math.ceil((desired * value) / 100)
  return cfg?.type === 'UNBOUNDED_PERCENT' ? Math.max(1, share) : Math.min(200, Math.max(3, share))
}

/**
 * The service scheduler: once per emulated second it walks each service's own tasks (never the
 * whole cluster per task), rolls deployments within minimumHealthyPercent / maximumPercent,
 * replaces tasks that fail their ELB health checks and applies the circuit breaker.
 */
export class Scheduler {
  constructor(
    private readonly clock: Clock,
    private readonly runtime: TaskRuntime,
    private readonly vpcs: VpcInfo[],
    readonly shifter: TrafficShifter
  ) {}

  newDeployment(svc: ServiceRec, requested: DeploymentSpec, reason?: string): DeploymentRec {
    const now = this.clock.nowDate()
    // A deployment still shifting traffic when a newer one starts stops where it is.
    for (const d of svc.deployments) {
      if (d.shift && isShifting(d)) {
        d.shift.status = 'STOPPED'
        d.shift.stoppedAt = now
      }
    }
    const planned = this.shifter.plan(svc, requested)
    const spec = planned?.spec ?? requested
    const id = deploymentId()
    const deployment: Deployment = {
      id,
      status: 'PRIMARY',
      taskDefinition: spec.taskDef.taskDefinitionArn,
      desiredCount: svc.service.desiredCount ?? 0,
      pendingCount: 0,
      runningCount: 0,
      failedTasks: 0,
      createdAt: now,
      updatedAt: now,
      launchType: spec.launchType,
      ...(spec.launchType === 'FARGATE' ? { platformVersion: '1.4.0', platformFamily: 'Linux' } : {}),
      ...(spec.networkConfiguration ? { networkConfiguration: spec.networkConfiguration } : {}),
      rolloutState: 'IN_PROGRESS',
      rolloutStateReason: reason ?? `ECS deployment ${id} in progress.`
    }
    for (const d of svc.deployments) {
      if (d.deployment.status === 'PRIMARY') d.deployment.status = 'ACTIVE'
      d.finishedAt ??= now
    }
    const sources = svc.deployments.map(d => ({
      arn: d.deployment.id!,
      taskDefinition: d.taskDef.taskDefinitionArn!,
      count: d.tasks.size
    }))
    const rec: DeploymentRec = {
      ...spec,
      deployment,
      tasks: new Set(),
      sources,
      breakerFailures: 0,
      ...(planned ? { shift: planned.shift } : {})
    }
    svc.deployments.unshift(rec)
    svc.history.push(rec)
    if (svc.history.length > 50) svc.history.shift()
    svc.steady = false
    return rec
  }

  tick(clusters: Map<string, ClusterRec>): void {
    const now = this.clock.now()
    for (const cluster of clusters.values()) {
      for (const [name, svc] of cluster.services) {
        const status = svc.service.status
        if (status === 'INACTIVE') {
          if (now - (svc.inactiveAtMs ?? now) > KEEP_INACTIVE_MS) cluster.services.delete(name)
          continue
        }
        for (const d of svc.deployments) for (const t of [...d.tasks]) this.runtime.advance(t, now)
        if (status === 'DRAINING') this.drain(svc, now)
        else this.reconcile(cluster, svc, now)
        this.updateCounts(svc, now)
        flushEvents(svc, new Date(now))
      }
    }
    this.runtime.prune(clusters, now)
  }

  private drain(svc: ServiceRec, now: number): void {
    const primaryId = svc.deployments[0]?.deployment.id
    let left = 0
    for (const d of svc.deployments) {
      for (const t of d.tasks) {
        left++
        this.runtime.stop(t, {
          stopCode: 'ServiceSchedulerInitiated',
          reason: `Scaling activity initiated by (deployment ${primaryId})`,
          announce: t.task.lastStatus === 'RUNNING'
        })
      }
    }
    if (left === 0) {
      svc.service.status = 'INACTIVE'
      svc.inactiveAtMs = now
      for (const d of svc.deployments) d.deployment.status = d === svc.deployments[0] ? 'PRIMARY' : 'INACTIVE'
    }
  }

  private reconcile(cluster: ClusterRec, svc: ServiceRec, now: number): void {
    const primary = svc.deployments[0]
    const desired = svc.service.desiredCount ?? 0
    const cfg = svc.service.deploymentConfiguration ?? {}
    const maxTotal = Math.floor((desired * (cfg.maximumPercent ?? 200)) / 100)
    const minHealthy = Math.ceil((desired * (cfg.minimumHealthyPercent ?? 100)) / 100)
    const grace = svc.service.healthCheckGracePeriodSeconds ?? 0
    const scaling = `Scaling activity initiated by (deployment ${primary.deployment.id})`

    // Tasks failing their ELB health checks are replaced, whichever deployment they belong to.
    for (const d of svc.deployments) {
      for (const t of d.tasks) {
        const failing = this.runtime.failingTarget(t, now, grace)
        if (!failing) continue
        const tg = failing.tgArn
        // ECS quotes ELBv2's description first, then says which task it replaces for it.
        const why = failing.health?.description ?? 'Health checks failed'
        addEvent(
          svc,
          `(port ${failing.ref.port}) is unhealthy in (target-group ${tg}) due to (reason ${why}).`,
          new Date(now)
        )
        addEvent(svc, `(task ${t.id}) failed ELB health checks in (target-group ${tg})`, new Date(now))
        this.runtime.stop(t, {
          stopCode: 'ServiceSchedulerInitiated',
          reason: `Task failed ELB health checks in (target-group ${tg})`,
          failed: 'health',
          announce: true
        })
      }
    }
    this.circuitBreaker(svc, now)
    for (const d of [...svc.deployments]) if (d.shift) this.shifter.advance(svc, d, now)

    const current = svc.deployments[0]
    // Blue/green: blue keeps serving until CLEAN_UP (for good when the deployment stopped short of it), green
    // starts at SCALE_UP whatever maximumPercent says.
    const shift = current.shift
    const shiftStage = shift ? stageIndex(shift.stage) : 0
    const holdingBlue =
      shift !== undefined &&
      shift.status !== 'SUCCESSFUL' &&
      !(isShifting(current) && shiftStage >= stageIndex('CLEAN_UP'))
    let liveTotal = 0
    let healthy = 0
    for (const d of svc.deployments) {
      for (const t of d.tasks) {
        if (!isLive(t)) continue
        liveTotal++
        if (this.runtime.isHealthy(t)) healthy++
      }
    }
    const primaryLive = [...current.tasks].filter(isLive)

    // Scale the primary down (desiredCount lowered): the least useful tasks first.
    if (primaryLive.length > desired) {
      const surplus = primaryLive
        .sort((a, b) => Number(this.runtime.isHealthy(a)) - Number(this.runtime.isHealthy(b)))
        .slice(0, primaryLive.length - desired)
      for (const t of surplus) {
        if (this.runtime.isHealthy(t)) healthy--
        liveTotal--
        this.runtime.stop(t, { stopCode: 'ServiceSchedulerInitiated', reason: scaling, announce: true })
      }
    }

    // Old deployments' tasks go first when they are not healthy, then as far as minimumHealthyPercent allows.
    const old = svc.deployments.slice(1).flatMap(d => [...d.tasks].filter(isLive))
    old.sort((a, b) => Number(this.runtime.isHealthy(a)) - Number(this.runtime.isHealthy(b)))
    for (const t of holdingBlue ? [] : old) {
      const wasHealthy = this.runtime.isHealthy(t)
      if (wasHealthy && healthy - 1 < minHealthy) break
      if (wasHealthy) healthy--
      liveTotal--
      this.runtime.stop(t, { stopCode: 'ServiceSchedulerInitiated', reason: scaling, announce: true })
    }

    // Launch what the primary misses, within maximumPercent. A failed deployment without rollback stops launching.
    const launching =
      current.deployment.rolloutState !== 'FAILED' &&
      !current.aborted &&
      (!shift || shiftStage >= stageIndex('SCALE_UP'))
    const missing = desired - Math.min(primaryLive.length, desired)
    const room = holdingBlue ? missing : Math.max(0, Math.max(maxTotal, desired > 0 ? 1 : 0) - liveTotal)
    if (launching && missing > 0 && room > 0) this.place(cluster, svc, current, Math.min(missing, room), now)

    this.checkCompletion(svc, now)
  }

  private circuitBreaker(svc: ServiceRec, now: number): void {
    const primary = svc.deployments[0]
    const breaker = svc.service.deploymentConfiguration?.deploymentCircuitBreaker
    const d = primary.deployment
    if (!breaker?.enable || d.rolloutState !== 'IN_PROGRESS' || primary.aborted) return
    if (breaker.resetOnHealthyTask !== false) {
      for (const t of primary.tasks) {
        if (t.wasHealthy || !this.runtime.isHealthy(t)) continue
        t.wasHealthy = true
        primary.breakerFailures = 0
      }
    }
    if (
      primary.breakerFailures <
      failureThreshold(svc.service.desiredCount ?? 0, breaker.thresholdConfiguration)
    )
      return
    const cause =
      primary.failureKind === 'health' ? 'tasks failed ELB health checks' : 'tasks failed to start'
    d.rolloutState = 'FAILED'
    d.rolloutStateReason = `ECS deployment circuit breaker: ${cause}.`
    d.updatedAt = new Date(now)
    primary.finishedAt = new Date(now)
    addEvent(svc, `deployment ${d.id} deployment failed: ${cause}.`, new Date(now))
    if (primary.shift) {
      // Blue still runs: rolling back sends production traffic back to it.
      if (breaker.rollback) this.shifter.rollback(svc, primary, d.rolloutStateReason, now)
      else primary.shift.status = 'STOPPED'
      return
    }
    this.rollBack(svc, now)
  }

  /** Rolls a rolling deployment back to the last completed one (a new deployment), if there is one. */
  rollBack(svc: ServiceRec, now: number, manual = false): boolean {
    const primary = svc.deployments[0]
    const breaker = svc.service.deploymentConfiguration?.deploymentCircuitBreaker
    const target = svc.lastCompleted
    if (
      !(manual || breaker?.rollback) ||
      !target ||
      target.taskDef.taskDefinitionArn === primary.taskDef.taskDefinitionArn
    )
      return false
    addEvent(svc, `rolling back to deployment ${target.id}`, new Date(now))
    const rollback = this.newDeployment(
      svc,
      {
        taskDef: target.taskDef,
        loadBalancers: target.loadBalancers,
        networkConfiguration: target.networkConfiguration,
        launchType: target.launchType
      },
      manual
        ? `Service deployment rolled back to deploymentId ${target.id} on request.`
        : `ECS deployment circuit breaker: rolling back to deploymentId ${target.id}.`
    )
    primary.rolledBackBy = rollback
    svc.service.taskDefinition = rollback.taskDef.taskDefinitionArn
    svc.service.loadBalancers = rollback.loadBalancers
    if (rollback.networkConfiguration) svc.service.networkConfiguration = rollback.networkConfiguration
    return true
  }

  private checkCompletion(svc: ServiceRec, now: number): void {
    const primary = svc.deployments[0]
    const desired = svc.service.desiredCount ?? 0
    let healthyPrimary = 0
    for (const t of primary.tasks) if (this.runtime.isHealthy(t)) healthyPrimary++
    const othersEmpty = svc.deployments.slice(1).every(d => d.tasks.size === 0)
    const shiftDone = !primary.shift || primary.shift.status === 'SUCCESSFUL'
    const settled = healthyPrimary === desired && primary.tasks.size === desired && othersEmpty && shiftDone
    const d = primary.deployment
    if (settled && d.rolloutState === 'IN_PROGRESS') {
      d.rolloutState = 'COMPLETED'
      d.rolloutStateReason = `ECS deployment ${d.id} completed.`
      d.updatedAt = new Date(now)
      primary.finishedAt = new Date(now)
      for (const old of svc.deployments.slice(1)) old.deployment.status = 'INACTIVE'
      svc.deployments.length = 1
      svc.lastCompleted = {
        id: d.id!,
        taskDef: primary.taskDef,
        loadBalancers: primary.loadBalancers,
        networkConfiguration: primary.networkConfiguration,
        launchType: primary.launchType
      }
      addEvent(svc, `(deployment ${d.id}) deployment completed.`, new Date(now))
    }
    const steady = settled && d.rolloutState === 'COMPLETED'
    if (steady && !svc.steady) addEvent(svc, 'has reached a steady state.', new Date(now))
    svc.steady = steady
  }

  private place(cluster: ClusterRec, svc: ServiceRec, dep: DeploymentRec, count: number, now: number): void {
    const td = dep.taskDef
    const awsvpc = td.networkMode === 'awsvpc'
    const fixedPorts = awsvpc
      ? []
      : (td.containerDefinitions ?? [])
          .flatMap(c => (c.portMappings ?? []).map(p => p.hostPort ?? 0))
          .filter(p => p > 0)
    const subnets = dep.networkConfiguration?.awsvpcConfiguration?.subnets ?? []
    const perInstance = new Map<InstanceRec, number>()
    const perSubnet = new Map<string, number>()
    for (const d of svc.deployments) {
      for (const t of d.tasks) {
        if (!isLive(t)) continue
        if (t.instance) perInstance.set(t.instance, (perInstance.get(t.instance) ?? 0) + 1)
        if (t.subnetId) perSubnet.set(t.subnetId, (perSubnet.get(t.subnetId) ?? 0) + 1)
      }
    }
    const fewest = <T>(items: T[], counts: Map<T, number>): T =>
      items.reduce((best, x) => ((counts.get(x) ?? 0) < (counts.get(best) ?? 0) ? x : best))
    for (let i = 0; i < count; i++) {
      const subnetId = subnets.length ? fewest(subnets, perSubnet) : undefined
      let instance: InstanceRec | undefined
      if (dep.launchType !== 'FARGATE') {
        const free = cluster.instances.filter(ins => fixedPorts.every(p => !ins.usedPorts.has(p)))
        if (free.length === 0) {
          this.placementFailed(cluster, svc, now)
          return
        }
        // An awsvpc task's ENI lives in its subnet: prefer an instance in that subnet's AZ.
        const az = subnetId ? findSubnet(this.vpcs, subnetId)?.subnet.availabilityZone : undefined
        const local = az ? free.filter(ins => ins.availabilityZone === az) : []
        instance = fewest(local.length ? local : free, perInstance)
        perInstance.set(instance, (perInstance.get(instance) ?? 0) + 1)
      }
      if (subnetId) perSubnet.set(subnetId, (perSubnet.get(subnetId) ?? 0) + 1)
      const rec = this.runtime.launch({
        cluster,
        service: svc,
        deployment: dep,
        instance,
        subnetId,
        fixedPorts
      })
      svc.pending.started.push(rec.id)
    }
  }

  private placementFailed(cluster: ClusterRec, svc: ServiceRec, now: number): void {
    if (svc.lastPlacementEventMs !== undefined && now - svc.lastPlacementEventMs < PLACEMENT_EVENT_EVERY_MS)
      return
    svc.lastPlacementEventMs = now
    const closest = cluster.instances[0]
    const message = closest
      ? `was unable to place a task because no container instance met all of its requirements. The closest matching (container-instance ${closest.instance.containerInstanceArn!.split('/').pop()}) is already using a port required by your task. For more information, see the Troubleshooting section of the Amazon ECS Developer Guide.`
      : 'was unable to place a task because no container instance met all of its requirements. Reason: No Container Instances were found in your cluster. For more information, see the Troubleshooting section of the Amazon ECS Developer Guide.'
    addEvent(svc, message, new Date(now))
  }

  private updateCounts(svc: ServiceRec, now: number): void {
    for (const [i, d] of svc.deployments.entries()) {
      let running = 0
      let pending = 0
      let live = 0
      for (const t of d.tasks) {
        if (!isLive(t)) continue
        live++
        if (t.task.lastStatus === 'RUNNING') running++
        else if (isPending(t)) pending++
      }
      const desired = i === 0 ? (svc.service.desiredCount ?? 0) : live
      const dep = d.deployment
      if (dep.runningCount !== running || dep.pendingCount !== pending || dep.desiredCount !== desired) {
        dep.runningCount = running
        dep.pendingCount = pending
        dep.desiredCount = desired
        dep.updatedAt = new Date(now)
      }
    }
  }
}
