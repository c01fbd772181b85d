/**
 * Shared by the reliability suites: a killable run of dist/index.js (a runner that dies), the scenario
 * every suite deploys, and the emulator's state dump reduced to what must converge (ids aside).
 */
import { spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { ACTION_DEFAULTS } from '../../src/inputs/index.js'
import { toActionInputs } from '../../test-support/inputs.js'
import type { CallRecord } from '../../emulator/core/calls.js'
import {
  actionNode,
  distEntry,
  inputEnvName,
  parseOutputFile,
  repoRoot,
  type ActionRun
} from '../../test-support/run-action.js'

export const REGION = 'ap-northeast-1'
export const CREDENTIALS = {
  AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
  AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'
}

export interface StartOptions {
  inputs: Record<string, string>
  endpoint: string
  env?: Record<string, string>
  cwd?: string
  /** SIGKILL after this long (a hung run); default 150 s. */
  timeoutMs?: number
}

export interface StartedRun {
  /** SIGKILL, as a runner that dies: no finally block, no summary flush. */
  kill(): void
  done: Promise<ActionRun & { signal: NodeJS.Signals | null }>
}

/**
 * Runs the bundle as a runner does (INPUT_* with action.yml's defaults, GITHUB_OUTPUT, GITHUB_STEP_SUMMARY),
 * like test-support's runAction, but hands back a kill switch.
 */
export function startAction(opts: StartOptions): StartedRun {
  const dir = mkdtempSync(path.join(tmpdir(), 'ecs-alb-deploy-rel-'))
  const outputFile = path.join(dir, 'output')
  const summaryFile = path.join(dir, 'summary')
  writeFileSync(outputFile, '')
  writeFileSync(summaryFile, '')
  const inputs = { ...toActionInputs(ACTION_DEFAULTS), ...opts.inputs }
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: dir,
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    GITHUB_WORKSPACE: opts.cwd ?? repoRoot,
    RUNNER_TEMP: dir,
    AWS_REGION: REGION,
    ...CREDENTIALS,
    AWS_ENDPOINT_URL: opts.endpoint,
    AWS_EC2_METADATA_DISABLED: 'true',
    ...Object.fromEntries(Object.entries(inputs).map(([k, v]) => [inputEnvName(k), v])),
    ...opts.env
  }
  const started = Date.now()
  const child = spawn(actionNode(), [distEntry], {
    cwd: opts.cwd ?? repoRoot,
    env,
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()))
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()))
  const kill = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  }
  const timer = setTimeout(kill, opts.timeoutMs ?? 150_000)
  const done = new Promise<ActionRun & { signal: NodeJS.Signals | null }>((resolve, reject) => {
    child.on('error', reject)
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      resolve({
        code,
        signal,
        stdout,
        stderr,
        outputs: parseOutputFile(readFileSync(outputFile, 'utf8')),
        summary: readFileSync(summaryFile, 'utf8'),
        durationMs: Date.now() - started
      })
    })
  })
  return { kill, done }
}

export const runToEnd = (opts: StartOptions) => startAction(opts).done

export function expectSuccess(run: ActionRun, what = 'action'): void {
  if (run.code !== 0) throw new Error(`${what} failed (${run.code}):\n${run.stdout}\n${run.stderr}`)
}

/** The `::error::` lines of a run, unescaped as the runner shows them. */
export function errorLines(stdout: string): string[] {
  return stdout
    .split('\n')
    .filter(l => l.startsWith('::error'))
    .map(l =>
      l
        .slice(l.indexOf('::', 2) + 2)
        .replace(/%0D/g, '\r')
        .replace(/%0A/g, '\n')
        .replace(/%25/g, '%')
    )
}

export const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms))

export const PATH_RULE = (paths: string[], priority?: number) =>
  JSON.stringify({
    Conditions: [{ Field: 'path-pattern', Values: paths }],
    ...(priority === undefined ? {} : { Priority: priority })
  })

export interface ScenarioOptions {
  image?: string
  /** The update: more subnets and another security group, other health check, rule and listener default. */
  updated?: boolean
}

/**
 * The scenario the suites deploy: a Fargate service (awsvpc, ip targets, an execution role) behind a
 * path rule on a listener. `updated` changes something of every resource, so that an update makes every
 * kind of mutating call the action knows (SetSecurityGroups, SetSubnets, ModifyLoadBalancerAttributes,
 * ModifyTargetGroup, ModifyTargetGroupAttributes, ModifyListener, ModifyRule, SetRulePriorities,
 * RegisterTaskDefinition, UpdateService).
 */
