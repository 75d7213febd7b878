import { execFile, execFileSync } from 'node:child_process'
import type Database from 'better-sqlite3'
import { existsSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as delay } from 'node:timers/promises'
import { promisify } from 'node:util'
import { Cache } from './cache.js'
import { InvalidOptionError } from './errors.js'
import { CATCH_UP_BYTES, FALLBACK_PAGES, INLINE_PAGES, SAFETY_NET_BYTES, SAFETY_NET_PAGES, terminateWorkerForTests } from './background-checkpoint.js'
import { compileSlowFsync } from './test-support/slow-fsync/compile-slow-fsync.js'
import { openCache } from './test-support/open-cache.js'
import { makeTempDir } from './test-support/temp-dir.js'
import { openNativeDatabase } from './native-handles.js'
import { thrownBy } from './test-support/thrown-by.js'

const VALUE = 'v'.repeat(1000)
/** Where the connection catches up, plus the 100 writes between two looks at the WAL's size (3 pages each). */
const WAL_BOUND = CATCH_UP_BYTES + 100 * 3 * 4120

function autocheckpoint(cache: Cache): number {
  // prepare(), not pragma(): core's connections keep what prepare() makes alive (see native-handles.ts).
  const { db } = (cache as unknown as { store: { db: Database.Database } }).store
  return db.prepare('PRAGMA wal_autocheckpoint').pluck().get() as number
}

function bytes(path: string): number {
  return existsSync(path) ? statSync(path).size : 0
}

/** Polls until `condition` holds, for at most `ms`. */
async function eventually(condition: () => boolean, ms = 10_000): Promise<boolean> {
  const deadline = Date.now() + ms
  while (!condition()) {
    if (Date.now() > deadline) return false
    await delay(20)
  }
  return true
}

describe("checkpoint: 'background' (the default)", () => {
  it('turns the connection’s own checkpoint down to a fallback, and copies the WAL into the database from the worker', async () => {
    const directory = makeTempDir()
    const cache = openCache({}, directory)
    expect(autocheckpoint(cache)).toBe(FALLBACK_PAGES)
    const database = join(directory, 'cache.db')
    const before = bytes(database)
    // About 2,400 pages of WAL (a new key writes 3): past SQLite's 1,000-page checkpoint, short of the connection's own.
    for (let i = 0; i < 800; i++) cache.set(`k${i}`, VALUE)
    expect(bytes(join(directory, 'cache.db-wal'))).toBeLessThan(SAFETY_NET_PAGES * 4096)
    // Only a checkpoint moves pages into the database file, and this connection did not run one.
    expect(await eventually(() => bytes(database) > before + 500_000)).toBe(true)
    expect(cache.get('k799')).toBe(VALUE)
    cache.close()
  })

  it('keeps the WAL bounded through a long run of writes with no pause', () => {
    const directory = makeTempDir()
    const cache = openCache({}, directory)
    // Unchecked, these would leave a WAL of about 320 MB (an overwrite writes two pages or more).
    for (let i = 0; i < 24_000; i++) cache.set(`k${i % 3000}`, VALUE)
    expect(bytes(join(directory, 'cache.db-wal'))).toBeLessThan(WAL_BOUND)
    cache.close()
  })

  it('keeps the WAL bounded when the disk is slow: the writer waits for the checkpoint instead', () => {
    // Every fsync of the child takes 100 ms, so each of the worker's checkpoints holds SQLite's checkpoint
    // lock for 200 ms, and the connection's own checkpoint skips its turn meanwhile: without the catch-up
    // the WAL reached 126 MB here.
    const shim = compileSlowFsync(makeTempDir())
    const directory = makeTempDir()
    const script = `
      const { Cache } = require(${JSON.stringify(join(__dirname, '..', 'dist', 'cjs', 'index.js'))})
      const { statSync } = require('node:fs')
      const cache = new Cache(${JSON.stringify(directory)})
      let largest = 0
      for (let i = 0; i < 20000; i++) {
        cache.set('k' + (i % 3000), 'v'.repeat(1000))
        if (i % 100 === 0) largest = Math.max(largest, statSync(${JSON.stringify(join(directory, 'cache.db-wal'))}).size)
      }
      cache.close()
      process.stdout.write(String(largest))
    `
    const env = { ...process.env, LD_PRELOAD: shim, SLOW_FSYNC_MS: '100' }
    const largest = Number(execFileSync(process.execPath, ['-e', script], { env, timeout: 60_000, stdio: 'pipe' }).toString())
    expect(largest).toBeGreaterThan(SAFETY_NET_BYTES)
    expect(largest).toBeLessThan(WAL_BOUND)
  }, 70_000)

  it('lets go of the file before the cache closes, so the WAL is removed as with no worker', () => {
    const directory = makeTempDir()
    const cache = openCache({}, directory)
    for (let i = 0; i < 500; i++) cache.set(`k${i}`, VALUE)
    expect(existsSync(join(directory, 'cache.db-wal'))).toBe(true)
    cache.close()
    expect(existsSync(join(directory, 'cache.db-wal'))).toBe(false)
    const again = openCache({}, directory)
    expect(again.get('k499')).toBe(VALUE)
    again.close()
  })

  it('never keeps a process alive: a script that leaves its cache open exits by itself', () => {
    const directory = makeTempDir()
    const script = `
      const { Cache } = require(${JSON.stringify(join(__dirname, '..', 'dist', 'cjs', 'index.js'))})
      const cache = new Cache(${JSON.stringify(directory)})
      for (let i = 0; i < 300; i++) cache.set('k' + i, 'v'.repeat(1000))
    `
    // Throws if the child is still running after 20 s (the worker thread is unref'd).
    execFileSync(process.execPath, ['-e', script], { timeout: 20_000, stdio: 'pipe' })
    const cache = openCache({}, directory)
    expect(cache.get('k299')).toBe('v'.repeat(1000))
    cache.close()
  })

  it('serves many caches from one worker and keeps each one’s data', async () => {
    const caches = Array.from({ length: 6 }, () => openCache())
    for (let round = 0; round < 3; round++) {
      for (const [n, cache] of caches.entries()) for (let i = 0; i < 400; i++) cache.set(`k${i}`, `${n}:${round}:${VALUE}`)
      await delay(10)
    }
    for (const [n, cache] of caches.entries()) {
      expect(cache.get('k399')).toBe(`${n}:2:${VALUE}`)
      cache.close()
    }
  })
})

