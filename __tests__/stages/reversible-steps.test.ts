import { describe, expect, test } from '@jest/globals'
import {
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeRulesCommand
} from '@aws-sdk/client-elastic-load-balancing-v2'
import { useEmulatorWithClients } from '../../test-support/use-sdk-clients.js'
import { applyPlan } from '../../src/stages/apply.js'
import { discover } from '../../src/stages/discover.js'
import { buildPlan } from '../../src/stages/plan.js'
import { executeCall } from '../../src/resources/execute.js'
import type { ChangeCall, Operation, Plan } from '../../src/model/plan.js'
import type { DeployRequest } from '../../src/model/request.js'
import { seedWebRequest } from '../fixtures/seed.js'

/**
 * The step model against the emulator, kind by kind: a change is applied, then the inverses of what
 * apply executed are run newest first, and the original request must plan no change at all: the state
 * is what it was. Each row names the call kinds it must exercise, so a kind without an inverse (or a
 * row that stopped reaching its kind) fails here.
 */

const base = (): DeployRequest => seedWebRequest()

const suite = useEmulatorWithClients({ timeScale: 0.02, maxAttempts: 3 })

async function plan(request: DeployRequest): Promise<Plan> {
  const actual = await discover({ clients: suite.clients, request })
  return buildPlan({ request, actual })
}

async function apply(request: DeployRequest): Promise<Operation[]> {
  const actual = await discover({ clients: suite.clients, request })
  const p = buildPlan({ request, actual })
  const applied = await applyPlan({
    clients: suite.clients,
    request,
    actual,
    plan: p,
    // The replacement's wait is the watch's job; here only the calls and their inverses matter.
    waitForTargets: async () => undefined
  })
  return applied.journal
}

async function revert(request: DeployRequest, journal: Operation[]): Promise<void> {
  for (const op of [...journal].reverse()) {
    if (op.inverse) await executeCall({ clients: suite.clients, request, name: 'revert' }, op.inverse)
  }
}

const changedSteps = (p: Plan) => p.steps.filter(s => s.action !== 'none').map(s => `${s.resource} ${s.name}`)

const rows: {
  title: string
  /** What the stack is first deployed with (the request a revert must leave unchanged). */
  before?: (r: DeployRequest) => void
  change: (r: DeployRequest) => void
  /** The call kinds the change must make, each of which must come back undone. */
  calls: ChangeCall['call'][]
  /** Kinds whose effect is kept on purpose (a created resource nothing routes to any more). */
  kept?: ChangeCall['call'][]
  /** State the original request does not plan against (e.g. rules it does not name), read directly. */
  state?: () => Promise<unknown>
}[] = [
  {
    title: 'load balancer attributes',
    // Only requested attributes are compared: the original names AWS's default.
    before: r => {
      r.loadBalancerAttributes = { 'idle_timeout.timeout_seconds': '60' }
    },
    change: r => {
      r.loadBalancerAttributes = { 'idle_timeout.timeout_seconds': '120' }
    },
    calls: ['ModifyLoadBalancerAttributes']
  },
  {
    title: 'target group health check settings',
    change: r => {
      r.targetGroup!.HealthCheckIntervalSeconds = 20
      r.targetGroup!.Matcher = { HttpCode: '200-299' }
    },
    calls: ['ModifyTargetGroup']
  },
  {
    title: 'target group attributes',
    before: r => {
      r.targetGroupAttributes = { 'deregistration_delay.timeout_seconds': '300' }
    },
    change: r => {
      r.targetGroupAttributes = { 'deregistration_delay.timeout_seconds': '30' }
    },
    calls: ['ModifyTargetGroupAttributes']
  },
  {
    title: 'listener default actions',
    change: r => {
      r.listener = {
        ...r.listener,
        DefaultActions: [
          { Type: 'fixed-response', FixedResponseConfig: { StatusCode: '503', ContentType: 'text/plain' } }
        ]
      }
    },
    calls: ['ModifyListener']
  },
  {
    title: 'a listener rule on the existing listener',
    change: r => {
      r.listenerRule = {
        Conditions: [{ Field: 'path-pattern', Values: ['/web/*'] }],
        priorityRange: [1000, 1999]
      }
    },
    calls: ['CreateRule'],
    state: async () => {
      const lbs = await suite.clients.elbv2.send(new DescribeLoadBalancersCommand({}))
      const listeners = await suite.clients.elbv2.send(
        new DescribeListenersCommand({ LoadBalancerArn: lbs.LoadBalancers?.[0]?.LoadBalancerArn })
      )
      const rules = await suite.clients.elbv2.send(
        new DescribeRulesCommand({ ListenerArn: listeners.Listeners?.[0]?.ListenerArn })
      )
      return rules.Rules?.map(r => r.Priority)
    }
  },
  {
    title: 'a new image: task definition and service',
    change: r => {
      if (r.taskDefinition.kind === 'register') r.taskDefinition.input.containerDefinitions![0]!.image = 'x:2'
    },
    calls: ['RegisterTaskDefinition', 'UpdateService']
  },
  {
    title: 'service fields: AZ rebalancing, placement, registries and VPC Lattice',
    before: r => {
      r.service.availabilityZoneRebalancing = 'ENABLED'
      r.service.placementStrategy = [{ type: 'binpack', field: 'memory' }]
    },
    change: r => {
      r.service.availabilityZoneRebalancing = 'DISABLED'
      r.service.placementStrategy = [{ type: 'binpack', field: 'cpu' }]
      r.service.serviceRegistries = [
        { registryArn: 'arn:aws:servicediscovery:ap-northeast-1:1:service/srv-1' }
      ]
      r.service.vpcLatticeConfigurations = [{ roleArn: 'r', targetGroupArn: 't', portName: 'app' }]
    },
    calls: ['UpdateService']
  },
  {
    title: 'tags added and changed on the existing load balancer, target group and service',
    before: r => {
      r.tags = [{ Key: 'team', Value: 'web' }]
    },
    change: r => {
      r.tags = [
        { Key: 'team', Value: 'payments' },
        { Key: 'env', Value: 'prod' }
      ]
    },
    calls: ['AddTags', 'TagResource']
  },
  {
    title: 'target group replaced (Port): listener and service moved, the new group kept',
    change: r => {
      r.targetGroup!.Port = 8080
    },
    calls: ['CreateTargetGroup', 'ModifyListener', 'UpdateService'],
    kept: ['CreateTargetGroup']
  }
]

describe('every change is undone by the inverses apply recorded', () => {
  test.each(rows)('$title', async ({ before, change, calls, kept = [], state }) => {
    const original = base()
    before?.(original)
    await apply(original)
    expect(changedSteps(await plan(original))).toEqual([])
    const stateBefore = await state?.()

    const changed = base()
    before?.(changed)
    change(changed)
    const journal = await apply(changed)
    const made = [...new Set(journal.map(o => o.do.call))]
    expect(made).toEqual(expect.arrayContaining(calls))
    for (const op of journal) {
      // Every operation either has an inverse or says why its effect is kept.
      expect(op.inverse !== undefined || Boolean(op.kept)).toBe(true)
      if (!kept.includes(op.do.call as ChangeCall['call'])) expect(op.inverse).toBeDefined()
    }
    // The change really happened: the original request (or the state read directly) now differs.
    if (state) expect(await state()).not.toEqual(stateBefore)
    else expect(changedSteps(await plan(original)).length).toBeGreaterThan(0)

    await revert(changed, journal)
    expect(changedSteps(await plan(original))).toEqual([])
    if (state) expect(await state()).toEqual(stateBefore)
  })
})
