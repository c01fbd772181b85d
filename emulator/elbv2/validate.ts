import { AwsError } from '../core/errors.js'

export const validation = (message: string) => new AwsError('ValidationError', message)

export function required<T>(value: T | undefined | null, name: string): T {
  if (value === undefined || value === null || (typeof value === 'string' && value === '')) {
    throw validation(
      `1 validation error detected: Value null at '${lowerFirst(name)}' failed to satisfy constraint: Member must not be null`
    )
  }
  return value
}

const lowerFirst = (s: string) => s.charAt(0).toLowerCase() + s.slice(1)

/** Load balancer and target group names: 1-32 alphanumerics or hyphens, no hyphen at either end. */
export function checkName(kind: 'Load balancer' | 'Target group', name: string): void {
  if (name.length > 32) throw validation(`${kind} name '${name}' cannot be longer than '32' characters`)
  if (!/^[A-Za-z0-9-]+$/.test(name)) {
    throw validation(
      `${kind} name '${name}' can only contain characters that are alphanumeric characters or hyphens(-)`
    )
  }
  if (name.startsWith('-') || name.endsWith('-')) {
    throw validation(`${kind} name '${name}' cannot begin or end with '-' character`)
  }
  if (kind === 'Load balancer' && name.toLowerCase().startsWith('internal-')) {
    throw validation(`Load balancer name '${name}' cannot begin with 'internal-'`)
  }
}

export function checkRange(value: number | undefined, name: string, min: number, max: number): void {
  if (value === undefined) return
  if (!Number.isInteger(value) || value < min || value > max) {
    throw validation(
      `1 validation error detected: Value '${value}' at '${lowerFirst(name)}' failed to satisfy constraint: ` +
        `Member must have value ${value < min ? `greater than or equal to ${min}` : `less than or equal to ${max}`}`
    )
  }
}

export const checkPort = (port: number | undefined, name = 'port') => checkRange(port, name, 1, 65535)

/** Marker/PageSize paging; markers are opaque to callers. */
export function page<T>(
  items: T[],
  marker: string | undefined,
  pageSize: number | undefined
): { items: T[]; next?: string } {
  checkRange(pageSize, 'pageSize', 1, 400)
  let start = 0
  if (marker) {
    start = Number(
      Buffer.from(marker, 'base64')
        .toString('utf8')
        .replace(/^page:/, '')
    )
    if (!Number.isInteger(start) || start < 0) throw validation(`Invalid marker '${marker}'`)
  }
  const size = pageSize ?? 400
  const end = start + size
  return {
    items: items.slice(start, end),
    next: end < items.length ? Buffer.from(`page:${end}`).toString('base64') : undefined
  }
}

/** Finds every requested item or fails with the not-found error of its kind. */
export function pick<T>(all: Map<string, T>, keys: string[], notFound: () => AwsError): T[] {
  return keys.map(k => {
    const v = all.get(k)
    if (!v) throw notFound()
    return v
  })
}
