/**
 * Scale: the action deploying a service of N tasks in two target groups (N small, then 500), and ten
 * services sharing one ALB. Per poll, the watch's calls must not grow with N; the action's peak RSS stays
 * small; the in-process emulator is measured too, so that it is known not to be the bottleneck.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateTargetGroupCommand,
  ElasticLoadBalancingV2Client
} from '@aws-sdk/client-elastic-load-balancing-v2'
import type { CallRecord } from '../emulator/core/calls.js'
import { startEmulator, type Emulator } from '../emulator/server.js'
import { runAction, type ActionRun } from '../test-support/run-action.js'
import { summary, type Summary } from './stats.js'

const SUBNETS = ['subnet-12345678', 'subnet-abcdefgh']

/** Writes peak RSS (KiB) and CPU time (µs) of the action to BENCH_USAGE_FILE at exit (via NODE_OPTIONS). */
const USAGE_HOOK =
  "process.on('exit',()=>{try{const u=process.resourceUsage();require('fs').writeFileSync(" +
  'process.env.BENCH_USAGE_FILE,JSON.stringify([u.maxRSS,u.userCPUTime+u.systemCPUTime]))}catch{}})'

export interface PerPoll {
  polls: number
  /** Calls between two consecutive DescribeServices of the watch, by operation: median per poll. */
  medianByOperation: Record<string, number>
  /** Median calls per poll, all operations. */
  medianCalls: number
  maxCalls: number
}

export interface ActionUsage {
  code: number | null
  wallS: number
  peakRssMb: number
  cpuS: number
}

export interface EmulatorLoad {
  /** The bench process (the emulator and its tasks) during the scenario. */
  cpuS: number
  wallS: number
  eventLoopDelayMs: { p50: number; p99: number; max: number }
  apiLatencyMs: Summary
  apiCalls: number
}

export interface ServiceScale {
  tasks: number
  targetGroups: number
  /** The first deploy (creates the service). */
  deploy: ActionUsage
  /** The image change: every task replaced. perPoll, cpuPerPollMs and emulator are measured on it. */
  imageChange: ActionUsage
  /** The identical re-run after it: one poll. */
  rerun: ActionUsage
  perPoll: PerPoll
  /** (CPU of the image change − CPU of the identical re-run) / (its polls − 1): what one more poll costs. */
  cpuPerPollMs: number
  emulator: EmulatorLoad
}

export interface SharedAlbScale {
  services: number
  /** Per service: its watch's calls per poll (median over services of their median). */
  perPollMedian: number
  perPollMax: number
  readsPerService: Summary
  failed: number
  peakRssMb: Summary
  emulator: EmulatorLoad
}

export interface ScaleResult {
  timeScale: number
  services: ServiceScale[]
  sharedAlb: SharedAlbScale
}

const WATCH_OPS = new Set([
  'DescribeServices',
  'DescribeTargetHealth',
  'DescribeTargetGroups',
  'ListTasks',
  'DescribeTasks'
])

/** Splits the watch's calls into polls: each starts at a DescribeServices of the service. */
export function perPoll(calls: CallRecord[], serviceName: string): PerPoll {
  const lastMutation = calls.findLastIndex(c => c.mutating)
  const watch = calls.slice(lastMutation + 1).filter(c => WATCH_OPS.has(c.operation))
  const polls: CallRecord[][] = []
  for (const c of watch) {
    const isPollStart =
      c.operation === 'DescribeServices' &&
      ((c.params as { services?: string[] }).services ?? []).includes(serviceName)
    if (isPollStart || polls.length === 0) polls.push([])
    polls[polls.length - 1].push(c)
  }
  const ops = [...new Set(watch.map(c => c.operation))]
  const medianByOperation = Object.fromEntries(
    ops.map(op => [op, summary(polls.map(p => p.filter(c => c.operation === op).length)).median])
  )
  const counts = polls.map(p => p.length)
  return {
    polls: polls.length,
    medianByOperation,
    medianCalls: summary(counts).median,
    maxCalls: Math.max(0, ...counts)
  }
}

