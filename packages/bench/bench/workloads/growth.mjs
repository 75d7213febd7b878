// Workload 3, growth: get-hit latency on random keys as the store grows
// through `sizes` entries. The store is filled in chunks, untimed; before each
// size the fill rate so far says whether it can be reached within
// `fillCapSeconds`, and a fill that passes the cap stops there. Either way the
// size is reported as skipped, with the reason.
import { makeValue, prng } from '../../../core/bench/lib/stats.mjs'
import { fillRange, timeCalls } from '../time-calls.mjs'

// Entries per step of the fill; within a step, the cap is checked after every call.
const CHUNK = 10_000
const MAX_CHUNK = 10_000

export async function growth(store, { sizes, valueSize, samples, rounds, fillCapSeconds, seed = 7, prefix = '' }) {
  const value = makeValue(valueSize, 3)
  const key = (i) => `${prefix}g-${i}`
  const result = { samples: {}, fillSeconds: {}, skipped: {} }
  let stored = 0
  let filling = 0 // seconds spent filling so far
  let chunk = 100 // entries per fill call
  for (const size of sizes) {
    if (stored < size) {
      const rate = stored > 0 ? stored / filling : undefined
      const projected = rate === undefined ? 0 : (size - stored) / rate
      if (filling + projected > fillCapSeconds) {
        result.skipped[size] = `filling to ${size.toLocaleString('en-US')} entries would take ~${Math.round(filling + projected)} s at ${Math.round(rate).toLocaleString('en-US')} entries/s, past the ${fillCapSeconds} s cap`
        break
      }
      const started = performance.now()
      while (stored < size) {
        const to = Math.min(size, stored + CHUNK)
        const t = performance.now()
        const left = fillCapSeconds * 1000 - filling * 1000 - (t - started)
        const reached = await fillRange(store, stored, to, (i) => [key(i), value], { chunk, budgetMs: left })
        // Grow the batch while batches are quick: a store that commits (and
        // fsyncs) once per batch fills far faster in big ones, while one that
        // fsyncs every entry stays on small batches and meets the cap in time.
        const perCall = (performance.now() - t) / Math.ceil((reached - stored) / chunk)
        if (perCall < 50 && chunk < MAX_CHUNK) chunk = Math.min(MAX_CHUNK, chunk * 4)
        stored = reached
        if (filling + (performance.now() - started) / 1000 > fillCapSeconds && stored < size) break
      }
      filling += (performance.now() - started) / 1000
      result.fillSeconds[size] = filling
      if (stored < size) {
        result.skipped[size] = `the fill passed the ${fillCapSeconds} s cap at ${stored.toLocaleString('en-US')} entries`
        break
      }
    }
    const random = prng(seed + size)
    const pick = Uint32Array.from({ length: samples }, () => Math.floor(random() * size))
    const miss = { count: 0 }
    const get = (i) => {
      const out = store.get(key(pick[i]))
      return typeof out?.then === 'function' ? out.then((v) => v ?? miss.count++) : (out ?? miss.count++)
    }
    await timeCalls(Math.min(samples, 2000), get) // warm-up round, discarded
    result.samples[size] = []
    for (let r = 0; r < rounds; r++) result.samples[size].push(await timeCalls(samples, get))
    if (miss.count > 0) throw new Error(`growth: ${miss.count} misses on stored keys at ${size} entries`)
  }
  return result
}
