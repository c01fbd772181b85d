import * as github from '@actions/github'

/** What the GitHub side needs from the triggering event. */
export interface EventInfo {
  eventName?: string
  payload: unknown
  /** GITHUB_SHA: for pull_request events the merge commit, so the PR's head SHA is preferred. */
  sha?: string
}

export function currentEvent(): EventInfo {
  return { eventName: github.context.eventName, payload: github.context.payload, sha: github.context.sha }
}

/** The PR number and the commit deployed: the PR's head, else GITHUB_SHA. */
export function eventTarget(event: EventInfo): { issueNumber?: number; sha: string } {
  const payload = (event.payload ?? {}) as {
    pull_request?: { number?: number; head?: { sha?: string } }
    number?: number
  }
  const pr = event.eventName?.startsWith('pull_request') ? payload.pull_request : undefined
  const issueNumber = pr?.number ?? (pr ? payload.number : undefined)
  return { issueNumber, sha: pr?.head?.sha ?? event.sha ?? '' }
}
