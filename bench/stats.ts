export const median = (xs: number[]): number => {
  const s = xs.filter(x => !Number.isNaN(x)).sort((a, b) => a - b)
  if (!s.length) return NaN
  const m = Math.floor(s.length / 2)
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}

export const range = (xs: number[]): [number, number] => [Math.min(...xs), Math.max(...xs)]

export const fmt = (n: number, digits = 1): string => (Number.isFinite(n) ? n.toFixed(digits) : '—')

/** Median and range of a set of samples; NaN samples (a run that did not get there) are counted apart. */
export interface Summary {
  median: number
  min: number
  max: number
  n: number
  missing: number
}

export function summary(xs: number[]): Summary {
  const ok = xs.filter(x => !Number.isNaN(x))
  const [min, max] = ok.length ? range(ok) : [NaN, NaN]
  return { median: median(ok), min, max, n: ok.length, missing: xs.length - ok.length }
}

/** `12.3 (10.1–15.0)`: median and range, as the results tables print them. */
export const medianRange = (s: Summary, digits = 1): string =>
  `${fmt(s.median, digits)} (${fmt(s.min, digits)}–${fmt(s.max, digits)})${s.missing ? ` [${s.missing} missing]` : ''}`
