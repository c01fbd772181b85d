/**
 * An input the action cannot use, raised before any AWS call. `message` always starts with the input's
 * name and, when the problem is inside a document, the field's path, so the user can find it without a
 * stack trace: `Input "target-group", field "Port": must be an integer from 1 to 65535, got 0`.
 */
export class InputError extends Error {
  /** The problem alone, without the `Input "…", field "…": ` prefix. */
  readonly detail: string

  constructor(
    readonly input: string,
    readonly field: string | undefined,
    message: string
  ) {
    super(`Input "${input}"${field === undefined ? '' : `, field "${field}"`}: ${message}`)
    this.name = 'InputError'
    this.detail = message
  }
}

/** Joins a field path the way the messages print it: `loadBalancers[0].containerPort`. */
export function fieldPath(parent: string | undefined, key: string | number): string {
  if (typeof key === 'number') return `${parent ?? ''}[${key}]`
  return parent ? `${parent}.${key}` : key
}

/** A value as the user wrote it, short enough for one line of log. */
export function show(value: unknown): string {
  if (value === undefined) return 'nothing'
  const text = typeof value === 'string' ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value))
  return text.length > 80 ? `${text.slice(0, 77)}...` : text
}
