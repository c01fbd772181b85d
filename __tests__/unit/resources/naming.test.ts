import {
  LoadBalancerNotFoundException,
  PriorityInUseException
} from '@aws-sdk/client-elastic-load-balancing-v2'
import { describe, expect, test } from '@jest/globals'
import { awsErrorCode, explainAwsError, isAwsError } from '../../../src/aws/errors.js'
import { allocatePriority, conditionsEqual } from '../../../src/resources/listener-rule.js'
import { replacementName } from '../../../src/resources/target-group.js'
import { seedRequest } from '../../fixtures/seed.js'

describe('listener rule conditions', () => {
  test.each([
    [
      { Field: 'path-pattern', Values: ['/a/*', '/b'] },
      { Field: 'path-pattern', PathPatternConfig: { Values: ['/b', '/a/*'] } },
      true
    ],
    [
      { Field: 'host-header', Values: ['App.Example.com'] },
      { Field: 'host-header', HostHeaderConfig: { Values: ['app.example.com'] } },
      true
    ],
    [{ Field: 'path-pattern', Values: ['/a/*'] }, { Field: 'path-pattern', Values: ['/b/*'] }, false],
    [{ Field: 'path-pattern', Values: ['/a/*'] }, { Field: 'host-header', Values: ['/a/*'] }, false]
  ])('%j vs %j: equal %s', (a, b, equal) => {
    expect(conditionsEqual([a], [b])).toBe(equal)
  })
})

describe('rule priority allocation', () => {
  const rule = { Conditions: [], priorityRange: [1000, 1009] as [number, number] }
  test('deterministic per stack, within the range, and moved past priorities in use', () => {
    const request = seedRequest()
    const first = allocatePriority({ request, rule, taken: new Set() })
    expect(allocatePriority({ request, rule, taken: new Set() })).toBe(first)
    expect(first).toBeGreaterThanOrEqual(1000)
    expect(first).toBeLessThanOrEqual(1009)
    const next = allocatePriority({ request, rule, taken: new Set([first]) })
    expect(next).toBe(first === 1009 ? 1000 : first + 1)
  })
  test('a full range is a clear error', () => {
    const taken = new Set(Array.from({ length: 10 }, (_, i) => 1000 + i))
    expect(() => allocatePriority({ request: seedRequest(), rule, taken })).toThrow(
      /No free listener rule priority in 1000-1009/
    )
  })
})

describe('replacement target group name', () => {
  test.each([
    ['default', /^default-[0-9a-f]{6}$/],
    ['a-very-long-target-group-name-of-32c', /^a-very-long-target-group-[0-9a-f]{6}$/]
  ])('%s', (Name, pattern) => {
    const name = replacementName({ Name, Protocol: 'HTTP', Port: 8080, VpcId: 'vpc-1', TargetType: 'ip' })
    expect(name).toMatch(pattern)
    expect(name.length).toBeLessThanOrEqual(32)
  })
  test('stable for the same settings, different for others', () => {
    const a = replacementName({ Name: 'tg', Protocol: 'HTTP', Port: 8080 })
    expect(replacementName({ Name: 'tg', Port: 8080, Protocol: 'HTTP' })).toBe(a)
    expect(replacementName({ Name: 'tg', Protocol: 'HTTP', Port: 8081 })).not.toBe(a)
  })
})

describe('explainAwsError', () => {
  test('SDK class names and wire codes compare equal', () => {
    const e = new LoadBalancerNotFoundException({ message: 'not found', $metadata: {} })
    expect(awsErrorCode(e)).toBe('LoadBalancerNotFound')
    expect(isAwsError(e, 'LoadBalancerNotFound')).toBe(true)
    expect(isAwsError(e, 'LoadBalancerNotFoundException')).toBe(true)
  })
  test.each([
    [
      new PriorityInUseException({ message: 'Priority 5 in use', $metadata: {} }),
      'CreateRule /app',
      /listener-rule input/
    ],
    [
      Object.assign(
        new Error('The target group with targetGroupArn x does not have an associated load balancer.'),
        {
          name: 'InvalidParameterException',
          $metadata: {}
        }
      ),
      'CreateService svc',
      /attached to a load balancer/
    ],
    [
      Object.assign(new Error('Cluster not found.'), { name: 'ClusterNotFoundException', $metadata: {} }),
      'CreateService svc',
      /`cluster` input/
    ]
  ])('%s', (error, step, advice) => {
    const message = explainAwsError(error, { step })
    expect(message.split('\n')[0]).toContain(`${step} failed`)
    expect(message).toMatch(advice)
  })
  test('a non-AWS error keeps its message', () => {
    expect(explainAwsError(new TypeError('boom'))).toBe('boom')
  })
})
