// Part 5 — what `synchronous: 'full'` costs a write, next to the default 'normal'.
//
// Ours only: two caches, one per setting, each on fresh files, storing the same
// new keys (1,000-char values) in turns of 500 sets, as in part 1. In WAL mode
// 'normal' fsyncs only when the WAL is checkpointed, 'full' fsyncs the WAL on
// every commit, and a set is a commit of its own, so the gap is what one fsync
// costs on this disk. The core README's Durability section quotes the figure.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openOurs } from '../lib/contenders.mjs'
import { onInterrupt, partMain, progress } from '../lib/proc.mjs'
import { gcIfExposed, interleave, makeValue, medianOfRuns } from '../lib/stats.mjs'

export const MODES = ['normal', 'full']
const SYNCHRONOUS_PRAGMA = { normal: 1, full: 2 }

function oneRun({ keys, valueSize, scratch, run }) {
  const dir = mkdtempSync(join(scratch, 'diskcache-bench-durability-'))
  const forget = onInterrupt(() => rmSync(dir, { recursive: true, force: true }))
  const names = Array.from({ length: keys }, (_, i) => `key-${i}`)
  const value = makeValue(valueSize, 1)
  const stores = {}
  try {
    for (const mode of MODES) {
      mkdirSync(join(dir, mode))
      stores[mode] = openOurs(join(dir, mode), { synchronous: mode })
      // The setting must have reached the connection, or the comparison is void.
      const applied = stores[mode].cache.store?.db?.pragma('synchronous', { simple: true })
      if (applied !== undefined && applied !== SYNCHRONOUS_PRAGMA[mode]) throw new Error(`${mode}: the connection runs with synchronous=${applied}`)
    }
    gcIfExposed()
    const timed = interleave(Object.fromEntries(MODES.map((mode) => [mode, (i) => stores[mode].set(names[i], value)])), keys, { flip: run })
    for (const mode of MODES) {
      if (stores[mode].count() !== keys) throw new Error(`${mode}: holds ${stores[mode].count()} entries after ${keys} sets`)
    }
    return timed
  } finally {
    for (const store of Object.values(stores)) store.close()
    rmSync(dir, { recursive: true, force: true })
    forget()
  }
}

export async function run({ keys = 2_000, valueSize = 1000, runs = 3, scratch = tmpdir() }) {
  oneRun({ keys: Math.min(keys, 500), valueSize, scratch, run: 1 }) // warm-up (JIT), discarded
  const perRun = []
  for (let r = 0; r < runs; r++) {
    const started = performance.now()
    perRun.push(oneRun({ keys, valueSize, scratch, run: r }))
    progress(`durability: run ${r + 1}/${runs} done in ${((performance.now() - started) / 1000).toFixed(1)} s`)
  }
  const medians = Object.fromEntries(MODES.map((mode) => [mode, medianOfRuns(perRun.map((r) => r[mode]))]))
  return { keys, valueSize, runs, medians, perRun }
}

await partMain(import.meta.url, run)
