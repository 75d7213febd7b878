// Timing for stores whose calls may return promises. Core's timeOps times
// synchronous calls only; here a call's promise is awaited inside the timed
// span, and a synchronous call (every one of ours) pays no await at all.

/** True for anything awaitable (ioredis, memjs and lmdb return their own promise types). */
export function isThenable(x) {
  return x !== null && (typeof x === 'object' || typeof x === 'function') && typeof x.then === 'function'
}

/**
 * Times op(i) for i in [0, n), one call at a time; µs per call. Stops early
 * once `budgetMs` has passed (after at least `minimum` calls), so one slow
 * store cannot stretch the run: the samples say how many calls were timed.
 */
export async function timeCalls(n, op, { budgetMs = Infinity, minimum = 32 } = {}) {
  const samples = new Float64Array(n)
  const started = performance.now()
  let i = 0
  while (i < n) {
    const t = process.hrtime.bigint()
    const result = op(i)
    if (isThenable(result)) await result
    samples[i] = Number(process.hrtime.bigint() - t) / 1000
    i++
    if ((i & 15) === 0 && i >= minimum && performance.now() - started > budgetMs) break
  }
  return samples.subarray(0, i)
}

/**
 * Stores entries [from, to) of `entry(i)` untimed, in chunks the store takes
 * in one call; stops after the chunk that passes `budgetMs` (a store that
 * fsyncs every insert fills at ~100 entries/s). Returns the index reached:
 * entries [0, returned) are stored.
 */
export async function fillRange(store, from, to, entry, { chunk = 1000, budgetMs = Infinity } = {}) {
  const started = performance.now()
  let start = from
  while (start < to) {
    const end = Math.min(to, start + chunk)
    const entries = []
    for (let i = start; i < end; i++) entries.push(entry(i))
    await store.fill(entries)
    start = end
    if (performance.now() - started > budgetMs) break
  }
  return start
}
