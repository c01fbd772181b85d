import {
  CreateRuleCommand,
  CreateTargetGroupCommand,
  DeleteRuleCommand,
  DeleteTargetGroupCommand,
  DescribeRulesCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  PriorityInUseException,
  RegisterTargetsCommand,
  type TargetGroup,
  type TargetHealthDescription
} from '@aws-sdk/client-elastic-load-balancing-v2'
import { mockClient } from 'aws-sdk-client-mock'
import { beforeEach, describe, expect, test } from '@jest/globals'
import {
  probeBoundMs,
  probeHealthCheck,
  probeHost,
  probeName,
  type ProbeHealthCheckOptions
} from '../../../src/resources/health-check-probe.js'

const elbv2 = mockClient(ElasticLoadBalancingV2Client)
const clients = { elbv2: new ElasticLoadBalancingV2Client({ region: 'ap-northeast-1' }) }

const LIVE = 'arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:targetgroup/default/0123456789abcdef'
const PROBE = 'arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:targetgroup/probe/fedcba9876543210'
const LISTENER = 'arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:listener/app/alb/1/2'
const RULE = 'arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:listener-rule/app/alb/1/2/3'

const live: TargetGroup = {
  TargetGroupArn: LIVE,
  TargetGroupName: 'default',
  Protocol: 'HTTP',
  ProtocolVersion: 'HTTP1',
  Port: 80,
  VpcId: 'vpc-xxxxxxxx',
  TargetType: 'instance',
  HealthCheckProtocol: 'HTTP',
  HealthCheckPort: 'traffic-port',
  HealthCheckPath: '/hostname',
  HealthCheckIntervalSeconds: 10,
  HealthCheckTimeoutSeconds: 5,
  HealthyThresholdCount: 5,
  UnhealthyThresholdCount: 2,
  Matcher: { HttpCode: '200' }
}

const target = (id: string, port: number, state: string, reason?: string, description?: string) =>
  ({
    Target: { Id: id, Port: port },
    HealthCheckPort: String(port),
    TargetHealth: { State: state, Reason: reason, Description: description }
  }) as TargetHealthDescription

const LIVE_TARGETS = [target('i-0aaa', 32768, 'healthy'), target('i-0bbb', 32769, 'healthy')]
const mismatch = (id: string, port: number) =>
  target(id, port, 'unhealthy', 'Target.ResponseCodeMismatch', 'Health checks failed with these codes: [404]')

/** A fake clock: sleep moves time on at once. */
function clock() {
  let t = 1_000_000
  return { now: () => t, sleep: async (ms: number) => void (t += ms) }
}

/** The probe target group answers these frames, one per DescribeTargetHealth of it (the last repeats). */
function world(
  frames: TargetHealthDescription[][],
  p: { rules?: { RuleArn: string; Priority: string }[] } = {}
) {
  let polls = 0
  elbv2.on(DescribeTargetHealthCommand).callsFake((input: { TargetGroupArn: string }) => {
    if (input.TargetGroupArn === LIVE) return { TargetHealthDescriptions: LIVE_TARGETS }
    const frame = frames[Math.min(polls++, frames.length - 1)]
    return { TargetHealthDescriptions: frame }
  })
  elbv2.on(CreateTargetGroupCommand).resolves({ TargetGroups: [{ TargetGroupArn: PROBE }] })
  elbv2
    .on(DescribeRulesCommand)
    .resolves({ Rules: [...(p.rules ?? []), { RuleArn: 'default', Priority: 'default', IsDefault: true }] })
  elbv2.on(CreateRuleCommand).resolves({ Rules: [{ RuleArn: RULE }] })
  elbv2.on(RegisterTargetsCommand).resolves({})
  elbv2.on(DeleteRuleCommand).resolves({})
  elbv2.on(DeleteTargetGroupCommand).resolves({})
}

function options(p: Partial<ProbeHealthCheckOptions> = {}): ProbeHealthCheckOptions {
  const c = clock()
  return {
    clients,
    targetGroup: live,
    settings: { HealthCheckPath: '/healthz' },
    listenerArn: LISTENER,
    tags: [{ Key: 'ecs-alb-deploy:stack', Value: 'ecs-demo/web' }],
    sleep: c.sleep,
    now: c.now,
    ...p
  }
}

const cleanupCalls = () => ({
  deleteRule: elbv2.commandCalls(DeleteRuleCommand).length,
  deleteTargetGroup: elbv2.commandCalls(DeleteTargetGroupCommand).length
})

beforeEach(() => {
  elbv2.reset()
})

