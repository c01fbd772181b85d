import type { Deployment, Service, ServiceEvent, Task } from '@aws-sdk/client-ecs'
import type { TargetGroup } from '@aws-sdk/client-elastic-load-balancing-v2'
import type { Clients } from '../aws/clients.js'
import type { WaitOptions } from '../model/request.js'
import type {
  Clock,
  Diagnosis,
  HealthCheckChange,
  Observations,
  Snapshot,
  TargetGroupHealth,
  TargetTrack,
  WatchResult
} from './types.js'
import { checkCompletion, healthyTrustedFrom } from './completion.js'
import { diagnose, diagnoseTimeout, serviceMissing } from './diagnose.js'
import {
  DESCRIBE_TASKS_MAX,
  describeService,
  describeTargetGroups,
  describeTargetHealth,
  describeTasks,
  isThrottling,
  listStoppedTaskArns,
  type PollTarget
} from './poll.js'
import { renderProgress, withElapsed } from './progress.js'
import { SameContent } from './same-content.js'
import { findDeployment, primaryDeployment, taskId, trackTargets } from './snapshot.js'

export interface WatchOptions {
  clients: Clients
  cluster: string
  serviceName: string
  /** The PRIMARY deployment apply started; absent: watch the current PRIMARY. */
  deploymentId?: string
  /** What the new deployment runs. */
  taskDefinitionArn: string
  /** The service's target groups; empty: only ECS is watched. */
  targetGroupArns: string[]
  wait: Pick<WaitOptions, 'minutes' | 'pollIntervalSeconds'>
  log?: (line: string) => void
  clock?: Clock
  /**
   * This run changed the health check of a watched target group: unless a probe proved the new settings,
   * "every target healthy" counts only once the new check has had time to fail a target.
   */
  healthCheckChange?: HealthCheckChange
  /**
   * Apply created the service: DescribeServices may answer MISSING for a while (ECS's eventual
   * consistency), which then means "not visible yet", not "deleted".
   */
  serviceCreated?: boolean
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: ms => new Promise(resolve => setTimeout(resolve, ms))
}

/** How long a service just created may stay invisible to DescribeServices before it counts as missing. */
const NOT_YET_VISIBLE_MS = 30_000

/** Throttled polls wait longer, up to this many poll intervals. */
const MAX_BACKOFF_FACTOR = 4
const STOPPED_EVENT = /\bstopped\b/i

/** What one poll fetched, before anything is folded into the watch's state. */
interface Fetched {
  service?: Service
  targetGroups: TargetGroupHealth[]
  stoppedTasks: Task[]
  /** ARNs asked of DescribeTasks: seen from now on, even those it could not describe. */
  requestedTasks: string[]
  listedStopped: string[]
}

/**
 * Polls the service and its target groups until the deployment is done, has failed for a reason that
 * will not change, or the wait runs out. One instance per watched rollout.
 */
class RolloutWatch {
  private readonly clock: Clock
  private readonly log: (line: string) => void
  private readonly poll: PollTarget
  private readonly start: number
  private readonly baseIntervalMs: number
  private watchedId?: string
  private settings?: TargetGroup[]
  private tracks = new Map<string, TargetTrack>()
  private firstNewTargetMs?: number
  private eventCutoff?: number
  private readonly seenEvents = new Set<string>()
  private readonly events: ServiceEvent[] = []
  private readonly seenTasks = new Set<string>()
  private pendingTasks: string[] = []
  private readonly stoppedTasks: Task[] = []
  /** Every deployment id watched (the id changes when a newer deployment of the same content takes over). */
  private readonly watchedIds = new Set<string>()
  private readonly sameContent: SameContent
  private prevFailed = 0
  private prevDeploymentRunning?: number
  private prevServiceRunning?: number
  private lastLine?: string
  private lastSnapshot?: Snapshot
  private saidUntrusted = false
  private saidNotVisible = false
  private readonly timeline: { atMs: number; line: string }[] = []

  constructor(private readonly opts: WatchOptions) {
    this.clock = opts.clock ?? systemClock
    this.log = opts.log ?? (() => undefined)
    this.poll = {
      clients: opts.clients,
      cluster: opts.cluster,
      serviceName: opts.serviceName,
      targetGroupArns: opts.targetGroupArns
    }
    this.sameContent = new SameContent(opts.clients.ecs, opts.taskDefinitionArn)
    this.start = this.clock.now()
    this.baseIntervalMs = Math.max(opts.wait.pollIntervalSeconds, 0) * 1000
    this.watchedId = opts.deploymentId
    if (opts.deploymentId) this.watchedIds.add(opts.deploymentId)
  }

