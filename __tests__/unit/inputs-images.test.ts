/**
 * The images input: container images set into the task definition document before it is compared or
 * registered (refusals are in the bad-input corpus).
 */
import { describe, expect, test } from '@jest/globals'
import { parseRequest, withDefaults, type RawInputs } from '../../src/inputs/index.js'
import { SEED_INPUTS, SEED_TASK_DEFINITION } from '../fixtures/bad-inputs.js'

const parse = (raw: Partial<RawInputs>) =>
  parseRequest(withDefaults({ ...SEED_INPUTS, ...raw }), { cwd: '/', env: {}, setSecret: () => {} })

const twoContainers = JSON.stringify({
  ...SEED_TASK_DEFINITION,
  containerDefinitions: [
    ...(SEED_TASK_DEFINITION.containerDefinitions ?? []),
    { name: 'sidecar', image: 'example/sidecar:1', memory: 32, essential: false }
  ]
})

const imagesOf = (raw: Partial<RawInputs>) => {
  const td = parse(raw).taskDefinition
  if (td.kind !== 'register') throw new Error('expected a task definition to register')
  return Object.fromEntries((td.input.containerDefinitions ?? []).map(c => [c.name, c.image]))
}

describe('images', () => {
  test('empty: the task definition keeps its images', () => {
    expect(imagesOf({})).toEqual({ app: SEED_TASK_DEFINITION.containerDefinitions?.[0]?.image })
  })

  test.each([
    ['container=image lines', 'app=123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/app:abc123'],
    ['a YAML map', 'app: 123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/app:abc123']
  ])('%s replace that container image only', (_title, text) => {
    expect(imagesOf({ images: text })).toEqual({
      app: '123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/app:abc123'
    })
  })

  test('several containers at once; a container left out keeps its image', () => {
    expect(imagesOf({ taskDefinition: twoContainers, images: 'sidecar=example/sidecar:2' })).toEqual({
      app: SEED_TASK_DEFINITION.containerDefinitions?.[0]?.image,
      sidecar: 'example/sidecar:2'
    })
    expect(
      imagesOf({
        taskDefinition: twoContainers,
        images: 'app=example/app@sha256:' + 'a'.repeat(64) + '\nsidecar=example/sidecar:2'
      })
    ).toEqual({ app: 'example/app@sha256:' + 'a'.repeat(64), sidecar: 'example/sidecar:2' })
  })

  test('the other fields of the definition are untouched', () => {
    const td = parse({ images: 'app=example/app:2' }).taskDefinition
    if (td.kind !== 'register') throw new Error('expected a task definition to register')
    const { containerDefinitions: changed, ...rest } = td.input
    const { containerDefinitions: original, ...seedRest } = SEED_TASK_DEFINITION
    expect(rest).toEqual(seedRest)
    expect(changed?.map(({ image: _image, ...c }) => c)).toEqual(
      original?.map(({ image: _image, ...c }) => c)
    )
  })
})
