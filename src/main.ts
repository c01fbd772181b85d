import * as core from '@actions/core'
import { parseRequest, readRawInputs } from './inputs/index.js'
import type { DeployRequest } from './model/request.js'
import { DeployError, explainAwsError } from './aws/errors.js'
import { applyPreview, previewUrl } from './inputs/preview.js'
import { setOutputs } from './report/outputs.js'
import { planJson, renderPlanText, teardownPlanJson } from './report/plan-text.js'
import { RunReport } from './report/run-report.js'
import { Stages } from './report/stages.js'
import { maskableValues } from './model/redact.js'
import { isNativeStrategy } from './model/deployment-strategy.js'
import { listenerUrl } from './model/urls.js'

// The AWS SDK and Octokit are most of the bundle: they are loaded once the inputs are valid, so that a
// validation error exits without evaluating them. `eager` keeps them in the one bundle file (no chunks).
const loadAwsStages = () => import(/* webpackMode: "eager" */ './stages/index.js')
const loadGithub = () => import(/* webpackMode: "eager" */ './github/index.js')
type AwsStages = Awaited<ReturnType<typeof loadAwsStages>>

/**
 * Whether reportToGithub may have anything to do (it decides the rest): without a token, only a preview
 * or a pull request gets a word. Otherwise Octokit is not even loaded.
 */
const githubSideWanted = (request: DeployRequest): boolean =>
  Boolean(request.githubToken) ||
  request.preview !== undefined ||
  (process.env.GITHUB_EVENT_NAME ?? '').startsWith('pull_request')

