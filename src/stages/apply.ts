import type { Clients } from '../aws/clients.js'
import type { Actual } from '../model/actual.js'
import type { Applied, Call, Operation, Plan, PlanStep, ProbeInput } from '../model/plan.js'
import { resolvePlaceholders } from '../model/placeholders.js'
import type { DeployRequest } from '../model/request.js'
import { serviceUrl } from '../model/urls.js'
import { executeCall } from '../resources/execute.js'
import { primaryDeploymentId } from '../resources/service.js'
import { DeployError } from '../aws/errors.js'
import { formatDiagnosis, watchRollout, type HealthCheckChange } from '../watch/index.js'
import { probeHealthCheck } from '../resources/health-check-probe.js'
import { elbTags } from '../resources/ownership.js'

/** A failure part-way through apply: the operations that did run, so that they can be undone. */
export class ApplyFailed extends Error {
  constructor(
    override readonly cause: unknown,
    readonly journal: Operation[]
  ) {
    super(cause instanceof Error ? cause.message : String(cause))
    this.name = 'ApplyFailed'
  }
}

export interface ApplyOptions {
  clients: Clients
  request: DeployRequest
  actual: Actual
  plan: Plan
  log?: (line: string) => void
  /** For tests: stands in for the watch that waits for a target group's targets (see WaitForTargets). */
  waitForTargets?: (opts: {
    targetGroupArn: string
    taskDefinitionArn: string
    deploymentId?: string
  }) => Promise<void>
}

/**
 * Executes the plan's operations in its order, each with the exact input the plan holds (placeholders
 * of what this run creates swapped for the real values). Health-check probes run first, so that a check
 * the current targets fail stops the run before any change. A failure throws ApplyFailed with the
 * journal of what ran.
 */
export async function applyPlan(opts: ApplyOptions): Promise<Applied> {
  const { clients, request, plan } = opts
  const log = opts.log ?? (() => undefined)
  const previousTaskDefinitionArn = opts.actual.service?.taskDefinition
  const proven = new Set<string>()
  for (const step of plan.steps) {
    for (const op of step.operations) {
      if (op.do.call !== 'ProbeHealthCheck') continue
      if (await proveHealthCheck({ ...opts, log, name: step.name, probe: op.do.input })) {
        proven.add(op.do.input.targetGroup.TargetGroupArn ?? '')
      }
    }
  }
  let healthCheckChange: HealthCheckChange | undefined
  const values = new Map<string, string>()
  const journal: Operation[] = []
  let lastDeploymentId: string | undefined
  const produced = new Map<PlanStep, { arn?: string; dnsName?: string; deploymentId?: string }>()
  try {
    for (const step of plan.steps) {
      for (const op of step.operations) {
        if (op.do.call === 'ProbeHealthCheck') continue
        if (op.do.call === 'WaitForTargets') {
          const wait = resolvePlaceholders(op.do, values)
          await (opts.waitForTargets ?? (w => waitForTargets({ ...opts, log, ...w })))({
            deploymentId: lastDeploymentId,
            ...wait.input
          })
          log(op.says)
          continue
        }
        const call = resolvePlaceholders(op.do, values)
        const out = await executeCall({ clients, request, name: step.name, log }, call)
        if ('produces' in call) {
          if (out.arn) values.set(call.produces.arn, out.arn)
          if (call.produces.vpcId && out.vpcId) values.set(call.produces.vpcId, out.vpcId)
        }
        produced.set(step, { ...produced.get(step), ...definedOnly(out) })
        lastDeploymentId = out.deploymentId ?? lastDeploymentId
        if (call.call === 'ModifyTargetGroup') {
          healthCheckChange = changeOf({ call, plan, proven: proven.has(call.input.TargetGroupArn ?? '') })
        }
        journal.push({
          ...op,
          do: call,
          ...(op.inverse ? { inverse: resolvePlaceholders(op.inverse, values) } : {})
        })
        log(`${op.says}${out.arn && 'produces' in call ? ` (${out.arn})` : ''}`)
      }
    }
  } catch (error) {
    throw new ApplyFailed(error, journal)
  }
  if (journal.length === 0) log('nothing to change: every resource is as requested')
  return { ...applied({ ...opts, produced, journal, previousTaskDefinitionArn }), healthCheckChange }
}

/**
 * Proves new health-check settings on the target group's current targets (a traffic-free probe), before
 * any change: a check they fail stops the run here. True when the probe passed.
 */
