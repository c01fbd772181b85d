import * as core from '@actions/core'
import type { DeployRequest } from '../model/request.js'
import { githubSideEnabled } from './client.js'
import { markInactive, publishDeployment } from './deployment.js'
import { environmentFor } from './environment.js'
import { currentEvent, eventTarget, type EventInfo } from './event.js'
import { upsertPrComment } from './pr-comment.js'
import { renderPrComment, type CommentOutcome, type PrCommentData } from './render-comment.js'
import { pausedLine, type PausedGate } from '../model/deployment-strategy.js'

export interface GithubReportOptions {
  token: string | undefined
  request: DeployRequest
  outcome: Exclude<CommentOutcome, 'in_progress'>
  url?: string
  targets?: PrCommentData['targets']
  planLines?: string[]
  failure?: string
  /** Teardown: what was removed. */
  removed?: string[]
  /** The promotion gate a PAUSE hook holds the deployment at (outcome paused). */
  paused?: PausedGate
  /** Defaults to the running workflow's event. */
  event?: EventInfo
  notice?: (message: string) => void
  warning?: (message: string) => void
  info?: (message: string) => void
}

export interface GithubReportResult {
  deploymentId?: number
  commentId?: number
  inactivated?: number[]
}

/**
 * The GitHub side of one run, for main: a deployment status (or inactive ones after a teardown) and the
 * PR comment. It never fails the run: a GitHub error (a fork's read-only token, say) is a warning.
 */
export async function reportToGithub(opts: GithubReportOptions): Promise<GithubReportResult> {
  const warning = opts.warning ?? core.warning
  const info = opts.info ?? core.info
  const event = opts.event ?? currentEvent()
  // A plain deploy outside a pull request has nothing to say to GitHub: no notice about a missing token.
  const wanted = opts.request.preview !== undefined || event.eventName?.startsWith('pull_request') === true
  if (!opts.token && !wanted) return {}
  if (!githubSideEnabled(opts.token, opts.notice ?? core.notice)) return {}
  const token = opts.token
  const environment = environmentFor(opts.request)
  const { issueNumber, sha } = eventTarget(event)
  const result: GithubReportResult = {}

  try {
    if (opts.outcome === 'deleted') {
      result.inactivated = (await markInactive({ token, environment })).deploymentIds
      info(`GitHub: ${result.inactivated.length} deployment(s) of ${environment} marked inactive`)
    } else if (opts.outcome !== 'dry-run') {
      // A paused deployment is still under way on GitHub's side: the promote job finishes it.
      const state = opts.outcome === 'paused' ? 'in_progress' : opts.outcome
      const description =
        opts.outcome === 'paused' && opts.paused
          ? pausedLine(opts.paused)
          : state === 'success'
            ? 'Deployed, all targets healthy'
            : opts.failure?.split('\n')[0]
      result.deploymentId = (
        await publishDeployment({ token, environment, url: opts.url, ref: sha, state, description })
      ).deploymentId
      info(`GitHub: deployment ${result.deploymentId} of ${environment} is ${state}`)
    }
  } catch (error) {
    warning(`GitHub deployment for ${environment} not updated: ${(error as Error).message}`)
  }

  if (issueNumber === undefined) return result
  try {
    const body = renderPrComment({
      previewId: opts.request.preview?.id ?? opts.request.service.serviceName,
      environment,
      url: opts.url,
      sha,
      targets: opts.targets,
      planLines: opts.planLines ?? [],
      outcome: opts.outcome,
      failure: opts.failure,
      removed: opts.removed,
      paused: opts.paused
    })
    const comment = await upsertPrComment({ token, issueNumber, body })
    result.commentId = comment.commentId
    info(`GitHub: PR #${issueNumber} comment ${comment.created ? 'created' : 'updated'}`)
  } catch (error) {
    warning(`GitHub PR comment on #${issueNumber} not updated: ${(error as Error).message}`)
  }
  return result
}