export function scenarioInputs(opts: ScenarioOptions = {}): Record<string, string> {
  const u = opts.updated === true
  const subnets = ['subnet-0123456789abcdef0', 'subnet-0fedcba9876543210']
  return {
    cluster: 'ecs-demo',
    'load-balancer': JSON.stringify({
      Name: 'alb-rel',
      Subnets: u ? [...subnets, 'subnet-0aaaabbbbccccdddd'] : subnets,
      SecurityGroups: [u ? 'sg-0fedcba9876543210' : 'sg-0123456789abcdef0']
    }),
    'target-group': JSON.stringify({
      Name: 'rel-web',
      Protocol: 'HTTP',
      Port: 8080,
      TargetType: 'ip',
      HealthCheckPath: '/hostname',
      HealthCheckIntervalSeconds: u ? 15 : 10,
      HealthyThresholdCount: 2,
      Matcher: { HttpCode: '200' }
    }),
    'load-balancer-attributes': `idle_timeout.timeout_seconds: ${u ? 120 : 90}`,
    'target-group-attributes': u
      ? 'deregistration_delay.timeout_seconds: 5\nstickiness.enabled: true'
      : 'deregistration_delay.timeout_seconds: 5',
    listener: JSON.stringify({
      Port: 80,
      Protocol: 'HTTP',
      ...(u
        ? {
            DefaultActions: [
              {
                Type: 'fixed-response',
                FixedResponseConfig: {
                  StatusCode: '503',
                  ContentType: 'text/plain',
                  MessageBody: 'maintenance'
                }
              }
            ]
          }
        : {})
    }),
    'listener-rule': u ? PATH_RULE(['/hostname', '/web/*'], 1500) : PATH_RULE(['/hostname']),
    'task-definition': JSON.stringify({
      family: 'rel-web',
      networkMode: 'awsvpc',
      requiresCompatibilities: ['FARGATE'],
      cpu: '256',
      memory: '512',
      executionRoleArn: 'arn:aws:iam::123456789012:role/ecsTaskExecutionRole',
      containerDefinitions: [
        {
          name: 'web',
          image: opts.image ?? (u ? 'example/web:2.0' : 'example/web:1.0'),
          portMappings: [{ containerPort: 8080 }]
        }
      ]
    }),
    service: JSON.stringify({
      serviceName: 'rel-web',
      launchType: 'FARGATE',
      desiredCount: 2,
      loadBalancers: [{ containerName: 'web', containerPort: 8080 }],
      networkConfiguration: {
        awsvpcConfiguration: {
          subnets,
          securityGroups: ['sg-0fedcba9876543210'],
          assignPublicIp: 'DISABLED'
        }
      }
    }),
    'poll-interval-seconds': '1',
    'wait-for-minutes': '3'
  }
}

export const teardownInputs = (): Record<string, string> => ({
  ...scenarioInputs(),
  delete: 'true',
  'delete-base-stack': 'true'
})

export function mutatingOps(calls: CallRecord[]): string[] {
  return calls.filter(c => c.mutating && c.status < 300).map(c => c.operation)
}

// ---- state dumps, reduced to what must converge ---------------------------------------------------

interface Tag {
  Key?: string
  Value?: string
  key?: string
  value?: string
}
interface ElbDump {
  loadBalancers: {
    LoadBalancerArn: string
    LoadBalancerName: string
    Scheme?: string
    VpcId?: string
    SecurityGroups?: string[]
    AvailabilityZones?: { SubnetId?: string }[]
  }[]
  targetGroups: (Record<string, unknown> & {
    TargetGroupArn: string
    TargetGroupName: string
    LoadBalancerArns?: string[]
    Targets?: { health?: { state?: string } }[]
  })[]
  listeners: {
    ListenerArn: string
    LoadBalancerArn: string
    Port: number
    Protocol: string
    DefaultActions?: unknown
  }[]
  rules: {
    ListenerArn: string
    RuleArn: string
    Priority: string
    Conditions?: unknown
    Actions?: unknown
    IsDefault?: boolean
  }[]
  tags: Record<string, Tag[]>
}
interface EcsService {
  serviceName: string
  status: string
  desiredCount?: number
  taskDefinition?: string
  launchType?: string
  loadBalancers?: unknown
  networkConfiguration?: unknown
  deployments?: { status?: string; taskDefinition?: string; rolloutState?: string }[]
  tags?: Tag[]
}
interface EcsDump {
  clusters: {
    cluster: { clusterName: string }
    services: EcsService[]
    tasks: { lastStatus?: string; desiredStatus?: string; taskDefinitionArn?: string; group?: string }[]
  }[]
  taskDefinitions: {
    taskDefinitionArn: string
    family: string
    revision: number
    status: string
    containerDefinitions?: unknown
  }[]
}
export interface StateDump {
  elbv2: ElbDump
  ecs: EcsDump
}

const tagMap = (tags: Tag[] | undefined): Record<string, string> =>
  Object.fromEntries((tags ?? []).map(t => [t.Key ?? t.key ?? '', t.Value ?? t.value ?? '']))

/**
 * The state with every generated id replaced by a stable name (load balancer → its name, target group →
 * its name, listener → lb:port, rule → its priority, task definition → family:revision), timestamps,
 * ports and task ids dropped: two dumps that compare equal hold the same resources, configured alike.
 */