/**
 * Three child processes each run 24,000 gets and sets (one in four) on one cache, and report the largest WAL they
 * saw. Some reader is always in the WAL, so no commit finds it fully copied and free to start over: with PASSIVE
 * checkpoints only (SQLite's own, or the worker's), the WAL grew to 111 MB (the worker) and 180 MB (inline).
 */
async function largestWalsOfThreeProcesses(directory: string, checkpoint: 'background' | 'inline'): Promise<number[]> {
  const wal = join(directory, 'cache.db-wal')
  openCache({ checkpoint }, directory).close()
  const script = `
    const { Cache } = require(${JSON.stringify(join(__dirname, '..', 'dist', 'cjs', 'index.js'))})
    const { statSync } = require('node:fs')
    const cache = new Cache(${JSON.stringify(directory)}, { checkpoint: '${checkpoint}' })
    const value = 'v'.repeat(1000)
    let largest = 0
    for (let i = 0; i < 24000; i++) {
      const key = 'k' + ((i * 7919) % 3000)
      if (i % 4 === 0) cache.set(key, value + i)
      else cache.get(key)
      if (i % 200 === 0) largest = Math.max(largest, statSync(${JSON.stringify(wal)}).size)
    }
    cache.close()
    process.stdout.write(String(largest))
  `
  const run = promisify(execFile)
  const children = await Promise.all(
    [1, 2, 3].map(() => run(process.execPath, ['-e', script], { timeout: 90_000, maxBuffer: 1 << 20 })),
  )
  return children.map(({ stdout }) => Number(stdout))
}

describe('several processes reading and writing one file at once', () => {
  it.each(['background', 'inline'] as const)('still start the WAL over (checkpoint: %s)', async (checkpoint) => {
    const directory = makeTempDir()
    const largest = await largestWalsOfThreeProcesses(directory, checkpoint)
    // The worker's RESTART, or past CATCH_UP_BYTES the writer's own, starts it over. Each process looks at the
    // WAL's size every 100 writes, and under CPU load a RESTART can miss readers for a while: the bound allows twice
    // the single writer's (it reached 41 MB with six busy loops beside the children, 200 MB before the writer's RESTART).
    for (const bytes of largest) expect(bytes).toBeLessThan(2 * WAL_BOUND)
    // The children wrote enough for the WAL to need starting over (at SAFETY_NET_BYTES), so the bound above means something.
    expect(Math.max(...largest)).toBeGreaterThan(SAFETY_NET_BYTES / 2)
    const cache = openCache({}, directory)
    expect(cache.check()).toEqual({ ok: true, problems: [] })
    expect(cache.get('k0')).toMatch(/^v{1000}\d+$/)
    cache.close()
  }, 100_000)
})

