import type {
  CreateServiceCommandInput,
  DeleteServiceCommandInput,
  DescribeServicesCommandInput,
  LaunchType,
  ListServicesCommandInput,
  LoadBalancer,
  NetworkConfiguration,
  Service,
  TaskDefinition,
  UpdateServiceCommandInput
} from '@aws-sdk/client-ecs'
import { findSubnet } from '../core/network.js'
import { clusterOf, type EcsContext } from './context.js'
import { clientError, invalidParameter, serviceNotActive, serviceNotFound } from './errors.js'
import { emptyPending } from './events.js'
import { arns, nameOf } from './ids.js'
import { paginate } from './paging.js'
import type { ClusterRec, ServiceRec } from './state.js'
import { sameLoadBalancers, validateDeploymentStrategy } from './deployment-strategy.js'
import { oriented } from './traffic-shift.js'

const NAME_RE = /^[A-Za-z0-9_-]{1,255}$/
const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null)

function resolveTaskDefinition(ctx: EcsContext, ref: string | undefined): TaskDefinition {
  if (!ref) throw invalidParameter('Task Definition can not be blank.')
  const td = ctx.taskDefinitions.find(ref)
  if (!td) throw clientError('TaskDefinition not found.')
  if (td.status !== 'ACTIVE') throw clientError('TaskDefinition is inactive')
  return td
}

function launchTypeOf(input: {
  launchType?: LaunchType
  capacityProviderStrategy?: { capacityProvider?: string }[]
}) {
  if (input.launchType) return input.launchType
  const provider = input.capacityProviderStrategy?.[0]?.capacityProvider
  return provider?.startsWith('FARGATE') ? 'FARGATE' : 'EC2'
}

/** The checks CreateService and UpdateService share: network mode vs. network configuration and target groups. */
function validateNetworking(
  ctx: EcsContext,
  td: TaskDefinition,
  launchType: LaunchType,
  loadBalancers: LoadBalancer[],
  network: NetworkConfiguration | undefined,
  role: string | undefined
): void {
  const mode = td.networkMode ?? 'bridge'
  if (launchType === 'FARGATE' && !td.compatibilities?.includes('FARGATE')) {
    throw invalidParameter('Task definition does not support launch_type FARGATE.')
  }
  if (mode === 'awsvpc') {
    const vpc = network?.awsvpcConfiguration
    if (!vpc)
      throw invalidParameter("Network Configuration must be provided when networkMode 'awsvpc' is specified.")
    if (!vpc.subnets?.length) throw invalidParameter('subnets can not be empty.')
    for (const s of vpc.subnets) {
      if (!findSubnet(ctx.vpcs, s)) {
        throw invalidParameter(
          `Error retrieving subnet information for [${s}]: The subnet ID '${s}' does not exist (Service: AmazonEC2; Status Code: 400; Error Code: InvalidSubnetID.NotFound)`
        )
      }
    }
    if (role && loadBalancers.length) {
      throw invalidParameter(
        'You cannot specify an IAM role for services that require a service linked role.'
      )
    }
  } else if (network) {
    throw invalidParameter(
      'Network Configuration is not valid for the given networkMode of this task definition.'
    )
  }
  for (const lb of loadBalancers) {
    if (!lb.targetGroupArn) {
      if (lb.loadBalancerName)
        throw invalidParameter('Classic Load Balancers are not supported by this emulator.')
      throw invalidParameter('Target group ARN must be specified.')
    }
    const tg = ctx.elb.getTargetGroup(lb.targetGroupArn)
    if (!tg) throw invalidParameter(`Unable to find target group with targetGroupArn ${lb.targetGroupArn}.`)
    if (tg.loadBalancerArns.length === 0) {
      throw invalidParameter(
        `The target group with targetGroupArn ${lb.targetGroupArn} does not have an associated load balancer.`
      )
    }
    const container = td.containerDefinitions?.find(c => c.name === lb.containerName)
    if (!container)
      throw invalidParameter(`The container ${lb.containerName} does not exist in the task definition.`)
    if (!container.portMappings?.some(p => p.containerPort === lb.containerPort)) {
      throw invalidParameter(
        `The container ${lb.containerName} did not have a container port ${lb.containerPort} defined.`
      )
    }
    const wanted = mode === 'awsvpc' ? 'ip' : 'instance'
    if (tg.targetType !== wanted) {
      throw invalidParameter(
        `The provided target group ${lb.targetGroupArn} has target type ${tg.targetType}, which is incompatible with the ${mode} network mode specified in the task definition.`
      )
    }
  }
}

function findService(cluster: ClusterRec, ref: string | undefined): ServiceRec | undefined {
  return cluster.services.get(nameOf(ref ?? ''))
}

export function describeService(ctx: EcsContext, svc: ServiceRec, withTags: boolean): Service {
  let running = 0
  let pending = 0
  for (const d of svc.deployments) {
    running += d.deployment.runningCount ?? 0
    pending += d.deployment.pendingCount ?? 0
  }
  return {
    ...svc.service,
    runningCount: running,
    pendingCount: pending,
    deployments: svc.deployments.map(d => ({ ...d.deployment })),
    events: svc.events.slice(),
    ...(withTags ? { tags: ctx.tags.get(svc.service.serviceArn!) } : {})
  }
}