export function comparableState(dump: StateDump): unknown {
  const { elbv2, ecs } = dump
  const names = new Map<string, string>()
  for (const lb of elbv2.loadBalancers) names.set(lb.LoadBalancerArn, `lb:${lb.LoadBalancerName}`)
  for (const tg of elbv2.targetGroups) names.set(tg.TargetGroupArn, `tg:${tg.TargetGroupName}`)
  for (const l of elbv2.listeners)
    names.set(l.ListenerArn, `listener:${names.get(l.LoadBalancerArn)}:${l.Port}`)
  for (const r of elbv2.rules) names.set(r.RuleArn, `rule:${names.get(r.ListenerArn)}:${r.Priority}`)
  const rename = (v: unknown): unknown =>
    JSON.parse(JSON.stringify(v ?? null), (_k, x: unknown) =>
      typeof x === 'string' ? (names.get(x) ?? x.replace(/task-definition\/(.+)$/, 'td:$1')) : x
    )
  const sortBy = <T>(xs: T[], key: (x: T) => string) => [...xs].sort((a, b) => key(a).localeCompare(key(b)))
  return rename({
    loadBalancers: sortBy(elbv2.loadBalancers, l => l.LoadBalancerName).map(lb => ({
      name: lb.LoadBalancerName,
      scheme: lb.Scheme,
      vpc: lb.VpcId,
      securityGroups: [...(lb.SecurityGroups ?? [])].sort(),
      subnets: (lb.AvailabilityZones ?? []).map(z => z.SubnetId).sort(),
      tags: tagMap(elbv2.tags[lb.LoadBalancerArn])
    })),
    targetGroups: sortBy(elbv2.targetGroups, t => t.TargetGroupName).map(tg => {
      const { Targets, TargetGroupArn, ...config } = tg
      return {
        ...config,
        tags: tagMap(elbv2.tags[TargetGroupArn]),
        healthyTargets: (Targets ?? []).filter(t => t.health?.state === 'healthy').length
      }
    }),
    listeners: sortBy(elbv2.listeners, l => `${names.get(l.ListenerArn)}`).map(l => ({
      listener: l.ListenerArn,
      protocol: l.Protocol,
      defaultActions: l.DefaultActions,
      tags: tagMap(elbv2.tags[l.ListenerArn])
    })),
    rules: sortBy(
      elbv2.rules.filter(r => !r.IsDefault),
      r => `${names.get(r.RuleArn)}`
    ).map(r => ({
      rule: r.RuleArn,
      conditions: r.Conditions,
      actions: r.Actions,
      tags: tagMap(elbv2.tags[r.RuleArn])
    })),
    services: ecs.clusters.flatMap(c =>
      sortBy(c.services, s => s.serviceName).map(s => ({
        cluster: c.cluster.clusterName,
        name: s.serviceName,
        status: s.status,
        desiredCount: s.desiredCount,
        taskDefinition: s.taskDefinition,
        launchType: s.launchType,
        loadBalancers: s.loadBalancers,
        networkConfiguration: s.networkConfiguration,
        deployments: (s.deployments ?? []).map(d => ({
          status: d.status,
          taskDefinition: d.taskDefinition,
          rolloutState: d.rolloutState
        })),
        tags: tagMap(s.tags),
        runningTasks: c.tasks.filter(
          t =>
            t.group === `service:${s.serviceName}` &&
            t.lastStatus === 'RUNNING' &&
            t.desiredStatus === 'RUNNING'
        ).length
      }))
    ),
    taskDefinitions: sortBy(
      ecs.taskDefinitions,
      t => `${t.family}:${String(t.revision).padStart(6, '0')}`
    ).map(t => ({
      arn: t.taskDefinitionArn,
      status: t.status,
      containers: t.containerDefinitions
    }))
  })
}

/** What must exist exactly once; a count above one is a duplicate. */
export function resourceCounts(dump: StateDump): Record<string, number> {
  const { elbv2, ecs } = dump
  const services = ecs.clusters.flatMap(c => c.services).filter(s => s.status !== 'INACTIVE')
  return {
    loadBalancers: elbv2.loadBalancers.length,
    targetGroups: elbv2.targetGroups.length,
    listeners: elbv2.listeners.length,
    rules: elbv2.rules.filter(r => !r.IsDefault).length,
    services: services.length,
    taskDefinitionRevisions: ecs.taskDefinitions.length
  }
}

/** Distinct task definitions by content: a revision registered twice for the same content is churn. */
export function duplicateRevisions(dump: StateDump): string[] {
  const seen = new Map<string, string>()
  const dupes: string[] = []
  for (const td of dump.ecs.taskDefinitions) {
    const key = `${td.family} ${JSON.stringify(td.containerDefinitions)}`
    const first = seen.get(key)
    if (first) dupes.push(`${td.taskDefinitionArn} repeats ${first}`)
    else seen.set(key, td.taskDefinitionArn)
  }
  return dupes
}

/**
 * With RELIABILITY_FIGURES=<dir>, each suite writes its figures there (<name>.json), the numbers
 * RELIABILITY.md quotes; without it, nothing is written.
 */
export function recordFigures(name: string, figures: unknown): void {
  const dir = process.env.RELIABILITY_FIGURES
  if (!dir) return
  mkdirSync(dir, { recursive: true })
  writeFileSync(path.join(dir, `${name}.json`), JSON.stringify(figures, null, 2) + '\n')
}
