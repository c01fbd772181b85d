import { describe, expect, test } from '@jest/globals'
import { failureThreshold } from '../../emulator/ecs/scheduler.js'
import { isMutating, toWire } from '../../emulator/ecs/protocol.js'
import { ImageBehaviours } from '../../emulator/ecs/images.js'

describe('circuit breaker threshold', () => {
  test.each([
    [1, undefined, 3],
    [2, undefined, 3],
    [10, undefined, 5],
    [11, undefined, 6],
    [1000, undefined, 200],
    [1000, { type: 'UNBOUNDED_PERCENT' as const, value: 50 }, 500],
    [10, { type: 'BOUNDED_PERCENT' as const, value: 100 }, 10],
    [10, { type: 'COUNT' as const, value: 2 }, 2]
  ])('desired %i with %j → %i', (desired, cfg, expected) => {
    expect(failureThreshold(desired, cfg)).toBe(expected)
  })
})

describe('protocol', () => {
  test.each([
    ['CreateService', true],
    ['RegisterTaskDefinition', true],
    ['DeregisterTaskDefinition', true],
    ['StopTask', true],
    ['TagResource', true],
    ['UntagResource', true],
    ['DescribeServices', false],
    ['ListTasks', false],
    ['ListTagsForResource', false]
  ])('%s mutating: %s', (op, mutating) => {
    expect(isMutating(op)).toBe(mutating)
  })

  test('dates go out as epoch seconds, fractions kept', () => {
    expect(JSON.parse(toWire({ a: { at: new Date(1700000000123) } }))).toEqual({ a: { at: 1700000000.123 } })
  })
})

describe('image behaviours', () => {
  test('exact and glob rules merge, later ones win', () => {
    const b = new ImageBehaviours()
    b.add({ image: '*:broken', pullFails: true })
    b.add({ image: 'repo/app:broken', healthStatus: 500 })
    b.add({ image: 'repo/*', pullFails: false })
    expect(b.for('repo/app:broken')).toEqual({ pullFails: false, healthStatus: 500 })
    expect(b.for('other:broken')).toEqual({ pullFails: true })
    expect(b.for('other:1')).toEqual({})
  })
})