export function createService(ctx: EcsContext, input: CreateServiceCommandInput): { service: Service } {
  const cluster = clusterOf(ctx, input.cluster)
  const name = input.serviceName ?? ''
  if (!NAME_RE.test(name)) {
    throw invalidParameter(
      'Service name can have up to 255 characters: letters (uppercase and lowercase), numbers, underscores, and hyphens.'
    )
  }
  const existing = cluster.services.get(name)
  if (existing?.service.status === 'ACTIVE') {
    if (input.clientToken && existing.clientToken === input.clientToken) {
      return { service: describeService(ctx, existing, false) }
    }
    throw invalidParameter('Creation of service was not idempotent.')
  }
  if (existing?.service.status === 'DRAINING')
    throw invalidParameter('Unable to Start a service that is still Draining.')
  const td = resolveTaskDefinition(ctx, input.taskDefinition)
  const strategy = input.schedulingStrategy ?? 'REPLICA'
  if (strategy === 'REPLICA' && input.desiredCount === undefined) {
    throw invalidParameter(
      'The desiredCount must be specified for services with the REPLICA scheduling strategy.'
    )
  }
  const launchType = launchTypeOf(input)
  const loadBalancers = input.loadBalancers ?? []
  validateNetworking(ctx, td, launchType, loadBalancers, input.networkConfiguration, input.role)
  validateDeploymentStrategy({
    elb: ctx.elb,
    config: input.deploymentConfiguration,
    loadBalancers,
    targetType: td.networkMode === 'awsvpc' ? 'ip' : 'instance'
  })
  const now = ctx.clock.nowDate()
  const { accountId } = ctx.scope
  const serviceArn = arns.service(ctx.scope, cluster.cluster.clusterName!, name)
  const roleArn = input.role
    ? input.role.startsWith('arn:')
      ? input.role
      : `arn:aws:iam::${accountId}:role/${input.role}`
    : loadBalancers.length
      ? `arn:aws:iam::${accountId}:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS`
      : undefined
  const cfg = input.deploymentConfiguration ?? {}
  const service: Service = {
    serviceArn,
    serviceName: name,
    clusterArn: cluster.cluster.clusterArn,
    loadBalancers,
    serviceRegistries: input.serviceRegistries ?? [],
    status: 'ACTIVE',
    desiredCount: input.desiredCount ?? 0,
    runningCount: 0,
    pendingCount: 0,
    ...(input.capacityProviderStrategy
      ? { capacityProviderStrategy: input.capacityProviderStrategy }
      : { launchType }),
    ...(launchType === 'FARGATE'
      ? { platformVersion: input.platformVersion ?? 'LATEST', platformFamily: 'Linux' }
      : {}),
    taskDefinition: td.taskDefinitionArn,
    deploymentConfiguration: {
      ...cfg,
      deploymentCircuitBreaker: cfg.deploymentCircuitBreaker ?? { enable: false, rollback: false },
      maximumPercent: cfg.maximumPercent ?? 200,
      minimumHealthyPercent: cfg.minimumHealthyPercent ?? 100
    },
    ...(roleArn ? { roleArn } : {}),
    createdAt: now,
    placementConstraints: input.placementConstraints ?? [],
    placementStrategy: input.placementStrategy ?? [],
    ...(input.networkConfiguration ? { networkConfiguration: input.networkConfiguration } : {}),
    healthCheckGracePeriodSeconds: input.healthCheckGracePeriodSeconds ?? 0,
    schedulingStrategy: strategy,
    deploymentController: input.deploymentController ?? { type: 'ECS' },
    createdBy: `arn:aws:iam::${accountId}:root`,
    enableECSManagedTags: input.enableECSManagedTags ?? false,
    propagateTags: input.propagateTags ?? 'NONE',
    enableExecuteCommand: input.enableExecuteCommand ?? false,
    availabilityZoneRebalancing: input.availabilityZoneRebalancing ?? 'ENABLED'
  }
  const svc: ServiceRec = {
    service,
    clusterName: cluster.cluster.clusterName!,
    deployments: [],
    history: [],
    events: [],
    clientToken: input.clientToken,
    steady: false,
    pending: emptyPending()
  }
  ctx.tags.set(serviceArn, input.tags ?? [])
  ctx.scheduler.newDeployment(svc, {
    taskDef: td,
    loadBalancers,
    networkConfiguration: input.networkConfiguration,
    launchType
  })
  cluster.services.set(name, svc)
  return { service: describeService(ctx, svc, false) }
}

