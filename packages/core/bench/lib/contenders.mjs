// The two contenders, behind one small interface:
//   ours  — @diskcache/core's Cache with default options
//   floor — raw better-sqlite3 prepared statements on an equivalent table, with
//           the pragmas copied from a live Cache connection (so a pragma change in
//           src/ reaches the floor too)
// { set(k, v), get(k), delete(k), fill(entries), count(), close(), bytesOnDisk(), walBytes() }
import Database from 'better-sqlite3'
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const require = createRequire(import.meta.url)
const here = dirname(fileURLToPath(import.meta.url))

/** The compiled package the benchmark measures (`npm run build` writes it); BENCH_DIST points at another build, to compare. */
export const DIST = process.env.BENCH_DIST ?? join(here, '..', '..', 'dist', 'cjs')

let loaded
export function loadCore() {
  if (loaded) return loaded
  const entry = join(DIST, 'index.js')
  if (!existsSync(entry)) throw new Error(`${entry} does not exist: run \`npm run build\` in packages/core first`)
  loaded = require(entry)
  return loaded
}

export const CONTENDERS = ['floor', 'ours']
export const LABELS = { floor: 'better-sqlite3 (floor)', ours: '@diskcache/core Cache' }

// Used only if the Cache's connection cannot be reached (internals renamed).
const FALLBACK_PRAGMAS = {
  journal_mode: 'wal',
  synchronous: 1,
  cache_size: -16384,
  mmap_size: 2 ** 28,
  auto_vacuum: 2,
  page_size: 4096,
}

let pragmas
/** The pragmas a fresh Cache connection runs with, read from the connection itself. */
export function cachePragmas(scratch = tmpdir()) {
  if (pragmas) return pragmas
  const dir = mkdtempSync(join(scratch, 'diskcache-bench-probe-'))
  try {
    const { Cache } = loadCore()
    const cache = new Cache(dir)
    try {
      const db = cache.store?.db
      if (!db) return (pragmas = { ...FALLBACK_PRAGMAS, source: 'fallback (Cache internals not reachable)' })
      const read = (name) => db.pragma(name, { simple: true })
      pragmas = {
        journal_mode: read('journal_mode'),
        synchronous: read('synchronous'),
        cache_size: read('cache_size'),
        mmap_size: read('mmap_size'),
        auto_vacuum: read('auto_vacuum'),
        page_size: read('page_size'),
        source: 'read from a live Cache connection',
      }
    } finally {
      cache.close()
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
  return pragmas
}

/** The floor: the least a SQLite key-value store on better-sqlite3 must do, with the same pragmas. */
export function openFloor(dir, p = cachePragmas()) {
  const path = join(dir, 'floor.db')
  const db = new Database(path)
  // auto_vacuum and page_size only take effect before the first table exists.
  db.pragma(`auto_vacuum = ${p.auto_vacuum}`)
  db.pragma(`page_size = ${p.page_size}`)
  db.pragma(`journal_mode = ${p.journal_mode}`)
  db.pragma(`synchronous = ${p.synchronous}`)
  db.pragma(`cache_size = ${p.cache_size}`)
  db.pragma(`mmap_size = ${p.mmap_size}`)
  db.exec('CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY NOT NULL, value, expire_at REAL)')
  const upsert = db.prepare(
    'INSERT INTO kv (key, value, expire_at) VALUES (?, ?, NULL) ON CONFLICT (key) DO UPDATE SET value = excluded.value, expire_at = NULL',
  )
  const select = db.prepare('SELECT value, expire_at FROM kv WHERE key = ?').raw()
  const remove = db.prepare('DELETE FROM kv WHERE key = ?')
  const fillMany = db.transaction((entries) => {
    for (const [k, v] of entries) upsert.run(k, v)
  })
  return {
    name: 'floor',
    db,
    set: (k, v) => upsert.run(k, v),
    get: (k) => {
      const row = select.get(k)
      return row === undefined || (row[1] !== null && row[1] <= Date.now()) ? undefined : row[0]
    },
    delete: (k) => remove.run(k).changes > 0,
    fill: (entries) => fillMany(entries),
    count: () => db.prepare('SELECT count(*) FROM kv').pluck().get(),
    close: () => db.close(),
    bytesOnDisk: () => bytesUnder(dir, (name) => name.startsWith('floor.db')),
    walBytes: () => sizeOf(`${path}-wal`),
  }
}

/** @diskcache/core with default options (the cache under test). */
export function openOurs(dir, options) {
  const { Cache } = loadCore()
  const cacheDir = join(dir, 'ours')
  const cache = new Cache(cacheDir, options)
  return {
    name: 'ours',
    cache,
    set: (k, v) => cache.set(k, v),
    get: (k) => cache.get(k),
    delete: (k) => cache.delete(k),
    fill: (entries) => cache.setMany(entries),
    count: () => cache.size,
    close: () => cache.close(),
    bytesOnDisk: () => bytesUnder(cacheDir),
    walBytes: () => sizeOf(join(cacheDir, 'cache.db-wal')),
  }
}

export function openContender(name, dir, options) {
  return name === 'ours' ? openOurs(dir, options) : openFloor(dir)
}

function sizeOf(path) {
  return existsSync(path) ? statSync(path).size : 0
}

function bytesUnder(dir, accept = () => true) {
  let total = 0
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !accept(entry.name)) continue
    total += statSync(join(entry.parentPath ?? entry.path, entry.name)).size
  }
  return total
}
