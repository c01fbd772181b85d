import {
  CreateServiceCommand,
  DescribeServicesCommand,
  UpdateServiceCommand,
  type CapacityProviderStrategyItem,
  type ContainerDefinition,
  type CreateServiceCommandInput,
  type DescribeServicesCommandOutput,
  type ECSClient,
  type LoadBalancer as EcsLoadBalancer,
  type PlacementStrategy,
  type Service,
  type UpdateServiceCommandInput
} from '@aws-sdk/client-ecs'
import { DeployError, isAwsError, withExplanation } from '../aws/errors.js'
import { retryPropagation } from '../aws/retry.js'
import { canonicalJson, creationChanges, isSubset, sortedSet } from '../model/diff.js'
import type { Call, ChangeCall, FieldChange, Operation, PlanStep } from '../model/plan.js'
import { pendingArn } from '../model/placeholders.js'
import type { DeployRequest } from '../model/request.js'
import type { CallContext, CallResult, PlanContext } from './context.js'
import { stepCalls } from './steps.js'
import { hexHash } from '../model/names.js'
import { ecsTagMap, ecsTags, foreignRefusal, mayModify, ownership } from './ownership.js'
import { ecsTagOperations, tagDiff, tagFieldChanges } from './tagging.js'
import {
  canonicalCapacityProviderStrategy,
  canonicalPlacementStrategy,
  describedServiceField,
  SERVICE_FIELD_OFF
} from '../aws/normalize/service.js'
import { blueGreenLoadBalancer, comparableLoadBalancer, type AdvancedFill } from './deployment-strategy.js'

export type DesiredService = CreateServiceCommandInput & { serviceName: string; cluster: string }

/**
 * Absent when ECS reports it MISSING or INACTIVE (an INACTIVE service can be created anew). A missing
 * cluster is an error for a deploy (it cannot create the service there); with `missingClusterIsAbsent`
 * (teardown) it means the service is gone too.
 */
export async function describeService(
  ecs: ECSClient,
  request: DeployRequest,
  opts: { missingClusterIsAbsent?: boolean } = {}
): Promise<Service | undefined> {
  let out: DescribeServicesCommandOutput
  try {
    out = await ecs.send(
      new DescribeServicesCommand({
        cluster: request.cluster,
        services: [request.service.serviceName],
        include: ['TAGS']
      })
    )
  } catch (error) {
    if (opts.missingClusterIsAbsent && isAwsError(error, 'ClusterNotFound')) return undefined
    throw error
  }
  const service = out.services?.find(s => s.serviceName === request.service.serviceName)
  if (!service || service.status === 'INACTIVE') return undefined
  return service
}

export interface DesiredServiceOptions {
  request: DeployRequest
  taskDefinitionArn: string
  /** The managed target group (undefined: the service has no load balancer). */
  targetGroupArn?: string
  containers: ContainerDefinition[]
  /** Creating or updating: desiredCount is treated differently (see below). */
  creating: boolean
  /** Under a native strategy: what fills the managed entry's advancedConfiguration (oriented as ECS has it). */
  blueGreen?: AdvancedFill
  warnings?: string[]
}

function targetGroupLoadBalancers(
  opts: DesiredServiceOptions & { targetGroupArn: string }
): EcsLoadBalancer[] {
  const given = opts.request.service.loadBalancers ?? []
  const index = given.findIndex(lb => !lb.loadBalancerName)
  if (index < 0) {
    // Nothing to fill in: route to the first container that maps a port, as the seed's file does by hand.
    const container = opts.containers.find(c => c.portMappings?.some(pm => pm.containerPort !== undefined))
    const containerPort = container?.portMappings?.find(pm => pm.containerPort !== undefined)?.containerPort
    if (!container?.name || containerPort === undefined) {
      throw new DeployError(
        'service: loadBalancers is empty and no container of the task definition maps a port. Add loadBalancers [{containerName, containerPort}] to the service input.'
      )
    }
    return [...given, { targetGroupArn: opts.targetGroupArn, containerName: container.name, containerPort }]
  }
  const entry = given[index] as EcsLoadBalancer
  if (entry.targetGroupArn && entry.targetGroupArn !== opts.targetGroupArn) {
    opts.warnings?.push(
      `service: loadBalancers[${index}].targetGroupArn ${entry.targetGroupArn} is replaced by the managed target group ${opts.targetGroupArn}.`
    )
  }
  if (
    entry.containerName &&
    opts.containers.length > 0 &&
    !opts.containers.some(c => c.name === entry.containerName)
  ) {
    throw new DeployError(
      `service: loadBalancers[${index}].containerName ${entry.containerName} is not a container of the task definition (${opts.containers.map(c => c.name).join(', ')}).`
    )
  }
  return given.map((lb, i) => {
    if (i !== index) return lb
    return opts.blueGreen
      ? blueGreenLoadBalancer({ entry: lb, fill: opts.blueGreen })
      : { ...lb, targetGroupArn: opts.targetGroupArn }
  })
}

