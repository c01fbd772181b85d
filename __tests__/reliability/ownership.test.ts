/**
 * Ownership: what the action creates carries its stack tag; what does not carry it (made by hand, or by
 * another tool) is never modified unless adopt-existing says so, never deleted by a teardown, and the
 * run says which resource it left alone and why.
 */
import { DescribeTaskDefinitionCommand, ECSClient, UntagResourceCommand } from '@aws-sdk/client-ecs'
import { ElasticLoadBalancingV2Client, RemoveTagsCommand } from '@aws-sdk/client-elastic-load-balancing-v2'
import { OWNER_TAG } from '../../src/resources/ownership.js'
import { startEmulator, type Emulator } from '../../emulator/server.js'
import {
  CREDENTIALS,
  PATH_RULE,
  REGION,
  errorLines,
  expectSuccess,
  mutatingOps,
  resourceCounts,
  runToEnd,
  scenarioInputs,
  type StateDump
} from './harness.js'

const STACK = 'ecs-demo/rel-web'
let emulator: Emulator
let ecs: ECSClient
let elbv2: ElasticLoadBalancingV2Client

beforeAll(async () => {
  emulator = await startEmulator({ timeScale: 0.005 })
  const config = {
    region: REGION,
    endpoint: emulator.url,
    credentials: {
      accessKeyId: CREDENTIALS.AWS_ACCESS_KEY_ID,
      secretAccessKey: CREDENTIALS.AWS_SECRET_ACCESS_KEY
    }
  }
  ecs = new ECSClient(config)
  elbv2 = new ElasticLoadBalancingV2Client(config)
})
afterAll(async () => {
  ecs.destroy()
  elbv2.destroy()
  await emulator.stop()
})

const dump = async (): Promise<StateDump> =>
  (await (await fetch(`${emulator.url}/_emulator/state`)).json()) as StateDump

interface Owned {
  elb: Record<string, string | undefined>
  service?: string
  taskDefinition?: string
}

/** The stack tag on everything there is, per resource. */
async function ownerTags(): Promise<Owned> {
  const state = await dump()
  const tagOf = (arn: string) => state.elbv2.tags[arn]?.find(t => t.Key === OWNER_TAG)?.Value
  const service = state.ecs.clusters.flatMap(c => c.services)[0] as unknown as {
    tags?: { key: string; value: string }[]
  }
  const td = state.ecs.taskDefinitions[0]
  const tdTags = td
    ? (
        await ecs.send(
          new DescribeTaskDefinitionCommand({ taskDefinition: td.taskDefinitionArn, include: ['TAGS'] })
        )
      ).tags
    : undefined
  return {
    elb: {
      'load balancer': tagOf(state.elbv2.loadBalancers[0].LoadBalancerArn),
      'target group': tagOf(state.elbv2.targetGroups[0].TargetGroupArn),
      listener: tagOf(state.elbv2.listeners[0].ListenerArn),
      'listener rule': tagOf(state.elbv2.rules.find(r => !r.IsDefault)?.RuleArn ?? '')
    },
    service: service?.tags?.find(t => t.key === OWNER_TAG)?.value,
    taskDefinition: tdTags?.find(t => t.key === OWNER_TAG)?.value
  }
}

/** Deployed, then stripped of the stack tag: as if made by hand with the same names. */
async function deployedButNotOurs(): Promise<void> {
  await emulator.reset()
  expectSuccess(await runToEnd({ inputs: scenarioInputs(), endpoint: emulator.url }), 'setup deploy')
  const state = await dump()
  const elbArns = [
    ...state.elbv2.loadBalancers.map(l => l.LoadBalancerArn),
    ...state.elbv2.targetGroups.map(t => t.TargetGroupArn),
    ...state.elbv2.listeners.map(l => l.ListenerArn),
    ...state.elbv2.rules.filter(r => !r.IsDefault).map(r => r.RuleArn)
  ]
  await elbv2.send(new RemoveTagsCommand({ ResourceArns: elbArns, TagKeys: [OWNER_TAG] }))
  const service = state.ecs.clusters.flatMap(c => c.services)[0] as unknown as { serviceArn: string }
  for (const arn of [service.serviceArn, ...state.ecs.taskDefinitions.map(t => t.taskDefinitionArn)]) {
    await ecs.send(new UntagResourceCommand({ resourceArn: arn, tagKeys: [OWNER_TAG] }))
  }
  expect(await ownerTags()).toEqual({
    elb: {
      'load balancer': undefined,
      'target group': undefined,
      listener: undefined,
      'listener rule': undefined
    },
    service: undefined,
    taskDefinition: undefined
  })
}

