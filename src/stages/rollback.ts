import type { Clients } from '../aws/clients.js'
import { explainAwsError } from '../aws/errors.js'
import type { ChangeCall, Operation } from '../model/plan.js'
import type { DeployRequest } from '../model/request.js'
import { executeCall } from '../resources/execute.js'
import {
  describeService,
  formatDiagnosis,
  primaryDeployment,
  watchRollout,
  type Clock,
  type WatchResult
} from '../watch/index.js'

export interface RollbackOptions {
  clients: Clients
  request: DeployRequest
  /** What apply executed, in order, with its placeholders resolved. */
  journal: Operation[]
  /** The task definition the service ran before the run; absent when the run created the service. */
  previousTaskDefinitionArn?: string
  /**
   * The service existed before the run, this run created it, or this run was to create it and CreateService
   * did not succeed: then there is no service to undo or to watch.
   */
  service: 'existed' | 'created' | 'not-created'
  /** The service's target groups after the rollback: every one of them must be healthy again. */
  targetGroupArns: string[]
  log: (line: string) => void
  /** For tests: the watch's time source. */
  clock?: Clock
}

export interface RollbackOutcome {
  /** True only when production was seen healthy again after every inverse ran. */
  ok: boolean
  /** One line for the summary and the error: `succeeded: …`, `did not succeed: …`, `none: …`. */
  summary: string
  /** What was put back, newest first, as the job summary lists it. */
  restored: string[]
  /** What this run created and left in place, and why. */
  kept: string[]
  /** The watch that verified (or refuted) the rollback. */
  result?: WatchResult
}

/**
 * Undoes a failed run: the inverse of every operation apply executed, newest first, each built from
 * what discover saw. Then the service is watched until its deployment is complete and every target
 * healthy; only then does the rollback count as a success. An inverse that fails does not stop the
 * others: each one that runs leaves production nearer to where it was.
 */
export async function rollBack(opts: RollbackOptions): Promise<RollbackOutcome> {
  const { clients, request, log } = opts
  const restored: string[] = []
  const kept: string[] = []
  const failures: string[] = []
  let deploymentId: string | undefined
  let serviceTouched = false
  for (const op of [...opts.journal].reverse()) {
    if (!op.inverse) {
      if (op.kept) kept.push(`${op.says}: ${op.kept}`)
      continue
    }
    const inverse = op.inverse
    const line = undoneLine(op, inverse)
    try {
      if (inverse.call === 'UpdateService') {
        serviceTouched = true
        const already = await alreadyRolledBack({ ...opts, inverse })
        if (already) {
          deploymentId = already
          log(
            `rollback: ECS already runs ${inverse.input.taskDefinition} again (deployment ${already}); watching it`
          )
          restored.push(line)
          continue
        }
      }
      const out = await executeCall({ clients, request, name: request.service.serviceName }, inverse)
      if (inverse.call === 'UpdateService') deploymentId = out.deploymentId ?? deploymentId
      log(`rollback: ${line}`)
      restored.push(line)
    } catch (error) {
      const why = explainAwsError(error)
      log(`rollback: could not undo "${op.says}": ${why}`)
      failures.push(`${op.says} could not be undone: ${why}`)
    }
  }

  if (opts.service === 'created') {
    return { ok: false, summary: createdServiceSummary({ request, restored, failures }), restored, kept }
  }
  if (opts.service === 'not-created') {
    return {
      ok: false,
      summary: notCreatedSummary({ journal: opts.journal, restored, failures }),
      restored,
      kept
    }
  }
  if (restored.length === 0 && failures.length === 0) {
    return {
      ok: false,
      summary: 'not attempted: this run changed nothing that can be undone',
      restored,
      kept
    }
  }

  const service = await describeService({
    clients,
    cluster: request.cluster,
    serviceName: request.service.serviceName,
    targetGroupArns: []
  })
  const running = service ? primaryDeployment(service) : undefined
  const result = await watchRollout({
    clients,
    cluster: request.cluster,
    serviceName: request.service.serviceName,
    deploymentId: deploymentId ?? running?.id,
    taskDefinitionArn:
      serviceTouched && opts.previousTaskDefinitionArn
        ? opts.previousTaskDefinitionArn
        : (running?.taskDefinition ?? ''),
    targetGroupArns: opts.targetGroupArns,
    wait: request.wait,
    log,
    clock: opts.clock
  })
  const ok = result.ok && failures.length === 0
  const back =
    serviceTouched && opts.previousTaskDefinitionArn
      ? `the service runs ${opts.previousTaskDefinitionArn} again, with every target healthy`
      : 'every target healthy'
  const summary = ok
    ? `succeeded: ${back}${restored.length ? ` (restored: ${restored.join('; ')})` : ''}`
    : `did not succeed: ${[
        ...failures,
        ...(result.ok
          ? []
          : [
              result.diagnosis ? formatDiagnosis(result.diagnosis) : 'production did not become healthy again'
            ])
      ].join('; ')}`
  return { ok, summary, restored, kept, result }
}

