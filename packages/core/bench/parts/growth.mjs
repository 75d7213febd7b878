// Part 2 — does get-hit slow down as the cache grows?
//
// Each contender gets two databases: one with `base` entries (10k) and one
// filled to `entries` (1M) with bulk writes (ours: setMany in chunks of 10k,
// one transaction each; floor: one transaction per chunk). get-hit on random
// keys is then timed on all four stores in turns of 500 gets, so the 10k and
// 1M figures (and ours and the floor) are measured side by side in time — on a
// shared machine, measuring 10k first and 1M a minute later would compare two
// different machine loads. Values are ~100-byte strings so the 1M fill stays
// quick; both sizes use the same values, so the ratio isolates size.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { CONTENDERS, openContender } from '../lib/contenders.mjs'
import { onInterrupt, partMain, progress } from '../lib/proc.mjs'
import { gcIfExposed, interleave, makeValue, medianOfRuns, prng } from '../lib/stats.mjs'

export async function run({ entries = 1_000_000, base = 10_000, valueSize = 100, samples = 20_000, rounds = 9, chunk = 10_000, scratch = tmpdir() }) {
  const dir = mkdtempSync(join(scratch, 'diskcache-bench-growth-'))
  const forget = onInterrupt(() => rmSync(dir, { recursive: true, force: true }))
  const values = Array.from({ length: 8 }, (_, i) => makeValue(valueSize, 10 + i))
  const sizes = { small: base, large: entries }
  const stores = {}
  for (const size of Object.keys(sizes)) {
    for (const name of CONTENDERS) {
      const sub = join(dir, size)
      mkdirSync(sub, { recursive: true })
      stores[`${name}/${size}`] = openContender(name, sub)
    }
  }
  const fillMs = { floor: 0, ours: 0 }

  const fill = (size, to) => {
    for (let start = 0, c = 0; start < to; start += chunk, c++) {
      const batch = []
      for (let i = start; i < Math.min(to, start + chunk); i++) batch.push([`key-${i}`, values[i & 7]])
      for (const name of c % 2 ? [...CONTENDERS].reverse() : CONTENDERS) {
        const t = performance.now()
        stores[`${name}/${size}`].fill(batch)
        if (size === 'large') fillMs[name] += performance.now() - t
      }
    }
  }

  try {
    fill('small', base)
    const t = performance.now()
    fill('large', entries)
    progress(`growth: filled ${entries.toLocaleString('en-US')} entries (both contenders) in ${((performance.now() - t) / 1000).toFixed(1)} s`)

    const random = prng(7)
    const keys = {
      small: Array.from({ length: samples }, () => `key-${Math.floor(random() * base)}`),
      large: Array.from({ length: samples }, () => `key-${Math.floor(random() * entries)}`),
    }
    const misses = {}
    const ops = {}
    for (const size of Object.keys(sizes)) {
      for (const name of CONTENDERS) {
        const id = `${name}/${size}`
        const store = stores[id]
        const list = keys[size]
        misses[id] = 0
        ops[id] = (i) => {
          if (store.get(list[i]) === undefined) misses[id]++
        }
      }
    }
    const perRound = Object.fromEntries(Object.keys(ops).map((id) => [id, []]))
    // Round -1 is a discarded warm-up: it maps the database pages (first-touch
    // page faults of the mmap) so the kept rounds see the steady state.
    for (let r = -1; r < rounds; r++) {
      gcIfExposed()
      const timed = interleave(ops, samples, { flip: r + 1 })
      if (r >= 0) for (const id of Object.keys(ops)) perRound[id].push(timed[id])
    }
    for (const [id, count] of Object.entries(misses)) {
      if (count > 0) throw new Error(`${id}: ${count} misses among keys that were all stored`)
    }
    const result = (size) => Object.fromEntries(CONTENDERS.map((name) => [name, medianOfRuns(perRound[`${name}/${size}`])]))
    for (const name of CONTENDERS) {
      const held = stores[`${name}/large`].count()
      if (held !== entries) throw new Error(`${name}: holds ${held} entries after the fill, expected ${entries}`)
    }
    return {
      base,
      entries,
      valueSize,
      samples,
      rounds,
      small: result('small'),
      large: result('large'),
      fill: Object.fromEntries(CONTENDERS.map((name) => [name, { seconds: fillMs[name] / 1000, perSecond: entries / (fillMs[name] / 1000) }])),
      bytesOnDisk: Object.fromEntries(CONTENDERS.map((name) => [name, stores[`${name}/large`].bytesOnDisk()])),
    }
  } finally {
    for (const store of Object.values(stores)) store.close()
    rmSync(dir, { recursive: true, force: true })
    forget()
  }
}

await partMain(import.meta.url, run)
