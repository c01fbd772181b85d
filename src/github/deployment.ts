import { octokit, repository, runUrl } from './client.js'

export type DeploymentState = 'success' | 'failure' | 'in_progress' | 'inactive'

export interface PublishDeploymentOptions {
  token: string
  environment: string
  /** The preview's URL; becomes the status's environment_url (the "View deployment" button). */
  url?: string
  /** Branch, tag or SHA deployed (for a PR: its head SHA). */
  ref: string
  state: DeploymentState
  description?: string
  /** Add a status to this deployment instead of creating one (e.g. in_progress, then success). */
  deploymentId?: number
  /** A preview environment goes away with its PR; GitHub then marks it inactive on its own too. */
  transient?: boolean
}

/** Creates a deployment (unless given one) and a status on it. */
export async function publishDeployment(opts: PublishDeploymentOptions): Promise<{ deploymentId: number }> {
  const client = octokit(opts.token)
  const repo = repository()
  let deploymentId = opts.deploymentId
  if (deploymentId === undefined) {
    const created = await client.rest.repos.createDeployment({
      ...repo,
      ref: opts.ref,
      environment: opts.environment,
      description: opts.description,
      // The workflow that runs us is itself a check of this ref: requiring contexts would refuse it.
      required_contexts: [],
      auto_merge: false,
      transient_environment: opts.transient ?? true,
      production_environment: false
    })
    if (!('id' in created.data)) {
      throw new Error(
        `GitHub did not create a deployment for ${opts.ref}: ${created.data.message ?? created.status}`
      )
    }
    deploymentId = created.data.id
  }
  await client.rest.repos.createDeploymentStatus({
    ...repo,
    deployment_id: deploymentId,
    state: opts.state,
    environment: opts.environment,
    ...(opts.url ? { environment_url: opts.url } : {}),
    ...(runUrl() ? { log_url: runUrl() } : {}),
    description: opts.description?.slice(0, 140),
    // A newer successful deployment of the same environment retires the previous ones.
    auto_inactive: true
  })
  return { deploymentId }
}

/** Every deployment of the environment gets an inactive status (teardown). Returns which ones. */
export async function markInactive(opts: {
  token: string
  environment: string
  description?: string
}): Promise<{ deploymentIds: number[] }> {
  const client = octokit(opts.token)
  const repo = repository()
  const deployments = await client.paginate(client.rest.repos.listDeployments, {
    ...repo,
    environment: opts.environment,
    per_page: 100
  })
  const deploymentIds: number[] = []
  for (const d of deployments) {
    await client.rest.repos.createDeploymentStatus({
      ...repo,
      deployment_id: d.id,
      state: 'inactive',
      description: (opts.description ?? 'Preview removed').slice(0, 140)
    })
    deploymentIds.push(d.id)
  }
  return { deploymentIds }
}
