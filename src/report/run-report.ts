import * as core from '@actions/core'
import type { Applied, Plan } from '../model/plan.js'
import type { DeployRequest } from '../model/request.js'
import type { WatchResult } from '../watch/index.js'
import { renderSummary, type SummaryData } from './summary.js'
import { pausedLine, type PausedGate } from '../model/deployment-strategy.js'
import type { ServiceDeploymentResult } from '../watch/service-deployment.js'
import { setOutputs } from './outputs.js'

/** What one run found and did, gathered stage by stage for the job summary and the GitHub side. */
export class RunReport {
  request?: DeployRequest
  /** The cluster input as given: the summary's title when the inputs were refused (no request). */
  clusterInput?: string
  outcome: 'success' | 'failure' | 'dry-run' | 'deleted' = 'failure'
  plan?: Plan
  applied?: Partial<Applied>
  targets?: SummaryData['targets']
  timeline?: SummaryData['timeline']
  rollback?: string
  /** What a rollback put back, and whether it saw production healthy afterwards. */
  rolledBack?: { ok: boolean; restored: string[]; kept: string[] }
  removed?: string[]
  /** Teardown with dry-run: what would be removed. */
  wouldRemove?: string[]
  failure?: { title: string; details: string[] }
  /** The promotion gate a PAUSE hook holds the deployment at. */
  paused?: PausedGate
  /** The lifecycle stage `wait-until` stopped the watch at, ECS carrying on. */
  stoppedWaitingAt?: string

  constructor(private readonly timings: SummaryData['timings']) {}

  watched(result: WatchResult, rollback?: string): void {
    this.targets = result.targets
    this.timeline = result.timeline
    if (rollback) this.rollback = rollback
  }

  /**
   * A watched service deployment (BLUE_GREEN, LINEAR, CANARY, or a promotion): its timeline, its outputs,
   * and the promotion gate when a PAUSE hook holds it.
   */
  serviceDeployment(result: ServiceDeploymentResult, testUrl?: string): void {
    this.timeline = result.timeline
    setOutputs({
      'service-deployment-arn': result.serviceDeploymentArn,
      'lifecycle-stage': result.lifecycleStage,
      'hook-id': result.hookId
    })
    if (result.outcome === 'paused' && result.hookId) {
      this.paused = {
        hookId: result.hookId,
        lifecycleStage: result.lifecycleStage,
        serviceDeploymentArn: result.serviceDeploymentArn,
        testUrl
      }
      core.notice(`${pausedLine(this.paused)}${testUrl ? `; the new revision answers at ${testUrl}` : ''}`)
    }
    if (result.outcome === 'reached') {
      this.stoppedWaitingAt = result.lifecycleStage
      core.notice(
        `stopped waiting at ${result.lifecycleStage ?? '?'} (wait-until): ECS continues ${result.serviceDeploymentArn ?? 'the deployment'} on its own`
      )
    }
    if (result.outcome === 'rolled-back')
      core.notice('rolled back as asked: production serves the previous revision')
  }

  failed(message: string): void {
    const [title, ...details] = message.split('\n')
    // The rollback has its own section in the summary (the annotation carries both): its `Rollback …` line
    // and every line after it (a rollback that did not succeed says why, with its own diagnosis).
    const at = details.findIndex(d => d.startsWith('Rollback '))
    if (at >= 0) {
      this.rollback ??= [details[at].slice('Rollback '.length), ...details.slice(at + 1)].join('\n')
      details.splice(at)
    }
    this.failure = { title, details }
  }

  async writeSummary(): Promise<void> {
    if (this.request?.summary === false || !process.env.GITHUB_STEP_SUMMARY) return
    const r = this.request
    try {
      const markdown = renderSummary({
        cluster: r?.cluster ?? this.clusterInput ?? '',
        serviceName: r?.service.serviceName ?? '(service)',
        region: r?.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? '',
        outcome: this.outcome === 'deleted' ? 'success' : this.outcome,
        action: r?.delete ? 'teardown' : 'deploy',
        preview: r?.preview?.id,
        failure: this.failure,
        plan: this.plan,
        applied: this.applied,
        targets: this.targets,
        timeline: this.timeline,
        timings: this.timings,
        rollback: this.rollback,
        rolledBack: this.rolledBack,
        removed: this.removed,
        wouldRemove: this.wouldRemove,
        paused: this.paused,
        stoppedWaitingAt: this.stoppedWaitingAt
      })
      await core.summary.addRaw(markdown).write()
    } catch (e) {
      core.warning(`could not write the job summary: ${(e as Error).message}`)
    }
  }
}
