// Workload 4, value size: set then get-hit with values of each size in
// `sizes` (bytes; ASCII, so characters = bytes), `counts[i]` keys per size
// (fewer for a store too slow to store them all within the time budget).
import { makeValue } from '../../../core/bench/lib/stats.mjs'
import { fillRange, timeCalls } from '../time-calls.mjs'

export async function valueSize(store, { sizes, counts, readPasses = 3, budgetMs = Infinity, prefix = '' }) {
  const samples = {}
  for (const [index, size] of sizes.entries()) {
    const count = counts[index]
    const value = makeValue(size, 5 + index)
    const key = (i) => `${prefix}v${size}-${i}`
    await store.set(key(-1), value) // warm-up: the first write of a size may create files or grow a map
    await store.get(key(-1))
    const set = await timeCalls(count, (i) => store.set(key(i), value), { budgetMs, minimum: Math.min(count, 20) })
    const stored = await fillRange(store, set.length, count, (i) => [key(i), value], { chunk: 10, budgetMs })
    const get = await timeCalls(stored * readPasses, (i) => store.get(key(i % stored)), { budgetMs, minimum: Math.min(stored, 20) })
    samples[size] = { set, get }
  }
  return { samples }
}