describe('probeHealthCheck', () => {
  test('pass: every current target is healthy under the new check; everything is cleaned up', async () => {
    world([
      [target('i-0aaa', 32768, 'initial', 'Elb.RegistrationInProgress'), target('i-0bbb', 32769, 'initial')],
      [target('i-0aaa', 32768, 'healthy'), target('i-0bbb', 32769, 'initial', 'Elb.InitialHealthChecking')],
      [target('i-0aaa', 32768, 'healthy'), target('i-0bbb', 32769, 'healthy')]
    ])
    const result = await probeHealthCheck(options())
    expect(result.verdict).toBe('pass')
    expect(result.summary).toBe('2/2 target(s) pass the new health check')
    expect(result.targets.map(t => `${t.id}:${t.port} ${t.state}`)).toEqual([
      'i-0aaa:32768 healthy',
      'i-0bbb:32769 healthy'
    ])

    // Same immutable settings as the live one, the new check, the ownership tags.
    const create = elbv2.commandCalls(CreateTargetGroupCommand)[0].args[0].input
    expect(create).toMatchObject({
      Name: probeName(live, { HealthCheckPath: '/healthz' }),
      Protocol: 'HTTP',
      ProtocolVersion: 'HTTP1',
      Port: 80,
      VpcId: 'vpc-xxxxxxxx',
      TargetType: 'instance',
      HealthCheckPath: '/healthz',
      HealthCheckIntervalSeconds: 10,
      Matcher: { HttpCode: '200' },
      Tags: [{ Key: 'ecs-alb-deploy:stack', Value: 'ecs-demo/web' }]
    })
    expect(create.Name?.length).toBeLessThanOrEqual(32)
    // A rule no request matches, behind every real rule.
    const rule = elbv2.commandCalls(CreateRuleCommand)[0].args[0].input
    expect(rule).toMatchObject({
      ListenerArn: LISTENER,
      Priority: 50000,
      Conditions: [{ Field: 'host-header', HostHeaderConfig: { Values: [probeHost(create.Name ?? '')] } }],
      Actions: [{ Type: 'forward', TargetGroupArn: PROBE }]
    })
    expect(probeHost(create.Name ?? '')).toMatch(/^[0-9a-f]{12}\.probe\.invalid$/)
    expect(elbv2.commandCalls(RegisterTargetsCommand)[0].args[0].input).toEqual({
      TargetGroupArn: PROBE,
      Targets: [
        { Id: 'i-0aaa', Port: 32768 },
        { Id: 'i-0bbb', Port: 32769 }
      ]
    })
    expect(cleanupCalls()).toEqual({ deleteRule: 1, deleteTargetGroup: 1 })
    expect(elbv2.commandCalls(DeleteRuleCommand)[0].args[0].input).toEqual({ RuleArn: RULE })
    expect(result.calls).toEqual([
      'DescribeTargetHealth',
      'CreateTargetGroup',
      'DescribeRules',
      'CreateRule',
      'RegisterTargets',
      'DescribeTargetHealth',
      'DescribeTargetHealth',
      'DescribeTargetHealth',
      'DeleteRule',
      'DeleteTargetGroup'
    ])
    expect(result.warnings).toEqual([])
  })

  test('fail: the 404 of the new path, explained as the watch explains it', async () => {
    world([
      [target('i-0aaa', 32768, 'initial', 'Elb.InitialHealthChecking'), mismatch('i-0bbb', 32769)],
      [mismatch('i-0aaa', 32768), mismatch('i-0bbb', 32769)]
    ])
    const log: string[] = []
    const result = await probeHealthCheck(options({ log: l => log.push(l) }))
    expect(result.verdict).toBe('fail')
    expect(result.diagnosis).toMatchObject({
      kind: 'health-check',
      title: 'The new health check of default fails on targets that pass the current one'
    })
    expect(result.diagnosis?.cause).toBe(
      'GET /healthz answered 404; the matcher expects 200. New health check default: HTTP GET /healthz on ' +
        'port traffic-port, matcher 200, every 10 s × 2 failures (timeout 5 s)'
    )
    expect(result.diagnosis?.evidence).toEqual([
      'target i-0aaa:32768: healthy now, unhealthy (Target.ResponseCodeMismatch: Health checks failed with these codes: [404]) under the new check',
      'target i-0bbb:32769: healthy now, unhealthy (Target.ResponseCodeMismatch: Health checks failed with these codes: [404]) under the new check'
    ])
    expect(result.diagnosis?.hint).toContain('make the app answer 200 on /healthz (port 32768)')
    expect(cleanupCalls()).toEqual({ deleteRule: 1, deleteTargetGroup: 1 })
    expect(log.at(-1)).toBe('health-check probe: 2/2 target(s) fail the new health check')
  })

  test('skipped: no target is healthy under the current check; nothing is created', async () => {
    elbv2.on(DescribeTargetHealthCommand).resolves({
      TargetHealthDescriptions: [mismatch('i-0aaa', 32768)]
    })
    const result = await probeHealthCheck(options())
    expect(result.verdict).toBe('skipped')
    expect(result.summary).toMatch(/no target is healthy under the current check/)
    expect(result.calls).toEqual(['DescribeTargetHealth'])
    expect(elbv2.commandCalls(CreateTargetGroupCommand)).toHaveLength(0)
  })

  test('skipped: the new settings disable health checks; no call', async () => {
    const result = await probeHealthCheck(options({ settings: { HealthCheckEnabled: false } }))
    expect(result).toMatchObject({ verdict: 'skipped', calls: [] })
  })

  test('no verdict within the bound: skipped (not proven), cleaned up, time bounded', async () => {
    world([
      [target('i-0aaa', 32768, 'initial', 'Elb.RegistrationInProgress'), target('i-0bbb', 32769, 'healthy')]
    ])
    const c = clock()
    const start = c.now()
    const result = await probeHealthCheck(options({ now: c.now, sleep: c.sleep }))
    expect(result.verdict).toBe('skipped')
    expect(result.summary).toMatch(
      /^no verdict within \d+ s \(i-0aaa:32768 initial \(Elb.RegistrationInProgress\)\)/
    )
    // (max(5, 2) + 1) × 10 s + 5 s + 30 s of registration, polled every 5 s (min(interval, 5 s)).
    expect(probeBoundMs(live)).toBe(95_000)
    expect(c.now() - start).toBe(95_000)
    // One read of the live group, then one a second until the bound.
    expect(elbv2.commandCalls(DescribeTargetHealthCommand)).toHaveLength(1 + 95)
    expect(cleanupCalls()).toEqual({ deleteRule: 1, deleteTargetGroup: 1 })
  })

  test('an error while polling still cleans up, and is thrown explained', async () => {
    world([[]])
    elbv2
      .on(DescribeTargetHealthCommand, { TargetGroupArn: PROBE })
      .rejects(Object.assign(new Error('boom'), { name: 'InternalFailure', $fault: 'server', $metadata: {} }))
    await expect(probeHealthCheck(options())).rejects.toThrow(
      /DescribeTargetHealth .*failed \(InternalFailure\): boom/
    )
    expect(cleanupCalls()).toEqual({ deleteRule: 1, deleteTargetGroup: 1 })
  })

  test('CreateRule fails: the target group is still deleted; no rule or targets to remove', async () => {
    world([[]])
    elbv2
      .on(CreateRuleCommand)
      .rejects(Object.assign(new Error('limit'), { name: 'TooManyRules', $fault: 'client', $metadata: {} }))
    await expect(probeHealthCheck(options())).rejects.toThrow(/TooManyRules/)
    expect(cleanupCalls()).toEqual({ deleteRule: 0, deleteTargetGroup: 1 })
  })

  test('clean-up failures are warnings; the verdict stands', async () => {
    world([[target('i-0aaa', 32768, 'healthy'), target('i-0bbb', 32769, 'healthy')]])
    elbv2
      .on(DeleteRuleCommand)
      .rejects(Object.assign(new Error('denied'), { name: 'AccessDenied', $fault: 'client', $metadata: {} }))
    const log: string[] = []
    const result = await probeHealthCheck(options({ log: l => log.push(l) }))
    expect(result.verdict).toBe('pass')
    expect(result.warnings).toHaveLength(1)
    expect(result.warnings[0]).toMatch(
      /deleting rule .* failed, delete it by hand: DeleteRule failed \(AccessDenied\)/
    )
    expect(log.some(l => l.startsWith('warning: '))).toBe(true)
    expect(cleanupCalls().deleteTargetGroup).toBe(1)
  })

  test('a priority taken meanwhile: the next free one; a leftover rule of the same probe is reused', async () => {
    world([[target('i-0aaa', 32768, 'healthy'), target('i-0bbb', 32769, 'healthy')]], {
      rules: [{ RuleArn: 'r1', Priority: '50000' }]
    })
    elbv2
      .on(CreateRuleCommand)
      .rejectsOnce(new PriorityInUseException({ message: 'Priority in use', $metadata: {} }))
      .resolves({ Rules: [{ RuleArn: RULE }] })
    await probeHealthCheck(options())
    expect(elbv2.commandCalls(CreateRuleCommand).map(c => c.args[0].input.Priority)).toEqual([49999, 49998])

    elbv2.reset()
    world([[target('i-0aaa', 32768, 'healthy'), target('i-0bbb', 32769, 'healthy')]])
    elbv2.on(DescribeRulesCommand).resolves({
      Rules: [
        { RuleArn: 'leftover', Priority: '50000', Actions: [{ Type: 'forward', TargetGroupArn: PROBE }] }
      ]
    })
    await probeHealthCheck(options())
    expect(elbv2.commandCalls(CreateRuleCommand)).toHaveLength(0)
    expect(elbv2.commandCalls(DeleteRuleCommand)[0].args[0].input).toEqual({ RuleArn: 'leftover' })
  })

  test('the name fits 32 characters, is stable for the same change and differs for another', () => {
    const long = { ...live, TargetGroupName: 'a-very-long-target-group-name-32' }
    const name = probeName(long, { HealthCheckPath: '/healthz' })
    expect(name.length).toBeLessThanOrEqual(32)
    expect(name).toMatch(/^a-very-long-target-[0-9a-f]{6}-probe$/)
    expect(probeName(long, { HealthCheckPath: '/healthz' })).toBe(name)
    expect(probeName(long, { HealthCheckPath: '/ready' })).not.toBe(name)
  })
})
