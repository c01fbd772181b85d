/**
 * Differential suite: the same create/describe calls, through the real SDK clients, against the
 * project's emulator and against moto (an independent emulator). Response shapes are compared field
 * by field and error codes one to one. Where they differ, the difference is listed in
 * moto-deviations.json with the reason (and which of the two follows the AWS API reference);
 * a new or vanished difference fails the test.
 *
 * The deviations file can be rewritten (UPDATE_DEVIATIONS=1), so it is not what keeps the emulator honest:
 * the first describe checks the emulator's own answers against what AWS does and the action relies on,
 * with the values written here. It needs no moto, reads no file, and no rewrite changes it.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import {
  ECSClient,
  CreateClusterCommand,
  RegisterTaskDefinitionCommand,
  DescribeTaskDefinitionCommand,
  CreateServiceCommand,
  DescribeServicesCommand,
  UpdateServiceCommand,
  TagResourceCommand,
  ListTasksCommand
} from '@aws-sdk/client-ecs'
import {
  ElasticLoadBalancingV2Client,
  CreateLoadBalancerCommand,
  DescribeLoadBalancersCommand,
  CreateTargetGroupCommand,
  DescribeTargetGroupsCommand,
  CreateListenerCommand,
  DescribeListenersCommand,
  CreateRuleCommand,
  DescribeRulesCommand,
  DescribeTagsCommand,
  AddTagsCommand,
  ModifyTargetGroupCommand,
  DescribeTargetHealthCommand,
  ModifyTargetGroupAttributesCommand,
  DescribeTargetGroupAttributesCommand,
  ModifyLoadBalancerAttributesCommand,
  DescribeLoadBalancerAttributesCommand
} from '@aws-sdk/client-elastic-load-balancing-v2'
import { startEmulator, type Emulator } from '../../emulator/server.js'
import { motoAvailable, motoDefaultNetwork, startMoto, type Moto } from '../../test-support/moto.js'
import { compareShapes, type ShapeDifference } from '../../test-support/shapes.js'
import { awsErrorCode } from '../../src/aws/errors.js'

const region = 'ap-northeast-1'
const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' }
const deviationsFile = path.join(import.meta.dirname, 'moto-deviations.json')

interface Network {
  vpcId: string
  subnets: string[]
  securityGroup: string
}
interface StepResult {
  step: string
  error?: string
  output?: unknown
}

async function untilServiceHasEvents(ecs: ECSClient, withinMs: number): Promise<void> {
  const deadline = Date.now() + withinMs
  while (Date.now() < deadline) {
    const out = await ecs
      .send(new DescribeServicesCommand({ cluster: 'ecs-demo', services: ['ecs-simple-service-elb'] }))
      .catch(() => undefined)
    if ((out?.services?.[0]?.events ?? []).length > 0) return
    await new Promise(resolve => setTimeout(resolve, 100))
  }
}

/** The walk, written once, run against both endpoints. */
async function walk(endpoint: string, net: Network): Promise<StepResult[]> {
  const elb = new ElasticLoadBalancingV2Client({ region, endpoint, credentials, maxAttempts: 1 })
  const ecs = new ECSClient({ region, endpoint, credentials, maxAttempts: 1 })
  const results: StepResult[] = []
  const step = async <T>(name: string, fn: () => Promise<T>): Promise<T | undefined> => {
    try {
      const output = await fn()
      results.push({ step: name, output })
      return output
    } catch (e) {
      results.push({ step: name, error: awsErrorCode(e) ?? (e as Error).name })
      return undefined
    }
  }
  const lbInput = { Name: 'alb-demo', Subnets: net.subnets.slice(0, 2), SecurityGroups: [net.securityGroup] }
  const lb = await step('CreateLoadBalancer', () => elb.send(new CreateLoadBalancerCommand(lbInput)))
  const lbArn = lb?.LoadBalancers?.[0]?.LoadBalancerArn
  const again = await step('CreateLoadBalancer (identical again)', () =>
    elb.send(new CreateLoadBalancerCommand(lbInput))
  )
  results.push({
    step: 'identical CreateLoadBalancer returns the same ARN',
    output: { same: again?.LoadBalancers?.[0]?.LoadBalancerArn === lbArn }
  })
  await step('DescribeLoadBalancers', () =>
    elb.send(new DescribeLoadBalancersCommand({ Names: ['alb-demo'] }))
  )
  await step('DescribeLoadBalancers (unknown name)', () =>
    elb.send(new DescribeLoadBalancersCommand({ Names: ['nope'] }))
  )
  const tgInput = {
    Name: 'default',
    Protocol: 'HTTP' as const,
    Port: 80,
    VpcId: net.vpcId,
    HealthCheckPath: '/hostname',
    HealthCheckIntervalSeconds: 30,
    HealthCheckTimeoutSeconds: 15,
    HealthyThresholdCount: 3,
    UnhealthyThresholdCount: 3,
    Matcher: { HttpCode: '200' }
  }
  const tg = await step('CreateTargetGroup', () => elb.send(new CreateTargetGroupCommand(tgInput)))
  const tgArn = tg?.TargetGroups?.[0]?.TargetGroupArn
  await step('CreateTargetGroup (same name, other port)', () =>
    elb.send(new CreateTargetGroupCommand({ ...tgInput, Port: 81 }))
  )
  await step('CreateTargetGroup (timings left out)', () =>
    elb.send(new CreateTargetGroupCommand({ Name: 'bare', Protocol: 'HTTP', Port: 80, VpcId: net.vpcId }))
  )
  await step('CreateTargetGroup (health checks off, instance targets)', () =>
    elb.send(new CreateTargetGroupCommand({ ...tgInput, Name: 'unchecked', HealthCheckEnabled: false }))
  )
  await step('AddTags (existing target group)', () =>
    elb.send(new AddTagsCommand({ ResourceArns: [tgArn!], Tags: [{ Key: 'team', Value: 'web' }] }))
  )
  await step('DescribeTargetGroups (unknown name)', () =>
    elb.send(new DescribeTargetGroupsCommand({ Names: ['nope'] }))
  )
  const listenerInput = {
    LoadBalancerArn: lbArn,
    Protocol: 'HTTP' as const,
    Port: 80,
    DefaultActions: [{ Type: 'forward' as const, TargetGroupArn: tgArn }]
  }
  const listener = await step('CreateListener', () => elb.send(new CreateListenerCommand(listenerInput)))
  const listenerArn = listener?.Listeners?.[0]?.ListenerArn
  const l2 = await step('CreateListener (identical again)', () =>
    elb.send(new CreateListenerCommand(listenerInput))
  )
  results.push({
    step: 'identical CreateListener returns the same ARN',
    output: { same: l2?.Listeners?.[0]?.ListenerArn === listenerArn }
  })
  await step('DescribeTargetGroups', () => elb.send(new DescribeTargetGroupsCommand({ Names: ['default'] })))
  await step('DescribeListeners', () => elb.send(new DescribeListenersCommand({ LoadBalancerArn: lbArn })))
  const ruleInput = {
    ListenerArn: listenerArn,
    Priority: 10,
    Conditions: [{ Field: 'path-pattern', Values: ['/api/*'] }],
    Actions: [{ Type: 'forward' as const, TargetGroupArn: tgArn }]
  }
  await step('CreateRule', () => elb.send(new CreateRuleCommand(ruleInput)))
  await step('CreateRule (priority in use)', () =>
    elb.send(
      new CreateRuleCommand({ ...ruleInput, Conditions: [{ Field: 'path-pattern', Values: ['/b/*'] }] })
    )
  )
  await step('DescribeRules', () => elb.send(new DescribeRulesCommand({ ListenerArn: listenerArn })))
  await step('DescribeTags', () => elb.send(new DescribeTagsCommand({ ResourceArns: [lbArn!, tgArn!] })))
  await step('ModifyTargetGroup', () =>
    elb.send(new ModifyTargetGroupCommand({ TargetGroupArn: tgArn, HealthCheckPath: '/health' }))
  )
  await step('DescribeTargetHealth', () =>
    elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: tgArn }))
  )
  // What target-group-attributes and load-balancer-attributes send: the keys the action sets, and a typo.
  await step('ModifyTargetGroupAttributes', () =>
    elb.send(
      new ModifyTargetGroupAttributesCommand({
        TargetGroupArn: tgArn,
        Attributes: [
          { Key: 'deregistration_delay.timeout_seconds', Value: '30' },
          { Key: 'stickiness.enabled', Value: 'true' }
        ]
      })
    )
  )
  await step('DescribeTargetGroupAttributes', async () => {
    const out = await elb.send(new DescribeTargetGroupAttributesCommand({ TargetGroupArn: tgArn }))
    // The values the action compares; which other keys each emulator lists is not its business.
    const held = ['deregistration_delay.timeout_seconds', 'stickiness.enabled']
    return (out.Attributes ?? []).filter(a => held.includes(a.Key ?? ''))
  })
  await step('ModifyLoadBalancerAttributes', () =>
    elb.send(
      new ModifyLoadBalancerAttributesCommand({
        LoadBalancerArn: lbArn,
        Attributes: [{ Key: 'idle_timeout.timeout_seconds', Value: '120' }]
      })
    )
  )
  await step('DescribeLoadBalancerAttributes', async () => {
    const out = await elb.send(new DescribeLoadBalancerAttributesCommand({ LoadBalancerArn: lbArn }))
    return (out.Attributes ?? []).filter(a => a.Key === 'idle_timeout.timeout_seconds')
  })
  await step('ModifyTargetGroupAttributes (unknown key)', () =>
    elb.send(
      new ModifyTargetGroupAttributesCommand({
        TargetGroupArn: tgArn,
        Attributes: [{ Key: 'deregistration_delay.timeout_second', Value: '30' }]
      })
    )
  )

  await step('CreateCluster', () => ecs.send(new CreateClusterCommand({ clusterName: 'ecs-demo' })))
  const tdInput = {
    family: 'ecscompose-ecs-app',
    containerDefinitions: [
      { name: 'app', image: 'inokara/ecs-app:latest', memory: 128, portMappings: [{ containerPort: 4567 }] }
    ]
  }
  await step('RegisterTaskDefinition', () => ecs.send(new RegisterTaskDefinitionCommand(tdInput)))
  await step('DescribeTaskDefinition', () =>
    ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'ecscompose-ecs-app' }))
  )
  await step('DescribeTaskDefinition (unknown family)', () =>
    ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'nope' }))
  )
  const svcInput = {
    cluster: 'ecs-demo',
    serviceName: 'ecs-simple-service-elb',
    taskDefinition: 'ecscompose-ecs-app:1',
    loadBalancers: [{ targetGroupArn: tgArn, containerName: 'app', containerPort: 4567 }],
    desiredCount: 2,
    role: 'ecsServiceRole',
    clientToken: 'token-1'
  }
  await step('CreateService', () => ecs.send(new CreateServiceCommand(svcInput)))
  // The emulator's scheduler writes the first service events moments later; moto never writes any. Waiting
  // (not a step) until they exist, or a bounded while, keeps a loaded machine from changing what differs.
  await untilServiceHasEvents(ecs, 5_000)
  await step('CreateService (same clientToken)', () => ecs.send(new CreateServiceCommand(svcInput)))
  await step('CreateService (other clientToken)', () =>
    ecs.send(new CreateServiceCommand({ ...svcInput, clientToken: 'token-2' }))
  )
  await step('CreateService (unknown cluster)', () =>
    ecs.send(new CreateServiceCommand({ ...svcInput, cluster: 'nope' }))
  )
  await step('DescribeServices', () =>
    ecs.send(
      new DescribeServicesCommand({ cluster: 'ecs-demo', services: ['ecs-simple-service-elb', 'missing'] })
    )
  )
  await step('UpdateService', () =>
    ecs.send(
      new UpdateServiceCommand({ cluster: 'ecs-demo', service: 'ecs-simple-service-elb', desiredCount: 1 })
    )
  )
  await step('UpdateService (new capacity provider strategy, not forced)', () =>
    ecs.send(
      new UpdateServiceCommand({
        cluster: 'ecs-demo',
        service: 'ecs-simple-service-elb',
        capacityProviderStrategy: [{ capacityProvider: 'FARGATE', weight: 1 }]
      })
    )
  )
  await step('TagResource (existing service)', () =>
    ecs.send(
      new TagResourceCommand({
        resourceArn: `arn:aws:ecs:${region}:123456789012:service/ecs-demo/ecs-simple-service-elb`,
        tags: [{ key: 'team', value: 'web' }]
      })
    )
  )
  await step('ListTasks', () =>
    ecs.send(new ListTasksCommand({ cluster: 'ecs-demo', serviceName: 'ecs-simple-service-elb' }))
  )
  elb.destroy()
  ecs.destroy()
  return results
}

