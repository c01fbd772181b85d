import type {
  ContinueServiceDeploymentCommandInput,
  DescribeServiceDeploymentsCommandInput,
  StopServiceDeploymentCommandInput,
  ListServiceDeploymentsCommandInput,
  ServiceDeployment,
  ServiceDeploymentBrief,
  ServiceDeploymentStatus
} from '@aws-sdk/client-ecs'
import { AwsError } from '../core/errors.js'
import { clusterOf, type EcsContext } from './context.js'
import { hookDetail } from './lifecycle-hooks.js'
import { invalidParameter, serviceNotFound } from './errors.js'
import { nameOf, serviceDeploymentArns } from './ids.js'
import { paginate } from './paging.js'
import { failureThreshold } from './scheduler.js'
import type { DeploymentRec, ServiceRec } from './state.js'

const digits = (d: DeploymentRec) => d.deployment.id!.replace('ecs-svc/', '')

const arnsOf = (ctx: EcsContext, svc: ServiceRec, d: DeploymentRec) =>
  serviceDeploymentArns(ctx.scope, svc.clusterName, svc.service.serviceName!, d.deployment.id!)

/** ECS's service deployment status, derived from the deployment's rollout and what came after it. */
function statusOf(svc: ServiceRec, d: DeploymentRec): ServiceDeploymentStatus {
  if (d.shift) return d.shift.status
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

/** The deployment a service deployment ARN names, or ServiceDeploymentNotFoundException. */
function byArn(ctx: EcsContext, arn: string | undefined): { svc: ServiceRec; d: DeploymentRec } {
  const m = /:service-deployment\/([^/]+)\/([^/]+)\/(\d+)$/.exec(arn ?? '')
  const svc = m ? ctx.clusters.get(m[1])?.services.get(m[2]) : undefined
  const d = svc?.history.find(h => digits(h) === m![3])
  if (!svc || !d)
    throw new AwsError('ServiceDeploymentNotFoundException', 'The service deployment does not exist.')
  return { svc, d }
}

/** Resolves a PAUSE hook awaiting action: CONTINUE goes on to the next stage, ROLLBACK sends traffic back to blue. */
export function continueServiceDeployment(ctx: EcsContext, input: ContinueServiceDeploymentCommandInput) {
  if (!input.hookId) throw invalidParameter('hookId can not be blank.')
  const { svc, d } = byArn(ctx, input.serviceDeploymentArn)
  const action = input.action ?? 'CONTINUE'
  if (action !== 'CONTINUE' && action !== 'ROLLBACK')
    throw invalidParameter(`action must be one of CONTINUE, ROLLBACK.`)
  if (!d.shift || d.shift.status !== 'IN_PROGRESS')
    throw invalidParameter('The service deployment is not IN_PROGRESS.')
  const run = d.shift.waiting.find(r => r.hookId === input.hookId)
  if (!run || run.status !== 'AWAITING_ACTION')
    throw invalidParameter(`The lifecycle hook ${input.hookId} is not in AWAITING_ACTION status.`)
  const now = ctx.clock.now()
  if (action === 'CONTINUE') run.status = 'SUCCEEDED'
  else {
    run.status = 'FAILED'
    ctx.scheduler.shifter.rollback(
      svc,
      d,
      `Rollback requested with ContinueServiceDeployment at ${run.stage}.`,
      now
    )
  }
  return { serviceDeploymentArn: input.serviceDeploymentArn }
}

/** ROLLBACK (the default) returns to the previous revision; ABORT leaves the deployment where it stands. */
export function stopServiceDeployment(ctx: EcsContext, input: StopServiceDeploymentCommandInput) {
  const { svc, d } = byArn(ctx, input.serviceDeploymentArn)
  const stopType = input.stopType ?? 'ROLLBACK'
  if (stopType !== 'ROLLBACK' && stopType !== 'ABORT')
    throw invalidParameter('stopType must be one of ABORT, ROLLBACK.')
  const status = statusOf(svc, d)
  if (
    !['PENDING', 'IN_PROGRESS', 'STOP_REQUESTED', 'ROLLBACK_REQUESTED', 'ROLLBACK_IN_PROGRESS'].includes(
      status
    )
  )
    throw new AwsError('ConflictException', `The service deployment is ${status} and cannot be stopped.`)
  const now = ctx.clock.now()
  if (d.shift) {
    if (status === 'IN_PROGRESS' || status === 'PENDING') {
      d.shift.status = stopType === 'ROLLBACK' ? 'ROLLBACK_REQUESTED' : 'STOP_REQUESTED'
      d.shift.statusReason = `Service deployment stopped with StopServiceDeployment (${stopType}).`
    }
  } else if (status === 'IN_PROGRESS') {
    d.deployment.rolloutState = 'FAILED'
    d.deployment.rolloutStateReason = `Service deployment stopped with StopServiceDeployment (${stopType}).`
    d.deployment.updatedAt = new Date(now)
    d.finishedAt = new Date(now)
    if (stopType === 'ABORT' || !ctx.scheduler.rollBack(svc, now, true)) d.aborted = true
  }
  return { serviceDeploymentArn: input.serviceDeploymentArn }
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
      ...(d.shift?.stoppedAt ? { stoppedAt: d.shift.stoppedAt } : {}),
      updatedAt: d.deployment.updatedAt,
      sourceServiceRevisions: d.sources.map(s => ({
        arn: arnsOf(ctx, svc, { ...d, deployment: { id: s.arn } }).revision,
        requestedTaskCount: 0,
        runningTaskCount: 0,
        pendingTaskCount: 0,
        ...(d.shift
          ? {
              requestedProductionTrafficWeight: 100 - d.shift.production,
              requestedTestTrafficWeight: 100 - d.shift.test
            }
          : {})
      })),
      targetServiceRevision: {
        arn: b.targetServiceRevisionArn,
        requestedTaskCount: d.deployment.desiredCount,
        runningTaskCount: d.deployment.runningCount,
        pendingTaskCount: d.deployment.pendingCount,
        ...(d.shift
          ? {
              requestedProductionTrafficWeight: d.shift.production,
              requestedTestTrafficWeight: d.shift.test
            }
          : {})
      },
      status: b.status,
      ...(d.shift?.statusReason
        ? { statusReason: d.shift.statusReason }
        : b.statusReason
          ? { statusReason: b.statusReason }
          : {}),
      ...(d.shift
        ? { lifecycleStage: d.shift.stage, lifecycleHookDetails: d.shift.hooks.map(hookDetail) }
        : {}),
      deploymentConfiguration: svc.service.deploymentConfiguration,
      ...(d.shift?.rollbackStartedAt
        ? {
            rollback: {
              reason: d.shift.statusReason,
              startedAt: d.shift.rollbackStartedAt,
              ...(d.shift.blue[0] ? { serviceRevisionArn: arnsOf(ctx, svc, d.shift.blue[0]).revision } : {})
            }
          }
        : {}),
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
