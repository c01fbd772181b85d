import type { Actual } from '../model/actual.js'
import type { Plan, PlanStep } from '../model/plan.js'
import type { DeployRequest } from '../model/request.js'
import type { PlanContext } from '../resources/context.js'
import { pendingArn, pendingVpc } from '../model/placeholders.js'
import { findListener, planListeners } from '../resources/listener.js'
import { planListenerRule } from '../resources/listener-rule.js'
import { planLoadBalancer } from '../resources/load-balancer.js'
import { planService } from '../resources/service.js'
import { desiredContainers, desiredNetworkMode, planTaskDefinition } from '../resources/task-definition.js'
import { planTargetGroup } from '../resources/target-group.js'
import { replaceWithoutDowntime } from './replace-target-group.js'
import { catchAllRule, isNativeStrategy } from '../model/deployment-strategy.js'
import { orientPair, type AdvancedFill } from '../resources/deployment-strategy.js'
import { planAlternateTargetGroup } from '../resources/target-group.js'

/**
 * Desired (the request) + actual (discover) → ordered steps. Pure: no I/O, so a dry-run is discover +
 * buildPlan, and every error here happens before any mutating call.
 *
 * Order: task definition → load balancer → target group → listener(s) → listener rule → service; a target
 * group changed in place goes before all (see below). The target group must be attached to the load
 * balancer (listener default action or rule) before CreateService may reference it. The revision goes first: it depends on nothing, costs nothing to keep
 * and is the call whose refusal only AWS can tell (a rule the inputs do not know yet), so a refusal
 * leaves no billable load balancer behind.
 */
export function buildPlan(opts: { request: DeployRequest; actual: Actual }): Plan {
  const ctx: PlanContext = { ...opts, warnings: [] }
  const { request, actual } = opts
  // A failed first deploy keeps everything for inspection (new-service-on-failure); a failed change to a
  // running stack removes what this run added that could take traffic (a listener, a rule) or become
  // the base of the next run (a task definition revision).
  const firstDeploy = !actual.service
  const keepAll = firstDeploy
    ? "created by this run, the service's first deploy: kept for inspection (a re-run reuses it, a teardown removes it)"
    : undefined
  const keepUnused = keepAll ?? 'created by this run: kept unused (a re-run reuses it, a teardown removes it)'

  // First: a referenced task definition that does not exist explains more than what depends on it.
  const td = planTaskDefinition({ ...ctx, keepCreated: keepAll })
  const steps: PlanStep[] = [td.step]
  const lb = planLoadBalancer({ ...ctx, keepCreated: keepUnused })
  if (lb) steps.push(lb)
  const lbName = lb?.name ?? ''
  const loadBalancerArn = actual.loadBalancer?.LoadBalancerArn ?? pendingArn('load balancer', lbName)

  const networkMode = desiredNetworkMode(request, actual)
  const listenerArn = findListener(actual.listeners, request.listener.Port)?.ListenerArn
  const tg = planTargetGroup({
    ...ctx,
    networkMode,
    vpcId: actual.loadBalancer?.VpcId ?? (lb ? pendingVpc(lbName) : undefined),
    listenerArn,
    keepCreated: keepUnused
  })
  let targetGroupArn: string | undefined
  let blueGreen: AdvancedFill | undefined
  if (tg) {
    steps.push(tg.step)
    targetGroupArn = tg.arn ?? pendingArn('target group', tg.name)
    const alternate = isNativeStrategy(request.service.deploymentConfiguration)
      ? planAlternateTargetGroup({
          ...ctx,
          primary: tg,
          networkMode,
          vpcId: actual.loadBalancer?.VpcId ?? (lb ? pendingVpc(lbName) : undefined),
          keepCreated: keepUnused
        })
      : undefined
    if (alternate) steps.push(alternate.step)
    // Under a native strategy the rules forward to both groups, the live one (ECS's choice) first.
    const pair = alternate
      ? orientPair({ requested: targetGroupArn, alternate: alternate.arn, existing: actual.service })
      : undefined
    const listeners = planListeners({ ...ctx, targetGroupArn, loadBalancerArn, keepCreated: keepAll })
    steps.push(...listeners)
    const listenerArnOf = (kind: 'listener' | 'test-listener') => {
      const step = listeners.find(l => l.resource === kind)
      return step?.arn ?? pendingArn('listener', step?.name ?? '')
    }
    const rule = planListenerRule({
      ...ctx,
      targetGroupArn: pair?.primary ?? targetGroupArn,
      alternateTargetGroupArn: pair?.alternate,
      listenerArn: listenerArnOf('listener'),
      keepCreated: keepAll
    })
    if (rule) steps.push(rule)
    const testRule =
      pair && request.testListener
        ? planListenerRule({
            ...ctx,
            request: { ...request, listenerRule: catchAllRule() },
            actual: { ...actual, rules: actual.testRules },
            resource: 'test-listener-rule',
            targetGroupArn: pair.primary,
            alternateTargetGroupArn: pair.alternate,
            listenerArn: listenerArnOf('test-listener'),
            keepCreated: keepAll
          })
        : undefined
    if (testRule) steps.push(testRule)
    if (pair && rule) {
      blueGreen = {
        ...pair,
        productionListenerRule: rule.arn ?? pendingArn('listener rule', rule.name),
        ...(testRule ? { testListenerRule: testRule.arn ?? pendingArn('listener rule', testRule.name) } : {})
      }
      targetGroupArn = pair.primary
    }
  }

  const taskDefinitionArn = td.arn ?? pendingArn('revision of', td.step.name)
  const containers = desiredContainers(request, actual)
  steps.push(planService({ ...ctx, taskDefinitionArn, targetGroupArn, containers, blueGreen }))

  const replaced = tg?.step.action === 'replace' && !blueGreen ? actual.targetGroup : undefined
  const ordered =
    replaced && actual.service && targetGroupArn
      ? replaceWithoutDowntime({
          steps,
          oldTargetGroup: replaced,
          newTargetGroupArn: targetGroupArn,
          service: actual.service,
          taskDefinitionArn
        })
      : steps
  // Apply proves a new health check before any change, so a target group changed in place (which depends on
  // nothing this run creates) leads the plan: the plan then reads in the order the calls are made, whether
  // or not this run's change still needs a probe (a re-run after an interrupted one does not).
  const leads = (s: PlanStep) =>
    (s.resource === 'target-group' && s.action === 'update') ||
    s.operations.some(o => o.do.call === 'ProbeHealthCheck')
  const inOrder = [...ordered.filter(leads), ...ordered.filter(s => !leads(s))]
  return { steps: inOrder, warnings: ctx.warnings, changed: inOrder.some(s => s.action !== 'none') }
}