/** One difference, found on one or more steps; `path` is relative to the answer's resource list. */
type Deviation = { what: string; steps: string[]; why?: string }

/** Paths below a field that is absent on one side say nothing new: keep the outermost one. */
function outermost(diffs: ShapeDifference[]): ShapeDifference[] {
  const absent = diffs.filter(d => !d.emulator || !d.moto).map(d => d.path)
  return diffs.filter(
    d => !absent.some(a => a !== d.path && (d.path.startsWith(`${a}.`) || d.path.startsWith(`${a}[]`)))
  )
}

/** Differences grouped by what differs (resource list prefix folded), each listing the steps it shows in. */
function differences(ours: StepResult[], theirs: StepResult[]): Deviation[] {
  const groups = new Map<string, string[]>()
  const add = (what: string, step: string) => groups.set(what, [...(groups.get(what) ?? []), step])
  for (const a of ours) {
    const b = theirs.find(x => x.step === a.step)
    if (!b) continue
    if (a.error !== b.error) {
      add(`outcome: emulator ${a.error ?? 'ok'}, moto ${b.error ?? 'ok'}`, a.step)
      continue
    }
    if (a.step.startsWith('identical ')) {
      const same = (x: StepResult) => (x.output as { same: boolean }).same
      if (same(a) !== same(b)) add(`same ARN: emulator ${same(a)}, moto ${same(b)}`, a.step)
      continue
    }
    for (const d of outermost(compareShapes(a.output, b.output))) {
      const path = d.path.replace(
        /^(LoadBalancers|TargetGroups|Listeners|Rules|services|service|taskDefinition|cluster)(\[\])?\./,
        ''
      )
      add(`${path}: emulator ${d.emulator ?? 'absent'}, moto ${d.moto ?? 'absent'}`, a.step)
    }
  }
  return [...groups.entries()]
    .map(([what, steps]) => ({ what, steps }))
    .sort((x, y) => x.what.localeCompare(y.what))
}

