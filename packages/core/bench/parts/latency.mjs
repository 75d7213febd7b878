// Part 1 — latency per operation, ours next to the floor, interleaved.
//
// Each run opens both contenders on fresh files and goes through the phases
// set → get-hit → get-miss → overwrite → delete (the reads go over every key
// `readPasses` times, the writes once). Within a phase the two
// contenders take turns every 500 operations (who goes first alternates), so
// a noisy second on the shared machine hits both alike. Each run reports mean,
// p50, p99 and CPU time per op; the report is the median across runs of each.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { CONTENDERS, openContender } from '../lib/contenders.mjs'
import { onInterrupt, partMain, progress } from '../lib/proc.mjs'
import { gcIfExposed, interleave, makeValue, median, medianOfRuns, shuffledIndices, timerOverhead } from '../lib/stats.mjs'

export const PHASES = ['set', 'get-hit', 'get-miss', 'overwrite', 'delete']

/** One function per phase, op(i) for i in [0, keys). Wrong answers are counted, not timed apart. */
function phaseOps(store, names, missing, order, deleteOrder, value, value2) {
  const bad = { count: 0 }
  const n = names.length
  return {
    // New keys, in insertion order.
    set: (i) => store.set(names[i], value),
    // Every key `readPasses` times, in a shuffled order; a miss here would be a bug.
    'get-hit': (i) => {
      if (store.get(names[order[i % n]]) === undefined) bad.count++
    },
    'get-miss': (i) => {
      if (store.get(missing[order[i % n]]) !== undefined) bad.count++
    },
    // Replacing existing keys (not a target, but every cache does it).
    overwrite: (i) => store.set(names[order[i]], value2),
    // In another order than the overwrites: ours' overwrites re-append the rows
    // in their own order, so deleting in that same order would empty ours' table
    // front to back, one leaf page at a time, while the floor's deletes hit
    // random pages: not the same work for the two.
    delete: (i) => {
      if (!store.delete(names[deleteOrder[i]])) bad.count++
    },
    bad,
  }
}

function oneRun({ keys, valueSize, scratch, run, readPasses }) {
  const dir = mkdtempSync(join(scratch, 'diskcache-bench-latency-'))
  const forget = onInterrupt(() => rmSync(dir, { recursive: true, force: true }))
  const names = Array.from({ length: keys }, (_, i) => `key-${i}`)
  const missing = names.map((name) => `missing-${name}`)
  const order = shuffledIndices(keys, 1000 + run)
  const deleteOrder = shuffledIndices(keys, 2000 + run)
  const value = makeValue(valueSize, 1)
  const value2 = makeValue(valueSize, 2)
  const stores = Object.fromEntries(CONTENDERS.map((name) => [name, openContender(name, dir)]))
  const ops = Object.fromEntries(CONTENDERS.map((name) => [name, phaseOps(stores[name], names, missing, order, deleteOrder, value, value2)]))
  const result = Object.fromEntries(CONTENDERS.map((name) => [name, {}]))
  const wal = Object.fromEntries(CONTENDERS.map((name) => [name, {}]))
  try {
    PHASES.forEach((phase, p) => {
      gcIfExposed()
      // Reads change nothing, so they are repeated: a get is short, and a short
      // phase is at the mercy of a single scheduling hiccup.
      const count = phase.startsWith('get') ? keys * readPasses : keys
      const timed = interleave(Object.fromEntries(CONTENDERS.map((name) => [name, ops[name][phase]])), count, { flip: run + p })
      for (const name of CONTENDERS) result[name][phase] = timed[name]
      // A statement that commits without SQLite running its WAL auto-checkpoint
      // looks cheap here while the WAL grows: record the WAL's size after each phase.
      for (const name of CONTENDERS) wal[name][phase] = stores[name].walBytes()
      // The check after set: the value reads back whole.
      if (phase === 'set') {
        for (const name of CONTENDERS) {
          if (stores[name].get(names[keys - 1]) !== value) throw new Error(`${name}: value did not read back after set`)
        }
      }
    })
    for (const name of CONTENDERS) {
      if (ops[name].bad.count > 0) throw new Error(`${name}: ${ops[name].bad.count} wrong answers (hit/miss/delete) in run ${run}`)
      if (stores[name].count() !== 0) throw new Error(`${name}: entries left after deleting every key`)
    }
  } finally {
    for (const store of Object.values(stores)) store.close()
    rmSync(dir, { recursive: true, force: true })
    forget()
  }
  return { ...result, wal }
}

export async function run({ keys = 10_000, valueSize = 1000, runs = 5, readPasses = 3, scratch = tmpdir(), warmup = true }) {
  const overhead = timerOverhead()
  if (warmup) {
    progress(`latency: warm-up pass (${Math.min(keys, 2000)} keys, discarded)`)
    oneRun({ keys: Math.min(keys, 2000), valueSize, scratch, run: 1, readPasses: 1 })
  }
  const perRun = []
  for (let r = 0; r < runs; r++) {
    const started = performance.now()
    perRun.push(oneRun({ keys, valueSize, scratch, run: r, readPasses }))
    progress(`latency: run ${r + 1}/${runs} done in ${((performance.now() - started) / 1000).toFixed(1)} s`)
  }
  const medians = {}
  const ratioRanges = {}
  const walBytes = Object.fromEntries(
    CONTENDERS.map((name) => [name, Object.fromEntries(PHASES.map((phase) => [phase, median(perRun.map((r) => r.wal[name][phase]))]))]),
  )
  for (const phase of PHASES) {
    medians[phase] = {}
    for (const name of CONTENDERS) medians[phase][name] = medianOfRuns(perRun.map((r) => r[name][phase]))
    const ratios = (field) => perRun.map((r) => r.ours[phase][field] / r.floor[phase][field])
    const range = (field) => ({ min: Math.min(...ratios(field)), max: Math.max(...ratios(field)), median: median(ratios(field)) })
    ratioRanges[phase] = { mean: range('mean'), p50: range('p50'), cpu: range('cpu') }
  }
  return { keys, valueSize, runs, readPasses, timerOverheadUs: overhead.p50, medians, ratioRanges, walBytes, perRun }
}

await partMain(import.meta.url, run)
