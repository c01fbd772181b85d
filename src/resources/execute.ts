import type { ChangeCall } from '../model/plan.js'
import type { CallContext, CallResult } from './context.js'
import { executeListenerCall } from './listener.js'
import { executeRuleCall } from './listener-rule.js'
import { executeLoadBalancerCall } from './load-balancer.js'
import { executeServiceCall } from './service.js'
import { executeTargetGroupCall } from './target-group.js'
import { executeTagCall } from './tagging.js'
import { executeTaskDefinitionCall } from './task-definition.js'

/**
 * Sends one planned call through the module of its resource kind. Apply and rollback both come here:
 * a call and its inverse are the same kind of thing, executed the same way.
 */
export function executeCall(ctx: CallContext, call: ChangeCall): Promise<CallResult> {
  switch (call.call) {
    case 'CreateLoadBalancer':
    case 'SetSecurityGroups':
    case 'SetSubnets':
    case 'ModifyLoadBalancerAttributes':
      return executeLoadBalancerCall(ctx, call)
    case 'CreateTargetGroup':
    case 'ModifyTargetGroup':
    case 'ModifyTargetGroupAttributes':
      return executeTargetGroupCall(ctx, call)
    case 'CreateListener':
    case 'ModifyListener':
      return executeListenerCall(ctx, call)
    case 'CreateRule':
    case 'ModifyRule':
    case 'SetRulePriorities':
    case 'DeleteRule':
      return executeRuleCall(ctx, call)
    case 'RegisterTaskDefinition':
    case 'DeregisterTaskDefinition':
      return executeTaskDefinitionCall(ctx, call)
    case 'CreateService':
    case 'UpdateService':
      return executeServiceCall(ctx, call)
    case 'AddTags':
    case 'RemoveTags':
    case 'TagResource':
    case 'UntagResource':
      return executeTagCall(ctx, call)
  }
}
