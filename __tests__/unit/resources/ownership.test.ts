import { describe, expect, test } from '@jest/globals'
import { mayModify, ownership, OWNER_TAG } from '../../../src/resources/ownership.js'
import { PREVIEW_TAG } from '../../../src/model/names.js'
import type { DeployRequest } from '../../../src/model/request.js'
import { seedRequest } from '../../fixtures/seed.js'

/** The seed stack is ecs-demo/ecs-simple-service-elb; its preview pr-1 names its service ecs-simple-service-elb-pr-1. */
const base = (adoptExisting = false): DeployRequest => ({ ...seedRequest(), adoptExisting })
const preview = (adoptExisting = false): DeployRequest => {
  const r = base(adoptExisting)
  return {
    ...r,
    service: { ...r.service, serviceName: 'ecs-simple-service-elb-pr-1' },
    preview: { id: 'pr-1', routing: 'host', hostTemplate: '{id}.example.com' }
  }
}

describe('ownership: whose a resource is, by its tags', () => {
  test.each<[string, Record<string, string> | undefined, DeployRequest, ReturnType<typeof ownership>]>([
    ['ours', { [OWNER_TAG]: 'ecs-demo/ecs-simple-service-elb' }, base(), 'ours'],
    ['no tags at all', undefined, base(), 'untagged'],
    ['user tags only', { team: 'web' }, base(), 'untagged'],
    ['another stack', { [OWNER_TAG]: 'ecs-demo/billing' }, base(), { other: 'stack ecs-demo/billing' }],
    [
      "a preview's, seen from the base stack",
      { [OWNER_TAG]: 'ecs-demo/ecs-simple-service-elb-pr-1', [PREVIEW_TAG]: 'pr-1' },
      base(),
      { other: 'preview pr-1 of stack ecs-demo/ecs-simple-service-elb-pr-1' }
    ],
    [
      "the preview's own",
      { [OWNER_TAG]: 'ecs-demo/ecs-simple-service-elb-pr-1', [PREVIEW_TAG]: 'pr-1' },
      preview(),
      'ours'
    ],
    [
      'a real service named like the preview (no preview tag)',
      { [OWNER_TAG]: 'ecs-demo/ecs-simple-service-elb-pr-1' },
      preview(),
      { other: 'stack ecs-demo/ecs-simple-service-elb-pr-1' }
    ],
    [
      'another preview',
      { [OWNER_TAG]: 'ecs-demo/ecs-simple-service-elb-pr-2', [PREVIEW_TAG]: 'pr-2' },
      preview(),
      { other: 'preview pr-2 of stack ecs-demo/ecs-simple-service-elb-pr-2' }
    ],
    ['a preview tag alone', { [PREVIEW_TAG]: 'pr-3' }, base(), { other: 'preview pr-3 of an unknown stack' }]
  ])('%s', (_title, tags, request, expected) => {
    expect(ownership(tags, request)).toEqual(expected)
  })

  test('adopt-existing makes untagged resources modifiable, never another stack’s', () => {
    expect(mayModify('ours', base())).toBe(true)
    expect(mayModify('untagged', base())).toBe(false)
    expect(mayModify('untagged', base(true))).toBe(true)
    expect(mayModify({ other: 'stack ecs-demo/billing' }, base(true))).toBe(false)
  })
})
