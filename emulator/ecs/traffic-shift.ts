import type {
  DeploymentStrategy,
  LoadBalancer,
  ServiceDeploymentLifecycleStage,
  ServiceDeploymentStatus
} from '@aws-sdk/client-ecs'
import type { Clock } from '../core/clock.js'
import type { ElbFacade, ForwardWeight } from '../core/types.js'
import { addEvent } from './events.js'
import { serviceDeploymentArns, type ArnScope } from './ids.js'
import {
  DEFAULT_CALLBACK_DELAY_SECONDS,
  startHooks,
  type HookAnswers,
  type HookRun
} from './lifecycle-hooks.js'
import type { DeploymentRec, DeploymentSpec, ServiceRec } from './state.js'
import type { TaskRuntime } from './task-runtime.js'

/** The stages of a blue/green, linear or canary deployment, in ECS's order. */
export const STAGES: ServiceDeploymentLifecycleStage[] = [
  'RECONCILE_SERVICE',
  'PRE_SCALE_UP',
  'SCALE_UP',
  'POST_SCALE_UP',
  'TEST_TRAFFIC_SHIFT',
  'POST_TEST_TRAFFIC_SHIFT',
  'PRODUCTION_TRAFFIC_SHIFT',
  'POST_PRODUCTION_TRAFFIC_SHIFT',
  'BAKE_TIME',
  'CLEAN_UP'
]
/** SCALE_UP, BAKE_TIME and CLEAN_UP take no hooks (DeploymentLifecycleHookStage lists the others). */
const HOOKLESS = new Set<string>(['SCALE_UP', 'BAKE_TIME', 'CLEAN_UP'])
const ACTIVE = new Set<ServiceDeploymentStatus>(['PENDING', 'IN_PROGRESS'])
const STRATEGIES = new Set<DeploymentStrategy>(['BLUE_GREEN', 'LINEAR', 'CANARY'])

/** One load balancer of the service: the live (blue) and the new (green) target group, and its rules. */
export interface ShiftPair {
  blue: string
  green: string
  productionRule: string
  testRule?: string
}

/** The traffic shift ECS drives for one deployment of a BLUE_GREEN / LINEAR / CANARY service. */
export interface TrafficShift {
  strategy: DeploymentStrategy
  status: ServiceDeploymentStatus
  statusReason?: string
  stage: ServiceDeploymentLifecycleStage
  /** Entering the stage, waiting for its hooks, or doing its work. */
  phase: 'enter' | 'hooks' | 'work'
  /** Green's share of production and of test traffic, in percent. */
  production: number
  test: number
  /** Every hook run so far (DescribeServiceDeployments lists them); `waiting` are the current ones. */
  hooks: HookRun[]
  waiting: HookRun[]
  waitUntilMs?: number
  pairs: ShiftPair[]
  /** The deployments serving production when this one started. */
  blue: DeploymentRec[]
  rollbackStartedAt?: Date
  stoppedAt?: Date
}

export const isShifting = (d: DeploymentRec | undefined): boolean =>
  d?.shift !== undefined && ACTIVE.has(d.shift.status)

export const stageIndex = (stage: ServiceDeploymentLifecycleStage): number => STAGES.indexOf(stage)

/** ALB weights are integers 0..999: whole percentages as they are, fractions in tenths. */
function weights(blue: string, green: string, greenPercent: number): ForwardWeight[] {
  const p = Math.max(0, Math.min(100, greenPercent))
  const scale = Number.isInteger(p) ? 1 : 10
  return [
    { tgArn: blue, weight: Math.round((100 - p) * scale) },
    { tgArn: green, weight: Math.round(p * scale) }
  ]
}

/** The target group of a pair that production traffic reaches now (the first one on a tie). */
function liveOf(elb: ElbFacade, lb: LoadBalancer): string {
  const primary = lb.targetGroupArn ?? ''
  const alternate = lb.advancedConfiguration?.alternateTargetGroupArn ?? ''
  const rule = elb.ruleForwards(lb.advancedConfiguration?.productionListenerRule ?? '')
  const weightOf = (tg: string) => rule?.forwards.find(f => f.tgArn === tg)?.weight ?? 0
  return weightOf(alternate) > weightOf(primary) ? alternate : primary
}

