// Workload 1, latency: set / get-hit / get-miss / delete on `keys` keys with
// `valueSize`-character values, each call timed on its own. Reads go over
// every key `readPasses` times in a shuffled order; a phase that runs past
// `budgetMs` stops early (a slow store still gets at least a few hundred
// calls timed). The keys its set phase did not reach are stored untimed, for
// at most another `budgetMs`; the reads and deletes then go over the keys
// stored (`stored`, reported next to the figures).
import { makeValue, shuffledIndices } from '../../../core/bench/lib/stats.mjs'
import { fillRange, timeCalls } from '../time-calls.mjs'

export const PHASES = ['set', 'get-hit', 'get-miss', 'delete']

export async function latency(store, { keys, valueSize, readPasses = 3, budgetMs = Infinity, seed = 1, prefix = '' }) {
  const names = Array.from({ length: keys }, (_, i) => `${prefix}key-${i}`)
  const missing = names.map((name) => `${name}-missing`)
  const value = makeValue(valueSize, 1)
  const bad = { 'get-hit': 0, 'get-miss': 0 }

  // Warm-up on other keys (statement caches, connections, JIT), for at most
  // half a second: keyv-file takes 100 ms per awaited write.
  const warmUntil = performance.now() + 500
  for (let i = 0; i < 300 && performance.now() < warmUntil; i++) {
    const key = `${prefix}warm-${i}`
    await store.set(key, value)
    await store.get(key)
    await store.delete(key)
  }

  const samples = {}
  samples.set = await timeCalls(keys, (i) => store.set(names[i], value), { budgetMs })
  const stored = await fillRange(store, samples.set.length, keys, (i) => [names[i], value], { chunk: 100, budgetMs })
  const order = shuffledIndices(stored, 1000 + seed)
  const deleteOrder = shuffledIndices(stored, 2000 + seed)
  samples['get-hit'] = await timeCalls(stored * readPasses, (i) => countIf(store.get(names[order[i % stored]]), isMissing, bad, 'get-hit'), { budgetMs })
  samples['get-miss'] = await timeCalls(stored, (i) => countIf(store.get(missing[order[i]]), (v) => !isMissing(v), bad, 'get-miss'), { budgetMs })
  samples.delete = await timeCalls(stored, (i) => store.delete(names[deleteOrder[i]]), { budgetMs })
  return { samples, bad, stored }
}

function isMissing(value) {
  return value === undefined || value === null
}

/** Counts a wrong answer (a miss on get-hit, a hit on get-miss) without leaving the timed call. */
function countIf(result, wrong, bad, phase) {
  if (result !== null && typeof result?.then === 'function') {
    return result.then((value) => {
      if (wrong(value)) bad[phase]++
    })
  }
  if (wrong(result)) bad[phase]++
  return undefined
}
