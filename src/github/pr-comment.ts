import { octokit, repository, type Octokit } from './client.js'
import { markerIn } from './environment.js'

type Repo = { owner: string; repo: string }

async function markedComments(opts: { client: Octokit; repo: Repo; issueNumber: number; marker: string }) {
  const comments = await opts.client.paginate(opts.client.rest.issues.listComments, {
    ...opts.repo,
    issue_number: opts.issueNumber,
    per_page: 100
  })
  return comments.filter(c => c.body?.includes(opts.marker)).sort((a, b) => a.id - b.id)
}

/**
 * One comment per environment on the PR, kept up to date: found by the hidden marker the body carries
 * (see renderPrComment), edited in place, created only when absent.
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
  const existing = (await markedComments({ client, repo, issueNumber: opts.issueNumber, marker }))[0]
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
  // Two runs that both found no comment both created one: the oldest stays, the others go.
  const all = await markedComments({ client, repo, issueNumber: opts.issueNumber, marker })
  const oldest = all[0]
  if (oldest && oldest.id !== created.data.id) {
    await client.rest.issues.deleteComment({ ...repo, comment_id: created.data.id })
    await client.rest.issues.updateComment({ ...repo, comment_id: oldest.id, body: opts.body })
    return { commentId: oldest.id, created: false }
  }
  return { commentId: created.data.id, created: true }
}
