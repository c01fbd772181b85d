import type { Action, TargetGroup } from '@aws-sdk/client-elastic-load-balancing-v2'
import type { LoadBalancer as EcsLoadBalancer, Service } from '@aws-sdk/client-ecs'
import type { ChangeCall, Operation, PlanStep } from '../model/plan.js'
import { stepCalls } from '../resources/steps.js'

/**
 * A target group replaced under a running service, without a failed request. Switching the listener to
 * the new, empty group first (or moving the service before the listener) leaves a moment with no healthy
 * target behind the listener. Instead:
 *   1. the listener (or rule) forwards to the old group with weight 1 and the new one with weight 0: the
 *      new group is associated with the load balancer but takes no traffic;
 *   2. the service registers its tasks in both groups (ECS deploys them);
 *   3. once that deployment is complete and every target of the new group healthy, the weights swap:
 *      all traffic goes to the new group, the old one stays associated (weight 0);
 *   4. the service leaves the old group (ECS deploys again); the old group stays associated until then,
 *      since ECS counts a target in an unassociated group as not healthy and would stop every old task
 *      at once;
 *   5. once that deployment is healthy too, the listener forwards to the new group alone.
 * Each step has its inverse, so a failure at any point puts traffic and the service back.
 */
export function replaceWithoutDowntime(opts: {
  steps: PlanStep[]
  oldTargetGroup: TargetGroup
  newTargetGroupArn: string
  service: Service
  taskDefinitionArn: string
}): PlanStep[] {
  const { steps, newTargetGroupArn } = opts
  const oldArn = opts.oldTargetGroup.TargetGroupArn
  const serviceStep = steps.find(s => s.resource === 'service')
  const update = serviceStep?.operations.find(o => o.do.call === 'UpdateService')
  const front = steps.find(
    s =>
      (s.resource === 'listener' || s.resource === 'listener-rule') &&
      s.operations.some(o => forwardsTo(callActions(o.do), newTargetGroupArn))
  )
  if (!oldArn || !serviceStep || !update || update.do.call !== 'UpdateService' || !front) return steps
  const switchOp = front.operations.find(o => forwardsTo(callActions(o.do), newTargetGroupArn))
  if (!switchOp || !isSimpleForward(callActions(switchOp.do))) return steps

  const weights = (oldWeight: number, newWeight: number): Action[] => [
    {
      Type: 'forward',
      ForwardConfig: {
        TargetGroups: [
          { TargetGroupArn: oldArn, Weight: oldWeight },
          { TargetGroupArn: newTargetGroupArn, Weight: newWeight }
        ]
      }
    }
  ]
  const weighted = weights(1, 0)
  const swapped = weights(0, 1)
  const newOnly = callActions(switchOp.do) ?? []
  const previousEntries = (opts.service.loadBalancers ?? []).map(restorableLoadBalancer)
  const wanted = update.do.input.loadBalancers ?? []
  const both = [...previousEntries, ...wanted.filter(lb => lb.targetGroupArn === newTargetGroupArn)]

  const associate: Operation = {
    ...switchOp,
    do: withActions(switchOp.do, weighted),
    says: `${front.resource === 'listener' ? 'listener' : 'listener rule'} ${front.name}: new target group associated with weight 0`
  }
  const registerInBoth: Operation = {
    ...update,
    do: { call: 'UpdateService', input: { ...update.do.input, loadBalancers: both } },
    says: `${update.says} (tasks registered in the old and the new target group)`
  }
  const wait: Operation = {
    do: {
      call: 'WaitForTargets',
      input: { targetGroupArn: newTargetGroupArn, taskDefinitionArn: opts.taskDefinitionArn }
    },
    says: `every target of the new target group is healthy`
  }
  const what = `${front.resource === 'listener' ? 'listener' : 'listener rule'} ${front.name}`
  const moveTraffic: Operation = {
    do: withActions(switchOp.do, swapped),
    inverse: withActions(switchOp.do, weighted),
    says: `${what}: traffic moved to the new target group (the old one stays associated, weight 0)`
  }
  const detachOld: Operation = {
    do: withActions(switchOp.do, newOnly),
    inverse: withActions(switchOp.do, swapped),
    says: `${what}: forwards to the new target group alone`
  }
  const leaveOld: Operation = {
    do: {
      call: 'UpdateService',
      input: { cluster: update.do.input.cluster, service: update.do.input.service, loadBalancers: wanted }
    },
    inverse: {
      call: 'UpdateService',
      input: { cluster: update.do.input.cluster, service: update.do.input.service, loadBalancers: both }
    },
    says: `updated service ${serviceStep.name}: leaves the old target group (its targets drain)`
  }

  const frontOps = front.operations.map(o => (o === switchOp ? associate : o))
  const serviceOps = serviceStep.operations.map(o => (o === update ? registerInBoth : o))
  const out = steps.map(s =>
    s === front
      ? { ...s, operations: frontOps, calls: stepCalls(frontOps) }
      : s === serviceStep
        ? { ...s, operations: serviceOps, calls: stepCalls(serviceOps) }
        : s
  )
  const switchSteps: PlanStep[] = [
    {
      resource: front.resource,
      name: front.name,
      action: 'update',
      changes: [],
      arn: front.arn,
      reason: 'traffic moves to the new target group once every target in it is healthy',
      calls: stepCalls([wait, moveTraffic]),
      operations: [wait, moveTraffic]
    },
    {
      resource: 'service',
      name: serviceStep.name,
      action: 'update',
      changes: [],
      arn: serviceStep.arn,
      reason: 'the service leaves the old target group once traffic has moved',
      calls: stepCalls([leaveOld]),
      operations: [leaveOld]
    },
    {
      resource: front.resource,
      name: front.name,
      action: 'update',
      changes: [],
      arn: front.arn,
      reason: 'the old target group is detached once the service has left it',
      calls: stepCalls([wait, detachOld]),
      operations: [wait, detachOld]
    }
  ]
  return [...out, ...switchSteps]
}

function callActions(call: Operation['do']): Action[] | undefined {
  if (call.call === 'ModifyListener') return call.input.DefaultActions
  if (call.call === 'ModifyRule') return call.input.Actions
  return undefined
}

function withActions(call: Operation['do'], actions: Action[]): ChangeCall {
  if (call.call === 'ModifyListener') return { ...call, input: { ...call.input, DefaultActions: actions } }
  if (call.call === 'ModifyRule') return { ...call, input: { ...call.input, Actions: actions } }
  throw new Error(`internal: ${call.call} carries no actions`)
}

function forwardsTo(actions: Action[] | undefined, arn: string): boolean {
  return (actions ?? []).some(a => a.TargetGroupArn === arn)
}

function isSimpleForward(actions: Action[] | undefined): boolean {
  return actions?.length === 1 && actions[0]?.Type === 'forward' && !actions[0].ForwardConfig
}

function restorableLoadBalancer(lb: EcsLoadBalancer): EcsLoadBalancer {
  return {
    targetGroupArn: lb.targetGroupArn,
    loadBalancerName: lb.loadBalancerName,
    containerName: lb.containerName,
    containerPort: lb.containerPort
  }
}
