import { describe, expect, test } from '@jest/globals'
import {
  DescribeRulesCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  type TargetGroup
} from '@aws-sdk/client-elastic-load-balancing-v2'
import { useEmulatorWithClients } from '../../test-support/use-sdk-clients.js'
import { EmulatorControl } from '../../test-support/emulator-client.js'
import { applyPlan } from '../../src/stages/apply.js'
import { discover } from '../../src/stages/discover.js'
import { buildPlan } from '../../src/stages/plan.js'
import { probeHealthCheck, type ProbeResult } from '../../src/resources/health-check-probe.js'
import { STACK_TAG, seedManagedService, seedRequest } from '../fixtures/seed.js'

/**
 * The probe against the emulator: the seed's stack (two tasks behind the ALB, checked on GET /hostname),
 * then the health-check change of the incident (/hostname → /healthz, which the app answers 404) is
 * proven to fail before the target group is touched, and the current path proven to pass; the probe
 * leaves nothing behind and no production request fails meanwhile.
 */

const TIME_SCALE = 0.02
const suite = useEmulatorWithClients({ timeScale: TIME_SCALE, maxAttempts: 3 })

const request = seedRequest({
  service: { ...seedManagedService(), desiredCount: 2 },
  wait: { ...seedRequest().wait, enabled: false },
  maxAttempts: 3
})

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const v = await probe()
    if (v !== undefined) return v
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise(r => setTimeout(r, 50))
  }
}

/** GETs through the listener, one after the other, until stopped: what production sees meanwhile. */
function traffic(url: string) {
  let running = true
  const outcomes: string[] = []
  const loop = (async () => {
    while (running) {
      try {
        const res = await fetch(`${url}/hostname`)
        const body = await res.text()
        outcomes.push(res.status === 200 && /^[0-9a-f]{12}$/.test(body) ? 'ok' : `${res.status} ${body}`)
      } catch (err) {
        outcomes.push(`error ${(err as Error).message}`)
      }
    }
  })()
  return {
    stop: async () => {
      running = false
      await loop
      return outcomes
    }
  }
}

describe('health-check probe against the emulator', () => {
  test('/healthz fails with the 404 diagnosis, /hostname passes; nothing left behind, no request failed', async () => {
    const { clients, emulator } = suite
    const actual = await discover({ clients, request })
    const applied = await applyPlan({ clients, request, actual, plan: buildPlan({ request, actual }) })
    const tgArn = applied.targetGroupArn as string
    const listenerArn = applied.listenerArn as string

    await until('2 healthy targets', async () => {
      const out = await clients.elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: tgArn }))
      const healthy = (out.TargetHealthDescriptions ?? []).filter(d => d.TargetHealth?.State === 'healthy')
      return healthy.length === 2 ? true : undefined
    })
    const live = (await clients.elbv2.send(new DescribeTargetGroupsCommand({ TargetGroupArns: [tgArn] })))
      .TargetGroups?.[0] as TargetGroup
    const rulesBefore = await clients.elbv2.send(new DescribeRulesCommand({ ListenerArn: listenerArn }))

    const control = new EmulatorControl(emulator.url)
    const url = (await control.listeners()).find(l => l.listenerArn === listenerArn)?.localUrl as string
    const production = traffic(url)

    const probe = (path: string): Promise<ProbeResult> =>
      probeHealthCheck({
        clients,
        targetGroup: live,
        settings: { HealthCheckPath: path },
        listenerArn,
        tags: [STACK_TAG],
        // Emulated time: the probe waits health-check intervals, which the emulator runs 50× faster.
        now: () => emulator.clock.now(),
        sleep: ms => emulator.clock.sleep(ms)
      })

    const failed = await probe('/healthz')
    const passed = await probe('/hostname')
    const outcomes = await production.stop()

    expect(failed.verdict).toBe('fail')
    expect(failed.targets).toHaveLength(2)
    expect(
      failed.targets.every(t => t.state === 'unhealthy' && t.reason === 'Target.ResponseCodeMismatch')
    ).toBe(true)
    expect(failed.diagnosis?.cause).toMatch(
      /^GET \/healthz answered 404; the matcher expects 200\. New health check default: HTTP GET \/healthz on port traffic-port, matcher 200, every 30 s × 3 failures \(timeout 15 s\)$/
    )
    expect(failed.diagnosis?.hint).toMatch(/^make the app answer 200 on \/healthz \(port \d+\)/)
    expect(failed.warnings).toEqual([])

    expect(passed.verdict).toBe('pass')
    expect(passed.targets.map(t => t.state)).toEqual(['healthy', 'healthy'])
    expect(passed.warnings).toEqual([])

    // Nothing of the probes remains: the listener's rules and the target groups are as before.
    const rulesAfter = await clients.elbv2.send(new DescribeRulesCommand({ ListenerArn: listenerArn }))
    expect(rulesAfter.Rules).toEqual(rulesBefore.Rules)
    const groups = await clients.elbv2.send(new DescribeTargetGroupsCommand({}))
    expect(groups.TargetGroups?.map(t => t.TargetGroupName)).toEqual(['default'])
    // The live target group is untouched and still serves from both targets.
    expect(groups.TargetGroups?.[0].HealthCheckPath).toBe('/hostname')
    const liveHealth = await clients.elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: tgArn }))
    expect(liveHealth.TargetHealthDescriptions?.map(d => d.TargetHealth?.State)).toEqual([
      'healthy',
      'healthy'
    ])

    // Production never noticed.
    expect(outcomes.length).toBeGreaterThan(20)
    expect(outcomes.filter(o => o !== 'ok')).toEqual([])

    // The calls each probe made, as the emulator logged them.
    const mutating = emulator.calls
      .list(0)
      .filter(c => c.mutating && c.status < 300 && /TargetGroup|Rule|Targets/.test(c.operation))
      .map(c => c.operation)
    expect(mutating.slice(-10)).toEqual([
      ...['CreateTargetGroup', 'CreateRule', 'RegisterTargets', 'DeleteRule', 'DeleteTargetGroup'],
      ...['CreateTargetGroup', 'CreateRule', 'RegisterTargets', 'DeleteRule', 'DeleteTargetGroup']
    ])
  })
})