/**
 * The CreateService input the request means, with what the action manages filled in.
 *
 * desiredCount: the desired-count input wins when set. Otherwise the service JSON's desiredCount is used
 * when the service is created (1 when absent), and left alone on update: once a service runs, an
 * autoscaling policy may own its count, and a deploy must not reset it to the file's number. A DAEMON
 * service has none: ECS runs one task per container instance and refuses a desiredCount.
 */
export function desiredService(opts: DesiredServiceOptions): DesiredService {
  const { request } = opts
  const { desiredCount: fileCount, ...rest } = request.service
  const daemon = request.service.schedulingStrategy === 'DAEMON'
  const desiredCount = daemon
    ? undefined
    : (request.desiredCount ?? (opts.creating ? (fileCount ?? 1) : undefined))
  const loadBalancers = opts.targetGroupArn
    ? targetGroupLoadBalancers({ ...opts, targetGroupArn: opts.targetGroupArn })
    : request.service.loadBalancers
  return {
    ...rest,
    cluster: request.cluster,
    taskDefinition: opts.taskDefinitionArn,
    loadBalancers,
    desiredCount
  }
}

/** Fields UpdateService can change, in the order they are sent. */
const UPDATABLE = [
  'taskDefinition',
  'desiredCount',
  'loadBalancers',
  'networkConfiguration',
  'deploymentConfiguration',
  'healthCheckGracePeriodSeconds',
  'capacityProviderStrategy',
  'platformVersion',
  'enableExecuteCommand',
  'propagateTags',
  'enableECSManagedTags',
  'placementConstraints',
  'placementStrategy',
  'availabilityZoneRebalancing',
  'serviceRegistries',
  'serviceConnectConfiguration',
  'volumeConfigurations',
  'vpcLatticeConfigurations'
] as const

type Updatable = (typeof UPDATABLE)[number]

/** Order-free fields in one order, so that what AWS echoes back compares equal to the request. */
function comparable(field: Updatable, value: unknown): unknown {
  if (value === undefined) return undefined
  switch (field) {
    case 'loadBalancers':
      return sortedSet((value as EcsLoadBalancer[]).map(comparableLoadBalancer))
    case 'networkConfiguration': {
      const awsvpc = (value as Service['networkConfiguration'])?.awsvpcConfiguration
      if (!awsvpc) return value
      return {
        awsvpcConfiguration: {
          subnets: sortedSet(awsvpc.subnets),
          securityGroups: awsvpc.securityGroups ? sortedSet(awsvpc.securityGroups) : undefined,
          assignPublicIp: awsvpc.assignPublicIp ?? 'DISABLED'
        }
      }
    }
    case 'capacityProviderStrategy':
      return canonicalCapacityProviderStrategy(value as CapacityProviderStrategyItem[])
    case 'placementStrategy':
      return canonicalPlacementStrategy(value as PlacementStrategy[])
    default:
      return value
  }
}

export function serviceChanges(desired: DesiredService, actual: Service): FieldChange[] {
  const changes: FieldChange[] = []
  for (const field of UPDATABLE) {
    const to = desired[field]
    if (to === undefined) continue
    const from = describedServiceField(actual, field)
    const same =
      field === 'networkConfiguration'
        ? isSubset(comparable(field, to), comparable(field, from ?? {}))
        : isSubset(comparable(field, to), comparable(field, from))
    if (!same) changes.push({ field, from, to })
  }
  return changes
}

