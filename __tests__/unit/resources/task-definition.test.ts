/**
 * desiredRegistration for an existing revision with the images input: what RegisterTaskDefinition is sent.
 */
import type { TaskDefinition } from '@aws-sdk/client-ecs'
import { describe, expect, test } from '@jest/globals'
import { emptyActual, type Actual } from '../../../src/model/actual.js'
import { desiredRegistration, familyOf } from '../../../src/resources/task-definition.js'
import { seedRequest } from '../../fixtures/seed.js'

const ARN = 'arn:aws:ecs:ap-northeast-1:123456789012:task-definition/web:7'

const described = (): TaskDefinition => ({
  taskDefinitionArn: ARN,
  family: 'web',
  revision: 7,
  status: 'ACTIVE',
  registeredAt: new Date('2026-11-01T00:00:00Z'),
  registeredBy: 'arn:aws:iam::123456789012:role/cfn',
  requiresAttributes: [{ name: 'com.amazonaws.ecs.capability.docker-remote-api.1.18' }],
  compatibilities: ['EC2'],
  containerDefinitions: [
    { name: 'web', image: 'example/web:1', memory: 128, environment: [{ name: 'MODE', value: 'prod' }] },
    { name: 'proxy', image: 'example/proxy:1', memory: 32 }
  ]
})

const withBase = (tags: { key: string; value: string }[]): Actual => ({
  ...emptyActual(),
  baseTaskDefinition: { taskDefinition: described(), tags }
})

describe('desiredRegistration of an existing revision with images', () => {
  test('the revision as described, read-only fields dropped, only the named image changed', () => {
    const request = seedRequest({
      taskDefinition: { kind: 'reference', ref: ARN, images: { web: 'example/web:2' } }
    })
    const input = desiredRegistration(request, withBase([{ key: 'team', value: 'web' }]))
    expect(input).toEqual({
      family: 'web',
      containerDefinitions: [
        { name: 'web', image: 'example/web:2', memory: 128, environment: [{ name: 'MODE', value: 'prod' }] },
        { name: 'proxy', image: 'example/proxy:1', memory: 32 }
      ],
      tags: [{ key: 'team', value: 'web' }]
    })
  })

  test("AWS's own tags (aws:…) are not sent back: RegisterTaskDefinition refuses them", () => {
    const request = seedRequest({
      taskDefinition: { kind: 'reference', ref: 'web', images: { web: 'example/web:2' } }
    })
    const input = desiredRegistration(
      request,
      withBase([
        { key: 'aws:cloudformation:stack-name', value: 'web-stack' },
        { key: 'team', value: 'web' }
      ])
    )
    expect(input?.tags).toEqual([{ key: 'team', value: 'web' }])
  })

  test('a plain reference registers nothing', () => {
    const request = seedRequest({ taskDefinition: { kind: 'reference', ref: 'web:7' } })
    expect(desiredRegistration(request, withBase([]))).toBeUndefined()
  })
})

test.each([
  ['web', 'web'],
  ['web:7', 'web'],
  [ARN, 'web']
])('familyOf(%s) is %s', (ref, family) => {
  expect(familyOf(ref)).toBe(family)
})