  private elapsed(): number {
    return this.clock.now() - this.start
  }

  /** `logged`: the log's wording when it differs; the timeline has its own time column. */
  private say(line: string, logged = line): void {
    this.timeline.push({ atMs: this.elapsed(), line })
    this.log(logged)
  }

  async run(): Promise<WatchResult> {
    const deadline = this.start + this.opts.wait.minutes * 60_000
    let intervalMs = this.baseIntervalMs
    for (;;) {
      let fetched: Fetched | undefined
      try {
        fetched = await this.fetch()
      } catch (err) {
        if (!isThrottling(err)) throw err
        intervalMs = Math.min(
          Math.max(intervalMs, 1000) * 2,
          Math.max(this.baseIntervalMs, 1000) * MAX_BACKOFF_FACTOR
        )
        this.say(`throttled (${(err as Error).name}); next poll in ${Math.round(intervalMs / 1000)} s`)
      }
      if (fetched) {
        intervalMs = this.baseIntervalMs
        const result = this.fold(fetched)
        if (result) return result
      }
      const remaining = deadline - this.clock.now()
      if (remaining <= 0) return this.timedOut()
      await this.clock.sleep(Math.min(intervalMs, remaining))
    }
  }

  /** All AWS calls of one poll. Nothing is recorded until they all answered, so a throttled poll leaves no trace. */
  private async fetch(): Promise<Fetched> {
    // Health-check settings serve only the diagnoses of a rollout that is not done at once: not read on
    // the first poll, so that a re-run whose first poll is already done costs no DescribeTargetGroups.
    if (!this.settings && this.lastSnapshot && this.opts.targetGroupArns.length > 0) {
      try {
        this.settings = await describeTargetGroups(this.poll)
      } catch (err) {
        // Diagnoses only lose detail without the settings; try again on the next poll.
        if (!isThrottling(err)) throw err
      }
    }
    const [service, targetGroups] = await Promise.all([
      describeService(this.poll),
      describeTargetHealth(this.poll)
    ])
    if (!service) return { targetGroups, stoppedTasks: [], requestedTasks: [], listedStopped: [] }

    // Rare: a newer deployment of another revision of our family took over. Does it run what we asked for?
    const successor = this.successor(service)?.taskDefinition
    if (this.sameContent.needsLookup(successor)) await this.sameContent.compare(successor)

    let listedStopped: string[] = []
    let requestedTasks: string[] = []
    let stoppedTasks: Task[] = []
    if (this.somethingStopped(service)) {
      listedStopped = await listStoppedTaskArns(this.poll)
      const unseen = new Set([...this.pendingTasks, ...listedStopped.filter(a => !this.seenTasks.has(a))])
      // One DescribeTasks per poll at most; the rest waits for the next poll.
      requestedTasks = [...unseen].slice(0, DESCRIBE_TASKS_MAX)
      stoppedTasks = await describeTasks(this.poll, requestedTasks)
    }
    return { service, targetGroups, stoppedTasks, requestedTasks, listedStopped }
  }

  private watchedDeployment(service: Service) {
    return findDeployment(service, this.watchedId ?? primaryDeployment(service)?.id)
  }

  /** Stopped tasks are looked up only when the service shows that something stopped. */
  private somethingStopped(service: Service): boolean {
    if (this.pendingTasks.length > 0) return true
    const deployment = this.watchedDeployment(service)
    if ((deployment?.failedTasks ?? 0) > this.prevFailed) return true
    if (
      this.prevDeploymentRunning !== undefined &&
      (deployment?.runningCount ?? 0) < this.prevDeploymentRunning
    )
      return true
    if (this.prevServiceRunning !== undefined && (service.runningCount ?? 0) < this.prevServiceRunning)
      return true
    return this.newEvents(service).some(e => STOPPED_EVENT.test(e.message ?? ''))
  }

  /** Events not printed yet and not older than the watch, oldest first. */
  private newEvents(service: Service): ServiceEvent[] {
    const cutoff = this.eventCutoff ?? this.cutoffFor(service)
    return (service.events ?? [])
      .filter(e => !this.seenEvents.has(eventKey(e)) && (e.createdAt?.getTime() ?? Infinity) >= cutoff)
      .reverse()
  }

