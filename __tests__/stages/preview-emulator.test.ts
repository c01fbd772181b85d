import { describe, expect, test } from '@jest/globals'
import { DescribeServicesCommand } from '@aws-sdk/client-ecs'
import {
  DescribeListenersCommand,
  DescribeRulesCommand,
  DescribeTagsCommand
} from '@aws-sdk/client-elastic-load-balancing-v2'
import { useEmulatorWithClients } from '../../test-support/use-sdk-clients.js'
import { applyPlan } from '../../src/stages/apply.js'
import { discover } from '../../src/stages/discover.js'
import { buildPlan } from '../../src/stages/plan.js'
import { applyPreview, previewUrl } from '../../src/inputs/preview.js'
import type { DeployRequest, PreviewOptions } from '../../src/model/request.js'
import { teardown } from '../../src/stages/teardown.js'
import { hexHash } from '../../src/model/names.js'
import { seedWebRequest } from '../fixtures/seed.js'

/**
 * Previews through the real pipeline (discover → plan → apply) against the emulator: the base stack owns
 * the load balancer and listener; two previews deployed at the same moment both get a rule on it, neither
 * touches the listener, a re-run changes nothing, and a teardown removes one preview only.
 */

const base = seedWebRequest()
const host = (id: string): PreviewOptions => ({
  id,
  routing: 'host',
  hostTemplate: '{id}.preview.example.com'
})

const suite = useEmulatorWithClients({ timeScale: 0.02, maxAttempts: 3 })

async function deploy(request: DeployRequest) {
  const actual = await discover({ clients: suite.clients, request })
  const plan = buildPlan({ request, actual })
  const applied = await applyPlan({ clients: suite.clients, request, actual, plan })
  return { plan, applied }
}

const mutatingSince = (seq: number): string[] =>
  suite.emulator.calls
    .list(seq)
    .filter(c => c.mutating && c.status < 300)
    .map(c => c.operation)

describe('previews through discover → plan → apply', () => {
  test('two previews at once on the shared listener; re-run is a no-op; teardown removes one', async () => {
    const baseRun = await deploy(base)
    const listenerArn = baseRun.applied.listenerArn as string
    const before = await suite.clients.elbv2.send(
      new DescribeListenersCommand({ ListenerArns: [listenerArn] })
    )

    // Two ids whose deterministic priority is the same: the second CreateRule meets PriorityInUse.
    const slot = (id: string): number => parseInt(hexHash(`ecs-demo/web-${id}`, 8), 16) % 1000
    const other = Array.from({ length: 5000 }, (_, i) => `pr-${i + 2}`).find(
      id => slot(id) === slot('pr-1')
    ) as string
    const [a, b] = [applyPreview(base, host('pr-1')), applyPreview(base, host(other))]
    const [ra, rb] = await Promise.all([deploy(a), deploy(b)])
    expect(ra.applied.listenerRuleArn).toBeDefined()
    expect(rb.applied.listenerRuleArn).toBeDefined()
    expect(ra.applied.listenerArn).toBe(listenerArn)
    expect(ra.applied.loadBalancerArn).toBe(baseRun.applied.loadBalancerArn)

    // The shared listener is exactly as the base stack left it.
    const after = await suite.clients.elbv2.send(
      new DescribeListenersCommand({ ListenerArns: [listenerArn] })
    )
    expect(after.Listeners).toEqual(before.Listeners)

    const rules =
      (await suite.clients.elbv2.send(new DescribeRulesCommand({ ListenerArn: listenerArn }))).Rules ?? []
    const previewRules = rules.filter(r => !r.IsDefault)
    expect(previewRules).toHaveLength(2)
    expect(new Set(previewRules.map(r => r.Priority)).size).toBe(2)
    expect(
      suite.emulator.calls
        .list()
        .filter(c => c.operation === 'CreateRule')
        .map(c => c.errorCode)
    ).toContain('PriorityInUse')
    for (const p of previewRules.map(r => Number(r.Priority))) {
      expect(p).toBeGreaterThanOrEqual(1000)
      expect(p).toBeLessThanOrEqual(1999)
    }
    const tags = await suite.clients.elbv2.send(
      new DescribeTagsCommand({ ResourceArns: [ra.applied.listenerRuleArn as string] })
    )
    expect(tags.TagDescriptions?.[0].Tags).toEqual(
      expect.arrayContaining([
        { Key: 'ecs-alb-deploy:stack', Value: 'ecs-demo/web-pr-1' },
        { Key: 'ecs-alb-deploy:preview', Value: 'pr-1' }
      ])
    )
    expect(previewUrl({ preview: host('pr-1'), listener: a.listener, dnsName: ra.applied.dnsName })).toBe(
      'http://pr-1.preview.example.com/'
    )

    // Same inputs again: no mutating call.
    const seq = suite.emulator.calls.lastSeq()
    const again = await deploy(a)
    expect(again.plan.changed).toBe(false)
    expect(mutatingSince(seq)).toEqual([])

    // Teardown of pr-1 only.
    const result = await teardown({
      clients: suite.clients,
      request: { ...a, delete: true },
      retryDelayMs: 10
    })
    expect(result.removed).toEqual([
      'service web-pr-1 (scaled to 0, deleted)',
      `listener rule ${ra.applied.listenerRuleArn} (priority ${previewRules.find(r => r.RuleArn === ra.applied.listenerRuleArn)?.Priority})`,
      'target group web-pr-1',
      expect.stringMatching(/^task definition web-pr-1:1 \(deregistered\)$/)
    ])
    const left =
      (await suite.clients.elbv2.send(new DescribeRulesCommand({ ListenerArn: listenerArn }))).Rules ?? []
    expect(left.filter(r => !r.IsDefault).map(r => r.RuleArn)).toEqual([rb.applied.listenerRuleArn])
    const services = await suite.clients.ecs.send(
      new DescribeServicesCommand({ cluster: 'ecs-demo', services: ['web', `web-${other}`] })
    )
    expect(services.services?.map(s => s.status)).toEqual(['ACTIVE', 'ACTIVE'])
  })
})
