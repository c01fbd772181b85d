import type { TaskDefinitionRequest } from '../model/request.js'
import { InputError } from './errors.js'
import { parseKeyValues } from './scalars.js'
import { closest } from './schema.js'
import { withImages } from '../model/task-definition.js'

const INPUT = 'images'

/** ECS takes up to 255 characters for an image, and no whitespace. */
const IMAGE = /^\S{1,255}$/

/**
 * The images input (`container=image` lines or a YAML/JSON map). Set into a task definition document
 * before anything compares or registers it: the job of a separate render step, done for several
 * containers at once; each container must exist. With an existing revision (`family`, `family:revision`
 * or an ARN), kept in the request: the plan derives the registration from that revision once described.
 */
export function applyImages(opts: {
  text: string
  taskDefinition: TaskDefinitionRequest
}): TaskDefinitionRequest {
  const pairs = parseKeyValues({ input: INPUT, text: opts.text, noun: 'image' })
  const td = opts.taskDefinition
  if (pairs.length === 0) return td
  // An existing revision's containers are known once it is described: the plan checks the names then.
  const doc = td.kind === 'register' ? td.input : undefined
  const names = doc ? (doc.containerDefinitions ?? []).map(c => c.name ?? '') : undefined
  const images: Record<string, string> = {}
  for (const { Key, Value } of pairs) {
    if (names && !names.includes(Key)) {
      const guess = closest(Key, names)
      throw new InputError(
        INPUT,
        Key,
        `no container of that name in the task definition ${doc?.family ?? ''}` +
          (guess ? `: did you mean "${guess}"?` : ` (its containers: ${names.join(', ')})`)
      )
    }
    if (Key in images) throw new InputError(INPUT, Key, 'is given twice')
    if (!IMAGE.test(Value)) {
      throw new InputError(
        INPUT,
        Key,
        `must be an image reference of 1 to 255 characters without spaces, got ${JSON.stringify(Value)}`
      )
    }
    images[Key] = Value
  }
  if (td.kind === 'reference') return { ...td, images }
  return { ...td, input: withImages(td.input, images) }
}
