import * as core from '@actions/core'
import { readInputs } from './inputs.js'
import { createClients } from './aws.js'
import { discover } from './discover.js'
import { buildPlan } from './plan.js'
import { applyPlan } from './apply.js'
import { watchRollout, rollback, scaleToZero, formatDiagnosis } from './watch/index.js'
import { explainAwsError } from './aws-errors.js'
import { setOutputs } from './report/outputs.js'
import { planJson, renderPlanText } from './report/plan-text.js'
import { renderSummary, type SummaryData } from './report/summary.js'
import { Stages } from './report/stages.js'
import type { DeployRequest } from './request.js'

/** A rollout that did not become healthy: the diagnosis is the message. */
class RolloutFailed extends Error {}

/** inputs → discover → plan → apply → watch → report; one error path, one setFailed. */
export async function run(): Promise<void> {
  const stages = new Stages()
  let request: DeployRequest | undefined
  const summary: Omit<SummaryData, 'cluster' | 'serviceName' | 'region'> = { outcome: 'failure', timings: stages.timings }
  try {
    request = await stages.run('inputs', () => readInputs())
    const req = request
    const clients = createClients({ region: req.region, maxAttempts: req.maxAttempts })
    const actual = await stages.run('discover', () => discover({ clients, request: req }))
    const plan = await stages.run('plan', () => {
      const p = buildPlan({ request: req, actual })
      core.info(renderPlanText(p))
      for (const w of p.warnings) core.warning(w)
      return p
    })
    summary.plan = plan
    setOutputs({ plan: planJson(plan), changed: String(plan.changed) })
    if (req.dryRun) {
      summary.outcome = 'dry-run'
      core.notice('dry-run: nothing was changed')
      return
    }

    const applied = await stages.run('apply', () => applyPlan({ clients, request: req, actual, plan, log: core.info }))
    summary.applied = applied
    setOutputs({
      'dns-name': applied.dnsName,
      url: applied.url,
      'load-balancer-arn': applied.loadBalancerArn,
      'target-group-arn': applied.targetGroupArn,
      'listener-arn': applied.listenerArn,
      'listener-rule-arn': applied.listenerRuleArn,
      'service-arn': applied.serviceArn,
      'task-definition-arn': applied.taskDefinitionArn,
      'deployment-id': applied.deploymentId,
      changed: String(applied.changed || plan.changed)
    })

    if (req.wait.enabled) {
      const targetGroupArns = applied.targetGroupArn ? [applied.targetGroupArn] : []
      const common = { clients, cluster: req.cluster, serviceName: req.service.serviceName, targetGroupArns, wait: req.wait, log: core.info }
      const result = await stages.run('watch', () =>
        watchRollout({ ...common, deploymentId: applied.deploymentId, taskDefinitionArn: applied.taskDefinitionArn })
      )
      summary.targets = result.targets
      summary.timeline = result.timeline
      if (!result.ok) {
        const message = result.diagnosis ? formatDiagnosis(result.diagnosis) : 'the rollout did not become healthy'
        if (applied.serviceCreated) {
          if (req.wait.newServiceOnFailure === 'scale-to-zero') {
            await stages.run('rollback', () => scaleToZero(common))
            summary.rollback = 'the service was created by this run: scaled to 0 (new-service-on-failure: scale-to-zero)'
          } else {
            summary.rollback = 'none: the service was created by this run and is left as it is (new-service-on-failure: keep)'
          }
        } else if (req.wait.rollbackOnFailure && applied.previousTaskDefinitionArn) {
          const previous = applied.previousTaskDefinitionArn
          const back = await stages.run('rollback', () => rollback({ ...common, previousTaskDefinitionArn: previous }))
          summary.rollback = back.ok
            ? `succeeded: the service runs ${previous} again, all targets healthy`
            : `did not succeed: ${back.diagnosis ? formatDiagnosis(back.diagnosis) : 'the previous revision did not become healthy'}`
          summary.targets = back.targets
        }
        throw new RolloutFailed(summary.rollback ? `${message}\nRollback ${summary.rollback}` : message)
      }
    }
    summary.outcome = 'success'
    if (applied.url) core.notice(`Serving at ${applied.url}`)
  } catch (error) {
    const message = error instanceof RolloutFailed ? error.message : explainAwsError(error)
    summary.failure = { title: message.split('\n')[0], details: message.split('\n').slice(1) }
    core.setFailed(message)
  } finally {
    if (request?.summary !== false) await writeSummary(summary, request)
  }
}

async function writeSummary(
  summary: Omit<SummaryData, 'cluster' | 'serviceName' | 'region'>,
  request: DeployRequest | undefined
): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) return
  try {
    const markdown = renderSummary({
      ...summary,
      cluster: request?.cluster ?? core.getInput('cluster'),
      serviceName: request?.service.serviceName ?? '(service)',
      region: request?.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? ''
    })
    await core.summary.addRaw(markdown).write()
  } catch (e) {
    core.warning(`could not write the job summary: ${(e as Error).message}`)
  }
}