/** inputs → discover → plan → apply → watch → report: one group per stage, one error path. */
export async function run(): Promise<void> {
  const stages = new Stages()
  const report = new RunReport(stages.timings)
  let aws: AwsStages | undefined
  try {
    const request = await stages.run('inputs', () => {
      const raw = readRawInputs()
      report.clusterInput = raw.cluster
      const read = parseRequest(raw)
      return read.preview
        ? applyPreview(read, read.preview, { priorityRange: read.preview.priorityRange })
        : read
    })
    report.request = request
    aws = await loadAwsStages()
    const {
      createClients,
      discover,
      buildPlan,
      applyPlan,
      watchAndRecover,
      teardown,
      removalLabel,
      RolloutFailed
    } = aws
    const { ApplyFailed, undoFailedApply, targetGroupsBefore } = aws
    const { promote, watchNativeDeployment, ServiceDeploymentFailed } = aws
    const clients = createClients({ region: request.region, maxAttempts: request.maxAttempts })

    if (request.promote) {
      const promoted = await stages.run('watch', () => promote({ clients, request, log: core.info }))
      report.serviceDeployment(promoted)
      if (promoted.outcome === 'failed') throw new DeployError(`promote: ${promoted.reason ?? 'failed'}`)
      report.outcome = 'success'
      return
    }

    if (request.delete) {
      // With dry-run, the teardown reads and says what it would remove, and stops there.
      const torn = await stages.run('teardown', () =>
        teardown({ clients, request, dryRun: request.dryRun, log: core.info, warn: core.warning })
      )
      const plan = teardownPlanJson(torn.plan)
      if (request.dryRun) {
        const count = torn.plan.removals.length
        core.notice(`dry-run: nothing was removed (${count} resource(s) would be)`)
        report.outcome = 'dry-run'
        report.wouldRemove = torn.plan.removals.map(removalLabel)
        setOutputs({ plan, changed: String(count > 0) })
        return
      }
      report.outcome = 'deleted'
      report.removed = torn.removed
      setOutputs({ plan, changed: String(torn.removed.length > 0) })
      return
    }

    const actual = await stages.run('discover', () => discover({ clients, request }))
    // Old values read from AWS are masked like the inputs' (the plan never prints them either way).
    for (const td of [actual.taskDefinition, actual.baseTaskDefinition?.taskDefinition])
      for (const value of maskableValues(td)) core.setSecret(value)
    const plan = await stages.run('plan', () => {
      const p = buildPlan({ request, actual })
      core.info(renderPlanText(p))
      for (const w of p.warnings) core.warning(w)
      if (request.dryRun) {
        core.notice(
          `dry-run: nothing was changed (${p.steps.filter(s => s.action !== 'none').length} step(s) planned)`
        )
      }
      return p
    })
    report.plan = plan
    setOutputs({ plan: planJson(plan), changed: String(plan.changed) })
    if (request.dryRun) {
      report.outcome = 'dry-run'
      return
    }

    const previousTargetGroupArns = targetGroupsBefore(actual)
    const applyStarted = new Date()
    const applied = await stages.run('apply', async () => {
      try {
        return await applyPlan({ clients, request, actual, plan, log: core.info })
      } catch (error) {
        if (!(error instanceof ApplyFailed)) throw error
        // Part of the plan ran: undo it before saying anything, so production is as it was.
        const undone = await undoFailedApply({ clients, request, actual, failure: error, log: core.info })
        if (undone.outcome) {
          report.rollback = undone.outcome.summary
          report.rolledBack = undone.outcome
        }
        throw new DeployError(undone.message)
      }
    })
    const url =
      request.preview && applied.dnsName
        ? previewUrl({ preview: request.preview, listener: request.listener, dnsName: applied.dnsName })
        : applied.url
    report.applied = { ...applied, url }
    setOutputs({
      'dns-name': applied.dnsName,
      url,
      'load-balancer-arn': applied.loadBalancerArn,
      'target-group-arn': applied.targetGroupArn,
      'listener-arn': applied.listenerArn,
      'listener-rule-arn': applied.listenerRuleArn,
      'service-arn': applied.serviceArn,
      'task-definition-arn': applied.taskDefinitionArn,
      'deployment-id': applied.deploymentId,
      changed: String(applied.changed)
    })

    const testUrl =
      request.testListener && applied.dnsName ? listenerUrl(request.testListener, applied.dnsName) : undefined
    if (testUrl) setOutputs({ 'test-url': testUrl })
    if (request.wait.enabled && isNativeStrategy(request.service.deploymentConfiguration)) {
      const native = await stages.run('watch', () =>
        watchNativeDeployment({ clients, request, applied, startedAt: applyStarted, log: core.info }).catch(
          (e: unknown) => {
            if (e instanceof ServiceDeploymentFailed) report.serviceDeployment(e.result)
            throw e
          }
        )
      )
      report.serviceDeployment(native, testUrl)
      report.outcome = 'success'
      return
    }
    if (request.wait.enabled) {
      const watched = await stages.run('watch', () =>
        watchAndRecover({ clients, request, applied, previousTargetGroupArns, log: core.info }).catch(
          (e: unknown) => {
            if (e instanceof RolloutFailed) {
              report.watched(e.result, e.rollback)
              if (e.outcome) report.rolledBack = e.outcome
            }
            throw e
          }
        )
      )
      report.watched(watched.result)
    }
    report.outcome = 'success'
  } catch (error) {
    const message = aws && error instanceof aws.RolloutFailed ? error.message : explainAwsError(error)
    report.failed(message)
    core.setFailed(message)
  } finally {
    await stages.run('report', async () => {
      if (report.outcome === 'success' && report.applied?.url) core.notice(`Serving at ${report.applied.url}`)
      await report.writeSummary()
      if (report.request && githubSideWanted(report.request)) {
        const { reportToGithub } = await loadGithub()
        await reportToGithub({
          token: report.request.githubToken,
          request: report.request,
          outcome: report.outcome === 'success' && report.paused ? 'paused' : report.outcome,
          url: report.applied?.url,
          targets: report.targets,
          planLines: report.plan
            ? renderPlanText(report.plan).split('\n')
            : report.wouldRemove?.map(r => `would remove ${r}`),
          failure: report.failure?.title,
          removed: report.removed,
          paused: report.paused
        })
      }
    })
  }
}
