import { describe, expect, test } from '@jest/globals'
import {
  CreateServiceCommand,
  DescribeServicesCommand,
  ListTaskDefinitionsCommand,
  RegisterTaskDefinitionCommand
} from '@aws-sdk/client-ecs'
import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateRuleCommand,
  CreateTargetGroupCommand,
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeRulesCommand,
  DescribeTargetGroupsCommand
} from '@aws-sdk/client-elastic-load-balancing-v2'
import { useEmulatorWithClients } from '../../test-support/use-sdk-clients.js'
import { applyPreview } from '../../src/inputs/preview.js'
import type { DeployRequest } from '../../src/model/request.js'
import { elbTags, ecsTags } from '../../src/resources/ownership.js'
import { teardown } from '../../src/stages/teardown.js'
import { seedManagedService, seedRequest, seedTargetGroup } from '../fixtures/seed.js'

/**
 * Teardown over real HTTP against the project's emulator: a base stack and two previews are set up with
 * the SDK the way the action leaves them (tags included); tearing one preview down removes exactly its
 * resources, and a second teardown makes no mutating call.
 */

const base = seedRequest({
  service: seedManagedService(),
  targetGroup: { ...seedTargetGroup(), HealthCheckIntervalSeconds: 5, HealthCheckTimeoutSeconds: 2 },
  maxAttempts: 1
})
const preview = (id: string): DeployRequest =>
  applyPreview(base, { id, routing: 'host', hostTemplate: '{id}.preview.example.com' })

const suite = useEmulatorWithClients({ timeScale: 0.02, maxAttempts: 1 })

/** What a deploy of `request` leaves behind, made with plain SDK calls (not the action's apply). */
async function deployStack(request: DeployRequest, shared: { listenerArn?: string; priority?: number }) {
  const { ecs, elbv2 } = suite.clients
  let listenerArn = shared.listenerArn
  if (!listenerArn) {
    const lbInput = base.loadBalancer?.kind === 'manage' ? base.loadBalancer.input : undefined
    const lb = await elbv2.send(
      new CreateLoadBalancerCommand({ ...lbInput, Name: 'alb-demo', Tags: elbTags(base) })
    )
    const tg = await elbv2.send(
      new CreateTargetGroupCommand({ ...base.targetGroup, Name: 'default', Tags: elbTags(base) })
    )
    const listener = await elbv2.send(
      new CreateListenerCommand({
        LoadBalancerArn: lb.LoadBalancers?.[0].LoadBalancerArn,
        Port: 80,
        Protocol: 'HTTP',
        DefaultActions: [{ Type: 'forward', TargetGroupArn: tg.TargetGroups?.[0].TargetGroupArn }],
        Tags: elbTags(base)
      })
    )
    listenerArn = listener.Listeners?.[0].ListenerArn as string
  }
  const tgName = request.targetGroup?.Name as string
  const tg = await elbv2.send(
    new CreateTargetGroupCommand({ ...request.targetGroup, Name: tgName, Tags: elbTags(request) })
  )
  const tgArn = tg.TargetGroups?.[0].TargetGroupArn as string
  if (shared.priority !== undefined) {
    await elbv2.send(
      new CreateRuleCommand({
        ListenerArn: listenerArn,
        Priority: shared.priority,
        Conditions: request.listenerRule?.Conditions,
        Actions: [{ Type: 'forward', TargetGroupArn: tgArn }],
        Tags: elbTags(request)
      })
    )
  }
  if (request.taskDefinition.kind !== 'register') throw new Error('fixture registers')
  // Two revisions: the action registers one per changed deploy.
  for (const image of ['inokara/ecs-app:1', 'inokara/ecs-app:2']) {
    const input = request.taskDefinition.input
    await ecs.send(
      new RegisterTaskDefinitionCommand({
        ...input,
        containerDefinitions: input.containerDefinitions?.map(c => ({ ...c, image })),
        tags: ecsTags(request)
      })
    )
  }
  await ecs.send(
    new CreateServiceCommand({
      ...request.service,
      cluster: request.cluster,
      taskDefinition: request.taskDefinition.input.family,
      loadBalancers: [{ containerName: 'app', containerPort: 4567, targetGroupArn: tgArn }],
      tags: ecsTags(request)
    })
  )
  return { listenerArn }
}

describe('teardown against the emulator', () => {
  test('removes exactly the preview; the base stack, the other preview, the ALB and listener stay; idempotent', async () => {
    const { listenerArn } = await deployStack(base, {})
    await deployStack(preview('pr-7'), { listenerArn, priority: 1007 })
    await deployStack(preview('pr-12'), { listenerArn, priority: 1012 })

    const since = suite.emulator.calls.lastSeq()
    const lines: string[] = []
    const result = await teardown({
      clients: suite.clients,
      request: preview('pr-12'),
      log: l => lines.push(l),
      retryDelayMs: 10
    })
    const mutating = suite.emulator.calls
      .list(since)
      .filter(c => c.mutating && c.status < 300)
      .map(c => c.operation)
    expect(mutating).toEqual([
      'UpdateService',
      'DeleteService',
      'DeleteRule',
      'DeleteTargetGroup',
      'DeregisterTaskDefinition',
      'DeregisterTaskDefinition'
    ])
    expect(result.removed).toHaveLength(5)
    expect(lines.filter(l => l.startsWith('removed'))).toHaveLength(5)

    const { elbv2, ecs } = suite.clients
    const rules = await elbv2.send(new DescribeRulesCommand({ ListenerArn: listenerArn }))
    expect(rules.Rules?.filter(r => !r.IsDefault).map(r => r.Priority)).toEqual(['1007'])
    const tgs = await elbv2.send(new DescribeTargetGroupsCommand({}))
    expect(tgs.TargetGroups?.map(t => t.TargetGroupName).sort()).toEqual(['default', 'default-pr-7'])
    expect((await elbv2.send(new DescribeLoadBalancersCommand({}))).LoadBalancers).toHaveLength(1)
    const lb = (await elbv2.send(new DescribeLoadBalancersCommand({}))).LoadBalancers?.[0]
    expect(
      (await elbv2.send(new DescribeListenersCommand({ LoadBalancerArn: lb?.LoadBalancerArn }))).Listeners
    ).toHaveLength(1)
    const services = await ecs.send(
      new DescribeServicesCommand({
        cluster: 'ecs-demo',
        services: ['ecs-simple-service-elb', 'ecs-simple-service-elb-pr-7']
      })
    )
    expect(services.services?.map(s => s.status)).toEqual(['ACTIVE', 'ACTIVE'])
    const left = await ecs.send(
      new ListTaskDefinitionsCommand({ familyPrefix: 'ecscompose-ecs-app-pr-12', status: 'ACTIVE' })
    )
    expect(left.taskDefinitionArns).toEqual([])

    // Again: everything is gone, nothing is changed, the run still succeeds.
    const again = suite.emulator.calls.lastSeq()
    const second = await teardown({ clients: suite.clients, request: preview('pr-12'), retryDelayMs: 10 })
    expect(suite.emulator.calls.list(again).filter(c => c.mutating && c.status < 300)).toEqual([])
    expect(second.removed).toEqual([])
    expect(second.skipped.length).toBeGreaterThanOrEqual(4)
  })
})