/** CreateService fixes these for good; ECS answers an update of them with an error. */
function checkImmutable(request: DeployRequest, actual: Service): void {
  const name = request.service.serviceName
  const problems: string[] = []
  const { launchType, schedulingStrategy, role } = request.service
  if (launchType && actual.launchType && launchType !== actual.launchType) {
    problems.push(`launchType is ${actual.launchType}, the service input asks for ${launchType}`)
  }
  if (schedulingStrategy && schedulingStrategy !== (actual.schedulingStrategy ?? 'REPLICA')) {
    problems.push(
      `schedulingStrategy is ${actual.schedulingStrategy}, the service input asks for ${schedulingStrategy}`
    )
  }
  if (role && actual.roleArn && actual.roleArn !== role && !actual.roleArn.endsWith(`/${role}`)) {
    problems.push(`role is ${actual.roleArn}, the service input asks for ${role}`)
  }
  if (problems.length > 0) {
    throw new DeployError(
      `Service ${name}: ${problems.join('; ')}. These cannot change on an existing service: ` +
        'use the existing value in the service input, or give the service a new serviceName (and delete the old one after the switch).'
    )
  }
}

export interface ServicePlanOptions extends PlanContext {
  taskDefinitionArn: string
  targetGroupArn?: string
  blueGreen?: AdvancedFill
  containers: ContainerDefinition[]
}

export function planService(ctx: ServicePlanOptions): PlanStep {
  const { request, actual } = ctx
  const name = request.service.serviceName
  const existing = actual.service
  const desired = desiredService({ ...ctx, creating: !existing, warnings: ctx.warnings })
  if (!existing) {
    const { clientToken: _t, tags: _tags, ...fields } = desired
    const operations: Operation[] = [
      {
        do: {
          call: 'CreateService',
          input: { ...desired, tags: ecsTags(request, request.service.tags) },
          produces: { arn: pendingArn('service', name) }
        },
        ...(request.wait.newServiceOnFailure === 'scale-to-zero'
          ? {
              inverse: {
                call: 'UpdateService',
                input: { cluster: request.cluster, service: name, desiredCount: 0 }
              } as ChangeCall
            }
          : { kept: 'created by this run: kept for inspection (new-service-on-failure: keep)' }),
        says: `created service ${name}`
      }
    ]
    return {
      resource: 'service',
      name,
      action: 'create',
      changes: creationChanges(fields, /^desiredCount$/),
      calls: stepCalls(operations),
      operations
    }
  }
  if (existing.status === 'DRAINING') {
    throw new DeployError(
      `Service ${name} is DRAINING (being deleted). Wait until ECS reports it INACTIVE (a few minutes), then run the action again to create it anew.`
    )
  }
  checkImmutable(request, existing)
  const changes = serviceChanges(desired, existing)
  if (request.forceNewDeployment) changes.push({ field: 'forceNewDeployment', to: true })
  const arn = existing.serviceArn
  const tags = tagDiff(ecsTagMap(ecsTags(request, request.service.tags)), ecsTagMap(existing.tags))
  const tagChanges = tagFieldChanges(tags)
  if (changes.length === 0 && tagChanges.length === 0) {
    return { resource: 'service', name, action: 'none', changes, arn, calls: [], operations: [] }
  }
  const owner = ownership(ecsTagMap(existing.tags), request)
  const foreign = foreignRefusal(`Service ${name}`, owner, request)
  if (foreign) throw new DeployError(foreign)
  if (!mayModify(owner, request)) {
    throw new DeployError(
      `Service ${name} exists but was not created by this action (it lacks the ecs-alb-deploy:stack tag), and its ` +
        `${[...changes, ...tagChanges].map(c => c.field).join(', ')} differ from the request. Set the input adopt-existing: true to let the action update it.`
    )
  }
  const fields = changes.map(c => c.field).filter((f): f is Updatable => f !== 'forceNewDeployment')
  const input: UpdateServiceCommandInput = { cluster: request.cluster, service: name }
  const previous: UpdateServiceCommandInput = { cluster: request.cluster, service: name }
  for (const field of fields) {
    Object.assign(input, { [field]: desired[field] })
    // What ECS described is what it runs now; a field it left unset has nothing to go back to, unless
    // UpdateService has a value that turns it off.
    const now = describedServiceField(existing, field) ?? SERVICE_FIELD_OFF[field]
    if (now !== undefined) Object.assign(previous, { [field]: restorable(field, now) })
  }
  // ECS refuses a change of capacity provider strategy, either way, without a new deployment.
  const strategyChange = fields.includes('capacityProviderStrategy')
  if (request.forceNewDeployment || strategyChange) input.forceNewDeployment = true
  // A launch type cannot be restored by UpdateService: the strategy then stays when rolled back.
  if (strategyChange && previous.capacityProviderStrategy) previous.forceNewDeployment = true
  const operations: Operation[] = [
    ...(changes.length > 0
      ? [
          {
            do: { call: 'UpdateService', input },
            inverse: { call: 'UpdateService', input: previous },
            says: `updated service ${name}: ${changes.map(c => c.field).join(', ')}`
          } as Operation
        ]
      : []),
    ...(arn ? ecsTagOperations({ arn, what: `service ${name}`, diff: tags }) : [])
  ]
  return {
    resource: 'service',
    name,
    action: 'update',
    changes: [...changes, ...tagChanges],
    arn,
    ...(strategyChange && !request.forceNewDeployment
      ? {
          reason:
            'capacityProviderStrategy changes: ECS requires a new deployment for it (forceNewDeployment)'
        }
      : {}),
    calls: stepCalls(operations),
    operations
  }
}

