/** The shape of a parsed SDK answer: path → type, with array indexes folded into []. */
export function shapeOf(value: unknown, prefix = '', out = new Map<string, string>()): Map<string, string> {
  if (value instanceof Date) out.set(prefix, 'date')
  else if (Array.isArray(value)) {
    out.set(prefix, 'array')
    for (const v of value) shapeOf(v, `${prefix}[]`, out)
  } else if (value && typeof value === 'object') {
    if (prefix) out.set(prefix, 'object')
    for (const [k, v] of Object.entries(value)) {
      if (k === '$metadata' || v === undefined) continue
      shapeOf(v, prefix ? `${prefix}.${k}` : k, out)
    }
  } else if (value !== undefined && value !== null) out.set(prefix, typeof value)
  return out
}

export interface ShapeDifference {
  path: string
  emulator?: string
  moto?: string
}

export function compareShapes(emulator: unknown, moto: unknown): ShapeDifference[] {
  const a = shapeOf(emulator)
  const b = shapeOf(moto)
  const diffs: ShapeDifference[] = []
  for (const p of new Set([...a.keys(), ...b.keys()])) {
    if (a.get(p) !== b.get(p)) diffs.push({ path: p, emulator: a.get(p), moto: b.get(p) })
  }
  return diffs.sort((x, y) => x.path.localeCompare(y.path))
}