  /**
   * Events count from the moment apply started the deployment (they may come a little before the
   * watch began). A deployment that is not in progress at the first poll was not just started: all
   * events listed then are history. Server time against server time, so the runner's clock skew does
   * not matter.
   */
  private cutoffFor(service: Service): number {
    const deployment = this.watchedDeployment(service)
    const created = deployment?.createdAt?.getTime()
    if (created !== undefined && deployment?.rolloutState === 'IN_PROGRESS') return created
    const times = (service.events ?? []).map(e => e.createdAt?.getTime() ?? 0)
    return times.length ? Math.max(...times) + 1 : -Infinity
  }

  private fold(fetched: Fetched): WatchResult | undefined {
    const { service } = fetched
    if (!service && this.notVisibleYet()) return undefined
    if (!service) {
      const { serviceName, cluster } = this.opts
      return this.finish(
        false,
        serviceMissing(serviceName, cluster, this.opts.serviceCreated && !this.lastSnapshot)
      )
    }

    this.followDeployment(service)
    const deployment = findDeployment(service, this.watchedId)
    const snapshot: Snapshot = {
      atMs: this.elapsed(),
      service,
      deployment,
      targetGroups: fetched.targetGroups
    }
    this.lastSnapshot = snapshot

    const fresh = this.newEvents(service)
    this.eventCutoff ??= this.cutoffFor(service)
    for (const e of service.events ?? []) this.seenEvents.add(eventKey(e))
    for (const e of fresh) {
      this.events.push(e)
      this.say(`event: ${e.message ?? ''}`)
    }
    this.foldStoppedTasks(fetched)
    this.prevFailed = Math.max(this.prevFailed, deployment?.failedTasks ?? 0)
    this.prevDeploymentRunning = deployment?.runningCount ?? 0
    this.prevServiceRunning = service.runningCount ?? 0

    const tracked = trackTargets({ tracks: this.tracks, snapshot, firstNewTargetMs: this.firstNewTargetMs })
    this.tracks = tracked.tracks
    this.firstNewTargetMs = tracked.firstNewTargetMs

    const line = renderProgress(snapshot, this.tracks)
    if (line !== this.lastLine) {
      this.lastLine = line
      this.say(line, withElapsed(line, snapshot.atMs))
    }

    if (checkCompletion(snapshot).done && this.healthyTrusted()) return this.finish(true)
    const verdict = diagnose(this.observations(snapshot))
    if (verdict.fatal) return this.finish(false, verdict.fatal)
    return undefined
  }

  /**
   * True while a service apply just created may still be unknown to DescribeServices: never seen by a poll
   * yet, and within NOT_YET_VISIBLE_MS of the watch's start. Says so once.
   */
  private notVisibleYet(): boolean {
    if (!this.opts.serviceCreated || this.lastSnapshot || this.elapsed() >= NOT_YET_VISIBLE_MS) return false
    if (!this.saidNotVisible) {
      this.saidNotVisible = true
      this.say(
        `DescribeServices does not list service ${this.opts.serviceName} yet (MISSING right after CreateService): ` +
          `waiting up to ${NOT_YET_VISIBLE_MS / 1000} s for it to become visible`
      )
    }
    return true
  }

  /**
   * False while an unproven health-check change is too recent for `healthy` to be the new check's verdict;
   * says so once. Meanwhile the polls go on, and targets that fail the new check fail the watch as usual.
   */
  private healthyTrusted(): boolean {
    const from = healthyTrustedFrom(this.opts.healthCheckChange)
    if (from === undefined || this.clock.now() >= from) return true
    if (!this.saidUntrusted) {
      this.saidUntrusted = true
      const c = this.opts.healthCheckChange as HealthCheckChange
      this.say(
        `every target healthy, but the health check changed ${Math.round((this.clock.now() - c.at) / 1000)} s ago ` +
          `and no probe proved it: waiting until ${untrustedWindow(c)} after the change, until the new check ` +
          'has had time to fail a target'
      )
    }
    return false
  }

  /** A newer PRIMARY that replaced the watched deployment, which is neither PRIMARY nor FAILED any more. */
  private successor(service: Service): Deployment | undefined {
    if (!this.watchedId) return undefined
    const primary = primaryDeployment(service)
    if (!primary?.id || primary.id === this.watchedId) return undefined
    const current = findDeployment(service, this.watchedId)
    if (current?.status === 'PRIMARY' || current?.rolloutState === 'FAILED') return undefined
    return primary
  }

