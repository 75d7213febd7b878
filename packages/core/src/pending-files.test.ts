import { utimesSync } from 'node:fs'
import { join } from 'node:path'
import type { Cache } from './cache.js'
import { Deque } from './deque.js'
import { openNativeDatabase } from './native-handles.js'
import { SCHEMA_VERSION } from './schema.js'
import { ChildCache, killAllChildren } from './test-support/child-cache.js'
import { openCacheIn, openFanoutCache } from './test-support/open-cache.js'
import { listValueFiles, makeTempDir } from './test-support/temp-dir.js'

afterEach(() => killAllChildren())

// Strings this long are stored in value files under the fileThreshold the tests set.
const OLD = 'o'.repeat(5000)
const NEW = 'n'.repeat(5000)

function referencedFiles(cache: Cache): string[] {
  return (cache.store.db.prepare('SELECT filename FROM entries WHERE filename IS NOT NULL').pluck().all() as string[]).sort()
}

function pendingRows(cache: Cache): number {
  return cache.store.db.prepare('SELECT count(*) FROM pending_files').pluck().get() as number
}

/** A child that SIGKILLs itself on reaching `point` (crash-point.ts), and `op` run in it to get there. */
async function killChildAt(dir: string, point: string, open: string, op: string, args: unknown): Promise<void> {
  const child = await ChildCache.start(dir, { env: { DISKCACHE_CRASH_AT: point } })
  await child.request(open)
  await expect(child.request(op, args)).rejects.toThrow(/exited/)
  expect((await child.exited).signal).toBe('SIGKILL')
}

function twoHoursAgo(dir: string, name: string): void {
  const then = new Date(Date.now() - 2 * 60 * 60 * 1000)
  utimesSync(join(dir, name), then, then)
}

describe('a writer killed while a value file is referenced by no entry', () => {
  it('right after renaming a new file into place, before COMMIT: reopening removes it, and the write is absent', async () => {
    const dir = makeTempDir()
    const first = openCacheIn(dir, { fileThreshold: 1024 })
    first.set('kept', OLD)
    first.close()
    await killChildAt(dir, 'published', 'open', 'set', { key: 'lost', value: NEW })
    expect(listValueFiles(dir)).toHaveLength(2) // the kept file, and the one the kill stranded

    const cache = openCacheIn(dir)
    expect(listValueFiles(dir)).toEqual(referencedFiles(cache)) // opening removed it, before any check()
    expect(cache.check()).toEqual({ ok: true, problems: [] })
    expect(cache.get('kept')).toBe(OLD)
    expect(cache.has('lost')).toBe(false)
    expect(pendingRows(cache)).toBe(0)
  })

  it.each([
    ['an overwrite', 'set', { key: 'k', value: NEW }, NEW],
    ['a delete', 'delete', { key: 'k' }, undefined],
  ])('right after the COMMIT of %s that released a file, before the unlink: reopening removes it, and the write stands', async (_, op, args, expected) => {
    const dir = makeTempDir()
    const first = openCacheIn(dir, { fileThreshold: 1024 })
    first.set('k', OLD)
    const released = listValueFiles(dir)
    first.close()
    await killChildAt(dir, 'committed', 'open', op, args)
    expect(listValueFiles(dir)).toEqual(expect.arrayContaining(released)) // the kill came before the unlink

    const cache = openCacheIn(dir)
    expect(listValueFiles(dir)).toEqual(referencedFiles(cache))
    expect(cache.check()).toEqual({ ok: true, problems: [] })
    expect(cache.get('k')).toBe(expected)
  })

  it('right after writing a temp file: recovery spares it while it may be a live writer’s, and removes it once stale', async () => {
    const dir = makeTempDir()
    openCacheIn(dir, { fileThreshold: 1024 }).close()
    await killChildAt(dir, 'temp-written', 'open', 'set', { key: 'lost', value: NEW })
    const [temp] = listValueFiles(dir)
    expect(temp).toMatch(/\.val\.tmp$/)

    const cache = openCacheIn(dir)
    expect(cache.has('lost')).toBe(false)
    expect(listValueFiles(dir)).toEqual([temp]) // young: the same bytes could be a live writer's
    expect(cache.check()).toEqual({ ok: true, problems: [] })
    cache.close()

    twoHoursAgo(dir, temp!)
    const reopened = openCacheIn(dir)
    expect(listValueFiles(dir)).toEqual([]) // removed by opening, no check({ fix: true }) needed
    expect(reopened.check()).toEqual({ ok: true, problems: [] })
    expect(pendingRows(reopened)).toBe(0)
  })

  it('in a FanoutCache: opening it recovers the shard the writer was in', async () => {
    const dir = makeTempDir()
    openFanoutCache({ fileThreshold: 1024 }, dir).close()
    await killChildAt(dir, 'published', 'openFanout', 'set', { key: 'lost', value: NEW })
    expect(listValueFiles(join(dir, shardOf(dir)))).toHaveLength(1)

    const cache = openFanoutCache({}, dir)
    expect(cache.has('lost')).toBe(false)
    expect(listValueFiles(join(dir, shardOf(dir)))).toEqual([])
    expect(cache.check()).toEqual({ ok: true, problems: [] })
  })

  it('in a Deque: opening it removes the file of the push that never committed', async () => {
    const dir = makeTempDir()
    openCacheIn(dir, { fileThreshold: 1024 }).close()
    await killChildAt(dir, 'published', 'openDeque', 'dequePush', { value: NEW })
    expect(listValueFiles(dir)).toHaveLength(1)

    const deque = new Deque(dir)
    try {
      expect(deque.length).toBe(0)
      expect(listValueFiles(dir)).toEqual([])
      expect(deque.cache.check()).toEqual({ ok: true, problems: [] })
    } finally {
      deque.close()
    }
  })
})

