import type { Container, Task } from '@aws-sdk/client-ecs'
import type { DiagnosisKind } from './types.js'
import { taskId } from './snapshot.js'

/** Why a task of the watched deployment stopped, when it says something about the deploy. */
export interface StopCause {
  kind: DiagnosisKind
  /** Will the next task stop the same way? Then the first stop fails the deploy. */
  repeats: boolean
  title: string
  cause: string
  hint: string
  /** `task 0123…: <stoppedReason>` and container reasons. */
  evidence: string[]
  /** For `Task failed ELB health checks in (target-group …)`. */
  targetGroupArn?: string
}

function evidenceOf(task: Task): string[] {
  const lines = [`task ${taskId(task)} stopped: ${task.stoppedReason ?? task.stopCode ?? 'no reason given'}`]
  for (const c of task.containers ?? []) {
    if (c.reason || (c.exitCode !== undefined && c.exitCode !== 0)) {
      const exit = c.exitCode !== undefined ? ` exit code ${c.exitCode}` : ''
      lines.push(`  container ${c.name ?? '?'}:${exit}${c.reason ? ` (${c.reason})` : ''}`)
    }
  }
  return lines
}

function containerWith(task: Task, text: string): Container | undefined {
  return task.containers?.find(c => c.reason?.includes(text))
}

/** The container that made the task stop: a non-zero exit first, then any exit. */
function exitedContainer(task: Task): Container | undefined {
  const containers = task.containers ?? []
  return (
    containers.find(c => c.exitCode !== undefined && c.exitCode !== 0) ??
    containers.find(c => c.exitCode !== undefined)
  )
}

function resourceInitHint(reason: string): string {
  if (/secret|ssm|parameter|kms/i.test(reason)) {
    return (
      'check that the secrets/parameters referenced in the task definition exist and that the task ' +
      'execution role may read them (secretsmanager:GetSecretValue, ssm:GetParameters, kms:Decrypt); ' +
      'the subnets need a route to Secrets Manager/SSM (NAT or VPC endpoints)'
    )
  }
  if (/log|logger/i.test(reason)) {
    return (
      'check that the awslogs log group exists (or set awslogs-create-group with logs:CreateLogGroup on the ' +
      'execution role) and that the subnets reach CloudWatch Logs'
    )
  }
  return (
    'check the network: the task subnets need a route to ECR, S3, Secrets Manager and CloudWatch Logs ' +
    '(NAT gateway, VPC endpoints, or assignPublicIp in a public subnet); then secrets and the log group'
  )
}

/** Classifies one stopped task. `undefined`: a normal stop (scale-in, replaced by the deployment, …). */
export function classifyStoppedTask(task: Task): StopCause | undefined {
  const reason = task.stoppedReason ?? ''
  const evidence = evidenceOf(task)

  const pull = containerWith(task, 'CannotPullContainerError')
  if (pull || reason.includes('CannotPullContainerError')) {
    const image = pull?.image ?? task.containers?.[0]?.image ?? 'of the task definition'
    return {
      kind: 'image-pull',
      repeats: true,
      title: 'The container image cannot be pulled',
      cause: `image ${image} cannot be pulled: ${pull?.reason ?? reason}`,
      hint:
        `image ${image} cannot be pulled: check the tag exists and the execution role can pull it ` +
        '(ecr:GetAuthorizationToken, ecr:BatchGetImage), and that the subnets reach the registry',
      evidence
    }
  }

  if (reason.includes('ResourceInitializationError') || containerWith(task, 'ResourceInitializationError')) {
    return {
      kind: 'resource-initialization',
      repeats: true,
      title: 'The task could not be initialized',
      cause:
        reason ||
        (containerWith(task, 'ResourceInitializationError')?.reason ?? 'ResourceInitializationError'),
      hint: resourceInitHint(reason),
      evidence
    }
  }

  const exited = exitedContainer(task)
  const oom = containerWith(task, 'OutOfMemory')
  const essentialExit =
    task.stopCode === 'EssentialContainerExited' || reason.includes('Essential container in task exited')
  if (oom || (essentialExit && exited?.exitCode === 137)) {
    const container = oom ?? exited
    return {
      kind: 'out-of-memory',
      repeats: true,
      title: 'A container ran out of memory',
      cause: `container ${container?.name ?? '?'} was killed (exit code ${container?.exitCode ?? 137}${
        container?.reason ? `, ${container.reason}` : ''
      })`,
      hint: `raise memory for container ${container?.name ?? '?'} (memory / memoryReservation) or the task's memory`,
      evidence
    }
  }

  if (essentialExit) {
    const name = exited?.name ?? '?'
    const code = exited?.exitCode !== undefined ? `exit code ${exited.exitCode}` : 'no exit code'
    return {
      kind: 'container-exited',
      repeats: true,
      title: 'Essential container in task exited',
      cause: `essential container ${name} exited with ${code}${exited?.reason ? ` (${exited.reason})` : ''}`,
      hint:
        `read container ${name}'s logs (the awslogs group of the task definition) for why it exited; ` +
        'check its command, entrypoint, environment and secrets',
      evidence
    }
  }

  if (/CannotStartContainerError|CannotCreateContainerError/.test(reason)) {
    return {
      kind: 'task-stopped',
      repeats: true,
      title: 'A container could not start',
      cause: reason,
      hint: 'check the container definition (command, entrypoint, mounts, ulimits, Linux parameters)',
      evidence
    }
  }

  const elb = /Task failed ELB health checks in \(target-group ([^)\s]+)\)/.exec(reason)
  if (elb) {
    return {
      kind: 'health-check',
      repeats: false,
      title: 'Targets fail the load balancer health check',
      cause: reason,
      hint: '',
      evidence,
      targetGroupArn: elb[1]
    }
  }

  if (/failed container health checks/i.test(reason)) {
    return {
      kind: 'container-health-check',
      repeats: false,
      title: 'Tasks fail their container health check',
      cause: reason,
      hint: "check the task definition's healthCheck command, its startPeriod and what the app needs to start",
      evidence
    }
  }

  if (task.stopCode === 'TaskFailedToStart') {
    return {
      kind: 'task-stopped',
      repeats: false,
      title: 'Tasks fail to start',
      cause: reason || 'TaskFailedToStart',
      hint: 'read the stopped reason and the service events',
      evidence
    }
  }
  return undefined
}