/** The scenario with one resource's settings changed. */
const changed = {
  'target group': () => {
    const base = scenarioInputs()
    const tg = JSON.parse(base['target-group']) as Record<string, unknown>
    return { ...base, 'target-group': JSON.stringify({ ...tg, HealthCheckIntervalSeconds: 15 }) }
  },
  'listener rule': () => ({ ...scenarioInputs(), 'listener-rule': PATH_RULE(['/hostname'], 1500) }),
  listener: () => ({
    ...scenarioInputs(),
    listener: JSON.stringify({
      Port: 80,
      Protocol: 'HTTP',
      DefaultActions: [
        { Type: 'fixed-response', FixedResponseConfig: { StatusCode: '503', ContentType: 'text/plain' } }
      ]
    })
  }),
  service: () => scenarioInputs({ image: 'example/web:2.0' })
}

test('everything the action creates carries its stack tag', async () => {
  await emulator.reset()
  expectSuccess(await runToEnd({ inputs: scenarioInputs(), endpoint: emulator.url }))
  expect(await ownerTags()).toEqual({
    elb: { 'load balancer': STACK, 'target group': STACK, listener: STACK, 'listener rule': STACK },
    service: STACK,
    taskDefinition: STACK
  })
})

describe('resources without the stack tag', () => {
  test.each(Object.keys(changed) as (keyof typeof changed)[])(
    'a %s that differs is not modified: the run says so, names adopt-existing, and makes no change',
    async kind => {
      await deployedButNotOurs()
      const since = emulator.calls.lastSeq()
      const run = await runToEnd({ inputs: changed[kind](), endpoint: emulator.url })
      expect(run.code).toBe(1)
      const errors = errorLines(run.stdout)
      expect(errors).toHaveLength(1)
      expect(errors[0]).toMatch(new RegExp(`^${kind}`, 'i'))
      expect(errors[0]).toMatch(/was not created by this action/)
      expect(errors[0]).toContain('adopt-existing: true')
      expect(mutatingOps(emulator.calls.list(since))).toEqual([])
    }
  )

  test('a load balancer that differs is left as it is, with a warning, and the deploy goes on', async () => {
    await deployedButNotOurs()
    const since = emulator.calls.lastSeq()
    const base = scenarioInputs()
    const lb = JSON.parse(base['load-balancer']) as Record<string, unknown>
    const inputs = {
      ...base,
      'load-balancer': JSON.stringify({ ...lb, SecurityGroups: ['sg-0fedcba9876543210'] })
    }
    const run = await runToEnd({ inputs, endpoint: emulator.url })
    expectSuccess(run)
    expect(mutatingOps(emulator.calls.list(since))).toEqual([])
    expect(run.stdout).toMatch(
      /::warning::Load balancer alb-rel was not created by this action .*SecurityGroups differ .* left unchanged/
    )
  })

  test('with adopt-existing: true the action modifies them', async () => {
    await deployedButNotOurs()
    const since = emulator.calls.lastSeq()
    const inputs = {
      ...changed['target group'](),
      'listener-rule': changed['listener rule']()['listener-rule'],
      listener: changed.listener().listener,
      'task-definition': changed.service()['task-definition'],
      'adopt-existing': 'true'
    }
    expectSuccess(await runToEnd({ inputs, endpoint: emulator.url }))
    // The health-check probe (a temporary group and rule) precedes the target group's change, which comes
    // first.
    expect(mutatingOps(emulator.calls.list(since))).toEqual([
      'CreateTargetGroup',
      'CreateRule',
      'RegisterTargets',
      'DeleteRule',
      'DeleteTargetGroup',
      'ModifyTargetGroup',
      'RegisterTaskDefinition',
      'ModifyListener',
      'SetRulePriorities',
      'UpdateService'
    ])
  })

  test('a teardown deletes none of them and says which it left in place', async () => {
    await deployedButNotOurs()
    const before = resourceCounts(await dump())
    const since = emulator.calls.lastSeq()
    const run = await runToEnd({
      inputs: { ...scenarioInputs(), delete: 'true', 'delete-base-stack': 'true' },
      endpoint: emulator.url
    })
    expectSuccess(run)
    expect(mutatingOps(emulator.calls.list(since))).toEqual([])
    expect(resourceCounts(await dump())).toEqual(before)
    const warnings = run.stdout.split('\n').filter(l => l.startsWith('::warning::'))
    for (const kind of ['service rel-web', 'listener rule', 'target group rel-web']) {
      expect({ kind, warned: warnings.some(w => w.includes(kind) && /left in place/.test(w)) }).toEqual({
        kind,
        warned: true
      })
    }
    expect(warnings.some(w => /task definition revisions rel-web:1 do not carry/.test(w))).toBe(true)
    expect(run.outputs.changed).toBe('false')
  })
})