/** A load balancer as the service describes it with `live` as its target group and the other as alternate. */
export function oriented(lb: LoadBalancer, live: string): LoadBalancer {
  const adv = lb.advancedConfiguration
  if (!adv?.alternateTargetGroupArn) return lb
  const other = lb.targetGroupArn === live ? adv.alternateTargetGroupArn : lb.targetGroupArn
  return { ...lb, targetGroupArn: live, advancedConfiguration: { ...adv, alternateTargetGroupArn: other } }
}

/**
 * Drives blue/green, linear and canary deployments through ECS's lifecycle stages: green tasks in the
 * alternate target group, the production and test rules' weights, lifecycle hooks, bake time, clean-up,
 * and the rollback that sends production back to blue.
 */
export class TrafficShifter {
  constructor(
    private readonly deps: {
      scope: ArnScope
      clock: Clock
      elb: ElbFacade
      runtime: TaskRuntime
      answers: HookAnswers
    }
  ) {}

  /**
   * For a service with a traffic-shifting strategy that already serves: the new deployment's spec with
   * its tasks headed for the target group production does not reach, and the shift to drive. Undefined
   * for ROLLING and for a service's first deployment.
   */
  plan(svc: ServiceRec, spec: DeploymentSpec): { spec: DeploymentSpec; shift: TrafficShift } | undefined {
    const strategy = svc.service.deploymentConfiguration?.strategy ?? 'ROLLING'
    const blue = svc.deployments.filter(d => d.tasks.size > 0)
    if (!STRATEGIES.has(strategy) || blue.length === 0) return undefined
    const pairs: ShiftPair[] = []
    const loadBalancers = spec.loadBalancers.map(lb => {
      const adv = lb.advancedConfiguration
      if (!adv?.alternateTargetGroupArn || !adv.productionListenerRule) return lb
      const live = liveOf(this.deps.elb, lb)
      const green = oriented(lb, live).advancedConfiguration!.alternateTargetGroupArn!
      pairs.push({
        blue: live,
        green,
        productionRule: adv.productionListenerRule,
        testRule: adv.testListenerRule
      })
      return oriented(lb, green)
    })
    if (pairs.length === 0) return undefined
    return {
      spec: { ...spec, loadBalancers },
      shift: {
        strategy,
        status: 'IN_PROGRESS',
        stage: blue.length > 1 ? 'RECONCILE_SERVICE' : 'PRE_SCALE_UP',
        phase: 'enter',
        production: 0,
        test: 0,
        hooks: [],
        waiting: [],
        pairs,
        blue
      }
    }
  }

  /** One scheduler tick: as many stages as can pass now. */
  advance(svc: ServiceRec, d: DeploymentRec, now: number): void {
    const s = d.shift
    if (!s) return
    if (s.status === 'ROLLBACK_REQUESTED') this.rollback(svc, d, s.statusReason ?? 'Rollback requested.', now)
    if (s.status === 'ROLLBACK_IN_PROGRESS') return this.finishRollback(svc, d, now)
    if (s.status === 'STOP_REQUESTED') {
      s.status = 'STOPPED'
      s.stoppedAt = new Date(now)
      d.finishedAt ??= new Date(now)
      return
    }
    if (!ACTIVE.has(s.status)) return
    for (let i = 0; i < STAGES.length * 3 && ACTIVE.has(s.status); i++) {
      if (!this.step(svc, d, s, now)) return
    }
  }

  /** Sends production (and test) traffic back to blue and stops green; blue is the primary again. */
  rollback(svc: ServiceRec, d: DeploymentRec, reason: string, now: number): void {
    const s = d.shift
    if (
      !s ||
      s.status === 'ROLLBACK_IN_PROGRESS' ||
      !['IN_PROGRESS', 'PENDING', 'ROLLBACK_REQUESTED'].includes(s.status)
    )
      return
    s.status = 'ROLLBACK_IN_PROGRESS'
    s.statusReason = reason
    s.rollbackStartedAt = new Date(now)
    s.production = 0
    s.test = 0
    for (const run of s.waiting)
      if (run.status === 'IN_PROGRESS' || run.status === 'AWAITING_ACTION') run.status = 'FAILED'
    this.applyWeights(s)
    const dep = d.deployment
    dep.rolloutState = 'FAILED'
    dep.rolloutStateReason = reason
    dep.updatedAt = new Date(now)
    const blue = s.blue.find(b => svc.deployments.includes(b))
    if (blue) {
      svc.deployments = [blue, ...svc.deployments.filter(x => x !== blue)]
      blue.deployment.status = 'PRIMARY'
      dep.status = 'ACTIVE'
      svc.service.taskDefinition = blue.taskDef.taskDefinitionArn
      svc.service.loadBalancers = blue.loadBalancers
    }
    for (const t of d.tasks) {
      this.deps.runtime.stop(t, {
        stopCode: 'ServiceSchedulerInitiated',
        reason: `Scaling activity initiated by (deployment ${blue?.deployment.id ?? dep.id})`,
        announce: t.task.lastStatus === 'RUNNING'
      })
    }
    addEvent(svc, `(service-deployment ${dep.id}) rolling back: ${reason}`, new Date(now))
  }

