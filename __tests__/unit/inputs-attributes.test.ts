/**
 * load-balancer-attributes and target-group-attributes: the forms a workflow may write them in, and what
 * the request then holds (refusals are in the bad-input corpus, run by inputs-bad.test.ts and through the
 * bundle by the reliability suite).
 */
import { describe, expect, test } from '@jest/globals'
import { parseRequest, withDefaults, type RawInputs } from '../../src/inputs/index.js'
import { applyPreview } from '../../src/inputs/preview.js'
import { SEED_INPUTS } from '../fixtures/bad-inputs.js'

const parse = (raw: Partial<RawInputs>) =>
  parseRequest(withDefaults({ ...SEED_INPUTS, ...raw }), { cwd: '/', env: {}, setSecret: () => {} })

describe('target-group-attributes', () => {
  test.each([
    [
      'key=value lines, with a comment',
      '# faster deploys\nderegistration_delay.timeout_seconds=30\nstickiness.enabled=true'
    ],
    [
      'a YAML map (numbers and booleans as written)',
      'deregistration_delay.timeout_seconds: 30\nstickiness.enabled: true'
    ],
    ['a JSON map', '{"deregistration_delay.timeout_seconds": "30", "stickiness.enabled": "true"}']
  ])('%s', (_title, text) => {
    expect(parse({ targetGroupAttributes: text }).targetGroupAttributes).toEqual({
      'deregistration_delay.timeout_seconds': '30',
      'stickiness.enabled': 'true'
    })
  })

  test('empty: the request holds none, so no attribute is read or written', () => {
    const request = parse({ targetGroupAttributes: '  ' })
    expect(request.targetGroupAttributes).toBeUndefined()
    expect(request.loadBalancerAttributes).toBeUndefined()
  })

  test('"off" and ranges where AWS takes them', () => {
    expect(
      parse({
        targetGroupAttributes:
          'target_group_health.dns_failover.minimum_healthy_targets.percentage: "off"\nslow_start.duration_seconds: 0\n' +
          'load_balancing.algorithm.type: weighted_random\nload_balancing.algorithm.anomaly_mitigation: "on"'
      }).targetGroupAttributes
    ).toEqual({
      'target_group_health.dns_failover.minimum_healthy_targets.percentage': 'off',
      'slow_start.duration_seconds': '0',
      'load_balancing.algorithm.type': 'weighted_random',
      'load_balancing.algorithm.anomaly_mitigation': 'on'
    })
  })

  test('anomaly mitigation with another algorithm is refused, naming the field', () => {
    expect(() =>
      parse({
        targetGroupAttributes:
          'load_balancing.algorithm.type: round_robin\nload_balancing.algorithm.anomaly_mitigation: "on"'
      })
    ).toThrow(
      'Input "target-group-attributes", field "load_balancing.algorithm.anomaly_mitigation": "on" needs load_balancing.algorithm.type "weighted_random"'
    )
  })

  test('a key given twice in lines is refused', () => {
    expect(() =>
      parse({ targetGroupAttributes: 'stickiness.enabled=true\nstickiness.enabled=false' })
    ).toThrow('Input "target-group-attributes", field "stickiness.enabled": is given twice')
  })
})

describe('load-balancer-attributes', () => {
  test('on a managed load balancer', () => {
    expect(
      parse({ loadBalancerAttributes: 'idle_timeout.timeout_seconds: 120\nrouting.http2.enabled: false' })
        .loadBalancerAttributes
    ).toEqual({ 'idle_timeout.timeout_seconds': '120', 'routing.http2.enabled': 'false' })
  })

  test("a preview leaves the shared load balancer's attributes to the base stack, and keeps its target group's", () => {
    const request = parse({
      loadBalancerAttributes: 'idle_timeout.timeout_seconds: 120',
      targetGroupAttributes: 'deregistration_delay.timeout_seconds: 5'
    })
    const preview = applyPreview(request, {
      id: 'pr-7',
      routing: 'path',
      hostTemplate: '{id}.preview.example.com'
    })
    expect(preview.loadBalancer).toEqual({ kind: 'reuse', name: 'alb-demo' })
    expect(preview.loadBalancerAttributes).toBeUndefined()
    expect(preview.targetGroupAttributes).toEqual({ 'deregistration_delay.timeout_seconds': '5' })
  })
})
