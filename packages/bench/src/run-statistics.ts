// The arithmetic of the report: medians across runs and ratios to the floor.
// core's bench/lib/stats.mjs has a median too, but it is an ES module that
// jest's CommonJS transform cannot load, and these few lines are what the
// page's every figure rests on, so they live here, typed and tested.

/** Median of `values`; NaN for none. Even counts average the middle two. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

/**
 * The median of each numeric field across runs: [{mean, p99}, {mean, p99}] →
 * {mean, p99}. A field missing from some run is taken over the runs that have it.
 */
export function medianOfRuns<T extends Record<string, number>>(runs: readonly T[]): T {
  const fields = new Set(runs.flatMap((run) => Object.keys(run)))
  const out: Record<string, number> = {}
  for (const field of fields) {
    const values = runs.map((run) => run[field]).filter((x): x is T[string] => typeof x === 'number' && !Number.isNaN(x))
    out[field] = median(values)
  }
  return out as T
}

/** value / reference, or undefined when either is missing or the reference is not positive. */
export function ratio(value: number | undefined, reference: number | undefined): number | undefined {
  if (value === undefined || reference === undefined || !Number.isFinite(value) || !Number.isFinite(reference) || reference <= 0) return undefined
  return value / reference
}

/** "1.23×", or "–" when there is no ratio. */
export function formatRatio(x: number | undefined): string {
  return x === undefined ? '–' : `${x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2)}×`
}

/** µs with precision that suits the magnitude ("0.82", "12.3", "1,234"). */
export function formatMicros(x: number | undefined): string {
  if (x === undefined || Number.isNaN(x)) return '–'
  if (x >= 1000) return Math.round(x).toLocaleString('en-US')
  return x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2)
}
