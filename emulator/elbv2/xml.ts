import type { EncodedResponse } from '../core/types.js'

export const XMLNS = 'http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/'

const escape = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')

/** ELBv2 lists are never flattened: every list item is a `<member>`; timestamps are ISO 8601. */
const element = (name: string, value: unknown): string => {
  if (value === undefined || value === null) return ''
  return `<${name}>${content(value)}</${name}>`
}

const content = (value: unknown): string => {
  if (value instanceof Date) return value.toISOString()
  if (Array.isArray(value)) return value.map(v => element('member', v)).join('')
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value)
      .map(([k, v]) => element(k, v))
      .join('')
  }
  return escape(String(value))
}

export function encodeResult(operation: string, result: unknown, requestId: string): EncodedResponse {
  const body =
    `<${operation}Response xmlns="${XMLNS}">` +
    element(`${operation}Result`, result ?? {}) +
    `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata>` +
    `</${operation}Response>`
  return { status: 200, headers: { 'content-type': 'text/xml' }, body }
}

export function encodeError(
  code: string,
  message: string,
  status: number,
  fault: 'Sender' | 'Receiver',
  requestId: string
): EncodedResponse {
  const body =
    `<ErrorResponse xmlns="${XMLNS}"><Error><Type>${fault}</Type><Code>${escape(code)}</Code>` +
    `<Message>${escape(message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`
  return { status, headers: { 'content-type': 'text/xml' }, body }
}
