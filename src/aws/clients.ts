import { ECSClient } from '@aws-sdk/client-ecs'
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2'

export interface Clients {
  ecs: ECSClient
  elbv2: ElasticLoadBalancingV2Client
}

export interface ClientOptions {
  region?: string
  maxAttempts: number
}

/**
 * The SDK clients, configured once. Endpoints come from the environment the way SDK v3 reads them
 * (AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_ECS, AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING_V2), credentials
 * from the default chain (configure-aws-credentials sets them). Throttling is retried by the SDK's
 * standard retry strategy, not by a loop of ours.
 */
export function createClients(opts: ClientOptions): Clients {
  const region = opts.region || process.env.AWS_REGION || process.env.AWS_DEFAULT_REGION
  if (!region) {
    throw new Error(
      'No AWS region: set the aws-region input, or AWS_REGION (configure-aws-credentials does).'
    )
  }
  const common = {
    region,
    maxAttempts: opts.maxAttempts,
    retryMode: 'standard' as const,
    customUserAgent: 'ecs-alb-deploy'
  }
  return { ecs: new ECSClient(common), elbv2: new ElasticLoadBalancingV2Client(common) }
}
