import { existsSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import type { Cache } from './cache.js'
import { InvalidTtlError, ReadOnlyCacheError, ValueTooLargeError } from './errors.js'
import { openCacheIn as openCache } from './test-support/open-cache.js'
import { listValueFiles, makeTempDir, manualClock } from './test-support/temp-dir.js'

const THRESHOLD = 1024
const BIG = 'x'.repeat(THRESHOLD * 2)
const BIGGER = 'y'.repeat(THRESHOLD * 3)

function fileBytes(cache: Cache): number {
  return cache.store.statements.counter.get('file_bytes') as number
}

function idOf(cache: Cache, key: string): number | undefined {
  return cache.store.prepare('SELECT id FROM entries WHERE kind = 1 AND key = ?', 'pluck').get(key) as number | undefined
}

/** Staged (temporary) value files left behind, which would mean a write leaked one. */
function tempFiles(directory: string): string[] {
  if (!existsSync(join(directory, 'values'))) return []
  return (readdirSync(join(directory, 'values'), { recursive: true }) as string[]).filter((name) => name.endsWith('.tmp'))
}

describe('cache.replace()', () => {
  it('overwrites a live key and returns true', () => {
    const cache = openCache(makeTempDir())
    cache.set('k', 'old')
    expect(cache.replace('k', { now: 'new' })).toBe(true)
    expect(cache.get('k')).toEqual({ now: 'new' })
    expect(cache.size).toBe(1)
  })

  it('returns false and stores nothing for a missing key, leaving no value file behind', () => {
    const dir = makeTempDir()
    const cache = openCache(dir, { fileThreshold: THRESHOLD })
    expect(cache.replace('missing', 'small')).toBe(false)
    expect(cache.replace('missing', BIG)).toBe(false)
    expect(cache.has('missing')).toBe(false)
    expect(cache.size).toBe(0)
    expect(listValueFiles(dir)).toEqual([])
    expect(tempFiles(dir)).toEqual([])
    expect(fileBytes(cache)).toBe(0)
  })

  it('returns false for an expired key and leaves its row exactly as it was', () => {
    const dir = makeTempDir()
    const clock = manualClock()
    const cache = openCache(dir, { now: clock.now, fileThreshold: THRESHOLD })
    const storedAt = clock.now()
    cache.set('k', BIG, { ttl: 1000 })
    clock.advance(1000)
    expect(cache.replace('k', 'new')).toBe(false)
    expect(cache.get('k')).toBeUndefined()
    // A reader whose clock is still before the expiry sees the old entry untouched.
    const earlier = openCache(dir, { now: () => storedAt })
    expect(earlier.getWithMeta('k')).toEqual({ value: BIG, expiresAt: storedAt + 1000, storedAt, tags: [] })
    expect(listValueFiles(dir)).toHaveLength(1)
  })

  it('keeps the entry’s place in insertion order, as set() does', () => {
    const cache = openCache(makeTempDir())
    for (const key of ['a', 'b', 'c']) cache.set(key, key)
    const id = idOf(cache, 'a')
    cache.replace('a', 'A')
    expect(idOf(cache, 'a')).toBe(id)
    expect([...cache.keys()]).toEqual(['a', 'b', 'c'])
    expect([...cache.values()]).toEqual(['A', 'b', 'c'])
    expect(cache.peekItem({ last: false })).toEqual(['a', 'A'])
    cache.set('a', 'again')
    expect(idOf(cache, 'a')).toBe(id)
  })

  it('counts a replaced entry as newly stored for least-recently-stored eviction, as set() does', () => {
    const clock = manualClock()
    const cache = openCache(makeTempDir(), { now: clock.now, sizeLimit: 4096, cullLimit: 0 }) // always over the limit: see eviction.test.ts
    for (const key of ['a', 'b', 'c']) {
      clock.advance(1)
      cache.set(key, key)
    }
    clock.advance(1)
    cache.replace('a', 'A')
    cache.reset('cullLimit', 1)
    clock.advance(1)
    cache.set('d', 'd') // evicts one entry: the one stored longest ago, now 'b'
    expect([...cache.keys()]).toEqual(['a', 'c', 'd'])
  })

  it('never evicts the entry it has just replaced, though it is the oldest', () => {
    const cache = openCache(makeTempDir(), { sizeLimit: 4096, cullLimit: 0 })
    cache.set('a', 1)
    cache.set('b', 1)
    cache.reset('cullLimit', 1)
    expect(cache.replace('a', 2)).toBe(true) // the write culls one entry: the oldest but for 'a'
    expect([...cache.entries()]).toEqual([['a', 2]])
  })

  it('moves an inline value into a file, counting its bytes', () => {
    const dir = makeTempDir()
    const cache = openCache(dir, { fileThreshold: THRESHOLD })
    cache.set('k', 'small')
    expect(cache.replace('k', BIG)).toBe(true)
    expect(listValueFiles(dir)).toHaveLength(1)
    expect(fileBytes(cache)).toBe(BIG.length)
    expect(cache.get('k')).toBe(BIG)
    expect(cache.check()).toEqual({ ok: true, problems: [] })
  })

  it('moves a file value inline, deleting the file and its bytes from the count', () => {
    const dir = makeTempDir()
    const cache = openCache(dir, { fileThreshold: THRESHOLD })
    cache.set('k', BIG)
    expect(listValueFiles(dir)).toHaveLength(1)
    expect(cache.replace('k', 'small')).toBe(true)
    expect(listValueFiles(dir)).toEqual([])
    expect(fileBytes(cache)).toBe(0)
    expect(cache.get('k')).toBe('small')
    expect(cache.check()).toEqual({ ok: true, problems: [] })
  })

  it('swaps one value file for another', () => {
    const dir = makeTempDir()
    const cache = openCache(dir, { fileThreshold: THRESHOLD })
    cache.set('k', BIG)
    const [before] = listValueFiles(dir)
    cache.replace('k', BIGGER)
    const after = listValueFiles(dir)
    expect(after).toHaveLength(1)
    expect(after[0]).not.toBe(before)
    expect(fileBytes(cache)).toBe(BIGGER.length)
    expect(cache.get('k')).toBe(BIGGER)
    expect(cache.check()).toEqual({ ok: true, problems: [] })
  })

  it('replaces the tags: the old ones no longer evict the entry, the new ones do', () => {
    const cache = openCache(makeTempDir())
    cache.set('k', 1, { tags: ['old', 'both'] })
    cache.replace('k', 2, { tags: ['new', 'both'] })
    expect(cache.getWithMeta('k')?.tags).toEqual(['new', 'both'])
    expect(cache.evict('old')).toBe(0)
    expect(cache.evict('new')).toBe(1)
    expect(cache.has('k')).toBe(false)
  })

  it('drops the tags when given none, as set() does', () => {
    const cache = openCache(makeTempDir())
    cache.set('k', 1, { tags: ['t'] })
    cache.replace('k', 2)
    expect(cache.getWithMeta('k')?.tags).toEqual([])
    expect(cache.evict('t')).toBe(0)
    expect(cache.get('k')).toBe(2)
  })

  it('sets the new ttl, or none, and the new store time', () => {
    const clock = manualClock()
    const cache = openCache(makeTempDir(), { now: clock.now })
    cache.set('k', 1, { ttl: 1000 })
    clock.advance(500)
    cache.replace('k', 2, { ttl: 2000 })
    expect(cache.getWithMeta('k')).toMatchObject({ value: 2, expiresAt: clock.now() + 2000, storedAt: clock.now() })
    clock.advance(1999)
    expect(cache.get('k')).toBe(2)
    cache.replace('k', 3)
    clock.advance(10_000)
    expect(cache.getWithMeta('k')).toMatchObject({ value: 3, expiresAt: null })
  })

  it('writes nothing when the ttl is invalid or the value too large', () => {
    const cache = openCache(makeTempDir(), { sizeLimit: 100_000 })
    cache.set('k', 'kept')
    expect(() => cache.replace('k', 'new', { ttl: -1 })).toThrow(InvalidTtlError)
    expect(() => cache.replace('k', 'z'.repeat(200_000))).toThrow(ValueTooLargeError)
    expect(cache.get('k')).toBe('kept')
  })

  it('is undone, file and all, when the transaction around it rolls back', () => {
    const dir = makeTempDir()
    const cache = openCache(dir, { fileThreshold: THRESHOLD })
    cache.set('k', BIG)
    const before = listValueFiles(dir)
    expect(() =>
      cache.transact(() => {
        cache.replace('k', BIGGER)
        throw new Error('abort')
      }),
    ).toThrow('abort')
    expect(cache.get('k')).toBe(BIG)
    expect(listValueFiles(dir)).toEqual(before)
    expect(fileBytes(cache)).toBe(BIG.length)
  })

  it('is seen by every other Cache on the directory', () => {
    const dir = makeTempDir()
    const writer = openCache(dir, { fileThreshold: THRESHOLD })
    const reader = openCache(dir)
    writer.set('k', 'v1')
    writer.replace('k', BIG)
    expect(reader.get('k')).toBe(BIG)
  })

  it('throws ReadOnlyCacheError on a read-only cache', () => {
    const dir = makeTempDir()
    openCache(dir).set('k', 1)
    const readonly = openCache(dir, { readonly: true })
    expect(() => readonly.replace('k', 2)).toThrow(ReadOnlyCacheError)
    expect(readonly.get('k')).toBe(1)
  })
})
