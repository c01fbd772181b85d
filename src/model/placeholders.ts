/**
 * While planning, what this run will create has no ARN yet. A placeholder stands in for it: it differs
 * from every real ARN (so whatever points at it is a change) and reads well in a dry-run. Apply swaps
 * each placeholder for the value the create call returned, in every later input.
 */
export function pendingArn(kind: string, name: string): string {
  return `(new ${kind} ${name})`
}

export function pendingVpc(loadBalancerName: string): string {
  return `(VPC of new load balancer ${loadBalancerName})`
}

export function isPending(value: string | undefined): boolean {
  return value !== undefined && value.startsWith('(') && value.endsWith(')')
}

/** A copy of `value` in which every string that is a known placeholder is its value. */
export function resolvePlaceholders<T>(value: T, values: ReadonlyMap<string, string>): T {
  if (typeof value === 'string') return (values.get(value) ?? value) as T
  if (Array.isArray(value)) return value.map(v => resolvePlaceholders(v, values)) as T
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolvePlaceholders(v, values)])) as T
  }
  return value
}
