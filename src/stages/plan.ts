import type { Actual } from '../model/actual.js'
import type { Plan, PlanStep } from '../model/plan.js'
import type { DeployRequest } from '../model/request.js'
import { pendingArn, type PlanContext } from '../resources/context.js'
import { planListeners } from '../resources/listener.js'
import { planListenerRule } from '../resources/listener-rule.js'
import { planLoadBalancer } from '../resources/load-balancer.js'
import { planService } from '../resources/service.js'
import { desiredContainers, desiredNetworkMode, planTaskDefinition } from '../resources/task-definition.js'
import { planTargetGroup } from '../resources/target-group.js'

/**
 * Desired (the request) + actual (discover) → ordered steps. Pure: no I/O, so a dry-run is discover +
 * buildPlan, and every error here happens before any mutating call.
 *
 * Order: load balancer → target group → listener(s) → listener rule → task definition → service. The
 * target group must be attached to the load balancer (listener default action or rule) before
 * CreateService may reference it.
 */
export function buildPlan(opts: { request: DeployRequest; actual: Actual }): Plan {
  const ctx: PlanContext = { ...opts, warnings: [] }
  const { request, actual } = opts
  // First: a referenced task definition that does not exist explains more than what depends on it.
  const td = planTaskDefinition(ctx)
  const steps: PlanStep[] = []
  const lb = planLoadBalancer(ctx)
  if (lb) steps.push(lb)

  const networkMode = desiredNetworkMode(request, actual)
  const tg = planTargetGroup({ ...ctx, networkMode })
  let targetGroupArn: string | undefined
  if (tg) {
    steps.push(tg.step)
    targetGroupArn = tg.arn ?? pendingArn('target group', tg.name)
    steps.push(...planListeners({ ...ctx, targetGroupArn }))
    const rule = planListenerRule({ ...ctx, targetGroupArn })
    if (rule) steps.push(rule)
  }

  steps.push(td.step)
  const taskDefinitionArn = td.arn ?? pendingArn('revision of', td.step.name)
  const containers = desiredContainers(request, actual)
  steps.push(planService({ ...ctx, taskDefinitionArn, targetGroupArn, containers }))

  return { steps, warnings: ctx.warnings, changed: steps.some(s => s.action !== 'none') }
}