async function measured<T>(
  emulator: Emulator,
  fn: () => Promise<T>
): Promise<{ value: T; load: EmulatorLoad }> {
  const delay = monitorEventLoopDelay({ resolution: 1 })
  const before = emulator.calls.lastSeq()
  const cpu0 = process.cpuUsage()
  const t0 = performance.now()
  delay.enable()
  const value = await fn()
  delay.disable()
  const cpu = process.cpuUsage(cpu0)
  const calls = emulator.calls.list(before)
  return {
    value,
    load: {
      cpuS: (cpu.user + cpu.system) / 1e6,
      wallS: (performance.now() - t0) / 1000,
      eventLoopDelayMs: {
        p50: delay.percentile(50) / 1e6,
        p99: delay.percentile(99) / 1e6,
        max: delay.max / 1e6
      },
      apiLatencyMs: summary(calls.map(c => c.durationMs)),
      apiCalls: calls.length
    }
  }
}

async function runMeasured(
  inputs: Record<string, string>,
  endpoint: string
): Promise<{ run: ActionRun; usage: ActionUsage }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-scale-'))
  const hook = path.join(dir, 'hook.cjs')
  const usageFile = path.join(dir, 'usage.json')
  writeFileSync(hook, USAGE_HOOK)
  const run = await runAction({
    inputs,
    endpoint,
    timeoutMs: 240_000,
    env: { NODE_OPTIONS: `-r ${hook}`, BENCH_USAGE_FILE: usageFile }
  })
  let rss = NaN
  let cpu = NaN
  try {
    ;[rss, cpu] = JSON.parse(readFileSync(usageFile, 'utf8')) as [number, number]
  } catch {
    // The action was killed: no usage.
  }
  return {
    run,
    usage: { code: run.code, wallS: run.durationMs / 1000, peakRssMb: rss / 1024, cpuS: cpu / 1e6 }
  }
}

const taskDefinition = (family: string, version = 1) =>
  JSON.stringify({
    family,
    networkMode: 'bridge',
    containerDefinitions: [
      {
        name: 'app',
        image: `example/${family}:${version}`,
        memory: 64,
        essential: true,
        portMappings: [{ containerPort: 4567 }, { containerPort: 9090 }]
      }
    ]
  })

const healthCheck = {
  HealthCheckPath: '/hostname',
  HealthCheckIntervalSeconds: 30,
  HealthCheckTimeoutSeconds: 10,
  HealthyThresholdCount: 2,
  UnhealthyThresholdCount: 3
}

/** One service of `tasks` tasks in two target groups: the one the action manages, and one it is given. */
async function serviceOf(emulator: Emulator, tasks: number): Promise<ServiceScale> {
  const name = `scale-${tasks}`
  const elb = new ElasticLoadBalancingV2Client({
    region: 'ap-northeast-1',
    endpoint: emulator.url,
    credentials: { accessKeyId: 'AKIDBENCH', secretAccessKey: 'bench' }
  })
  const lb = (await elb.send(new CreateLoadBalancerCommand({ Name: `alb-${name}`, Subnets: SUBNETS })))
    .LoadBalancers![0]
  const tgB = (
    await elb.send(
      new CreateTargetGroupCommand({
        Name: `${name}-b`,
        Protocol: 'HTTP',
        Port: 9090,
        VpcId: lb.VpcId,
        ...healthCheck
      })
    )
  ).TargetGroups![0]
  await elb.send(
    new CreateListenerCommand({
      LoadBalancerArn: lb.LoadBalancerArn,
      Protocol: 'HTTP',
      Port: 9090,
      DefaultActions: [{ Type: 'forward', TargetGroupArn: tgB.TargetGroupArn }]
    })
  )
  elb.destroy()
  const inputs = {
    cluster: 'ecs-demo',
    'load-balancer': `alb-${name}`,
    'target-group': JSON.stringify({ Name: `${name}-a`, Protocol: 'HTTP', Port: 4567, ...healthCheck }),
    'task-definition': taskDefinition(name),
    service: JSON.stringify({
      serviceName: name,
      desiredCount: tasks,
      // A loaded 2-core machine may answer a health check late: that must not restart the rollout here.
      healthCheckGracePeriodSeconds: 3600,
      loadBalancers: [
        { containerName: 'app', containerPort: 4567 },
        { targetGroupArn: tgB.TargetGroupArn, containerName: 'app', containerPort: 9090 }
      ]
    }),
    'poll-interval-seconds': '1',
    'wait-for-minutes': '4'
  }
  const deploy = await runMeasured(inputs, emulator.url)
  if (deploy.run.code !== 0) {
    throw new Error(`scale deploy of ${tasks} tasks failed:\n${deploy.run.stdout.slice(-3000)}`)
  }
  // The image change replaces every task: the longest watch, with targets draining and tasks stopping.
  const changed = { ...inputs, 'task-definition': taskDefinition(name, 2) }
  const before = emulator.calls.lastSeq()
  const { value: update, load } = await measured(emulator, () => runMeasured(changed, emulator.url))
  if (update.run.code !== 0) {
    throw new Error(`scale image change of ${tasks} tasks failed:\n${update.run.stdout.slice(-3000)}`)
  }
  const poll = perPoll(emulator.calls.list(before), name)
  const rerun = await runMeasured(changed, emulator.url)
  return {
    tasks,
    targetGroups: 2,
    deploy: deploy.usage,
    imageChange: update.usage,
    rerun: rerun.usage,
    perPoll: poll,
    cpuPerPollMs: ((update.usage.cpuS - rerun.usage.cpuS) / Math.max(poll.polls - 1, 1)) * 1000,
    emulator: load
  }
}