  private finishRollback(svc: ServiceRec, d: DeploymentRec, now: number): void {
    if (d.tasks.size > 0) return
    const s = d.shift!
    s.status = 'ROLLBACK_SUCCESSFUL'
    d.finishedAt = new Date(now)
    d.deployment.status = 'INACTIVE'
    svc.deployments = svc.deployments.filter(x => x !== d)
    addEvent(svc, `(service-deployment ${d.deployment.id}) rollback completed.`, new Date(now))
  }

  /** One move of the stage machine; false when it has to wait. */
  private step(svc: ServiceRec, d: DeploymentRec, s: TrafficShift, now: number): boolean {
    if (s.phase === 'enter') {
      this.enter(svc, d, s, now)
      return true
    }
    if (s.phase === 'hooks') {
      const verdict = this.pollHooks(svc, d, s, now)
      if (verdict === 'wait') return false
      if (verdict !== 'go') {
        this.rollback(svc, d, verdict, now)
        return false
      }
      s.waiting = []
      s.phase = 'work'
      if (s.stage === 'PRODUCTION_TRAFFIC_SHIFT')
        s.waitUntilMs = s.production === 0 ? now : now + this.stepBakeMinutes(svc, s) * 60_000
      return true
    }
    if (!this.work(svc, d, s, now)) return false
    const next = STAGES[stageIndex(s.stage) + 1]
    if (!next) {
      s.status = 'SUCCESSFUL'
      svc.service.loadBalancers = d.loadBalancers
      return false
    }
    s.stage = next
    s.phase = 'enter'
    return true
  }

  private enter(svc: ServiceRec, d: DeploymentRec, s: TrafficShift, now: number): void {
    const cfg = svc.service.deploymentConfiguration
    let hookStage: string = s.stage
    if (s.stage === 'PRE_SCALE_UP') this.applyWeights(s)
    if (s.stage === 'TEST_TRAFFIC_SHIFT') {
      s.test = 100
      this.applyWeights(s)
    }
    // Before the first production shift come PRE_PRODUCTION_TRAFFIC_SHIFT's hooks; each shift runs PRODUCTION_TRAFFIC_SHIFT's.
    if (s.stage === 'PRODUCTION_TRAFFIC_SHIFT') hookStage = 'PRE_PRODUCTION_TRAFFIC_SHIFT'
    if (s.stage === 'BAKE_TIME') s.waitUntilMs = now + (cfg?.bakeTimeInMinutes ?? 0) * 60_000
    s.phase = 'hooks'
    this.startStageHooks(svc, s, HOOKLESS.has(hookStage) ? undefined : hookStage, now)
    addEvent(
      svc,
      `(service-deployment ${d.deployment.id}) entered lifecycle stage ${s.stage}.`,
      new Date(now)
    )
  }

  private startStageHooks(svc: ServiceRec, s: TrafficShift, stage: string | undefined, now: number): void {
    s.waiting = stage ? startHooks(svc.service.deploymentConfiguration?.lifecycleHooks ?? [], stage, now) : []
    s.hooks.push(...s.waiting)
  }

  /** The stage's own work; true when it is done. */
  private work(svc: ServiceRec, d: DeploymentRec, s: TrafficShift, now: number): boolean {
    switch (s.stage) {
      case 'SCALE_UP': {
        const desired = svc.service.desiredCount ?? 0
        let healthy = 0
        for (const t of d.tasks) if (this.deps.runtime.isHealthy(t)) healthy++
        return healthy >= desired && d.tasks.size === desired
      }
      case 'PRODUCTION_TRAFFIC_SHIFT': {
        if (s.production >= 100) return true
        if (now < (s.waitUntilMs ?? 0)) return false
        s.production = Math.min(
          100,
          s.production === 0 ? this.firstStep(svc, s) : s.production + this.nextStep(svc, s)
        )
        this.applyWeights(s)
        s.phase = 'hooks'
        this.startStageHooks(svc, s, 'PRODUCTION_TRAFFIC_SHIFT', now)
        addEvent(
          svc,
          `(service-deployment ${d.deployment.id}) shifted ${s.production}% of production traffic.`,
          new Date(now)
        )
        return false
      }
      case 'BAKE_TIME':
        return now >= (s.waitUntilMs ?? 0)
      case 'CLEAN_UP':
        return s.blue.every(b => b.tasks.size === 0)
      default:
        return true
    }
  }

