import type { CreateServiceCommandInput } from '@aws-sdk/client-ecs'
import type { TaskDefinitionRequest } from '../model/request.js'
import { InputError } from './errors.js'
import { CLUSTER_ARN, TARGET_GROUP_ARN, clusterName, ecsNameProblem } from './identifiers.js'
import type { KnownNetworkMode } from './network-mode.js'
import type { DocumentInput } from './parse-document.js'
import { checkTags } from './scalars.js'
import { checkShape } from './schema.js'
import { serviceShape } from './shapes.js'

const INPUT = 'service'

export type ServiceInput = CreateServiceCommandInput & { serviceName: string }

/** The CreateService document, checked for its shape only (the task definition may depend on it). */
export function serviceDocument(doc: DocumentInput): ServiceInput {
  if (doc.kind !== 'document') {
    throw new InputError(
      INPUT,
      undefined,
      'is required: a file or inline JSON/YAML in the CreateService input shape'
    )
  }
  const service = checkShape(serviceShape, doc.value, { input: INPUT })
  const nameProblem = ecsNameProblem(service.serviceName ?? '')
  if (nameProblem) throw new InputError(INPUT, 'serviceName', nameProblem)
  return service as ServiceInput
}

export interface ServiceContext {
  cluster: string
  /** With a target-group input the action fills targetGroupArn in, so the user's value is a placeholder. */
  targetGroupGiven: boolean
  taskDefinition: TaskDefinitionRequest
  networkMode: KnownNetworkMode | undefined
}

export function validateService(service: ServiceInput, ctx: ServiceContext): void {
  const fail = (field: string, message: string): never => {
    throw new InputError(INPUT, field, message)
  }
  if (service.cluster !== undefined && !sameCluster(service.cluster, ctx.cluster)) {
    fail(
      'cluster',
      `is ${JSON.stringify(service.cluster)} but the cluster input is ${JSON.stringify(ctx.cluster)}; remove it or make them agree`
    )
  }
  if (service.launchType !== undefined && service.capacityProviderStrategy !== undefined) {
    fail('capacityProviderStrategy', 'give launchType or capacityProviderStrategy, not both')
  }
  if (service.deploymentController && service.deploymentController.type !== 'ECS') {
    fail(
      'deploymentController.type',
      `only the ECS deployment controller is supported, got ${JSON.stringify(service.deploymentController.type)}`
    )
  }
  checkLoadBalancers(service, ctx)
  checkNetwork(service, ctx)
  if (service.tags) {
    checkTags({
      input: INPUT,
      tags: service.tags.map(t => ({ Key: t.key ?? '', Value: t.value ?? '' })),
      fieldFor: (i, part) => `tags[${i}].${part === 'Key' ? 'key' : 'value'}`
    })
  }
}

function sameCluster(a: string, b: string): boolean {
  if (CLUSTER_ARN.test(a) && CLUSTER_ARN.test(b)) return a === b
  return clusterName(a) === clusterName(b)
}

function checkLoadBalancers(service: ServiceInput, ctx: ServiceContext): void {
  const td = ctx.taskDefinition.kind === 'register' ? ctx.taskDefinition.input : undefined
  service.loadBalancers?.forEach((lb, i) => {
    const at = `loadBalancers[${i}]`
    if (!ctx.targetGroupGiven && !TARGET_GROUP_ARN.test(lb.targetGroupArn ?? '')) {
      throw new InputError(
        INPUT,
        `${at}.targetGroupArn`,
        `must be a target group ARN (arn:aws:elasticloadbalancing:region:account:targetgroup/name/id) when there is no target-group input, got ${JSON.stringify(lb.targetGroupArn ?? null)}`
      )
    }
    if (!td) return
    const containers = td.containerDefinitions ?? []
    const container = containers.find(c => c.name === lb.containerName)
    if (!container) {
      const names = containers.map(c => c.name).join(', ')
      throw new InputError(
        INPUT,
        `${at}.containerName`,
        `no container ${JSON.stringify(lb.containerName)} in the task definition (it has: ${names})`
      )
    }
    const ports = (container.portMappings ?? []).map(p => p.containerPort)
    if (!ports.includes(lb.containerPort)) {
      throw new InputError(
        INPUT,
        `${at}.containerPort`,
        `container ${JSON.stringify(lb.containerName)} maps no containerPort ${lb.containerPort} (its portMappings: ${ports.join(', ') || 'none'})`
      )
    }
  })
}

function checkNetwork(service: ServiceInput, ctx: ServiceContext): void {
  const fail = (field: string, message: string): never => {
    throw new InputError(INPUT, field, message)
  }
  const td = ctx.taskDefinition.kind === 'register' ? ctx.taskDefinition.input : undefined
  const awsvpc = ctx.networkMode?.mode === 'awsvpc'
  const vpc = service.networkConfiguration?.awsvpcConfiguration
  if (td && service.networkConfiguration && !awsvpc) {
    fail('networkConfiguration', `only awsvpc tasks take it, but ${ctx.networkMode?.because}`)
  }
  if (service.launchType === 'FARGATE') {
    if (td && !awsvpc) fail('launchType', `FARGATE needs networkMode awsvpc, but ${ctx.networkMode?.because}`)
    if (td && !td.requiresCompatibilities?.includes('FARGATE')) {
      fail(
        'launchType',
        'is FARGATE but the task definition does not list FARGATE in requiresCompatibilities'
      )
    }
  }
  if (awsvpc && !vpc?.subnets) {
    fail(
      'networkConfiguration.awsvpcConfiguration.subnets',
      `is required because ${ctx.networkMode?.because}`
    )
  }
  if (awsvpc && service.role !== undefined) {
    fail(
      'role',
      `must be left out for awsvpc tasks (ECS uses its service-linked role), and ${ctx.networkMode?.because}`
    )
  }
  vpc?.subnets?.forEach((s, i) => {
    if (!/^subnet-[0-9a-zA-Z]+$/.test(s)) {
      fail(
        `networkConfiguration.awsvpcConfiguration.subnets[${i}]`,
        `must be a subnet id (subnet-…), got ${JSON.stringify(s)}`
      )
    }
  })
  vpc?.securityGroups?.forEach((g, i) => {
    if (!/^sg-[0-9a-zA-Z]+$/.test(g)) {
      fail(
        `networkConfiguration.awsvpcConfiguration.securityGroups[${i}]`,
        `must be a security group id (sg-…), got ${JSON.stringify(g)}`
      )
    }
  })
}
