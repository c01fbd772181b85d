import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

/**
 * A small stand-in for the GitHub REST API: just the endpoints the action's GitHub side calls, with
 * GitHub's status codes and shapes (ids, Link pagination, 404/401 answers). Tests point GITHUB_API_URL
 * at it.
 */

export interface FakeDeployment {
  id: number
  ref: string
  sha: string
  environment: string
  description: string | null
  transient_environment: boolean
  production_environment: boolean
  required_contexts?: string[]
  auto_merge?: boolean
  created_at: string
}

export interface FakeDeploymentStatus {
  id: number
  deployment_id: number
  state: string
  environment?: string
  environment_url?: string
  log_url?: string
  description?: string
  auto_inactive?: boolean
}

export interface FakeComment {
  id: number
  issue_number: number
  body: string
  user: { login: string }
}

export interface RecordedRequest {
  method: string
  path: string
  query: Record<string, string>
  body?: Record<string, unknown>
  authorization?: string
}

export interface FakeGithubState {
  deployments: FakeDeployment[]
  statuses: FakeDeploymentStatus[]
  comments: FakeComment[]
  /** `METHOD /path` patterns answered with this status (fault injection), e.g. 'POST /repos/o/r/issues/1/comments'. */
  failures: Record<string, number>
  /** Who the token is: the author of the comments it writes (GITHUB_TOKEN writes as github-actions[bot]). */
  tokenLogin: string
  /**
   * An installation token (GITHUB_TOKEN, a GitHub App's) cannot read GET /user: GitHub answers 403
   * "Resource not accessible by integration". A user's token (PAT) gets its own user.
   */
  installationToken: boolean
}

export interface FakeGithub {
  url: string
  state: FakeGithubState
  requests: RecordedRequest[]
  stop: () => Promise<void>
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown> | undefined> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  if (chunks.length === 0) return undefined
  const text = Buffer.concat(chunks).toString('utf8')
  return text ? (JSON.parse(text) as Record<string, unknown>) : undefined
}

function send(
  res: ServerResponse,
  status: number,
  body?: unknown,
  headers: Record<string, string> = {}
): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers })
  res.end(body === undefined ? '' : JSON.stringify(body))
}

/** GitHub's pagination: per_page (default 30, at most 100), page, and a Link header to the next page. */
function paginate<T>(opts: {
  items: T[]
  query: Record<string, string>
  url: URL
  res: ServerResponse
}): void {
  const perPage = Math.min(100, Number(opts.query.per_page ?? 30))
  const page = Number(opts.query.page ?? 1)
  const slice = opts.items.slice((page - 1) * perPage, page * perPage)
  const headers: Record<string, string> = {}
  if (page * perPage < opts.items.length) {
    const next = new URL(opts.url)
    next.searchParams.set('page', String(page + 1))
    next.searchParams.set('per_page', String(perPage))
    headers.link = `<${next.toString()}>; rel="next"`
  }
  send(opts.res, 200, slice, headers)
}