  private firstStep(svc: ServiceRec, s: TrafficShift): number {
    const cfg = svc.service.deploymentConfiguration
    if (s.strategy === 'LINEAR') return cfg?.linearConfiguration?.stepPercent ?? 10
    if (s.strategy === 'CANARY') return cfg?.canaryConfiguration?.canaryPercent ?? 5
    return 100
  }

  private nextStep(svc: ServiceRec, s: TrafficShift): number {
    return s.strategy === 'LINEAR'
      ? (svc.service.deploymentConfiguration?.linearConfiguration?.stepPercent ?? 10)
      : 100
  }

  private stepBakeMinutes(svc: ServiceRec, s: TrafficShift): number {
    const cfg = svc.service.deploymentConfiguration
    if (s.strategy === 'LINEAR') return cfg?.linearConfiguration?.stepBakeTimeInMinutes ?? 6
    if (s.strategy === 'CANARY') return cfg?.canaryConfiguration?.canaryBakeTimeInMinutes ?? 10
    return 0
  }

  /** 'go' when every current hook is done, 'wait', or the reason to roll back. */
  private pollHooks(svc: ServiceRec, d: DeploymentRec, s: TrafficShift, now: number): string {
    let waiting = false
    for (const run of s.waiting) {
      if (run.status === 'IN_PROGRESS' && run.invokeAtMs !== undefined && now >= run.invokeAtMs)
        this.invoke(svc, d, s, run, now)
      if ((run.status === 'IN_PROGRESS' || run.status === 'AWAITING_ACTION') && now >= run.expiresAtMs)
        run.status = 'TIMED_OUT'
      if (run.status === 'FAILED') return `Lifecycle hook ${run.hookId} failed at ${run.stage}.`
      if (run.status === 'TIMED_OUT' && run.timeoutAction === 'ROLLBACK')
        return `Lifecycle hook ${run.hookId} timed out at ${run.stage}.`
      if (run.status === 'IN_PROGRESS' || run.status === 'AWAITING_ACTION') waiting = true
    }
    return waiting ? 'wait' : 'go'
  }

  private invoke(svc: ServiceRec, d: DeploymentRec, s: TrafficShift, run: HookRun, now: number): void {
    const fn = run.hook.hookTargetArn ?? ''
    const answer = this.deps.answers.answer(fn)
    const revision = (x: DeploymentRec) =>
      serviceDeploymentArns(this.deps.scope, svc.clusterName, svc.service.serviceName!, x.deployment.id!)
        .revision
    const share = (green: number) =>
      Object.fromEntries([...s.blue.map(b => [revision(b), 100 - green]), [revision(d), green]])
    this.deps.answers.invocations.push({
      function: fn,
      hookId: run.hookId,
      lifecycleStage: run.stage,
      serviceArn: svc.service.serviceArn!,
      targetServiceRevisionArn: revision(d),
      productionTrafficWeights: share(s.production),
      testTrafficWeights: share(s.test),
      ...(run.hook.hookDetails !== undefined ? { hookDetails: run.hook.hookDetails } : {}),
      answered: answer.hookStatus
    })
    if (answer.hookStatus === 'IN_PROGRESS')
      run.invokeAtMs = now + (answer.callBackDelay ?? DEFAULT_CALLBACK_DELAY_SECONDS) * 1000
    else run.status = answer.hookStatus
  }

  /** Writes green's shares into the production and test rules, as ECS does through the infrastructure role. */
  private applyWeights(s: TrafficShift): void {
    for (const p of s.pairs) {
      this.deps.elb.setForwardWeights(p.productionRule, weights(p.blue, p.green, s.production))
      if (p.testRule) this.deps.elb.setForwardWeights(p.testRule, weights(p.blue, p.green, s.test))
    }
  }
}