const ourNetwork: Network = {
  vpcId: 'vpc-xxxxxxxx',
  subnets: ['subnet-12345678', 'subnet-abcdefgh'],
  securityGroup: 'sg-12345678'
}

let emulator: Emulator
let ours: StepResult[]
beforeAll(async () => {
  emulator = await startEmulator({ timeScale: 0.01 })
  ours = await walk(emulator.url, ourNetwork)
}, 60_000)
afterAll(async () => {
  await emulator?.stop()
})

const ourStep = (s: string): StepResult => {
  const found = ours.find(r => r.step === s)
  if (!found) throw new Error(`no step ${s}`)
  return found
}
/** The output of a step that must have succeeded. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const ourOutput = (s: string): any => {
  const step = ourStep(s)
  expect({ step: s, error: step.error }).toEqual({ step: s, error: undefined })
  return step.output
}

describe('the emulator follows AWS where the action relies on it (whatever moto does)', () => {
  test('idempotent creates, and the errors AWS answers', () => {
    expect(ourStep('identical CreateLoadBalancer returns the same ARN').output).toEqual({ same: true })
    expect(ourStep('identical CreateListener returns the same ARN').output).toEqual({ same: true })
    expect(ourStep('CreateTargetGroup (same name, other port)').error).toBe('DuplicateTargetGroupName')
    expect(ourStep('CreateRule (priority in use)').error).toBe('PriorityInUse')
    expect(ourStep('CreateService (same clientToken)').error).toBeUndefined()
    expect(ourStep('CreateService (other clientToken)').error).toBe('InvalidParameter')
    expect(ourStep('CreateService (unknown cluster)').error).toBe('ClusterNotFound')
    expect(ourStep('ModifyTargetGroupAttributes (unknown key)').error).toBe('ValidationError')
    expect(ourStep('DescribeLoadBalancers (unknown name)').error).toBe('LoadBalancerNotFound')
    expect(ourStep('DescribeTargetGroups (unknown name)').error).toBe('TargetGroupNotFound')
    expect(ourStep('DescribeTaskDefinition (unknown family)').error).toBe('Client')
    expect(ourStep('CreateTargetGroup (health checks off, instance targets)').error).toBe('ValidationError')
    expect(ourOutput('CreateTargetGroup (timings left out)').TargetGroups[0]).toMatchObject({
      HealthCheckTimeoutSeconds: 6,
      HealthCheckIntervalSeconds: 30
    })
    expect(ourStep('UpdateService (new capacity provider strategy, not forced)').error).toBe(
      'InvalidParameter'
    )
    expect(ourStep('TagResource (existing service)').error).toBeUndefined()
    expect(ourStep('AddTags (existing target group)').error).toBeUndefined()
    expect(ourOutput('DescribeTargetGroupAttributes')).toEqual([
      { Key: 'deregistration_delay.timeout_seconds', Value: '30' },
      { Key: 'stickiness.enabled', Value: 'true' }
    ])
    expect(ourOutput('DescribeLoadBalancerAttributes')).toEqual([
      { Key: 'idle_timeout.timeout_seconds', Value: '120' }
    ])
  })

  test('load balancer, target group, listener and rule as AWS answers them', () => {
    const lb = ourOutput('CreateLoadBalancer').LoadBalancers[0]
    expect(lb.Scheme).toBe('internet-facing')
    expect(
      lb.AvailabilityZones.map((z: { LoadBalancerAddresses?: unknown }) => z.LoadBalancerAddresses)
    ).toEqual([[], []])
    const tg = ourOutput('CreateTargetGroup').TargetGroups[0]
    expect(tg.LoadBalancerArns).toEqual([])
    const tgArn: string = tg.TargetGroupArn
    const forward = {
      Type: 'forward',
      TargetGroupArn: tgArn,
      ForwardConfig: expect.objectContaining({ TargetGroups: [{ TargetGroupArn: tgArn, Weight: 1 }] })
    }
    for (const s of ['CreateListener', 'DescribeListeners']) {
      const listener = ourOutput(s).Listeners[0]
      expect(listener.DefaultActions).toEqual([expect.objectContaining(forward)])
      // A plain HTTP listener: no TLS settings.
      expect(listener).not.toHaveProperty('SslPolicy')
      expect(listener).not.toHaveProperty('AlpnPolicy')
    }
    const rule = ourOutput('CreateRule').Rules[0]
    expect(rule.Actions).toEqual([expect.objectContaining(forward)])
    expect(rule.Conditions).toEqual([
      expect.objectContaining({ Field: 'path-pattern', PathPatternConfig: { Values: ['/api/*'] } })
    ])
  })

  test('task definition and service carry the fields AWS fills in', () => {
    for (const s of ['RegisterTaskDefinition', 'DescribeTaskDefinition']) {
      const td = ourOutput(s).taskDefinition
      expect(td.registeredAt).toBeInstanceOf(Date)
      expect(typeof td.registeredBy).toBe('string')
      const [app] = td.containerDefinitions
      // Bridge mode (the default on EC2): a dynamic host port.
      expect(app.portMappings).toEqual([
        expect.objectContaining({ containerPort: 4567, hostPort: 0, protocol: 'tcp' })
      ])
      expect(app.systemControls).toEqual([])
    }
    for (const s of ['CreateService', 'DescribeServices', 'UpdateService']) {
      const out = ourOutput(s)
      const service = out.service ?? out.services[0]
      expect(service.deploymentConfiguration).toEqual(
        expect.objectContaining({
          maximumPercent: 200,
          minimumHealthyPercent: 100,
          deploymentCircuitBreaker: { enable: false, rollback: false }
        })
      )
      expect(service.healthCheckGracePeriodSeconds).toBe(0)
      expect(service.enableECSManagedTags).toBe(false)
      expect(service.enableExecuteCommand).toBe(false)
      expect(service.placementConstraints).toEqual([])
      expect(service.placementStrategy).toEqual([])
      expect(service.createdAt).toBeInstanceOf(Date)
      // Bridge mode, ECS deployment controller, no tags asked for.
      expect(service).not.toHaveProperty('networkConfiguration')
      expect(service).not.toHaveProperty('taskSets')
      expect(service).not.toHaveProperty('tags')
      for (const d of service.deployments) expect(d).not.toHaveProperty('platformFamily')
    }
    expect(ourOutput('DescribeServices').failures).toEqual([
      expect.objectContaining({ reason: 'MISSING', arn: expect.stringContaining('missing') })
    ])
    expect(ourOutput('ListTasks').taskArns.length).toBeGreaterThan(0)
  })
})

const available = await motoAvailable()
if (!available && process.env.CI) throw new Error('moto is not installed: .ci/run installs it')
if (process.env.UPDATE_DEVIATIONS === '1' && process.env.CI) {
  throw new Error('UPDATE_DEVIATIONS=1 rewrites moto-deviations.json: not under CI')
}
const maybe = available ? describe : describe.skip

maybe('emulator vs moto (differential)', () => {
  let moto: Moto
  beforeAll(async () => {
    moto = await startMoto()
  }, 60_000)
  afterAll(async () => {
    await moto?.stop()
  })

  test('same calls, same shapes, except the differences listed with their reasons', async () => {
    const theirs = await walk(moto.url, await motoDefaultNetwork(moto.url, region))
    const found = differences(ours, theirs)
    const documented: Deviation[] = existsSync(deviationsFile)
      ? JSON.parse(readFileSync(deviationsFile, 'utf8'))
      : []
    if (process.env.UPDATE_DEVIATIONS === '1') {
      const why = new Map(documented.map(d => [d.what, d.why]))
      writeFileSync(
        deviationsFile,
        JSON.stringify(
          found.map(d => ({ ...d, why: why.get(d.what) ?? 'TODO' })),
          null,
          2
        ) + '\n'
      )
    }
    // Which steps show a difference can depend on timing (events appear as the scheduler runs); what
    // differs may not.
    expect(found.map(d => d.what)).toEqual(documented.map(d => d.what))
    for (const d of documented) expect(d.why && d.why !== 'TODO').toBeTruthy()
  }, 120_000)
})