/** The shard directory (000, 001, 002) holding value files, for a FanoutCache with one file-backed key. */
function shardOf(dir: string): string {
  for (const shard of ['000', '001', '002']) if (listValueFiles(join(dir, shard)).length > 0) return shard
  return 'none'
}

describe('pending_files', () => {
  it('holds only the reserved name once writes, overwrites and deletes of value files are done, and nothing after close', () => {
    const dir = makeTempDir()
    const cache = openCacheIn(dir, { fileThreshold: 1024 })
    for (let i = 0; i < 20; i++) cache.set(`k${i % 5}`, `${i}`.repeat(3000))
    cache.delete('k0')
    cache.setMany([['m', OLD], ['n', NEW]])
    expect(cache.add('m', NEW)).toBe(false)
    expect(() => cache.transact(() => {
      cache.set('rolled back', NEW)
      throw new Error('abandon')
    })).toThrow('abandon')
    cache.set('last', OLD) // a write transaction: it forgets the rows of files removed before it
    expect(pendingRows(cache)).toBe(1)
    expect(listValueFiles(dir)).toEqual(referencedFiles(cache))
    cache.close()
    const reopened = openCacheIn(dir)
    expect(pendingRows(reopened)).toBe(0)
    expect(reopened.check()).toEqual({ ok: true, problems: [] })
  })

  it('keeps check() of a read-only cache from reporting a file a writer recorded as pending', () => {
    const dir = makeTempDir()
    const writer = openCacheIn(dir, { fileThreshold: 1024 })
    writer.set('k', OLD)
    // What a writer killed after the COMMIT that released the file leaves (a raw connection: no triggers of ours).
    const db = openNativeDatabase(join(dir, 'cache.db'), {})
    try {
      db.prepare('INSERT INTO pending_files (name, since, released) VALUES (?, ?, 1)').run(listValueFiles(dir)[0], Date.now())
      db.prepare("DELETE FROM entries WHERE key = 'k'").run()
    } finally {
      db.close()
    }
    const reader = openCacheIn(dir, { readonly: true })
    expect(reader.check()).toEqual({ ok: true, problems: [] })
    expect(listValueFiles(dir)).toHaveLength(1)
    expect(writer.check()).toEqual({ ok: true, problems: [] }) // a writer's check() recovers it
    expect(listValueFiles(dir)).toEqual([])
  })
})

describe('a database written with schema 1, before pending_files', () => {
  function makeSchemaOne(): string {
    const dir = makeTempDir()
    const cache = openCacheIn(dir, { fileThreshold: 1024 })
    cache.set('inline', 'small')
    cache.set('file', OLD)
    cache.close()
    const db = openNativeDatabase(join(dir, 'cache.db'), {})
    try {
      db.exec('DROP TABLE pending_files')
      db.exec('PRAGMA user_version = 1')
    } finally {
      db.close()
    }
    return dir
  }

  it('opens, gains the table and the current version, and keeps its entries', () => {
    expect(SCHEMA_VERSION).toBe(2)
    const dir = makeSchemaOne()
    const cache = openCacheIn(dir)
    expect(cache.store.db.prepare('PRAGMA user_version').pluck().get()).toBe(SCHEMA_VERSION)
    expect(pendingRows(cache)).toBe(0)
    expect(cache.get('inline')).toBe('small')
    expect(cache.get('file')).toBe(OLD)
    cache.set('file', NEW)
    expect(cache.get('file')).toBe(NEW)
    expect(cache.check()).toEqual({ ok: true, problems: [] })
    expect(listValueFiles(dir)).toEqual(referencedFiles(cache))
  })

  it('can be read and checked read-only, without being migrated', () => {
    const dir = makeSchemaOne()
    const reader = openCacheIn(dir, { readonly: true })
    expect(reader.get('file')).toBe(OLD)
    expect(reader.check()).toEqual({ ok: true, problems: [] })
    expect(reader.store.db.prepare('PRAGMA user_version').pluck().get()).toBe(1)
  })
})
