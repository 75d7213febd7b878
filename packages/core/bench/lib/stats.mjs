// Timing and statistics shared by every part of the benchmark.

/** Times each call of `op(i)` for i in [0, n) with hrtime; returns per-op µs samples. */
export function timeOps(n, op) {
  const samples = new Float64Array(n)
  for (let i = 0; i < n; i++) {
    const start = process.hrtime.bigint()
    op(i)
    samples[i] = Number(process.hrtime.bigint() - start) / 1000
  }
  return samples
}

/**
 * Times the same n operations on several contenders, alternating between them
 * every `chunk` ops (and alternating who goes first), so that a burst of noise
 * on a shared machine lands on all of them alike instead of on whoever was
 * running at that second. Returns per-op µs samples and CPU µs (user + system,
 * whole process) per contender: CPU time leaves out the time the process was
 * not scheduled at all, which on a busy machine is most of the noise.
 */
export function interleave(ops, n, { chunk = 500, flip = 0 } = {}) {
  const names = Object.keys(ops)
  const samples = Object.fromEntries(names.map((name) => [name, new Float64Array(n)]))
  const cpu = Object.fromEntries(names.map((name) => [name, 0]))
  for (let start = 0, c = flip; start < n; start += chunk, c++) {
    const end = Math.min(n, start + chunk)
    for (const name of c % 2 ? [...names].reverse() : names) {
      const op = ops[name]
      const out = samples[name]
      const before = process.cpuUsage()
      for (let i = start; i < end; i++) {
        const t = process.hrtime.bigint()
        op(i)
        out[i] = Number(process.hrtime.bigint() - t) / 1000
      }
      const used = process.cpuUsage(before)
      cpu[name] += used.user + used.system
    }
  }
  return Object.fromEntries(names.map((name) => [name, { ...summarize(samples[name]), cpu: cpu[name] / n }]))
}

/** Mean, p50, p99 and max of per-op samples (µs). */
export function summarize(samples) {
  const sorted = Float64Array.from(samples).sort() // typed-array sort is numeric
  let sum = 0
  for (const x of sorted) sum += x
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]
  return { mean: sum / sorted.length, p50: at(0.5), p99: at(0.99), max: sorted[sorted.length - 1], n: sorted.length }
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

/** Median of each statistic across runs: [{mean, p50, p99}, ...] → {mean, p50, p99}. */
export function medianOfRuns(runs, fields = ['mean', 'p50', 'p99', 'max', 'cpu']) {
  const out = {}
  for (const field of fields) if (runs[0]?.[field] !== undefined) out[field] = median(runs.map((run) => run[field]))
  return out
}

/** Cost of the timing itself (two hrtime.bigint calls around an empty op), µs. */
export function timerOverhead() {
  let sink = 0
  const samples = timeOps(200_000, (i) => {
    sink += i
  })
  return { p50: summarize(samples).p50, mean: summarize(samples).mean, sink }
}

/** Deterministic PRNG (xorshift32), so every contender sees the same "random" keys and operations. */
export function prng(seed = 0x9e3779b9) {
  let x = seed >>> 0 || 1
  return () => {
    x ^= x << 13
    x >>>= 0
    x ^= x >>> 17
    x ^= x << 5
    x >>>= 0
    return x / 4294967296
  }
}

/** A permutation of [0, n), the same for a given seed. */
export function shuffledIndices(n, seed) {
  const random = prng(seed)
  const order = Uint32Array.from({ length: n }, (_, i) => i)
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    const t = order[i]
    order[i] = order[j]
    order[j] = t
  }
  return order
}

/** A printable string of `length` characters that differs per `seed` (ASCII: bytes = characters). */
export function makeValue(length, seed = 1) {
  const random = prng(seed * 2654435761)
  const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_'
  let out = ''
  for (let i = 0; i < length; i++) out += alphabet[Math.floor(random() * alphabet.length)]
  return out
}

export function gcIfExposed() {
  if (typeof globalThis.gc === 'function') globalThis.gc()
}
