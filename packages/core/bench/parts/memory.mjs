// Part 3 — does memory stay flat under a long mixed workload?
//
// Runs in its own process (one per contender), started with --expose-gc so a
// full GC can run before each reading: what is left is what the process keeps.
// 10k keys are stored first (1,000-char values), then `ops` operations drawn
// from a fixed pseudo-random sequence: 90% get, 9% set, 1% delete. Memory is
// read every 1% of the run. "Flat" means every reading after the warm-up (the
// first 10%) stays within ±10% of the reading at 10%.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openContender } from '../lib/contenders.mjs'
import { memoryNow, onInterrupt, partMain, progress } from '../lib/proc.mjs'
import { gcIfExposed, makeValue, prng } from '../lib/stats.mjs'

export async function run({ contender = 'ours', ops = 1_000_000, keys = 10_000, valueSize = 1000, readings = 100, scratch = tmpdir() }) {
  const dir = mkdtempSync(join(scratch, `diskcache-bench-memory-${contender}-`))
  const forget = onInterrupt(() => rmSync(dir, { recursive: true, force: true }))
  const store = openContender(contender, dir)
  const names = Array.from({ length: keys }, (_, i) => `key-${i}`)
  const values = Array.from({ length: 16 }, (_, i) => makeValue(valueSize, 100 + i))
  const samples = []
  const read = (done) => {
    gcIfExposed()
    samples.push({ done, ...memoryNow() })
  }
  const counts = { get: 0, hit: 0, set: 0, delete: 0 }
  let elapsedMs = 0
  try {
    store.fill(names.map((name, i) => [name, values[i & 15]]))
    read(0)
    const random = prng(42)
    const every = Math.max(1, Math.floor(ops / readings))
    for (let done = 0; done < ops; ) {
      const end = Math.min(ops, done + every)
      const t = performance.now()
      for (let i = done; i < end; i++) {
        const roll = random()
        const key = names[Math.floor(random() * keys)]
        if (roll < 0.9) {
          counts.get++
          if (store.get(key) !== undefined) counts.hit++
        } else if (roll < 0.99) {
          counts.set++
          store.set(key, values[i & 15])
        } else {
          counts.delete++
          store.delete(key)
        }
      }
      elapsedMs += performance.now() - t
      done = end
      read(done)
    }
  } finally {
    store.close()
    rmSync(dir, { recursive: true, force: true })
    forget()
  }
  const at = (fraction) => samples.reduce((best, s) => (Math.abs(s.done - fraction * ops) < Math.abs(best.done - fraction * ops) ? s : best))
  const baseline = at(0.1)
  const after = samples.filter((s) => s.done >= baseline.done)
  const deviation = (field) => Math.max(...after.map((s) => Math.abs(s[field] - baseline[field]) / baseline[field]))
  const result = {
    contender,
    ops,
    keys,
    valueSize,
    gcExposed: typeof globalThis.gc === 'function',
    opsPerSecond: ops / (elapsedMs / 1000),
    counts,
    start: samples[0],
    at10: baseline,
    at50: at(0.5),
    at100: samples[samples.length - 1],
    max: Math.max(...after.map((s) => s.rss)),
    min: Math.min(...after.map((s) => s.rss)),
    deviation: { rss: deviation('rss'), heapUsed: deviation('heapUsed'), ...(baseline.rssAnon ? { rssAnon: deviation('rssAnon') } : {}) },
    samples: samples.map((s) => [s.done, +s.rss.toFixed(2), +s.heapUsed.toFixed(2), s.rssAnon === undefined ? null : +s.rssAnon.toFixed(2)]),
  }
  progress(`memory (${contender}): ${ops.toLocaleString('en-US')} mixed ops at ${Math.round(result.opsPerSecond).toLocaleString('en-US')} ops/s`)
  return result
}

await partMain(import.meta.url, run)
