import {
  ClientException,
  CreateServiceCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
  type ContainerDefinition,
  type Service,
  type Tag as EcsTag,
  type TaskDefinition
} from '@aws-sdk/client-ecs'
import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateRuleCommand,
  CreateTargetGroupCommand,
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeRulesCommand,
  DescribeTagsCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  LoadBalancerNotFoundException,
  ModifyListenerCommand,
  ModifyRuleCommand,
  ModifyTargetGroupCommand,
  PriorityInUseException,
  SetSecurityGroupsCommand,
  SetSubnetsCommand,
  TargetGroupNotFoundException,
  type Action,
  type Listener,
  type LoadBalancer,
  type Rule,
  type Tag,
  type TargetGroup
} from '@aws-sdk/client-elastic-load-balancing-v2'
import { mockClient } from 'aws-sdk-client-mock'
import type { Clients } from '../../src/aws/clients.js'
import { ACCOUNT, REGION, SEED_VPC } from '../fixtures/seed.js'

/**
 * A small stateful fake of the ECS and ELBv2 calls the action makes, on aws-sdk-client-mock: Create*
 * answers and later Describe* answers carry the defaults AWS fills in (so normalization is exercised), and
 * a second run sees what the first one created. Every call is recorded in order.
 */

export interface World {
  vpcId: string
  loadBalancers: LoadBalancer[]
  targetGroups: TargetGroup[]
  listeners: Listener[]
  rules: Rule[]
  elbTags: Record<string, Tag[]>
  taskDefinitions: TaskDefinition[]
  taskDefinitionTags: Record<string, EcsTag[]>
  services: Service[]
  /** Priorities that CreateRule answers PriorityInUse for once each (a concurrent run took them). */
  stolenPriorities: number[]
  /** Errors to answer, by operation name (fault injection). */
  failures: Record<string, Error>
  counter: number
}

export interface RecordedCall {
  service: 'ecs' | 'elbv2'
  name: string
  input: Record<string, unknown>
}

export function emptyWorld(): World {
  return {
    vpcId: SEED_VPC,
    loadBalancers: [],
    targetGroups: [],
    listeners: [],
    rules: [],
    elbTags: {},
    taskDefinitions: [],
    taskDefinitionTags: {},
    services: [],
    stolenPriorities: [],
    failures: {},
    counter: 0
  }
}

const elbArn = (world: World, kind: string): string =>
  `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:${kind}/${(++world.counter).toString(16).padStart(16, '0')}`

const meta = { $metadata: {} }

/** Forward and redirect actions the way DescribeListeners/DescribeRules answer them. */
function describedAction(a: Action): Action {
  if (a.Type === 'forward' && a.TargetGroupArn) {
    return {
      ...a,
      ForwardConfig: {
        TargetGroups: [{ TargetGroupArn: a.TargetGroupArn, Weight: 1 }],
        TargetGroupStickinessConfig: { Enabled: false }
      }
    }
  }
  if (a.Type === 'redirect') {
    return {
      ...a,
      RedirectConfig: {
        Host: '#{host}',
        Path: '/#{path}',
        Query: '#{query}',
        StatusCode: 'HTTP_301',
        ...a.RedirectConfig
      }
    }
  }
  return a
}

function attach(world: World, actions: Action[] | undefined, lbArn: string | undefined): void {
  for (const a of actions ?? []) {
    const tg = world.targetGroups.find(t => t.TargetGroupArn === a.TargetGroupArn)
    if (tg && lbArn && !tg.LoadBalancerArns?.includes(lbArn))
      tg.LoadBalancerArns = [...(tg.LoadBalancerArns ?? []), lbArn]
  }
}

function describedContainer(c: ContainerDefinition, networkMode: string): ContainerDefinition {
  return {
    cpu: 0,
    essential: true,
    environment: [],
    mountPoints: [],
    volumesFrom: [],
    systemControls: [],
    ...c,
    portMappings: (c.portMappings ?? []).map(pm => ({
      protocol: 'tcp',
      ...pm,
      hostPort: pm.hostPort ?? (networkMode === 'bridge' ? 0 : pm.containerPort)
    }))
  }
}

export interface Mocks {
  clients: Clients
  calls: RecordedCall[]
  /** Calls that change something (every call that is not a Describe*). */
  mutating(): RecordedCall[]
  reads(): RecordedCall[]
  restore(): void
}