/** Ten services, each with its own path rule on one shared ALB listener, deployed at once. */
async function sharedAlb(emulator: Emulator, services = 10): Promise<SharedAlbScale> {
  const alb = JSON.stringify({ Name: 'shared-alb', Subnets: SUBNETS, SecurityGroups: ['sg-12345678'] })
  // The first one creates the load balancer and the listener; the other nine share them.
  const inputsFor = (i: number) => ({
    cluster: 'ecs-demo',
    'load-balancer': alb,
    'target-group': JSON.stringify({ Name: `shared-${i}`, Protocol: 'HTTP', Port: 4567, ...healthCheck }),
    'task-definition': taskDefinition(`shared-${i}`),
    service: JSON.stringify({
      serviceName: `shared-${i}`,
      desiredCount: 3,
      loadBalancers: [{ containerName: 'app', containerPort: 4567 }]
    }),
    'listener-rule': JSON.stringify({ Conditions: [{ Field: 'path-pattern', Values: [`/s${i}/*`] }] }),
    'poll-interval-seconds': '1',
    'wait-for-minutes': '4'
  })
  const before = emulator.calls.lastSeq()
  const { value: runs, load } = await measured(emulator, async () => {
    const first = await runMeasured(inputsFor(0), emulator.url)
    const rest = await Promise.all(
      Array.from({ length: services - 1 }, (_, i) => runMeasured(inputsFor(i + 1), emulator.url))
    )
    return [first, ...rest]
  })
  const calls = emulator.calls.list(before)
  const perService = Array.from({ length: services }, (_, i) => {
    const tgName = `targetgroup/shared-${i}/`
    const mine = calls.filter(c => {
      const p = c.params as { services?: string[]; TargetGroupArn?: string; TargetGroupArns?: string[] }
      return (
        (p.services ?? []).includes(`shared-${i}`) ||
        (p.TargetGroupArn ?? '').includes(tgName) ||
        (p.TargetGroupArns ?? []).some(a => a.includes(tgName))
      )
    })
    return { poll: perPoll(mine, `shared-${i}`), reads: mine.filter(c => !c.mutating).length }
  })
  return {
    services,
    perPollMedian: summary(perService.map(s => s.poll.medianCalls)).median,
    perPollMax: Math.max(...perService.map(s => s.poll.maxCalls)),
    readsPerService: summary(perService.map(s => s.reads)),
    failed: runs.filter(r => r.run.code !== 0).length,
    peakRssMb: summary(runs.map(r => r.usage.peakRssMb)),
    emulator: load
  }
}

export async function scale(opts: { timeScale?: number; sizes?: number[] } = {}): Promise<ScaleResult> {
  const timeScale = opts.timeScale ?? 0.02
  const services: ServiceScale[] = []
  for (const tasks of opts.sizes ?? [10, 500]) {
    const emulator = await startEmulator({ timeScale })
    try {
      services.push(await serviceOf(emulator, tasks))
    } finally {
      await emulator.stop()
    }
  }
  const emulator = await startEmulator({ timeScale })
  try {
    return { timeScale, services, sharedAlb: await sharedAlb(emulator) }
  } finally {
    await emulator.stop()
  }
}
