import type { TaskDefinitionRequest } from '../request.js'
import { InputError } from './errors.js'
import { parseKeyValues } from './scalars.js'
import { closest } from './schema.js'

const INPUT = 'images'

/** ECS takes up to 255 characters for an image, and no whitespace. */
const IMAGE = /^\S{1,255}$/

/**
 * The images input (`container=image` lines or a YAML/JSON map) set into the task definition document
 * before anything compares or registers it: the job of a separate render step, done for several
 * containers at once. Each container must exist; nothing else in the definition changes.
 */
export function applyImages(opts: {
  text: string
  taskDefinition: TaskDefinitionRequest
}): TaskDefinitionRequest {
  const pairs = parseKeyValues({ input: INPUT, text: opts.text, noun: 'image' })
  const td = opts.taskDefinition
  if (pairs.length === 0) return td
  if (td.kind !== 'register') {
    throw new InputError(
      INPUT,
      undefined,
      `sets images in a task definition document, but the task definition is the existing revision ${JSON.stringify(td.ref)}: ` +
        'give the task-definition input as a file or inline JSON/YAML (a DescribeTaskDefinition output works too)'
    )
  }
  const containers = td.input.containerDefinitions ?? []
  const names = containers.map(c => c.name ?? '')
  const images = new Map<string, string>()
  for (const { Key, Value } of pairs) {
    if (!names.includes(Key)) {
      const guess = closest(Key, names)
      throw new InputError(
        INPUT,
        Key,
        `no container of that name in the task definition ${td.input.family}` +
          (guess ? `: did you mean "${guess}"?` : ` (its containers: ${names.join(', ')})`)
      )
    }
    if (images.has(Key)) throw new InputError(INPUT, Key, 'is given twice')
    if (!IMAGE.test(Value)) {
      throw new InputError(
        INPUT,
        Key,
        `must be an image reference of 1 to 255 characters without spaces, got ${JSON.stringify(Value)}`
      )
    }
    images.set(Key, Value)
  }
  return {
    ...td,
    input: {
      ...td.input,
      containerDefinitions: containers.map(c => {
        const image = images.get(c.name ?? '')
        return image === undefined ? c : { ...c, image }
      })
    }
  }
}