/** A service this run created has no previous state: it was scaled to 0, or is kept as it is. */
function createdServiceSummary(opts: {
  request: DeployRequest
  restored: string[]
  failures: string[]
}): string {
  const { failures } = opts
  const also = failures.length ? `; ${failures.join('; ')}` : ''
  if (opts.restored.some(r => r.startsWith('scaled'))) {
    return `the service was created by this run, so there is nothing to roll back to: scaled to 0 (new-service-on-failure: scale-to-zero)${also}`
  }
  if (opts.request.wait.newServiceOnFailure === 'scale-to-zero') {
    return `did not succeed: the service was created by this run and could not be scaled to 0 (new-service-on-failure: scale-to-zero)${also}`
  }
  return `none: the service was created by this run and is left as it is for inspection (new-service-on-failure: keep)${also}`
}

/**
 * A first deploy whose CreateService failed: there is no service to roll back, scale or watch. What the
 * run created before it is named (kept for a re-run, as the plan decided), and what it changed is undone.
 */
function notCreatedSummary(opts: { journal: Operation[]; restored: string[]; failures: string[] }): string {
  const kept = opts.journal.filter(op => !op.inverse && op.kept).map(op => op.says)
  const them = kept.length === 1 ? 'it' : 'them'
  const parts = [
    'the service was not created (CreateService failed), so there is no service to roll back',
    ...(opts.restored.length ? [`undid: ${opts.restored.join('; ')}`] : []),
    ...opts.failures
  ]
  // In parentheses at the end, like "(restored: …)": the job summary lists them instead.
  const keptText = kept.length
    ? ` (kept: ${kept.join(', ')}; a re-run reuses ${them}, a teardown removes ${them})`
    : ''
  return `${opts.failures.length ? 'did not succeed' : 'none'}: ${parts.join('; ')}${keptText}`
}

/**
 * ECS's circuit breaker may have rolled the service back already: then its deployment is the one to
 * watch, and another UpdateService would only start a second one.
 */
async function alreadyRolledBack(
  opts: RollbackOptions & { inverse: Extract<ChangeCall, { call: 'UpdateService' }> }
): Promise<string | undefined> {
  const { inverse } = opts
  const fields = Object.keys(inverse.input).filter(k => k !== 'cluster' && k !== 'service')
  if (fields.length !== 1 || !inverse.input.taskDefinition) return undefined
  const service = await describeService({
    clients: opts.clients,
    cluster: opts.request.cluster,
    serviceName: opts.request.service.serviceName,
    targetGroupArns: []
  })
  const primary = service ? primaryDeployment(service) : undefined
  return primary?.taskDefinition === inverse.input.taskDefinition ? primary.id : undefined
}

/** How an undone operation reads: `target group web: HealthCheckPath back to "/hostname"`. */
function undoneLine(op: Operation, inverse: ChangeCall): string {
  switch (inverse.call) {
    case 'DeleteRule':
    case 'DeregisterTaskDefinition':
      return `removed what this run added (${op.says})`
    case 'UpdateService':
      if (inverse.input.desiredCount === 0 && Object.keys(inverse.input).length === 3)
        return 'scaled the service to 0'
      return `service ${inverse.input.service} back to ${fieldsOf(inverse.input, ['cluster', 'service'])}`
    default:
      return `undid "${op.says}"`
  }
}

function fieldsOf(input: object, skip: string[]): string {
  return Object.entries(input)
    .filter(([k]) => !skip.includes(k))
    .map(([k, v]) => `${k} ${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(', ')
}