/** A field as DescribeServices answers it, made fit for UpdateService. */
function restorable(field: Updatable, value: unknown): unknown {
  if (field === 'loadBalancers') {
    return (value as EcsLoadBalancer[]).map(lb => ({
      targetGroupArn: lb.targetGroupArn,
      loadBalancerName: lb.loadBalancerName,
      containerName: lb.containerName,
      containerPort: lb.containerPort,
      ...(lb.advancedConfiguration ? { advancedConfiguration: lb.advancedConfiguration } : {})
    }))
  }
  return value
}

/**
 * Same cluster, service and create input → same token: a retried or concurrent identical CreateService
 * returns the one service instead of making two (ECS keeps tokens for a while; max 36 characters).
 */
export function serviceClientToken(input: CreateServiceCommandInput): string {
  const { clientToken: _t, ...rest } = input
  return hexHash(canonicalJson({ cluster: rest.cluster, service: rest.serviceName, input: rest }), 32)
}

export function primaryDeploymentId(service: Service | undefined): string | undefined {
  return service?.deployments?.find(d => d.status === 'PRIMARY')?.id
}

type ServiceCall = Extract<Call, { call: 'CreateService' | 'UpdateService' }>

/** Sends one planned service call as it is; CreateService gets a client token derived from its input. */
export async function executeServiceCall(ctx: CallContext, call: ServiceCall): Promise<CallResult> {
  const { ecs } = ctx.clients
  const name = ctx.name
  if (call.call === 'UpdateService') {
    const out = await withExplanation(`UpdateService ${name}`, () =>
      retryPropagation({
        what: `UpdateService ${name}`,
        call: () => ecs.send(new UpdateServiceCommand(call.input)),
        log: ctx.log
      })
    )
    return { arn: out.service?.serviceArn, deploymentId: primaryDeploymentId(out.service) }
  }
  const input: CreateServiceCommandInput = { ...call.input, clientToken: serviceClientToken(call.input) }
  const out = await withExplanation(`CreateService ${name}`, async () => {
    try {
      return await retryPropagation({
        what: `CreateService ${name}`,
        call: () => ecs.send(new CreateServiceCommand(input)),
        log: ctx.log
      })
    } catch (error) {
      // ECS's word for "a service of this name was created since we looked, with another input".
      if (isAwsError(error, 'InvalidParameter') && /not idempotent/i.test((error as Error).message)) {
        throw new DeployError(
          `CreateService ${name}: another deployment changed the service — it was created meanwhile, ` +
            'with another task definition (a concurrent run of this action?). Run the deploy again once it settles.',
          { cause: error }
        )
      }
      throw error
    }
  })
  const serviceArn = out.service?.serviceArn
  if (!serviceArn) throw new DeployError(`CreateService ${name} answered without a service`)
  return { arn: serviceArn, deploymentId: primaryDeploymentId(out.service) }
}
