import { invalidParameter } from './errors.js'

/** nextToken is an opaque offset, as opaque as AWS's to a client. */
export function paginate<T>(
  items: T[],
  maxResults: number | undefined,
  nextToken: string | undefined,
  limit: number
): { items: T[]; nextToken?: string } {
  if (maxResults !== undefined && (maxResults < 1 || maxResults > limit)) {
    throw invalidParameter(`maxResults must be between 1 and ${limit}.`)
  }
  let start = 0
  if (nextToken) {
    const decoded = Number(
      Buffer.from(nextToken, 'base64')
        .toString('utf8')
        .replace(/^offset:/, '')
    )
    if (!Number.isInteger(decoded) || decoded < 0) throw invalidParameter('Invalid nextToken.')
    start = decoded
  }
  const size = maxResults ?? limit
  const page = items.slice(start, start + size)
  const next =
    start + size < items.length ? Buffer.from(`offset:${start + size}`).toString('base64') : undefined
  return { items: page, ...(next ? { nextToken: next } : {}) }
}