describe('a long read in another connection', () => {
  it.each(['background', 'inline'] as const)('holds the WAL only while it lasts (checkpoint: %s)', (checkpoint) => {
    const directory = makeTempDir()
    const wal = join(directory, 'cache.db-wal')
    const cache = openCache({ checkpoint }, directory)
    cache.set('seed', VALUE)
    // A read transaction keeps its snapshot: no checkpoint can copy past it, so the WAL cannot start over.
    const reader = openNativeDatabase(join(directory, 'cache.db'), { readonly: true })
    const begin = reader.prepare('BEGIN')
    const commit = reader.prepare('COMMIT')
    begin.run()
    expect(reader.prepare('SELECT count(*) FROM entries').pluck().get()).toBe(1)
    // Past CATCH_UP_BYTES and then some: the writer's RESTARTs fail and back off. A new key writes about 3 pages.
    const held = CATCH_UP_BYTES + 2 * SAFETY_NET_BYTES
    let i = 0
    while (bytes(wal) < held && i < held / 4096) cache.set(`k${i++}`, VALUE)
    expect(bytes(wal)).toBeGreaterThanOrEqual(held) // the read really held the WAL
    // Every write went through, and the RESTARTs that failed while the read lasted lost nothing.
    expect(cache.get('k0')).toBe(VALUE)
    expect(cache.get(`k${i - 1}`)).toBe(VALUE)
    commit.run()
    // Once the read is over, the WAL starts over (journal_size_limit brings the file back to SAFETY_NET_BYTES): in one
    // process the next passive checkpoint (the worker's, or SQLite's own inline) copies it all and the next commit
    // starts it over, within a few hundred writes. The bound allows writes for 2 × SAFETY_NET_BYTES.
    const limit = i + Math.ceil((2 * SAFETY_NET_BYTES) / (3 * 4096))
    while (bytes(wal) > SAFETY_NET_BYTES && i < limit) cache.set(`k${i++}`, VALUE)
    expect(bytes(wal)).toBeLessThanOrEqual(SAFETY_NET_BYTES)
    expect(cache.check()).toEqual({ ok: true, problems: [] })
    reader.close()
    cache.close()
  })
})

describe('when the worker thread dies', () => {
  it('the caches it served checkpoint inline again, and close without waiting for it', async () => {
    const directory = makeTempDir()
    const cache = openCache({}, directory)
    for (let i = 0; i < 100; i++) cache.set(`k${i}`, VALUE)
    await terminateWorkerForTests()
    await delay(50) // the exit event
    for (let i = 0; i < 200; i++) cache.set(`k${i}`, VALUE)
    expect(autocheckpoint(cache)).toBe(INLINE_PAGES)
    const started = Date.now()
    cache.close()
    expect(Date.now() - started).toBeLessThan(1000)
    // A new cache starts a new worker.
    const again = openCache({}, directory)
    expect(autocheckpoint(again)).toBe(FALLBACK_PAGES)
    expect(again.get('k199')).toBe(VALUE)
    again.close()
  })
})

describe("checkpoint: 'inline'", () => {
  it('leaves SQLite’s automatic checkpoint at its default', () => {
    const cache = openCache({ checkpoint: 'inline' })
    expect(autocheckpoint(cache)).toBe(INLINE_PAGES)
    cache.close()
  })

  it('is the only other choice', () => {
    const error = thrownBy(() => new Cache(makeTempDir(), { checkpoint: 'sometimes' as 'inline' }))
    expect(error).toBeInstanceOf(InvalidOptionError)
    expect((error as Error).message).toMatch(/"checkpoint" must be one of/)
  })
})

describe('a read-only cache', () => {
  it('starts no checkpoints of its own', () => {
    const directory = makeTempDir()
    openCache({}, directory).close()
    const reader = new Cache(directory, { readonly: true })
    expect(autocheckpoint(reader)).toBe(INLINE_PAGES)
    reader.close()
  })
})
