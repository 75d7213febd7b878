import { statSync } from 'node:fs'
import { join } from 'node:path'
import { KeyNotFoundError, NotANumberError } from './errors.js'
import { CACHE_IMPLEMENTATIONS, deferred, openCache as openPlainCache } from './test-support/open-cache.js'
import { makeTempDir, manualClock } from './test-support/temp-dir.js'

describe.each(CACHE_IMPLEMENTATIONS)('$name', ({ name, open: openCache }) => {
  // For what only a single database can do (see FanoutCache in the README).
  const itCacheOnly = name === 'Cache' ? it : it.skip

  describe('cache.get()', () => {
    it('returns what set() stored, with its type', () => {
      const cache = openCache()
      cache.set('s', 'text')
      cache.set('n', 1.5)
      cache.set('b', Buffer.from([1, 2, 3]))
      cache.set('o', { nested: new Map([[1, new Set(['x'])]]) })
      expect(cache.get('s')).toBe('text')
      expect(cache.get('n')).toBe(1.5)
      expect(cache.get('b')).toEqual(Buffer.from([1, 2, 3]))
      expect(cache.get('o')).toEqual({ nested: new Map([[1, new Set(['x'])]]) })
      cache.close()
    })

    it('returns undefined for an expired key', () => {
      const clock = manualClock()
      const cache = openCache({ now: clock.now })
      cache.set('k', 'v', { ttl: 1000 })
      clock.advance(999)
      expect(cache.get('k')).toBe('v')
      clock.advance(1)
      expect(cache.get('k')).toBeUndefined()
      cache.close()
    })

    it('returns undefined for a key never set', () => {
      const cache = openCache()
      expect(cache.get('missing')).toBeUndefined()
    })

    it('returns the default on a miss, and the stored value on a hit', () => {
      const cache = openCache()
      expect(cache.get('k', { default: 'fallback' })).toBe('fallback')
      expect(cache.get('k', { default: null })).toBeNull()
      cache.set('k', 0)
      expect(cache.get('k', { default: 'fallback' })).toBe(0)
    })

    it('sees a value written by another Cache on the same directory', () => {
      const dir = makeTempDir()
      const writer = openCache({}, dir)
      const reader = openCache({}, dir)
      writer.set('shared', { n: 1 })
      expect(reader.get('shared')).toEqual({ n: 1 })
    })
  })

  describe('cache.set()', () => {
    it('overwrites an existing value', () => {
      const cache = openCache()
      cache.set('k', 'one')
      cache.set('k', 'two')
      expect(cache.get('k')).toBe('two')
      expect(cache.size).toBe(1)
    })

    it('keeps the value after the cache is closed and opened again', () => {
      const dir = makeTempDir()
      const first = openCache({}, dir)
      first.set('persisted', [1, 2, 3])
      first.close()
      const second = openCache({}, dir)
      expect(second.get('persisted')).toEqual([1, 2, 3])
    })

    it('stores undefined as a value that has() reports present', () => {
      const cache = openCache()
      cache.set('u', undefined)
      expect(cache.has('u')).toBe(true)
      expect(cache.get('u', { default: 'miss' })).toBeUndefined()
    })
  })

  describe('cache.has()', () => {
    it('is true for a live key and false for a missing or expired one', () => {
      const clock = manualClock()
      const cache = openCache({ now: clock.now })
      cache.set('live', 1)
      cache.set('short', 1, { ttl: 10 })
      expect(cache.has('live')).toBe(true)
      expect(cache.has('short')).toBe(true)
      expect(cache.has('never')).toBe(false)
      clock.advance(10)
      expect(cache.has('short')).toBe(false)
    })
  })

  describe('cache.delete()', () => {
    it('removes the key and returns true when it existed', () => {
      const cache = openCache()
      cache.set('k', 'v')
      expect(cache.delete('k')).toBe(true)
      expect(cache.has('k')).toBe(false)
      expect(cache.delete('k')).toBe(false)
    })

    it('returns false for an expired key, and removes its row', () => {
      const clock = manualClock()
      const cache = openCache({ now: clock.now, cullLimit: 0 })
      cache.set('k', 'v', { ttl: 5 })
      clock.advance(5)
      expect(cache.delete('k')).toBe(false)
      expect(cache.expire()).toBe(0)
    })

    it('leaves other keys alone', () => {
      const cache = openCache()
      cache.set('a', 1)
      cache.set('b', 2)
      cache.delete('a')
      expect(cache.get('b')).toBe(2)
      expect(cache.size).toBe(1)
    })
  })

  describe('cache.add()', () => {
    it('stores only when the key is absent and says whether it stored', () => {
      const cache = openCache()
      expect(cache.add('k', 'first')).toBe(true)
      expect(cache.add('k', 'second')).toBe(false)
      expect(cache.get('k')).toBe('first')
    })

    it('stores over an expired entry, with the new ttl', () => {
      const clock = manualClock()
      const cache = openCache({ now: clock.now })
      cache.set('k', 'old', { ttl: 10 })
      clock.advance(10)
      expect(cache.add('k', 'new', { ttl: 50 })).toBe(true)
      expect(cache.get('k')).toBe('new')
      expect(cache.getWithMeta('k')?.expiresAt).toBe(clock.now() + 50)
    })
  })

  describe('cache.pop()', () => {
    it('returns the value and removes the key', () => {
      const cache = openCache()
      cache.set('k', { a: 1 })
      expect(cache.pop('k')).toEqual({ a: 1 })
      expect(cache.has('k')).toBe(false)
      expect(cache.pop('k')).toBeUndefined()
    })

    it('returns the default for a missing or expired key', () => {
      const clock = manualClock()
      const cache = openCache({ now: clock.now })
      expect(cache.pop('missing', { default: 'd' })).toBe('d')
      cache.set('k', 'v', { ttl: 1 })
      clock.advance(1)
      expect(cache.pop('k', { default: 'd' })).toBe('d')
      expect(cache.size).toBe(0)
    })
  })

  describe('cache.touch()', () => {
    it('returns false for a key that does not exist', () => {
      const cache = openCache()
      expect(cache.touch('missing', 100)).toBe(false)
    })

    it('gives a key without expiry a ttl from now', () => {
      const clock = manualClock()
      const cache = openCache({ now: clock.now })
      cache.set('k', 'v')
      expect(cache.touch('k', 100)).toBe(true)
      expect(cache.getWithMeta('k')?.expiresAt).toBe(clock.now() + 100)
      clock.advance(100)
      expect(cache.has('k')).toBe(false)
    })
  })

  describe('cache.incr() and cache.decr()', () => {
    it('starts a missing key at 0 and adds 1 by default', () => {
      const cache = openCache()
      expect(cache.incr('n')).toBe(1)
      expect(cache.incr('n')).toBe(2)
      expect(cache.get('n')).toBe(2)
    })

    it('adds any number delta, including fractions and negatives', () => {
      const cache = openCache()
      cache.set('n', 10)
      expect(cache.incr('n', 2.5)).toBe(12.5)
      expect(cache.incr('n', -20)).toBe(-7.5)
      expect(cache.decr('n', 0.5)).toBe(-8)
      expect(cache.decr('n')).toBe(-9)
      expect(cache.get('n')).toBe(-9)
    })

    it('starts from the given default', () => {
      const cache = openCache()
      expect(cache.incr('n', 5, { default: 100 })).toBe(105)
      expect(cache.decr('m', 5, { default: 100 })).toBe(95)
    })

    it('keeps bigints exact beyond 2^53', () => {
      const cache = openCache()
      const start = 2n ** 70n
      cache.set('big', start)
      expect(cache.incr('big', 1n)).toBe(start + 1n)
      expect(cache.decr('big', 3n)).toBe(start - 2n)
      expect(cache.get('big')).toBe(start - 2n)
    })

    it('starts a missing key from a bigint default as a bigint', () => {
      const cache = openCache()
      expect(cache.incr('b', 1n, { default: 0n })).toBe(1n)
      expect(cache.get('b')).toBe(1n)
    })

    it('adds an integer number delta to a bigint value and keeps a bigint', () => {
      const cache = openCache()
      cache.set('b', 10n)
      expect(cache.incr('b', 5)).toBe(15n)
      expect(cache.get('b')).toBe(15n)
    })

    it('turns an integer number value into a bigint when the delta is a bigint, and stores the bigint', () => {
      const cache = openCache()
      cache.set('n', 5)
      expect(cache.incr('n', 2n)).toBe(7n)
      expect(cache.get('n')).toBe(7n)
      expect(cache.incr('n', 1n)).toBe(8n)
    })

    it('throws NotANumberError when a fractional number meets a bigint', () => {
      const cache = openCache()
      cache.set('b', 10n)
      expect(() => cache.incr('b', 0.5)).toThrow(NotANumberError)
      cache.set('n', 1.5)
      expect(() => cache.incr('n', 1n)).toThrow(NotANumberError)
      expect(cache.get('b')).toBe(10n)
      expect(cache.get('n')).toBe(1.5)
    })

    it('throws KeyNotFoundError for a missing key when the default is null', () => {
      const cache = openCache()
      expect(() => cache.incr('missing', 1, { default: null })).toThrow(KeyNotFoundError)
      expect(cache.has('missing')).toBe(false)
      cache.set('present', 1)
      expect(cache.incr('present', 1, { default: null })).toBe(2)
    })

    it('throws KeyNotFoundError for an expired key when the default is null', () => {
      const clock = manualClock()
      const cache = openCache({ now: clock.now })
      cache.set('n', 5, { ttl: 10 })
      clock.advance(10)
      expect(() => cache.incr('n', 1, { default: null })).toThrow(KeyNotFoundError)
    })

    it('restarts an expired key from the default', () => {
      const clock = manualClock()
      const cache = openCache({ now: clock.now })
      cache.set('n', 50, { ttl: 10 })
      clock.advance(10)
      expect(cache.incr('n')).toBe(1)
    })

    it('throws NotANumberError on a string, an object or a numeric string, and leaves the value', () => {
      const cache = openCache()
      cache.set('s', 'text')
      cache.set('digits', '5')
      cache.set('o', { n: 1 })
      for (const key of ['s', 'digits', 'o']) {
        const error = (() => {
          try {
            cache.incr(key)
          } catch (caught) {
            return caught
          }
        })()
        expect(error).toBeInstanceOf(NotANumberError)
        expect((error as NotANumberError).code).toBe('NOT_A_NUMBER')
      }
      expect(cache.get('s')).toBe('text')
      expect(cache.get('digits')).toBe('5')
    })

    it('keeps the ttl and tags of an existing key, ignoring the ones given', () => {
      const clock = manualClock()
      const cache = openCache({ now: clock.now })
      const setAt = clock.now()
      cache.set('n', 1, { ttl: 1000, tags: ['old'] })
      clock.advance(100)
      cache.incr('n', 1, { ttl: 999_999, tags: ['new'] })
      const meta = cache.getWithMeta('n')
      expect(meta).toEqual({ value: 2, expiresAt: setAt + 1000, storedAt: clock.now(), tags: ['old'] })
      expect(cache.evict('new')).toBe(0)
      expect(cache.evict('old')).toBe(1)
    })

    it('gives a new key the ttl and tags given', () => {
      const clock = manualClock()
      const cache = openCache({ now: clock.now })
      cache.incr('n', 3, { ttl: 500, tags: ['counter'] })
      expect(cache.getWithMeta('n')).toEqual({ value: 3, expiresAt: clock.now() + 500, storedAt: clock.now(), tags: ['counter'] })
      clock.advance(500)
      expect(cache.has('n')).toBe(false)
    })

    it('counts up from many calls without losing any', () => {
      const cache = openCache()
      for (let i = 0; i < 500; i++) cache.incr('hits')
      expect(cache.get('hits')).toBe(500)
    })
  })

  describe('cache.getWithMeta()', () => {
    it('returns the value, expiry, store time and tags', () => {
      const clock = manualClock()
      const cache = openCache({ now: clock.now })
      cache.set('k', { v: 1 }, { ttl: 2000, tags: ['a', 'b'] })
      expect(cache.getWithMeta('k')).toEqual({ value: { v: 1 }, expiresAt: clock.now() + 2000, storedAt: clock.now(), tags: ['a', 'b'] })
    })

    it('reports no expiry and no tags for a plain set', () => {
      const clock = manualClock()
      const cache = openCache({ now: clock.now })
      cache.set('k', 'v')
      expect(cache.getWithMeta('k')).toEqual({ value: 'v', expiresAt: null, storedAt: clock.now(), tags: [] })
    })

    it('updates storedAt on overwrite', () => {
      const clock = manualClock()
      const cache = openCache({ now: clock.now })
      cache.set('k', 1)
      clock.advance(1234)
      cache.set('k', 2)
      expect(cache.getWithMeta('k')?.storedAt).toBe(clock.now())
    })

    it('returns undefined for a missing or expired key', () => {
      const clock = manualClock()
      const cache = openCache({ now: clock.now })
      expect(cache.getWithMeta('none')).toBeUndefined()
      cache.set('k', 1, { ttl: 1 })
      clock.advance(1)
      expect(cache.getWithMeta('k')).toBeUndefined()
    })
  })

  describe('cache.getMany(), cache.setMany() and cache.deleteMany()', () => {
    it('getMany returns values in the order asked, undefined for misses', () => {
      const cache = openCache()
      cache.set('a', 1)
      cache.set(2, 'two')
      expect(cache.getMany(['a', 'missing', 2])).toEqual([1, undefined, 'two'])
      expect(cache.getMany([])).toEqual([])
    })

    it('getManyWithMeta returns each value with its meta in the order asked, undefined for misses and expired keys', () => {
      const clock = manualClock(1_000)
      const cache = openCache({ now: clock.now })
      cache.set('a', 1, { ttl: 500, tags: ['t'] })
      cache.set(2, 'two')
      cache.set('gone', 0, { ttl: 1 })
      clock.advance(1)
      expect(cache.getManyWithMeta(['a', 'missing', 2, 'gone'])).toEqual([
        { value: 1, expiresAt: 1_500, storedAt: 1_000, tags: ['t'] },
        undefined,
        { value: 'two', expiresAt: null, storedAt: 1_000, tags: [] },
        undefined,
      ])
      expect(cache.getManyWithMeta([])).toEqual([])
    })

    it('setMany stores every pair, with the options applied to each', () => {
      const clock = manualClock()
      const cache = openCache({ now: clock.now })
      cache.setMany(
        [
          ['a', 1],
          ['b', 2],
        ],
        { ttl: 100, tags: ['batch'] },
      )
      expect(cache.getMany(['a', 'b'])).toEqual([1, 2])
      expect(cache.getWithMeta('b')?.tags).toEqual(['batch'])
      clock.advance(100)
      expect(cache.size).toBe(0)
    })

    it('setMany accepts a Map and any iterable', () => {
      const cache = openCache()
      cache.setMany(new Map<string, number>([['x', 1], ['y', 2]]))
      expect(cache.get('y')).toBe(2)
    })

    it('deleteMany returns how many of the keys existed', () => {
      const cache = openCache()
      cache.setMany([
        ['a', 1],
        ['b', 2],
        ['c', 3],
      ])
      expect(cache.deleteMany(['a', 'c', 'missing'])).toBe(2)
      expect([...cache.keys()]).toEqual(['b'])
    })
  })

  describe('cache.getOrSet()', () => {
    it('computes once with a sync function, then returns the stored value', () => {
      const cache = openCache()
      const compute = jest.fn((key: unknown) => `value of ${String(key)}`)
      expect(cache.getOrSet('k', compute)).toBe('value of k')
      expect(cache.getOrSet('k', compute)).toBe('value of k')
      expect(compute).toHaveBeenCalledTimes(1)
      expect(compute).toHaveBeenCalledWith('k')
      expect(cache.get('k')).toBe('value of k')
    })

    it('applies the ttl and tags given', () => {
      const clock = manualClock()
      const cache = openCache({ now: clock.now })
      cache.getOrSet('k', () => 1, { ttl: 10, tags: ['t'] })
      expect(cache.getWithMeta('k')).toMatchObject({ expiresAt: clock.now() + 10, tags: ['t'] })
      clock.advance(10)
      expect(cache.getOrSet('k', () => 2)).toBe(2)
    })

    it('does not store anything when a sync compute throws', () => {
      const cache = openCache()
      expect(() =>
        cache.getOrSet('k', () => {
          throw new Error('boom')
        }),
      ).toThrow('boom')
      expect(cache.has('k')).toBe(false)
    })

    it('shares one async computation between concurrent calls and stores the resolved value', async () => {
      const cache = openCache()
      const gate = deferred<{ n: number }>()
      let calls = 0
      const compute = async () => {
        calls++
        return gate.promise
      }
      const first = cache.getOrSet('k', compute)
      const second = cache.getOrSet('k', compute)
      expect(calls).toBe(1)
      expect(cache.has('k')).toBe(false)
      gate.resolve({ n: 42 })
      await expect(first).resolves.toEqual({ n: 42 })
      await expect(second).resolves.toEqual({ n: 42 })
      expect(cache.get('k')).toEqual({ n: 42 })
      expect(calls).toBe(1)
    })

    it('returns a promise on a hit when compute is async', async () => {
      const cache = openCache()
      cache.set('k', 'stored')
      const result = cache.getOrSet('k', async () => 'computed')
      expect(result).toBeInstanceOf(Promise)
      await expect(result).resolves.toBe('stored')
    })

    it('returns a promise on a hit with { async: true } for a plain function', async () => {
      const cache = openCache()
      const compute = () => Promise.resolve('computed')
      await expect(cache.getOrSet('k', compute, { async: true })).resolves.toBe('computed')
      const hit = cache.getOrSet('k', compute, { async: true })
      expect(hit).toBeInstanceOf(Promise)
      await expect(hit).resolves.toBe('computed')
    })

    it('stores nothing when the async compute rejects, and computes again on the next call', async () => {
      const cache = openCache()
      let calls = 0
      const failing = async () => {
        calls++
        throw new Error('no data')
      }
      const first = cache.getOrSet('k', failing)
      const second = cache.getOrSet('k', failing)
      await expect(first).rejects.toThrow('no data')
      await expect(second).rejects.toThrow('no data')
      expect(calls).toBe(1)
      expect(cache.has('k')).toBe(false)
      await expect(cache.getOrSet('k', async () => 'ok')).resolves.toBe('ok')
      expect(cache.get('k')).toBe('ok')
    })

    it('keeps concurrent computations for different keys apart', async () => {
      const cache = openCache()
      const [a, b] = await Promise.all([cache.getOrSet('a', async () => 'A'), cache.getOrSet('b', async () => 'B')])
      expect([a, b]).toEqual(['A', 'B'])
      expect(cache.getMany(['a', 'b'])).toEqual(['A', 'B'])
    })

    it('treats keys of different types as different computations', async () => {
      const cache = openCache()
      const results = await Promise.all([cache.getOrSet(1, async () => 'number'), cache.getOrSet('1', async () => 'string')])
      expect(results).toEqual(['number', 'string'])
    })
  })

  describe('cache.size and cache.length', () => {
    it('count live entries and leave out expired ones', () => {
      const clock = manualClock()
      const cache = openCache({ now: clock.now, cullLimit: 0 })
      expect(cache.size).toBe(0)
      cache.set('a', 1)
      cache.set('b', 2)
      cache.set('c', 3, { ttl: 10 })
      expect(cache.size).toBe(3)
      expect(cache.length).toBe(3)
      clock.advance(10)
      expect(cache.size).toBe(2)
      expect(cache.length).toBe(2)
    })
  })

  describe('cache.volume()', () => {
    it('grows as data is added and is back near its start after clear()', () => {
      const cache = openCache()
      const empty = cache.volume()
      expect(empty).toBeGreaterThan(0)
      for (let i = 0; i < 200; i++) cache.set(`k${i}`, 'x'.repeat(2000))
      const full = cache.volume()
      expect(full).toBeGreaterThan(empty + 200 * 2000)
      expect(cache.clear()).toBe(200)
      expect(cache.volume()).toBeLessThan(full / 4)
    })
  })

  describe('cache.clear()', () => {
    it('removes every entry and returns how many there were', () => {
      const cache = openCache()
      for (let i = 0; i < 2500; i++) cache.set(i, i)
      expect(cache.clear()).toBe(2500)
      expect(cache.size).toBe(0)
      expect(cache.clear()).toBe(0)
    })
  })
})

describe('the write-ahead log', () => {
  it('stays small through thousands of deletes (each delete lets SQLite checkpoint)', () => {
    const dir = makeTempDir()
    // SQLite's own checkpoint, the one a delete must let run (background-checkpoint.test.ts has the worker's).
    const cache = openPlainCache({ checkpoint: 'inline' }, dir)
    cache.setMany(Array.from({ length: 3000 }, (_, i) => [`k${i}`, 'v'.repeat(1000)] as const))
    for (let i = 0; i < 3000; i++) expect(cache.delete(`k${i}`)).toBe(true)
    // SQLite checkpoints at 1000 pages (4 MiB); skipped checkpoints grew it ~16 KiB per delete.
    expect(statSync(join(dir, 'cache.db-wal')).size).toBeLessThan(8 * 2 ** 20)
  })
})
