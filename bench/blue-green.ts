/**
 * Blue/green watch: how soon the action's verdict follows ECS reaching SUCCESSFUL, and what one poll
 * costs, at two task counts. An observer in this process lists the service's deployments every 50 ms
 * (ListServiceDeployments, a call the action makes once per watch) and notes when the newest turns
 * SUCCESSFUL; the action's verdict is its exit. Both on this machine's clock.
 */
import { ECSClient, ListServiceDeploymentsCommand } from '@aws-sdk/client-ecs'
import { startEmulator } from '../emulator/server.js'
import { EmulatorControl } from '../test-support/emulator-client.js'
import { seedInputs, seedTaskDefinition } from '../test-support/fixtures.js'
import { runAction } from '../test-support/run-action.js'
import { fmt, medianRange, summary, type Summary } from './stats.js'

const RUNS = Number(process.env.BENCH_BG_RUNS ?? 3)
const TIME_SCALE = 0.05
const POLL_INTERVAL_S = 2
const ROLE = 'arn:aws:iam::123456789012:role/ecsInfrastructureRoleForLoadBalancers'
const PER_POLL = ['DescribeServiceDeployments', 'DescribeTargetHealth', 'DescribeServices'] as const

export interface BlueGreenSample {
  /** Seconds from ECS's SUCCESSFUL (as the observer saw it) to the action's exit. */
  latencyS: number
  polls: number
  /** Calls per poll of each kind (the watch's share of the call log, over its polls). */
  perPoll: Record<(typeof PER_POLL)[number], number>
  /** ListTasks + DescribeTasks in the whole watch: only when a task stopped (blue's, at CLEAN_UP). */
  stoppedLookups: number
}

export interface BlueGreenResult {
  byDesired: { desired: number; samples: BlueGreenSample[]; latency: Summary }[]
  pollIntervalSeconds: number
  timeScale: number
}

const inputs = (desired: number, image: string) =>
  seedInputs({
    service: JSON.stringify({
      serviceName: 'web',
      desiredCount: desired,
      deploymentConfiguration: { strategy: 'BLUE_GREEN', bakeTimeInMinutes: 0 },
      loadBalancers: [{ containerName: 'app', containerPort: 4567, advancedConfiguration: { roleArn: ROLE } }]
    }),
    'task-definition': seedTaskDefinition(image),
    'test-listener': '{"Port": 9000, "Protocol": "HTTP"}',
    'poll-interval-seconds': String(POLL_INTERVAL_S),
    'wait-for-minutes': '5'
  })

async function sample(desired: number, run: number): Promise<BlueGreenSample> {
  const emulator = await startEmulator({ timeScale: TIME_SCALE })
  const control = new EmulatorControl(emulator.url)
  const ecs = new ECSClient({
    endpoint: emulator.url,
    region: 'ap-northeast-1',
    credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'bench' }
  })
  try {
    const first = await runAction({ inputs: inputs(desired, 'example/web:v1'), endpoint: emulator.url })
    if (first.code !== 0) throw new Error(`first deploy failed:\n${first.stdout}`)
    const before = (await control.calls()).at(-1)?.seq ?? 0
    const list = () => ecs.send(new ListServiceDeploymentsCommand({ cluster: 'ecs-demo', service: 'web' }))
    const firstArn = (await list()).serviceDeployments?.[0]?.serviceDeploymentArn
    let successfulAt: number | undefined
    let watching = true
    const observer = (async () => {
      while (watching && successfulAt === undefined) {
        const newest = (await list()).serviceDeployments?.[0]
        // The deployment this run starts, not the first one (SUCCESSFUL already).
        if (newest?.serviceDeploymentArn !== firstArn && newest?.status === 'SUCCESSFUL') {
          successfulAt = performance.now()
        }
        await new Promise(resolve => setTimeout(resolve, 50))
      }
    })()
    const second = await runAction({
      inputs: inputs(desired, `example/web:v${run + 2}`),
      endpoint: emulator.url
    })
    const exitedAt = performance.now()
    watching = false
    await observer
    if (second.code !== 0) throw new Error(`blue/green deploy failed:\n${second.stdout}`)
    const calls = await control.calls(before)
    const polls = calls.filter(c => c.operation === 'DescribeServiceDeployments').length
    const perPoll = Object.fromEntries(
      PER_POLL.map(op => [op, calls.filter(c => c.operation === op).length / Math.max(polls, 1)])
    ) as BlueGreenSample['perPoll']
    // The action's own discover makes one DescribeServices and the watch one more to find the green group.
    perPoll.DescribeServices =
      (calls.filter(c => c.operation === 'DescribeServices').length - 2) / Math.max(polls, 1)
    const stoppedLookups = calls.filter(
      c => c.operation === 'ListTasks' || c.operation === 'DescribeTasks'
    ).length
    return {
      latencyS: successfulAt === undefined ? NaN : (exitedAt - successfulAt) / 1000,
      polls,
      perPoll,
      stoppedLookups
    }
  } finally {
    ecs.destroy()
    await emulator.stop()
  }
}

export async function blueGreenBench(): Promise<BlueGreenResult> {
  const byDesired: BlueGreenResult['byDesired'] = []
  for (const desired of [2, 6]) {
    const samples: BlueGreenSample[] = []
    for (let run = 0; run < RUNS; run++) samples.push(await sample(desired, run))
    byDesired.push({ desired, samples, latency: summary(samples.map(s => s.latencyS)) })
  }
  return { byDesired, pollIntervalSeconds: POLL_INTERVAL_S, timeScale: TIME_SCALE }
}

export function renderBlueGreen(r: BlueGreenResult): string {
  const rows = r.byDesired.map(d => {
    const perPoll = PER_POLL.map(
      op => `${op} ${fmt(Math.max(...d.samples.map(s => s.perPoll[op])), 2)}`
    ).join(', ')
    const lookups = d.samples.map(s => s.stoppedLookups).join(', ')
    return `| ${d.desired} | ${medianRange(d.latency, 2)} | ${d.samples.map(s => s.polls).join(', ')} | ${perPoll} | ${lookups} |`
  })
  return [
    `BLUE_GREEN deployments of a new image (bake time 0, a test listener) on the emulator at time scale ${r.timeScale}, poll interval ${r.pollIntervalSeconds} s, ${r.byDesired[0]?.samples.length ?? 0} runs per task count. Latency: from ECS's SUCCESSFUL (an observer listing the deployments every 50 ms) to the action's exit, which includes writing the summary and exiting (~0.3–0.5 s on this machine). Calls per poll: the most seen in any run, from the emulator's call log.`,
    '',
    '| Tasks | Verdict after SUCCESSFUL, s (median, range) | Polls per run | Calls per poll (max) | ListTasks + DescribeTasks per run |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
    ''
  ].join('\n')
}