export async function startFakeGithub(): Promise<FakeGithub> {
  const state: FakeGithubState = {
    deployments: [],
    statuses: [],
    comments: [],
    failures: {},
    tokenLogin: 'github-actions[bot]',
    installationToken: true
  }
  const requests: RecordedRequest[] = []
  let nextId = 1000

  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', `http://${req.headers.host ?? '127.0.0.1'}`)
      const query = Object.fromEntries(url.searchParams)
      const body = await readJson(req)
      const method = req.method ?? 'GET'
      requests.push({ method, path: url.pathname, query, body, authorization: req.headers.authorization })

      const failure = state.failures[`${method} ${url.pathname}`]
      if (failure)
        return send(res, failure, {
          message: 'Resource not accessible by integration',
          status: String(failure)
        })
      if (!req.headers.authorization) return send(res, 401, { message: 'Requires authentication' })

      if (url.pathname === '/user' && method === 'GET') {
        if (state.installationToken) {
          return send(res, 403, {
            message: 'Resource not accessible by integration',
            documentation_url: 'https://docs.github.com/rest/users/users#get-the-authenticated-user',
            status: '403'
          })
        }
        return send(res, 200, { login: state.tokenLogin, id: 1, type: 'User' })
      }

      const repo = /^\/repos\/([^/]+)\/([^/]+)(\/.*)$/.exec(url.pathname)
      if (!repo) return send(res, 404, { message: 'Not Found' })
      const rest = repo[3] ?? ''
      let m: RegExpExecArray | null

      if (rest === '/deployments' && method === 'POST') {
        const b = body ?? {}
        if (typeof b.ref !== 'string') return send(res, 422, { message: 'Invalid request: ref is required' })
        const deployment: FakeDeployment = {
          id: nextId++,
          ref: b.ref,
          sha: b.ref,
          environment: typeof b.environment === 'string' ? b.environment : 'production',
          description: typeof b.description === 'string' ? b.description : null,
          transient_environment: b.transient_environment === true,
          production_environment: b.production_environment === true,
          required_contexts: b.required_contexts as string[] | undefined,
          auto_merge: b.auto_merge as boolean | undefined,
          created_at: new Date().toISOString()
        }
        state.deployments.push(deployment)
        return send(res, 201, deployment)
      }
      if (rest === '/deployments' && method === 'GET') {
        const items = state.deployments
          .filter(d => !query.environment || d.environment === query.environment)
          .filter(d => !query.ref || d.ref === query.ref)
          .reverse()
        return paginate({ items, query, url, res })
      }
      if ((m = /^\/deployments\/(\d+)\/statuses$/.exec(rest))) {
        const deploymentId = Number(m[1])
        if (!state.deployments.some(d => d.id === deploymentId))
          return send(res, 404, { message: 'Not Found' })
        if (method === 'GET') {
          return paginate({
            items: state.statuses.filter(s => s.deployment_id === deploymentId).reverse(),
            query,
            url,
            res
          })
        }
        const b = body ?? {}
        const status: FakeDeploymentStatus = {
          id: nextId++,
          deployment_id: deploymentId,
          state: String(b.state),
          ...(typeof b.environment === 'string' ? { environment: b.environment } : {}),
          ...(typeof b.environment_url === 'string' ? { environment_url: b.environment_url } : {}),
          ...(typeof b.log_url === 'string' ? { log_url: b.log_url } : {}),
          ...(typeof b.description === 'string' ? { description: b.description } : {}),
          ...(typeof b.auto_inactive === 'boolean' ? { auto_inactive: b.auto_inactive } : {})
        }
        state.statuses.push(status)
        return send(res, 201, status)
      }
      if ((m = /^\/issues\/(\d+)\/comments$/.exec(rest))) {
        const issueNumber = Number(m[1])
        if (method === 'GET') {
          return paginate({
            items: state.comments.filter(c => c.issue_number === issueNumber),
            query,
            url,
            res
          })
        }
        const comment: FakeComment = {
          id: nextId++,
          issue_number: issueNumber,
          body: String(body?.body ?? ''),
          user: { login: state.tokenLogin }
        }
        state.comments.push(comment)
        return send(res, 201, comment)
      }
      if ((m = /^\/issues\/comments\/(\d+)$/.exec(rest))) {
        const comment = state.comments.find(c => c.id === Number(m?.[1]))
        if (!comment) return send(res, 404, { message: 'Not Found' })
        // A token with write access to the repository may edit or delete anyone's comment there, as here:
        // whose comment to touch is the action's choice (see upsertPrComment).
        if (method === 'PATCH') {
          comment.body = String(body?.body ?? '')
          return send(res, 200, comment)
        }
        if (method === 'DELETE') {
          state.comments = state.comments.filter(c => c !== comment)
          res.writeHead(204).end()
          return
        }
      }
      send(res, 404, { message: 'Not Found' })
    })().catch(error => send(res, 500, { message: String(error) }))
  })

  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    state,
    requests,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.close(e => (e ? reject(e) : resolve()))
        // The client keeps connections alive; close would wait for them.
        server.closeAllConnections()
      })
  }
}
