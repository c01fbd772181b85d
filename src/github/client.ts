import * as core from '@actions/core'
import * as github from '@actions/github'

export type Octokit = ReturnType<typeof github.getOctokit>

/**
 * GITHUB_API_URL as it is now. @actions/github reads it once, when first imported (context.apiUrl and
 * its default baseUrl); reading it again per client lets GHES runners and tests point elsewhere later.
 */
export function apiUrl(): string {
  return process.env.GITHUB_API_URL || github.context.apiUrl
}

export function octokit(token: string): Octokit {
  return github.getOctokit(token, { baseUrl: apiUrl() })
}

/** owner/repo from GITHUB_REPOSITORY (read on each call by @actions/github). */
export function repository(): { owner: string; repo: string } {
  return github.context.repo
}

/** The run's page, for a deployment status's log_url; undefined outside Actions. */
export function runUrl(): string | undefined {
  const { GITHUB_SERVER_URL, GITHUB_REPOSITORY, GITHUB_RUN_ID } = process.env
  if (!GITHUB_REPOSITORY || !GITHUB_RUN_ID) return undefined
  return `${GITHUB_SERVER_URL || 'https://github.com'}/${GITHUB_REPOSITORY}/actions/runs/${GITHUB_RUN_ID}`
}

/**
 * Whether the GitHub side (deployment + PR comment) runs: it needs a token. Without one it says so once,
 * as a notice, and the deploy goes on.
 */
export function githubSideEnabled(
  token: string | undefined,
  notice: (message: string) => void = core.notice
): token is string {
  if (token) return true
  notice(
    'github-token is empty: no GitHub deployment or PR comment. Set github-token: ${{ github.token }} ' +
      '(with permissions deployments: write and pull-requests: write) to get them.'
  )
  return false
}
