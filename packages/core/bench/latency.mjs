// Latency of set / get-hit / get-miss / delete: @diskcache/core's Cache next to
// raw better-sqlite3 prepared statements on an equivalent table (the floor).
import Database from 'better-sqlite3'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
const { Cache } = require('../dist/cjs/index.js')

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

export function summarize(samples) {
  const sorted = Float64Array.from(samples).sort()
  const mean = sorted.reduce((a, b) => a + b, 0) / sorted.length
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]
  return { mean, p50: at(0.5), p99: at(0.99) }
}

/** The floor: the least a SQLite key-value store on better-sqlite3 must do, with the same pragmas. */
export function openRawStore(dir) {
  const db = new Database(join(dir, 'raw.db'))
  db.pragma('journal_mode = WAL')
  db.pragma('synchronous = NORMAL')
  db.exec('CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY NOT NULL, value, expire_at REAL)')
  const set = db.prepare('INSERT INTO kv (key, value, expire_at) VALUES (?, ?, NULL) ON CONFLICT (key) DO UPDATE SET value = excluded.value, expire_at = NULL')
  const get = db.prepare('SELECT value, expire_at FROM kv WHERE key = ?').raw()
  const del = db.prepare('DELETE FROM kv WHERE key = ?')
  return {
    set: (k, v) => set.run(k, v),
    get: (k) => {
      const row = get.get(k)
      return row === undefined || (row[1] !== null && row[1] <= Date.now()) ? undefined : row[0]
    },
    delete: (k) => del.run(k).changes > 0,
    close: () => db.close(),
  }
}

export function runLatency({ keys = 10_000, valueSize = 1000 } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'diskcache-bench-'))
  const value = 'v'.repeat(valueSize)
  const names = Array.from({ length: keys }, (_, i) => `key-${i}`)
  const contenders = {
    'better-sqlite3 (floor)': openRawStore(dir),
    '@diskcache/core Cache': (() => {
      const cache = new Cache(join(dir, 'cache'))
      return { set: (k, v) => cache.set(k, v), get: (k) => cache.get(k), delete: (k) => cache.delete(k), close: () => cache.close() }
    })(),
  }
  const results = {}
  for (const [name, store] of Object.entries(contenders)) {
    results[name] = {
      set: summarize(timeOps(keys, (i) => store.set(names[i], value))),
      'get-hit': summarize(timeOps(keys, (i) => store.get(names[i]))),
      'get-miss': summarize(timeOps(keys, (i) => store.get('missing-' + i))),
      delete: summarize(timeOps(keys, (i) => store.delete(names[i]))),
    }
    store.close()
  }
  rmSync(dir, { recursive: true, force: true })
  return results
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const runs = Number(process.env.RUNS ?? 3)
  for (let r = 0; r < runs; r++) console.log(JSON.stringify(runLatency()))
}
