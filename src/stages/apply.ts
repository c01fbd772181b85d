import type { LoadBalancer } from '@aws-sdk/client-elastic-load-balancing-v2'
import type { Actual } from '../model/actual.js'
import type { Clients } from '../aws/clients.js'
import type { Applied, Plan } from '../model/plan.js'
import type { DeployRequest } from '../model/request.js'
import { serviceUrl } from '../model/urls.js'
import type { ApplyContext } from '../resources/context.js'
import { applyListener } from '../resources/listener.js'
import { applyListenerRule } from '../resources/listener-rule.js'
import { applyLoadBalancer } from '../resources/load-balancer.js'
import { applyService, type AppliedService } from '../resources/service.js'
import { applyTaskDefinition, desiredContainers, desiredNetworkMode } from '../resources/task-definition.js'
import { applyTargetGroup } from '../resources/target-group.js'

/** ARNs resolved so far; a later step reads what an earlier one created. */
interface Resolved {
  loadBalancer?: LoadBalancer
  targetGroupArn?: string
  listenerArn?: string
  listenerRuleArn?: string
  taskDefinitionArn?: string
  service?: AppliedService
}

/**
 * Executes the plan's steps in its order (see buildPlan). Steps whose action is 'none' make no call but
 * still resolve their ARN. Every failure is an explained DeployError naming the call that failed.
 */
export async function applyPlan(opts: {
  clients: Clients
  request: DeployRequest
  actual: Actual
  plan: Plan
  log?: (line: string) => void
}): Promise<Applied> {
  const { request, actual, plan } = opts
  const ctx: ApplyContext = { clients: opts.clients, request, actual, log: opts.log ?? (() => undefined) }
  const networkMode = desiredNetworkMode(request, actual)
  const r: Resolved = {}
  for (const step of plan.steps) {
    switch (step.resource) {
      case 'load-balancer':
        r.loadBalancer = await applyLoadBalancer(ctx, step)
        break
      case 'target-group': {
        const tg = await applyTargetGroup({ ...ctx, step, vpcId: r.loadBalancer?.VpcId, networkMode })
        r.targetGroupArn = tg.arn
        break
      }
      case 'listener':
      case 'redirect-listener': {
        const arn = await applyListener({
          ...ctx,
          step,
          loadBalancerArn: required(r.loadBalancer?.LoadBalancerArn, 'load balancer', step.name),
          targetGroupArn: required(r.targetGroupArn, 'target group', step.name)
        })
        if (step.resource === 'listener') r.listenerArn = arn
        break
      }
      case 'listener-rule':
        r.listenerRuleArn = await applyListenerRule({
          ...ctx,
          step,
          listenerArn: required(r.listenerArn, 'listener', step.name),
          targetGroupArn: required(r.targetGroupArn, 'target group', step.name)
        })
        break
      case 'task-definition':
        r.taskDefinitionArn = await applyTaskDefinition({ ...ctx, step })
        break
      case 'service':
        r.service = await applyService({
          ...ctx,
          step,
          taskDefinitionArn: required(r.taskDefinitionArn, 'task definition', step.name),
          targetGroupArn: r.targetGroupArn,
          containers: desiredContainers(request, actual)
        })
        break
    }
  }
  const service = r.service
  if (!service || !r.taskDefinitionArn) throw new Error('the plan has no service step')
  const dnsName = r.loadBalancer?.DNSName
  return {
    loadBalancerArn: r.loadBalancer?.LoadBalancerArn,
    dnsName,
    url: dnsName ? serviceUrl(request, dnsName) : undefined,
    targetGroupArn: r.targetGroupArn,
    listenerArn: r.listenerArn,
    listenerRuleArn: r.listenerRuleArn,
    serviceArn: service.serviceArn,
    taskDefinitionArn: r.taskDefinitionArn,
    previousTaskDefinitionArn: service.previousTaskDefinitionArn,
    serviceCreated: service.serviceCreated,
    deploymentId: service.deploymentId,
    changed: plan.steps.some(s => s.action !== 'none')
  }
}

/** A plan out of order is a bug of ours, not the user's: say which step missed what. */
function required(value: string | undefined, what: string, step: string): string {
  if (!value) throw new Error(`internal: step ${step} needs the ${what}, which no earlier step resolved`)
  return value
}
