import type {
  DescribeServiceDeploymentsCommandInput,
  ListServiceDeploymentsCommandInput,
  ServiceDeployment,
  ServiceDeploymentBrief,
  ServiceDeploymentStatus
} from '@aws-sdk/client-ecs'
import { clusterOf, type EcsContext } from './context.js'
import { invalidParameter, serviceNotFound } from './errors.js'
import { nameOf } from './ids.js'
import { paginate } from './paging.js'
import { failureThreshold } from './scheduler.js'
import type { DeploymentRec, ServiceRec } from './state.js'

const digits = (d: DeploymentRec) => d.deployment.id!.replace('ecs-svc/', '')

function arnsOf(ctx: EcsContext, svc: ServiceRec, d: DeploymentRec) {
  const base = `arn:aws:ecs:${ctx.scope.region}:${ctx.scope.accountId}`
  const path = `${svc.clusterName}/${svc.service.serviceName}/${digits(d)}`
  return { deployment: `${base}:service-deployment/${path}`, revision: `${base}:service-revision/${path}` }
}

/** ECS's service deployment status, derived from the deployment's rollout and what came after it. */
function statusOf(svc: ServiceRec, d: DeploymentRec): ServiceDeploymentStatus {
  const state = d.deployment.rolloutState
  if (state === 'COMPLETED') return 'SUCCESSFUL'
  if (state === 'FAILED') {
    const rb = d.rolledBackBy?.deployment.rolloutState
    if (!d.rolledBackBy) return 'STOPPED'
    return rb === 'COMPLETED'
      ? 'ROLLBACK_SUCCESSFUL'
      : rb === 'FAILED'
        ? 'ROLLBACK_FAILED'
        : 'ROLLBACK_IN_PROGRESS'
  }
  return svc.deployments[0] === d && svc.service.status === 'ACTIVE' ? 'IN_PROGRESS' : 'STOPPED'
}

function brief(ctx: EcsContext, svc: ServiceRec, d: DeploymentRec): ServiceDeploymentBrief {
  const a = arnsOf(ctx, svc, d)
  return {
    serviceDeploymentArn: a.deployment,
    serviceArn: svc.service.serviceArn,
    clusterArn: svc.service.clusterArn,
    createdAt: d.deployment.createdAt,
    startedAt: d.deployment.createdAt,
    ...(d.finishedAt ? { finishedAt: d.finishedAt } : {}),
    targetServiceRevisionArn: a.revision,
    status: statusOf(svc, d),
    ...(d.deployment.rolloutStateReason ? { statusReason: d.deployment.rolloutStateReason } : {})
  }
}

function findServiceRec(ctx: EcsContext, cluster: string | undefined, service: string | undefined) {
  const svc = clusterOf(ctx, cluster).services.get(nameOf(service ?? ''))
  if (!svc) throw serviceNotFound()
  return svc
}

export function listServiceDeployments(ctx: EcsContext, input: ListServiceDeploymentsCommandInput) {
  const svc = findServiceRec(ctx, input.cluster, input.service)
  const after = input.createdAt?.after ? new Date(input.createdAt.after).getTime() : -Infinity
  const before = input.createdAt?.before ? new Date(input.createdAt.before).getTime() : Infinity
  const items = [...svc.history]
    .reverse()
    .map(d => brief(ctx, svc, d))
    .filter(b => !input.status?.length || input.status.includes(b.status!))
    .filter(b => b.createdAt!.getTime() >= after && b.createdAt!.getTime() <= before)
  const page = paginate(items, input.maxResults, input.nextToken, 100)
  return { serviceDeployments: page.items, ...(page.nextToken ? { nextToken: page.nextToken } : {}) }
}

export function describeServiceDeployments(ctx: EcsContext, input: DescribeServiceDeploymentsCommandInput) {
  const refs = input.serviceDeploymentArns ?? []
  if (refs.length === 0 || refs.length > 20)
    throw invalidParameter('serviceDeploymentArns must have 1 to 20 items.')
  const serviceDeployments: ServiceDeployment[] = []
  const failures: { arn: string; reason: string }[] = []
  for (const arn of refs) {
    const m = /:service-deployment\/([^/]+)\/([^/]+)\/(\d+)$/.exec(arn)
    const svc = m ? ctx.clusters.get(m[1])?.services.get(m[2]) : undefined
    const d = svc?.history.find(h => digits(h) === m![3])
    if (!svc || !d) {
      failures.push({ arn, reason: 'MISSING' })
      continue
    }
    const b = brief(ctx, svc, d)
    const breaker = svc.service.deploymentConfiguration?.deploymentCircuitBreaker
    serviceDeployments.push({
      serviceDeploymentArn: b.serviceDeploymentArn,
      serviceArn: b.serviceArn,
      clusterArn: b.clusterArn,
      createdAt: b.createdAt,
      startedAt: b.startedAt,
      ...(b.finishedAt ? { finishedAt: b.finishedAt } : {}),
      updatedAt: d.deployment.updatedAt,
      sourceServiceRevisions: d.sources.map(s => ({
        arn: arnsOf(ctx, svc, { ...d, deployment: { id: s.arn } }).revision,
        requestedTaskCount: 0,
        runningTaskCount: 0,
        pendingTaskCount: 0
      })),
      targetServiceRevision: {
        arn: b.targetServiceRevisionArn,
        requestedTaskCount: d.deployment.desiredCount,
        runningTaskCount: d.deployment.runningCount,
        pendingTaskCount: d.deployment.pendingCount
      },
      status: b.status,
      ...(b.statusReason ? { statusReason: b.statusReason } : {}),
      deploymentConfiguration: svc.service.deploymentConfiguration,
      ...(d.rolledBackBy
        ? {
            rollback: {
              reason: d.deployment.rolloutStateReason,
              startedAt: d.rolledBackBy.deployment.createdAt,
              serviceRevisionArn: arnsOf(ctx, svc, d.rolledBackBy).revision
            }
          }
        : {}),
      deploymentCircuitBreaker: breaker?.enable
        ? {
            status: d.deployment.rolloutState === 'FAILED' ? 'TRIGGERED' : 'MONITORING',
            failureCount: d.breakerFailures,
            threshold: failureThreshold(d.deployment.desiredCount ?? 0, breaker.thresholdConfiguration)
          }
        : { status: 'DISABLED', failureCount: 0, threshold: 0 }
    })
  }
  return { serviceDeployments, failures }
}