async function proveHealthCheck(
  opts: ApplyOptions & { log: (line: string) => void; name: string; probe: ProbeInput }
): Promise<boolean> {
  const { probe } = opts
  const { TargetGroupArn: _arn, ...settings } = probe.settings
  const result = await probeHealthCheck({
    clients: opts.clients,
    targetGroup: probe.targetGroup,
    settings,
    listenerArn: probe.listenerArn,
    tags: elbTags(opts.request),
    log: opts.log
  })
  for (const w of result.warnings) opts.log(`warning: ${w}`)
  if (result.verdict === 'fail') {
    const why = result.diagnosis ? formatDiagnosis(result.diagnosis) : result.summary
    throw new DeployError(
      `The new health check of target group ${opts.name} fails targets the current one passes, so nothing was changed.\n${why}`
    )
  }
  return result.verdict === 'pass'
}

/** The health-check settings a ModifyTargetGroup leaves in force, for the watch's trust rule. */
function changeOf(opts: {
  call: Extract<Call, { call: 'ModifyTargetGroup' }>
  plan: Plan
  proven: boolean
}): HealthCheckChange {
  const live = opts.plan.steps
    .flatMap(s => s.operations)
    .map(o => o.do)
    .find(
      (c): c is Extract<Call, { call: 'ProbeHealthCheck' }> =>
        c.call === 'ProbeHealthCheck' && c.input.targetGroup.TargetGroupArn === opts.call.input.TargetGroupArn
    )?.input.targetGroup
  const input = opts.call.input
  return {
    at: Date.now(),
    intervalSeconds: input.HealthCheckIntervalSeconds ?? live?.HealthCheckIntervalSeconds ?? 30,
    timeoutSeconds: input.HealthCheckTimeoutSeconds ?? live?.HealthCheckTimeoutSeconds ?? 5,
    unhealthyThreshold: input.UnhealthyThresholdCount ?? live?.UnhealthyThresholdCount ?? 2,
    proven: opts.proven
  }
}

/** Waits for the deployment the last UpdateService started, with the watch's rules, on one target group. */
async function waitForTargets(
  opts: ApplyOptions & {
    log: (line: string) => void
    deploymentId?: string
    targetGroupArn: string
    taskDefinitionArn: string
  }
): Promise<void> {
  const result = await watchRollout({
    clients: opts.clients,
    cluster: opts.request.cluster,
    serviceName: opts.request.service.serviceName,
    deploymentId: opts.deploymentId,
    taskDefinitionArn: opts.taskDefinitionArn,
    targetGroupArns: [opts.targetGroupArn],
    wait: opts.request.wait,
    log: opts.log
  })
  if (!result.ok) {
    throw new DeployError(
      result.diagnosis ? formatDiagnosis(result.diagnosis) : 'The new target group did not become healthy.'
    )
  }
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>
}

/** Every ARN the outputs and the watch need: from the calls made, else from what discover saw. */
function applied(
  opts: ApplyOptions & {
    produced: Map<PlanStep, { arn?: string; dnsName?: string; deploymentId?: string }>
    journal: Operation[]
    previousTaskDefinitionArn?: string
  }
): Applied {
  const { request, actual, plan, produced } = opts
  const find = (resource: PlanStep['resource']) => plan.steps.find(s => s.resource === resource)
  const arnOf = (resource: PlanStep['resource']) => {
    const step = find(resource)
    if (!step) return undefined
    return produced.get(step)?.arn ?? step.arn
  }
  const lbStep = find('load-balancer')
  const dnsName = lbStep ? (produced.get(lbStep)?.dnsName ?? actual.loadBalancer?.DNSName) : undefined
  const serviceSteps = plan.steps.filter(s => s.resource === 'service')
  const serviceStep = serviceSteps[0]
  const lastDeployment = serviceSteps
    .map(s => produced.get(s)?.deploymentId)
    .filter(Boolean)
    .at(-1)
  const serviceArn = arnOf('service')
  const redirectListenerArn = arnOf('redirect-listener')
  const taskDefinitionArn = arnOf('task-definition')
  if (!serviceStep || !serviceArn || !taskDefinitionArn) throw new Error('the plan has no service step')
  return {
    loadBalancerArn: arnOf('load-balancer'),
    dnsName,
    url: dnsName ? serviceUrl(request, dnsName) : undefined,
    targetGroupArn: arnOf('target-group'),
    listenerArn: arnOf('listener'),
    ...(redirectListenerArn ? { redirectListenerArn } : {}),
    listenerRuleArn: arnOf('listener-rule'),
    serviceArn,
    taskDefinitionArn,
    previousTaskDefinitionArn: opts.previousTaskDefinitionArn,
    serviceCreated: !actual.service,
    deploymentId: lastDeployment ?? primaryDeploymentId(actual.service),
    journal: opts.journal,
    changed: opts.journal.length > 0
  }
}
