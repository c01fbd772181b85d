import type {
  Cluster,
  ContainerInstance,
  Deployment,
  LaunchType,
  LoadBalancer,
  NetworkConfiguration,
  Service,
  ServiceEvent,
  Task,
  TaskDefinition
} from '@aws-sdk/client-ecs'
import type { TargetHealthState, TargetRef, VpcInfo } from '../core/types.js'
import type { ImageBehaviour } from './images.js'
import type { TaskServer } from './task-server.js'
import type { TrafficShift } from './traffic-shift.js'
import { arns, hex, type ArnScope } from './ids.js'

export interface InstanceRec {
  instance: ContainerInstance
  ec2InstanceId: string
  availabilityZone: string
  subnetId: string
  /** Fixed host ports in use on this instance (dynamic ports never collide: they are real ports). */
  usedPorts: Set<number>
  privateIp: string
}

/** What a deployment rolls out: AWS keeps these per deployment, so an older one keeps its own. */
export interface DeploymentSpec {
  taskDef: TaskDefinition
  loadBalancers: LoadBalancer[]
  networkConfiguration?: NetworkConfiguration
  launchType: LaunchType
}

export interface DeploymentRec extends DeploymentSpec {
  deployment: Deployment
  /** Tasks of this deployment that are not STOPPED yet. */
  tasks: Set<TaskRec>
  failureKind?: 'start' | 'health'
  /** Failures the circuit breaker counts (reset by a healthy task unless resetOnHealthyTask is false). */
  breakerFailures: number
  /** When the rollout ended (completed, failed, or superseded by a newer deployment). */
  finishedAt?: Date
  /** The deployment the circuit breaker started to undo this one. */
  rolledBackBy?: DeploymentRec
  /** Tasks of the deployment this one replaces, when it started. */
  sources: { arn: string; taskDefinition: string; count: number }[]
  /** Blue/green, linear or canary: the traffic shift ECS drives for this deployment. */
  shift?: TrafficShift
  /** StopServiceDeployment ABORT on a rolling deployment: it stands where it is. */
  aborted?: boolean
}

export interface ServiceRec {
  /** The static part of the answer; counts, deployments and events are filled in when described. */
  service: Service
  clusterName: string
  deployments: DeploymentRec[]
  /** Every deployment ever made, oldest first (ListServiceDeployments). */
  history: DeploymentRec[]
  events: ServiceEvent[]
  clientToken?: string
  lastCompleted?: { id: string } & DeploymentSpec
  steady: boolean
  inactiveAtMs?: number
  /** Collected during a tick, written as one event each (AWS batches them the same way). */
  pending: {
    started: string[]
    stopped: string[]
    registered: Map<string, number>
    deregistered: Map<string, number>
  }
  lastPlacementEventMs?: number
}

export interface RegisteredTarget {
  tgArn: string
  ref: TargetRef
}

export interface TaskRec {
  task: Task
  id: string
  clusterName: string
  service?: ServiceRec
  deployment?: DeploymentRec
  taskDef: TaskDefinition
  instance?: InstanceRec
  privateIp?: string
  subnetId?: string
  targets: RegisteredTarget[]
  health: Map<string, TargetHealthState>
  server?: TaskServer
  behaviour: Omit<ImageBehaviour, 'image'>
  /** Emulated ms of the next lifecycle step. */
  nextAt: number
  starting: boolean
  /** The app listens on this real port; the next tick makes the task RUNNING (so starts batch per tick). */
  listeningPort?: number
  hostname?: string
  runningAtMs?: number
  exitAtMs?: number
  fixedPorts: number[]
  /** It has been healthy once (resets the circuit breaker's count). */
  wasHealthy?: boolean
  /** Why the scheduler stopped it counts against the deployment (circuit breaker). */
  failed?: 'start' | 'health'
}

export interface ClusterRec {
  cluster: Cluster
  instances: InstanceRec[]
  services: Map<string, ServiceRec>
  /** Every task by ARN, stopped ones until they are pruned. */
  tasks: Map<string, TaskRec>
}

export const SEEDED_CLUSTER = 'ecs-demo'
export const SEEDED_INSTANCE_IDS = ['i-0a1b2c3d4e5f60001', 'i-0a1b2c3d4e5f60002']

export function newCluster(
  scope: ArnScope,
  name: string,
  now: Date,
  extra: Partial<Cluster> = {}
): ClusterRec {
  return {
    cluster: {
      clusterArn: arns.cluster(scope, name),
      clusterName: name,
      status: 'ACTIVE',
      registeredContainerInstancesCount: 0,
      runningTasksCount: 0,
      pendingTasksCount: 0,
      activeServicesCount: 0,
      statistics: [],
      tags: [],
      settings: [{ name: 'containerInsights', value: 'disabled' }],
      capacityProviders: [],
      defaultCapacityProviderStrategy: [],
      ...extra
    },
    instances: [],
    services: new Map(),
    tasks: new Map()
  }
}

/** The seed's cluster: two EC2 container instances, one in each AZ of the seed's VPC. */
export function seedCluster(scope: ArnScope, vpcs: VpcInfo[], now: Date): ClusterRec {
  const rec = newCluster(scope, SEEDED_CLUSTER, now, {
    capacityProviders: ['FARGATE', 'FARGATE_SPOT'],
    registeredContainerInstancesCount: 2
  })
  const subnets = (vpcs.find(v => v.vpcId === 'vpc-xxxxxxxx') ?? vpcs[0]).subnets
  rec.instances = SEEDED_INSTANCE_IDS.map((ec2InstanceId, i) => {
    const subnet = subnets[i % subnets.length]
    const privateIp = subnet.cidr.replace(/\.\d+\/\d+$/, `.${100 + i}`)
    const resources = (cpu: number, memory: number) => [
      { name: 'CPU', type: 'INTEGER', integerValue: cpu, doubleValue: 0, longValue: 0 },
      { name: 'MEMORY', type: 'INTEGER', integerValue: memory, doubleValue: 0, longValue: 0 },
      { name: 'PORTS', type: 'STRINGSET', stringSetValue: ['22', '2375', '2376', '51678', '51679'] },
      { name: 'PORTS_UDP', type: 'STRINGSET', stringSetValue: [] }
    ]
    return {
      ec2InstanceId,
      availabilityZone: subnet.availabilityZone,
      subnetId: subnet.subnetId,
      usedPorts: new Set<number>(),
      privateIp,
      instance: {
        containerInstanceArn: arns.containerInstance(scope, SEEDED_CLUSTER, hex(32)),
        ec2InstanceId,
        version: 1,
        versionInfo: {
          agentVersion: '1.89.2',
          agentHash: 'c7b2b1a4',
          dockerVersion: 'DockerVersion: 25.0.8'
        },
        remainingResources: resources(2048, 3904),
        registeredResources: resources(2048, 3904),
        status: 'ACTIVE',
        agentConnected: true,
        runningTasksCount: 0,
        pendingTasksCount: 0,
        attributes: [
          { name: 'ecs.availability-zone', value: subnet.availabilityZone },
          { name: 'ecs.instance-type', value: 't3.medium' },
          { name: 'ecs.os-type', value: 'linux' },
          { name: 'ecs.cpu-architecture', value: 'x86_64' },
          { name: 'ecs.subnet-id', value: subnet.subnetId },
          { name: 'ecs.vpc-id', value: 'vpc-xxxxxxxx' },
          { name: 'ecs.capability.task-eni' }
        ],
        registeredAt: now,
        attachments: [],
        tags: []
      }
    }
  })
  return rec
}
