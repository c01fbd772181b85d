import { readFileSync } from 'node:fs'
import { previewIdFromEvent } from './preview.js'
import type { PreviewOptions } from '../model/request.js'
import { InputError } from './errors.js'
import { parseChoice } from './scalars.js'

/** A host label: the id ends up in host names and resource names. */
const PREVIEW_ID = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/

export interface PreviewInputs {
  id: string
  routing: string
  hostTemplate: string
  /** For the pull_request event that gives the default id (GITHUB_EVENT_NAME, GITHUB_EVENT_PATH). */
  env: NodeJS.ProcessEnv
}

/** preview-routing turns a preview on; its id is preview-id, else pr-<number> of the pull request. */
export function validatePreview(p: PreviewInputs): PreviewOptions | undefined {
  if (p.routing.trim() === '') {
    if (p.id.trim() !== '') {
      throw new InputError('preview-routing', undefined, 'is required with preview-id: "host" or "path"')
    }
    return undefined
  }
  const routing = parseChoice({
    input: 'preview-routing',
    text: p.routing,
    choices: ['host', 'path'] as const
  })
  const id = p.id.trim() || idFromEvent(p.env)
  if (!id) {
    throw new InputError(
      'preview-id',
      undefined,
      'is required outside pull_request events (where it defaults to pr-<number>)'
    )
  }
  if (!PREVIEW_ID.test(id)) {
    throw new InputError(
      'preview-id',
      undefined,
      `must be 1 to 63 lower case letters, digits or hyphens, not starting or ending with a hyphen, got ${JSON.stringify(id)}`
    )
  }
  const hostTemplate = p.hostTemplate.trim()
  if (routing === 'host') {
    if (!hostTemplate.includes('{id}')) {
      throw new InputError(
        'preview-host-template',
        undefined,
        `must contain {id}, else every preview gets the same host, got ${JSON.stringify(hostTemplate)}`
      )
    }
    const host = hostTemplate.replace(/\{id\}/g, id).toLowerCase()
    if (host.length > 128 || !/^[a-z0-9*?.-]+$/.test(host)) {
      throw new InputError(
        'preview-host-template',
        undefined,
        `makes ${JSON.stringify(host)}, which is no host header value (letters, digits, - . * ?; at most 128 characters)`
      )
    }
  }
  return { id, routing, hostTemplate }
}

function idFromEvent(env: NodeJS.ProcessEnv): string | undefined {
  if (!env.GITHUB_EVENT_PATH) return undefined
  let payload: unknown
  try {
    payload = JSON.parse(readFileSync(env.GITHUB_EVENT_PATH, 'utf8'))
  } catch {
    return undefined
  }
  return previewIdFromEvent({ eventName: env.GITHUB_EVENT_NAME, payload })
}