export function updateService(ctx: EcsContext, input: UpdateServiceCommandInput): { service: Service } {
  const cluster = clusterOf(ctx, input.cluster)
  const svc = findService(cluster, input.service)
  if (!svc) throw serviceNotFound()
  if (svc.service.status !== 'ACTIVE') throw serviceNotActive()
  const s = svc.service
  const primary = svc.deployments[0]
  const td = input.taskDefinition ? resolveTaskDefinition(ctx, input.taskDefinition) : primary.taskDef
  const launchType = input.capacityProviderStrategy ? launchTypeOf(input) : primary.launchType
  const loadBalancers = input.loadBalancers ?? s.loadBalancers ?? []
  const network = input.networkConfiguration ?? s.networkConfiguration
  const role = s.roleArn && !s.roleArn.includes('aws-service-role') ? s.roleArn : undefined
  validateNetworking(ctx, td, launchType, loadBalancers, network, role)
  validateDeploymentStrategy({
    elb: ctx.elb,
    config: { ...s.deploymentConfiguration, ...input.deploymentConfiguration },
    loadBalancers,
    targetType: td.networkMode === 'awsvpc' ? 'ip' : 'instance'
  })
  if (input.desiredCount !== undefined) {
    if (input.desiredCount < 0) throw invalidParameter('desiredCount must be at least 0.')
    s.desiredCount = input.desiredCount
  }
  if (input.deploymentConfiguration) {
    s.deploymentConfiguration = { ...s.deploymentConfiguration, ...input.deploymentConfiguration }
  }
  if (input.healthCheckGracePeriodSeconds !== undefined)
    s.healthCheckGracePeriodSeconds = input.healthCheckGracePeriodSeconds
  if (input.propagateTags) s.propagateTags = input.propagateTags
  if (input.enableECSManagedTags !== undefined) s.enableECSManagedTags = input.enableECSManagedTags
  if (input.enableExecuteCommand !== undefined) s.enableExecuteCommand = input.enableExecuteCommand
  if (input.placementStrategy) s.placementStrategy = input.placementStrategy
  if (input.placementConstraints) s.placementConstraints = input.placementConstraints
  const changed =
    td.taskDefinitionArn !== primary.taskDef.taskDefinitionArn ||
    !sameLoadBalancers(loadBalancers, primary.loadBalancers) ||
    !same(network, primary.networkConfiguration) ||
    launchType !== primary.launchType
  if (changed || input.forceNewDeployment) {
    s.taskDefinition = td.taskDefinitionArn
    if (network) s.networkConfiguration = network
    if (!s.capacityProviderStrategy) s.launchType = launchType
    const rec = ctx.scheduler.newDeployment(svc, {
      taskDef: td,
      loadBalancers,
      networkConfiguration: network,
      launchType
    })
    // While traffic shifts, the service still names the live (blue) group first; the roles swap at the end.
    s.loadBalancers = rec.shift
      ? rec.loadBalancers.map(lb => oriented(lb, lb.advancedConfiguration?.alternateTargetGroupArn ?? ''))
      : loadBalancers
  } else {
    primary.deployment.desiredCount = s.desiredCount
    primary.deployment.updatedAt = ctx.clock.nowDate()
  }
  return { service: describeService(ctx, svc, false) }
}

export function deleteService(ctx: EcsContext, input: DeleteServiceCommandInput): { service: Service } {
  const cluster = clusterOf(ctx, input.cluster)
  const svc = findService(cluster, input.service)
  if (!svc) throw serviceNotFound()
  if (svc.service.status === 'INACTIVE') throw serviceNotActive()
  if (svc.service.status === 'ACTIVE') {
    if ((svc.service.desiredCount ?? 0) > 0 && !input.force) {
      throw invalidParameter('The service cannot be stopped while it is scaled above 0.')
    }
    svc.service.desiredCount = 0
    svc.service.status = 'DRAINING'
  }
  return { service: describeService(ctx, svc, false) }
}

export function describeServices(ctx: EcsContext, input: DescribeServicesCommandInput) {
  const cluster = clusterOf(ctx, input.cluster)
  const names = input.services ?? []
  if (names.length === 0) throw invalidParameter('Services cannot be empty.')
  if (names.length > 10) throw invalidParameter('services can have at most 10 items.')
  const withTags = input.include?.includes('TAGS') ?? false
  const services: Service[] = []
  const failures: { arn: string; reason: string }[] = []
  for (const ref of names) {
    const svc = findService(cluster, ref)
    if (svc) services.push(describeService(ctx, svc, withTags))
    else {
      failures.push({
        arn: ref.startsWith('arn:') ? ref : arns.service(ctx.scope, cluster.cluster.clusterName!, ref),
        reason: 'MISSING'
      })
    }
  }
  return { services, failures }
}

export function listServices(ctx: EcsContext, input: ListServicesCommandInput) {
  const cluster = clusterOf(ctx, input.cluster)
  const arnsOut = [...cluster.services.values()]
    .filter(s => s.service.status !== 'INACTIVE')
    .filter(s => !input.launchType || s.service.launchType === input.launchType)
    .filter(s => !input.schedulingStrategy || s.service.schedulingStrategy === input.schedulingStrategy)
    .map(s => s.service.serviceArn!)
  const page = paginate(arnsOut, input.maxResults ?? 10, input.nextToken, 100)
  return { serviceArns: page.items, ...(page.nextToken ? { nextToken: page.nextToken } : {}) }
}
