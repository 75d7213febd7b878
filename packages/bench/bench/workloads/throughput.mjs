// Workload 2, throughput: one process of a round. Each process runs 90% get /
// 9% set / 1% delete on random keys of a pre-filled set until `stopAt` (a
// wall-clock instant shared by every process of the round), timing every call.
// A call that throws (a lock timeout, a busy database) is counted as an error
// and the run goes on: the page reports errors next to ops/s.
import { makeValue, prng } from '../../../core/bench/lib/stats.mjs'
import { isThenable } from '../time-calls.mjs'

export const MIX = { get: 0.9, set: 0.09, delete: 0.01 }

/** Warm-up before the start signal: statements, connections, pages. */
export async function warmMix(store, { keys, prefix = '' }) {
  for (let i = 0; i < 1000; i++) {
    const result = store.get(`${prefix}key-${i % keys}`)
    if (isThenable(result)) await result
  }
}

export async function runMix(store, { keys, valueSize, seed, stopAt, prefix = '' }) {
  const value = makeValue(valueSize, seed)
  const random = prng(seed)
  const names = Array.from({ length: keys }, (_, i) => `${prefix}key-${i}`)
  const latencies = new Float64Array(4_000_000)
  let n = 0
  let errors = 0
  const stop = stopAt - performance.timeOrigin
  for (;;) {
    const t0 = performance.now()
    if (t0 >= stop || n === latencies.length) break
    const dice = random()
    const key = names[Math.floor(random() * keys)]
    try {
      const result = dice < MIX.get ? store.get(key) : dice < MIX.get + MIX.set ? store.set(key, value) : store.delete(key)
      if (isThenable(result)) await result
    } catch {
      errors++
    }
    latencies[n++] = (performance.now() - t0) * 1000
  }
  return { ops: n, errors, latencies: latencies.slice(0, n) }
}
