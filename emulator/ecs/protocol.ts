import type { DecodedRequest, EncodedResponse } from '../core/types.js'
import { AwsError } from '../core/errors.js'

/** AWS JSON 1.1 as ECS speaks it: X-Amz-Target names the operation, timestamps are epoch seconds. */
const TARGET_PREFIX = 'AmazonEC2ContainerServiceV20141113.'
const CONTENT_TYPE = 'application/x-amz-json-1.1'

type Headers = Record<string, string | string[] | undefined>

const targetOf = (headers: Headers): string => {
  const t = headers['x-amz-target']
  return (Array.isArray(t) ? t[0] : t) ?? ''
}

export const claims = (headers: Headers): boolean => targetOf(headers).startsWith(TARGET_PREFIX)

export const decode = (headers: Headers, body: string): DecodedRequest => {
  const operation = targetOf(headers).slice(TARGET_PREFIX.length)
  let params: Record<string, unknown> = {}
  if (body.trim()) {
    try {
      params = JSON.parse(body) as Record<string, unknown>
    } catch {
      throw new AwsError('SerializationException', 'Unable to parse the request body as JSON')
    }
  }
  return { operation, params }
}

const MUTATING = /^(Create|Delete|Deregister|Register|Update|Stop|Run|Start|Tag|Untag|Put|Continue)/
export const isMutating = (operation: string): boolean => MUTATING.test(operation)

/** Dates become epoch seconds (fractions allowed), the way ECS answers. */
export function toWire(value: unknown): string {
  return JSON.stringify(value ?? {}, function (this: Record<string, unknown>, key, v: unknown) {
    const raw = this[key]
    return raw instanceof Date ? raw.getTime() / 1000 : v
  })
}

export const encodeResult = (result: unknown): EncodedResponse => ({
  status: 200,
  headers: { 'content-type': CONTENT_TYPE },
  body: toWire(result)
})

export const encodeError = (code: string, message: string, status: number): EncodedResponse => ({
  status,
  headers: { 'content-type': CONTENT_TYPE, 'x-amzn-errortype': code },
  body: JSON.stringify({ __type: code, message })
})
