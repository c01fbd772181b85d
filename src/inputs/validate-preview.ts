import { readFileSync } from 'node:fs'
import type { PreviewOptions } from '../model/request.js'
import { previewHost } from '../model/urls.js'
import { InputError } from './errors.js'

/** A host label: the id ends up in host names and resource names. */
const PREVIEW_ID = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/

/** The longest host-header condition value an ALB rule takes. */
export const HOST_HEADER_MAX = 128

export interface PreviewInputs {
  id: string
  /** preview-routing, already one of its choices; undefined when not set. */
  routing: PreviewOptions['routing'] | undefined
  hostTemplate: string
  /** For the pull_request event that gives the default id (GITHUB_EVENT_NAME, GITHUB_EVENT_PATH). */
  env: NodeJS.ProcessEnv
}

/** preview-routing turns a preview on; its id is preview-id, else pr-<number> of the pull request. */
export function validatePreview(p: PreviewInputs): PreviewOptions | undefined {
  if (p.routing === undefined) {
    if (p.id.trim() !== '') {
      throw new InputError('preview-routing', undefined, 'is required with preview-id: "host" or "path"')
    }
    return undefined
  }
  const id = p.id.trim() || idFromEvent(p.env)
  if (!id) {
    throw new InputError(
      'preview-id',
      undefined,
      'is required outside pull_request events (where it defaults to pr-<number>)'
    )
  }
  const preview: PreviewOptions = { id, routing: p.routing, hostTemplate: p.hostTemplate.trim() }
  checkPreview(preview)
  return preview
}

/**
 * The preview's id and host name, as ALB rules and resource names take them. The inputs stage checks the
 * preview it reads; applyPreview checks the one it is handed, which may come from elsewhere.
 */
export function checkPreview(preview: PreviewOptions): void {
  if (!PREVIEW_ID.test(preview.id)) {
    throw new InputError(
      'preview-id',
      undefined,
      `must be 1 to 63 lower case letters, digits or hyphens, not starting or ending with a hyphen, got ${JSON.stringify(preview.id)}`
    )
  }
  if (preview.routing !== 'host') return
  if (!preview.hostTemplate.includes('{id}')) {
    throw new InputError(
      'preview-host-template',
      undefined,
      `has no {id}, so every preview would get the same host name, got ${JSON.stringify(preview.hostTemplate)}`
    )
  }
  const host = previewHost(preview)
  if (host.length > HOST_HEADER_MAX || !/^[a-z0-9*?.-]+$/.test(host)) {
    throw new InputError(
      'preview-host-template',
      undefined,
      `makes ${JSON.stringify(host)}, which is not a valid host header value (letters, digits, - . * ?; at most ${HOST_HEADER_MAX} characters)`
    )
  }
}

/** `pr-<number>` for a pull_request (or pull_request_target) event, else undefined. */
export function previewIdFromEvent(opts: { eventName?: string; payload: unknown }): string | undefined {
  if (opts.eventName !== 'pull_request' && opts.eventName !== 'pull_request_target') return undefined
  const payload = (opts.payload ?? {}) as { number?: unknown; pull_request?: { number?: unknown } }
  const n = payload.pull_request?.number ?? payload.number
  return typeof n === 'number' && Number.isInteger(n) && n > 0 ? `pr-${n}` : undefined
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
