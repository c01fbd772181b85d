import { octokit, repository, type Octokit } from './client.js'
import { markerIn } from './environment.js'

type Repo = { owner: string; repo: string }

/** The author of what GITHUB_TOKEN writes. */
export const GITHUB_ACTIONS_BOT = 'github-actions[bot]'

async function markedComments(opts: {
  client: Octokit
  repo: Repo
  issueNumber: number
  marker: string
  author: string
}) {
  const comments = await opts.client.paginate(opts.client.rest.issues.listComments, {
    ...opts.repo,
    issue_number: opts.issueNumber,
    per_page: 100
  })
  // The marker is plain text anyone can paste into a comment: only the token's own comments are ours.
  return comments
    .filter(c => c.body?.includes(opts.marker) && c.user?.login === opts.author)
    .sort((a, b) => a.id - b.id)
}

/**
 * The login the token writes as. A user's token (PAT, OAuth) reads it from GET /user; an installation
 * token (GITHUB_TOKEN, a GitHub App's) gets 403 "Resource not accessible by integration" there (and
 * GET /app wants the app's JWT), so it is assumed to be GITHUB_TOKEN's github-actions[bot] until the
 * comment it creates says otherwise (see upsertPrComment).
 */
async function tokenLogin(client: Octokit): Promise<string> {
  try {
    return (await client.rest.users.getAuthenticated()).data.login
  } catch (error) {
    const status = (error as { status?: number }).status
    if (status === 403 || status === 404) return GITHUB_ACTIONS_BOT
    throw error
  }
}

/**
 * One comment per environment on the PR, kept up to date: found by the hidden marker the body carries
 * (see renderPrComment) among the comments the token's own identity wrote, edited in place, created only
 * when absent. A comment by anyone else that carries the marker is never edited nor deleted: anyone who
 * can comment on the PR could otherwise plant one and have the action write into it (or, as the oldest,
 * have the action delete its own in favour of it).
 */
export async function upsertPrComment(opts: {
  token: string
  issueNumber: number
  body: string
}): Promise<{ commentId: number; created: boolean }> {
  const marker = markerIn(opts.body)
  if (!marker)
    throw new Error('upsertPrComment: the body has no <!-- ecs-alb-deploy:… --> marker to find it by')
  const client = octokit(opts.token)
  const repo = repository()
  const login = await tokenLogin(client)
  const existing = (
    await markedComments({ client, repo, issueNumber: opts.issueNumber, marker, author: login })
  )[0]
  if (existing) {
    if (existing.body !== opts.body) {
      await client.rest.issues.updateComment({ ...repo, comment_id: existing.id, body: opts.body })
    }
    return { commentId: existing.id, created: false }
  }
  const created = await client.rest.issues.createComment({
    ...repo,
    issue_number: opts.issueNumber,
    body: opts.body
  })
  // The created comment names the token's identity for sure (a GitHub App's installation token writes as
  // `<app-slug>[bot]`, not github-actions[bot]).
  const author = created.data.user?.login ?? login
  // Two runs that both found no comment both created one: the oldest stays, the others go.
  const all = await markedComments({ client, repo, issueNumber: opts.issueNumber, marker, author })
  const oldest = all[0]
  if (oldest && oldest.id !== created.data.id) {
    await client.rest.issues.deleteComment({ ...repo, comment_id: created.data.id })
    await client.rest.issues.updateComment({ ...repo, comment_id: oldest.id, body: opts.body })
    return { commentId: oldest.id, created: false }
  }
  return { commentId: created.data.id, created: true }
}