  /**
   * A newer deployment that runs what we asked for (the same deploy, run again or at the same time: the
   * same task definition, or another revision with the same content) is followed, not failed.
   */
  private followDeployment(service: Service): void {
    if (!this.watchedId) {
      const primary = primaryDeployment(service)
      this.watchedId = primary?.id
      if (primary?.id) this.watchedIds.add(primary.id)
      return
    }
    const next = this.successor(service)
    if (!next?.id || this.sameContent.get(next.taskDefinition) !== true) return
    const what =
      next.taskDefinition === this.opts.taskDefinitionArn
        ? 'of the same task definition'
        : `of ${next.taskDefinition ?? ''} (the same content as ${this.opts.taskDefinitionArn})`
    this.say(`deployment ${next.id} ${what} took over from ${this.watchedId}; watching it`)
    this.watchedId = next.id
    this.watchedIds.add(next.id)
  }

  private foldStoppedTasks(fetched: Fetched): void {
    for (const arn of fetched.requestedTasks) this.seenTasks.add(arn)
    for (const task of fetched.stoppedTasks) {
      this.seenTasks.add(task.taskArn ?? '')
      if (!this.isWatchedTask(task)) continue
      this.stoppedTasks.push(task)
      this.say(`task ${taskId(task)} stopped: ${task.stoppedReason ?? task.stopCode ?? 'no reason given'}`)
    }
    const unseen = [...this.pendingTasks, ...fetched.listedStopped].filter(a => !this.seenTasks.has(a))
    this.pendingTasks = [...new Set(unseen)]
  }

  private isWatchedTask(task: Task): boolean {
    if (task.startedBy) return this.watchedIds.has(task.startedBy)
    const stoppedAt = task.stoppedAt?.getTime() ?? Infinity
    return this.sameContent.get(task.taskDefinitionArn) === true && stoppedAt >= this.start
  }

  private observations(snapshot: Snapshot): Observations {
    return {
      nowMs: snapshot.atMs,
      snapshot,
      watchedDeploymentId: this.watchedId ?? '',
      taskDefinitionArn: this.opts.taskDefinitionArn,
      sameContent: this.sameContent.results,
      stoppedTasks: this.stoppedTasks,
      events: this.events,
      targetGroupSettings: this.settings ?? [],
      targets: this.tracks,
      firstNewTargetMs: this.firstNewTargetMs
    }
  }

  private timedOut(): WatchResult {
    const snapshot = this.lastSnapshot
    if (!snapshot) {
      return this.finish(false, {
        kind: 'timeout',
        title: `The rollout did not finish within ${this.opts.wait.minutes} min`,
        cause: 'no poll of the service succeeded (every call was throttled)',
        evidence: [],
        hint: 'the account is being throttled: retry later or raise poll-interval-seconds'
      })
    }
    const diagnosis = diagnoseTimeout({
      obs: { ...this.observations(snapshot), nowMs: this.elapsed() },
      minutes: this.opts.wait.minutes,
      progress: this.lastLine ?? '',
      waitingFor: [...checkCompletion(snapshot).waitingFor, ...this.untrustedWaitingFor()]
    })
    return this.finish(false, diagnosis)
  }

  private untrustedWaitingFor(): string[] {
    const c = this.opts.healthCheckChange
    const from = healthyTrustedFrom(c)
    if (!c || from === undefined || this.clock.now() >= from) return []
    return [`${untrustedWindow(c)} after the unproven health-check change`]
  }

  private finish(ok: boolean, diagnosis?: Diagnosis): WatchResult {
    const targetGroups = this.lastSnapshot?.targetGroups ?? []
    const durationMs = this.elapsed()
    this.say(
      ok
        ? `rollout complete in ${Math.round(durationMs / 1000)} s`
        : `rollout failed: ${diagnosis?.title ?? ''}`
    )
    return {
      ok,
      deploymentId: this.watchedId,
      durationMs,
      diagnosis,
      targets: targetGroups,
      timeline: this.timeline,
      events: this.events.map(e => e.message ?? ''),
      lastProgress: this.lastLine,
      lastSnapshot: this.lastSnapshot
    }
  }
}

/** `105 s (3 × 30 s + 15 s timeout)` */
function untrustedWindow(c: HealthCheckChange): string {
  const total = c.unhealthyThreshold * c.intervalSeconds + c.timeoutSeconds
  return `${total} s (${c.unhealthyThreshold} × ${c.intervalSeconds} s + ${c.timeoutSeconds} s timeout)`
}

function eventKey(e: ServiceEvent): string {
  return e.id ?? `${e.createdAt?.toISOString() ?? ''}|${e.message ?? ''}`
}

/**
 * Waits for a rollout the way an operator would: one progress line per change, done only when every
 * target is healthy, and an early failure with the cause in words when waiting would not help.
 */
export async function watchRollout(opts: WatchOptions): Promise<WatchResult> {
  return new RolloutWatch(opts).run()
}
