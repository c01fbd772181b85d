import {
  DescribeServicesCommand,
  DescribeTasksCommand,
  ListTasksCommand,
  type Service,
  type Task
} from '@aws-sdk/client-ecs'
import {
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  type TargetGroup
} from '@aws-sdk/client-elastic-load-balancing-v2'
import type { Clients } from '../aws/clients.js'
import type { TargetGroupHealth } from './types.js'

/** The AWS calls of one poll. Each is one request, whatever the number of tasks or targets. */
export interface PollTarget {
  clients: Clients
  cluster: string
  serviceName: string
  targetGroupArns: string[]
}

/** DescribeTasks takes at most 100 tasks per call. */
export const DESCRIBE_TASKS_MAX = 100

const THROTTLING = new Set([
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'ProvisionedThroughputExceededException',
  'SlowDown'
])

/** A throttling error the SDK's own retries did not get past. */
export function isThrottling(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false
  const e = err as { name?: unknown; $retryable?: { throttling?: boolean } }
  return (typeof e.name === 'string' && THROTTLING.has(e.name)) || e.$retryable?.throttling === true
}

/** `undefined` when the service does not exist (any more). */
export async function describeService(p: PollTarget): Promise<Service | undefined> {
  const out = await p.clients.ecs.send(
    new DescribeServicesCommand({ cluster: p.cluster, services: [p.serviceName] })
  )
  return (
    out.services?.find(s => s.serviceName === p.serviceName || s.serviceArn === p.serviceName) ??
    out.services?.[0]
  )
}

export async function describeTargetHealth(p: PollTarget): Promise<TargetGroupHealth[]> {
  return Promise.all(
    p.targetGroupArns.map(async targetGroupArn => {
      const out = await p.clients.elbv2.send(
        new DescribeTargetHealthCommand({ TargetGroupArn: targetGroupArn })
      )
      return { targetGroupArn, descriptions: out.TargetHealthDescriptions ?? [] }
    })
  )
}

/** Health-check settings, read once for the diagnoses. */
export async function describeTargetGroups(p: PollTarget): Promise<TargetGroup[]> {
  if (p.targetGroupArns.length === 0) return []
  const out = await p.clients.elbv2.send(
    new DescribeTargetGroupsCommand({ TargetGroupArns: p.targetGroupArns })
  )
  return out.TargetGroups ?? []
}

/** The first page (up to 100) of the service's recently stopped tasks, newest first. */
export async function listStoppedTaskArns(p: PollTarget): Promise<string[]> {
  const out = await p.clients.ecs.send(
    new ListTasksCommand({ cluster: p.cluster, serviceName: p.serviceName, desiredStatus: 'STOPPED' })
  )
  return out.taskArns ?? []
}

export async function describeTasks(p: PollTarget, taskArns: string[]): Promise<Task[]> {
  if (taskArns.length === 0) return []
  const out = await p.clients.ecs.send(
    new DescribeTasksCommand({ cluster: p.cluster, tasks: taskArns.slice(0, DESCRIBE_TASKS_MAX) })
  )
  return out.tasks ?? []
}