export function mockWorld(world: World): Mocks {
  const ecs = new ECSClient({ region: REGION })
  const elbv2 = new ElasticLoadBalancingV2Client({ region: REGION })
  const ecsMock = mockClient(ECSClient)
  const elbMock = mockClient(ElasticLoadBalancingV2Client)
  const calls: RecordedCall[] = []
  const record = (service: 'ecs' | 'elbv2', name: string, input: object): void => {
    calls.push({ service, name, input: structuredClone(input) as Record<string, unknown> })
    const failure = world.failures[name]
    if (failure) throw failure
  }

  elbMock.on(DescribeLoadBalancersCommand).callsFake(input => {
    record('elbv2', 'DescribeLoadBalancers', input)
    const found = world.loadBalancers.filter(
      lb =>
        input.Names?.includes(lb.LoadBalancerName ?? '') ||
        input.LoadBalancerArns?.includes(lb.LoadBalancerArn ?? '')
    )
    if (found.length === 0)
      throw new LoadBalancerNotFoundException({ message: 'One or more load balancers not found', ...meta })
    return { LoadBalancers: found }
  })
  // The fake world runs no tasks: a target group has no targets (a health-check probe has nothing to prove).
  elbMock.on(DescribeTargetHealthCommand).callsFake(input => {
    record('elbv2', 'DescribeTargetHealth', input)
    return { TargetHealthDescriptions: [] }
  })
  elbMock.on(DescribeTargetGroupsCommand).callsFake(input => {
    record('elbv2', 'DescribeTargetGroups', input)
    if (input.Names) {
      const found = world.targetGroups.filter(tg => input.Names?.includes(tg.TargetGroupName ?? ''))
      if (found.length < input.Names.length) {
        throw new TargetGroupNotFoundException({ message: 'One or more target groups not found', ...meta })
      }
      return { TargetGroups: found }
    }
    return {
      TargetGroups: world.targetGroups.filter(tg =>
        tg.LoadBalancerArns?.includes(input.LoadBalancerArn ?? '')
      )
    }
  })
  elbMock.on(DescribeListenersCommand).callsFake(input => {
    record('elbv2', 'DescribeListeners', input)
    return { Listeners: world.listeners.filter(l => l.LoadBalancerArn === input.LoadBalancerArn) }
  })
  elbMock.on(DescribeRulesCommand).callsFake(input => {
    record('elbv2', 'DescribeRules', input)
    return { Rules: world.rules.filter(r => r.RuleArn?.startsWith(`${input.ListenerArn}#`)) }
  })
  elbMock.on(DescribeTagsCommand).callsFake(input => {
    record('elbv2', 'DescribeTags', input)
    return {
      TagDescriptions: (input.ResourceArns ?? []).map((arn: string) => ({
        ResourceArn: arn,
        Tags: world.elbTags[arn] ?? []
      }))
    }
  })
  elbMock.on(CreateLoadBalancerCommand).callsFake(input => {
    record('elbv2', 'CreateLoadBalancer', input)
    const arn = elbArn(world, `loadbalancer/app/${input.Name}`)
    const lb: LoadBalancer = {
      LoadBalancerArn: arn,
      LoadBalancerName: input.Name,
      DNSName: `${input.Name}-1234567890.${REGION}.elb.amazonaws.com`,
      Scheme: input.Scheme ?? 'internet-facing',
      Type: input.Type ?? 'application',
      IpAddressType: input.IpAddressType ?? 'ipv4',
      VpcId: world.vpcId,
      SecurityGroups: input.SecurityGroups,
      AvailabilityZones: (input.Subnets ?? []).map((s: string, i: number) => ({
        SubnetId: s,
        ZoneName: `${REGION}${'ac'[i % 2]}`
      })),
      State: { Code: 'provisioning' }
    }
    world.loadBalancers.push(lb)
    world.elbTags[arn] = input.Tags ?? []
    return { LoadBalancers: [lb] }
  })
  elbMock.on(SetSecurityGroupsCommand).callsFake(input => {
    record('elbv2', 'SetSecurityGroups', input)
    const lb = world.loadBalancers.find(l => l.LoadBalancerArn === input.LoadBalancerArn)
    if (lb) lb.SecurityGroups = input.SecurityGroups
    return { SecurityGroupIds: input.SecurityGroups }
  })
  elbMock.on(SetSubnetsCommand).callsFake(input => {
    record('elbv2', 'SetSubnets', input)
    const lb = world.loadBalancers.find(l => l.LoadBalancerArn === input.LoadBalancerArn)
    if (lb) lb.AvailabilityZones = (input.Subnets ?? []).map((s: string) => ({ SubnetId: s }))
    return { AvailabilityZones: lb?.AvailabilityZones }
  })
  elbMock.on(CreateTargetGroupCommand).callsFake(input => {
    record('elbv2', 'CreateTargetGroup', input)
    const arn = elbArn(world, `targetgroup/${input.Name}`)
    const { Name, Tags, ...rest } = input
    const tg: TargetGroup = {
      HealthCheckProtocol: input.Protocol,
      HealthCheckPort: 'traffic-port',
      HealthCheckEnabled: true,
      HealthCheckPath: '/',
      HealthCheckIntervalSeconds: 30,
      HealthCheckTimeoutSeconds: 5,
      HealthyThresholdCount: 5,
      UnhealthyThresholdCount: 2,
      Matcher: { HttpCode: '200' },
      TargetType: 'instance',
      ProtocolVersion: 'HTTP1',
      IpAddressType: 'ipv4',
      ...rest,
      TargetGroupArn: arn,
      TargetGroupName: Name,
      LoadBalancerArns: []
    }
    world.targetGroups.push(tg)
    world.elbTags[arn] = Tags ?? []
    return { TargetGroups: [tg] }
  })
  elbMock.on(ModifyTargetGroupCommand).callsFake(input => {
    record('elbv2', 'ModifyTargetGroup', input)
    const tg = world.targetGroups.find(t => t.TargetGroupArn === input.TargetGroupArn)
    if (tg) Object.assign(tg, input)
    return { TargetGroups: tg ? [tg] : [] }
  })
  elbMock.on(CreateListenerCommand).callsFake(input => {
    record('elbv2', 'CreateListener', input)
    const arn = elbArn(world, 'listener/app/alb')
    const listener: Listener = {
      ListenerArn: arn,
      LoadBalancerArn: input.LoadBalancerArn,
      Port: input.Port,
      Protocol: input.Protocol,
      Certificates: input.Certificates,
      SslPolicy: input.SslPolicy ?? (input.Protocol === 'HTTPS' ? 'ELBSecurityPolicy-2016-08' : undefined),
      DefaultActions: (input.DefaultActions ?? []).map(describedAction)
    }
    attach(world, input.DefaultActions, input.LoadBalancerArn)
    world.listeners.push(listener)
    world.rules.push({
      RuleArn: `${arn}#default`,
      Priority: 'default',
      IsDefault: true,
      Actions: listener.DefaultActions
    })
    world.elbTags[arn] = input.Tags ?? []
    return { Listeners: [listener] }
  })
  elbMock.on(ModifyListenerCommand).callsFake(input => {
    record('elbv2', 'ModifyListener', input)
    const l = world.listeners.find(x => x.ListenerArn === input.ListenerArn)
    if (!l) throw new Error('no such listener')
    const { DefaultActions, ListenerArn: _a, ...rest } = input
    Object.assign(l, rest)
    if (DefaultActions) {
      l.DefaultActions = DefaultActions.map(describedAction)
      attach(world, DefaultActions, l.LoadBalancerArn)
    }
    return { Listeners: [l] }
  })
  elbMock.on(CreateRuleCommand).callsFake(input => {
    record('elbv2', 'CreateRule', input)
    const priority = input.Priority ?? 0
    const stolen = world.stolenPriorities.indexOf(priority)
    const listenerRules = world.rules.filter(r => r.RuleArn?.startsWith(`${input.ListenerArn}#`))
    if (stolen >= 0 || listenerRules.some(r => r.Priority === String(priority))) {
      if (stolen >= 0) {
        world.stolenPriorities.splice(stolen, 1)
        world.rules.push({
          RuleArn: `${input.ListenerArn}#other-${priority}`,
          Priority: String(priority),
          Conditions: [],
          Actions: []
        })
      }
      throw new PriorityInUseException({ message: `Priority '${priority}' is currently in use`, ...meta })
    }
    const arn = `${input.ListenerArn}#rule-${++world.counter}`
    const rule: Rule = {
      RuleArn: arn,
      Priority: String(priority),
      IsDefault: false,
      Conditions: input.Conditions,
      Actions: (input.Actions ?? []).map(describedAction)
    }
    const lbArn = world.listeners.find(l => l.ListenerArn === input.ListenerArn)?.LoadBalancerArn
    attach(world, input.Actions, lbArn)
    world.rules.push(rule)
    world.elbTags[arn] = input.Tags ?? []
    return { Rules: [rule] }
  })
  elbMock.on(ModifyRuleCommand).callsFake(input => {
    record('elbv2', 'ModifyRule', input)
    const rule = world.rules.find(r => r.RuleArn === input.RuleArn)
    if (rule) {
      if (input.Conditions) rule.Conditions = input.Conditions
      if (input.Actions) rule.Actions = input.Actions.map(describedAction)
    }
    return { Rules: rule ? [rule] : [] }
  })

  ecsMock.on(DescribeTaskDefinitionCommand).callsFake(input => {
    record('ecs', 'DescribeTaskDefinition', input)
    const ref = input.taskDefinition ?? ''
    const [family, revision] = ref.startsWith('arn:')
      ? [ref.split('/')[1]?.split(':')[0], ref.split(':').pop()]
      : ref.split(':')
    const found = world.taskDefinitions
      .filter(
        td => td.family === family && (revision ? String(td.revision) === revision : td.status === 'ACTIVE')
      )
      .sort((a, b) => (b.revision ?? 0) - (a.revision ?? 0))[0]
    if (!found) throw new ClientException({ message: 'Unable to describe task definition.', ...meta })
    return { taskDefinition: found, tags: world.taskDefinitionTags[found.taskDefinitionArn ?? ''] ?? [] }
  })
  ecsMock.on(RegisterTaskDefinitionCommand).callsFake(input => {
    record('ecs', 'RegisterTaskDefinition', input)
    const { tags, ...rest } = input
    const revision = world.taskDefinitions.filter(td => td.family === input.family).length + 1
    const networkMode = input.networkMode ?? 'bridge'
    const arn = `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/${input.family}:${revision}`
    const td: TaskDefinition = {
      volumes: [],
      placementConstraints: [],
      requiresAttributes: [{ name: 'com.amazonaws.ecs.capability.docker-remote-api.1.18' }],
      compatibilities: ['EC2'],
      ...rest,
      networkMode,
      containerDefinitions: (input.containerDefinitions ?? []).map((c: ContainerDefinition) =>
        describedContainer(c, networkMode)
      ),
      taskDefinitionArn: arn,
      revision,
      status: 'ACTIVE',
      registeredAt: new Date(0),
      registeredBy: `arn:aws:iam::${ACCOUNT}:role/deployer`
    }
    world.taskDefinitions.push(td)
    world.taskDefinitionTags[arn] = tags ?? []
    return { taskDefinition: td, tags }
  })
  ecsMock.on(DescribeServicesCommand).callsFake(input => {
    record('ecs', 'DescribeServices', input)
    const services = world.services.filter(s => input.services?.includes(s.serviceName ?? ''))
    const failures = (input.services ?? [])
      .filter((n: string) => !services.some(s => s.serviceName === n))
      .map((n: string) => ({
        arn: `arn:aws:ecs:${REGION}:${ACCOUNT}:service/${input.cluster}/${n}`,
        reason: 'MISSING'
      }))
    return { services, failures }
  })
  ecsMock.on(CreateServiceCommand).callsFake(input => {
    record('ecs', 'CreateService', input)
    const { role, tags, clientToken: _t, cluster, ...rest } = input
    const service: Service = {
      launchType: input.capacityProviderStrategy ? undefined : 'EC2',
      schedulingStrategy: 'REPLICA',
      deploymentConfiguration: { maximumPercent: 200, minimumHealthyPercent: 100 },
      enableECSManagedTags: false,
      enableExecuteCommand: false,
      propagateTags: 'NONE',
      placementConstraints: [],
      placementStrategy: [],
      ...rest,
      clusterArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/${cluster}`,
      serviceArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:service/${cluster}/${input.serviceName}`,
      roleArn: role ? `arn:aws:iam::${ACCOUNT}:role/${role}` : undefined,
      status: 'ACTIVE',
      tags,
      deployments: [
        { id: `ecs-svc/${++world.counter}`, status: 'PRIMARY', taskDefinition: input.taskDefinition }
      ]
    }
    world.services.push(service)
    return { service }
  })
  ecsMock.on(UpdateServiceCommand).callsFake(input => {
    record('ecs', 'UpdateService', input)
    const service = world.services.find(s => s.serviceName === input.service)
    if (!service) throw new Error('no such service')
    const { service: _n, cluster: _c, forceNewDeployment: _f, ...changes } = input
    Object.assign(service, changes)
    service.deployments = [
      { id: `ecs-svc/${++world.counter}`, status: 'PRIMARY', taskDefinition: service.taskDefinition },
      ...(service.deployments ?? []).map(d => ({ ...d, status: 'ACTIVE' }))
    ]
    return { service }
  })

  return {
    clients: { ecs, elbv2 },
    calls,
    mutating: () => calls.filter(c => !c.name.startsWith('Describe')),
    reads: () => calls.filter(c => c.name.startsWith('Describe')),
    restore: () => {
      ecsMock.restore()
      elbMock.restore()
    }
  }
}
