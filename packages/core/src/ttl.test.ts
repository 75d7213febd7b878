import { DiskCacheError, InvalidTtlError } from './errors.js'
import { CACHE_IMPLEMENTATIONS } from './test-support/open-cache.js'
import { manualClock } from './test-support/temp-dir.js'

const YEAR = 365 * 24 * 60 * 60 * 1000

describe.each(CACHE_IMPLEMENTATIONS)('$name', ({ name, open: openCache }) => {
  // For what only a single database can do (see FanoutCache in the README).
  const itCacheOnly = name === 'Cache' ? it : it.skip

  describe('ttl', () => {
    it('keeps an entry live until exactly ttl milliseconds have passed', () => {
      const clock = manualClock()
      const cache = openCache({ now: clock.now })
      cache.set('k', 'v', { ttl: 1000 })
      expect(cache.getWithMeta('k')?.expiresAt).toBe(clock.now() + 1000)
      clock.advance(999)
      expect(cache.get('k')).toBe('v')
      expect(cache.has('k')).toBe(true)
      expect(cache.size).toBe(1)
      clock.advance(1)
      expect(cache.get('k')).toBeUndefined()
      expect(cache.has('k')).toBe(false)
      expect(cache.getWithMeta('k')).toBeUndefined()
      expect(cache.size).toBe(0)
    })

    it('expires an entry with ttl 0 at once', () => {
      const clock = manualClock()
      const cache = openCache({ now: clock.now })
      cache.set('k', 'v', { ttl: 0 })
      expect(cache.has('k')).toBe(false)
      expect(cache.get('k', { default: 'gone' })).toBe('gone')
      expect(cache.add('k', 'again')).toBe(true)
    })

    it.each([
      ['null', null],
      ['Infinity', Infinity],
      ['undefined', undefined],
    ])('never expires an entry with ttl %s', (_name, ttl) => {
      const clock = manualClock()
      const cache = openCache({ now: clock.now })
      cache.set('k', 'v', { ttl })
      expect(cache.getWithMeta('k')?.expiresAt).toBeNull()
      clock.advance(100 * YEAR)
      expect(cache.get('k')).toBe('v')
      expect(cache.expire()).toBe(0)
    })

    it('accepts a fractional ttl', () => {
      const clock = manualClock()
      const cache = openCache({ now: clock.now })
      cache.set('k', 'v', { ttl: 0.5 })
      expect(cache.has('k')).toBe(true)
      clock.advance(1)
      expect(cache.has('k')).toBe(false)
    })

    it.each([
      ['-1', -1],
      ['-Infinity', -Infinity],
      ['NaN', NaN],
      ['a string', '10'],
      ['an object', {}],
      ['a bigint', 10n],
    ])('rejects a ttl of %s with InvalidTtlError and stores nothing', (_name, ttl) => {
      const cache = openCache()
      let error: unknown
      try {
        cache.set('k', 'v', { ttl: ttl as number })
      } catch (caught) {
        error = caught
      }
      expect(error).toBeInstanceOf(InvalidTtlError)
      expect(error).toBeInstanceOf(RangeError)
      expect(error).toBeInstanceOf(DiskCacheError)
      expect((error as InvalidTtlError).code).toBe('INVALID_TTL')
      expect(cache.has('k')).toBe(false)
    })

    it('is validated by every write that takes one', () => {
      const cache = openCache()
      cache.set('present', 1)
      const bad = { ttl: -5 }
      expect(() => cache.add('k', 1, bad)).toThrow(InvalidTtlError)
      expect(() => cache.setMany([['k', 1]], bad)).toThrow(InvalidTtlError)
      expect(() => cache.touch('present', -5)).toThrow(InvalidTtlError)
      expect(() => cache.incr('k', 1, bad)).toThrow(InvalidTtlError)
      // FanoutCache has no queue methods (see its README section).
      if (name === 'Cache') expect(() => cache.push('job', bad)).toThrow(InvalidTtlError)
      expect(() => cache.getOrSet('k', () => 1, bad)).toThrow(InvalidTtlError)
      expect(cache.size).toBe(1)
      expect(cache.getWithMeta('present')?.expiresAt).toBeNull()
    })
  })

  describe('cache.expire()', () => {
    it('removes expired entries and returns how many it removed', () => {
      const clock = manualClock()
      const cache = openCache({ now: clock.now })
      for (let i = 0; i < 5; i++) cache.set(`short${i}`, i, { ttl: 100 })
      for (let i = 0; i < 3; i++) cache.set(`long${i}`, i, { ttl: 10_000 })
      cache.set('forever', 'f')
      expect(cache.expire()).toBe(0)
      clock.advance(100)
      expect(cache.expire()).toBe(5)
      expect(cache.expire()).toBe(0)
      expect(cache.size).toBe(4)
      clock.advance(10_000)
      expect(cache.expire()).toBe(3)
      expect([...cache.keys()]).toEqual(['forever'])
    })

    it('removes more than one batch of expired entries', () => {
      const clock = manualClock()
      const cache = openCache({ now: clock.now })
      cache.setMany(
        Array.from({ length: 2500 }, (_, i) => [i, i] as const),
        { ttl: 1 },
      )
      clock.advance(1)
      expect(cache.expire()).toBe(2500)
    })
  })

  describe('automatic expiry on write', () => {
    itCacheOnly('sweeps expired entries with the first write 100 ms after the last sweep, up to cullLimit', () => {
      const clock = manualClock()
      const cache = openCache({ now: clock.now, cullLimit: 3 })
      // One transaction: its writes each sweep, the last one at this clock time.
      cache.setMany(Array.from({ length: 10 }, (_, i) => [i, i] as const), { ttl: 100 })
      clock.advance(100)
      cache.set('trigger', 1)
      // 3 of the 10 went with that write: expire() finds the other 7.
      expect(cache.expire()).toBe(7)
    })

    itCacheOnly('leaves expired entries to the next sweep within 100 ms, which takes cullLimit for every write since the last', () => {
      const clock = manualClock()
      const cache = openCache({ now: clock.now, cullLimit: 3 })
      cache.setMany(Array.from({ length: 10 }, (_, i) => [i, i] as const), { ttl: 50 })
      clock.advance(50)
      cache.set('a', 1) // expired entries exist, but no sweep is due yet
      cache.set('b', 1)
      expect(cache.transact(() => cache.store.db.prepare('SELECT count(*) FROM entries').pluck().get())).toBe(12)
      clock.advance(50)
      cache.set('c', 1) // the sweep: 3 for this write and 3 for each of the two before it
      expect(cache.expire()).toBe(1)
    })

    it('leaves expired rows for expire() when cullLimit is 0', () => {
      const clock = manualClock()
      const cache = openCache({ now: clock.now, cullLimit: 0 })
      for (let i = 0; i < 10; i++) cache.set(i, i, { ttl: 10 })
      clock.advance(10)
      cache.set('trigger', 1)
      expect(cache.expire()).toBe(10)
    })
  })

  describe('cache.touch() and expiry', () => {
    it('extends the expiry of a live key', () => {
      const clock = manualClock()
      const cache = openCache({ now: clock.now })
      cache.set('k', 'v', { ttl: 100 })
      clock.advance(90)
      expect(cache.touch('k', 100)).toBe(true)
      clock.advance(99)
      expect(cache.get('k')).toBe('v')
      clock.advance(1)
      expect(cache.has('k')).toBe(false)
    })

    it('removes the expiry with no ttl, or with null', () => {
      const clock = manualClock()
      const cache = openCache({ now: clock.now })
      cache.set('a', 1, { ttl: 100 })
      cache.set('b', 2, { ttl: 100 })
      expect(cache.touch('a')).toBe(true)
      expect(cache.touch('b', null)).toBe(true)
      clock.advance(YEAR)
      expect(cache.getMany(['a', 'b'])).toEqual([1, 2])
      expect(cache.getWithMeta('a')?.expiresAt).toBeNull()
    })

    it('is false for an expired key and does not revive it', () => {
      const clock = manualClock()
      const cache = openCache({ now: clock.now })
      cache.set('k', 'v', { ttl: 100 })
      clock.advance(100)
      expect(cache.touch('k', 1000)).toBe(false)
      expect(cache.get('k')).toBeUndefined()
    })

    it('keeps the value, tags and store time', () => {
      const clock = manualClock()
      const cache = openCache({ now: clock.now })
      const storedAt = clock.now()
      cache.set('k', { v: 1 }, { ttl: 100, tags: ['t'] })
      clock.advance(50)
      cache.touch('k', 1000)
      expect(cache.getWithMeta('k')).toEqual({ value: { v: 1 }, expiresAt: clock.now() + 1000, storedAt, tags: ['t'] })
    })
  })

  describe('cache.add() and expiry', () => {
    it('overwrites an expired key and reports that it stored', () => {
      const clock = manualClock()
      const cache = openCache({ now: clock.now, cullLimit: 0 })
      cache.set('k', 'old', { ttl: 10, tags: ['old'] })
      clock.advance(10)
      expect(cache.add('k', 'new')).toBe(true)
      expect(cache.getWithMeta('k')).toEqual({ value: 'new', expiresAt: null, storedAt: clock.now(), tags: [] })
      expect(cache.evict('old')).toBe(0)
    })

    it('does not overwrite a key that is about to expire', () => {
      const clock = manualClock()
      const cache = openCache({ now: clock.now })
      cache.set('k', 'old', { ttl: 10 })
      clock.advance(9)
      expect(cache.add('k', 'new')).toBe(false)
      expect(cache.get('k')).toBe('old')
    })
  })

  describe('the expiresAt write option', () => {
    it('expires the entry at that epoch millisecond', () => {
      const clock = manualClock()
      const cache = openCache({ now: clock.now })
      const expiresAt = clock.now() + 500
      cache.set('k', 'v', { expiresAt })
      expect(cache.getWithMeta('k')?.expiresAt).toBe(expiresAt)
      clock.advance(499)
      expect(cache.has('k')).toBe(true)
      clock.advance(1)
      expect(cache.has('k')).toBe(false)
      expect(cache.get('k')).toBeUndefined()
    })

    it('stores an entry that is expired at once when the time has passed', () => {
      const clock = manualClock()
      const cache = openCache({ now: clock.now })
      cache.set('k', 'v', { expiresAt: clock.now() - 1 })
      expect(cache.has('k')).toBe(false)
    })

    it.each([
      ['null', null],
      ['Infinity', Infinity],
    ])('never expires an entry with expiresAt %s', (_name, expiresAt) => {
      const clock = manualClock()
      const cache = openCache({ now: clock.now })
      cache.set('k', 'v', { expiresAt })
      clock.advance(10 * YEAR)
      expect(cache.getWithMeta('k')?.expiresAt).toBeNull()
    })

    it('works with every write that takes write options', () => {
      const clock = manualClock()
      const cache = openCache({ now: clock.now })
      const expiresAt = clock.now() + 100
      cache.setMany([['a', 1]], { expiresAt })
      cache.add('b', 1, { expiresAt })
      cache.incr('c', 1, { expiresAt })
      cache.replace('b', 2, { expiresAt })
      // FanoutCache has no queue methods (see its README section).
      const queued = name === 'Cache' ? cache.push('q', { expiresAt }) : 'c'
      expect(cache.has('a') && cache.has('b') && cache.has('c') && cache.has(queued)).toBe(true)
      clock.advance(100)
      expect([cache.has('a'), cache.has('b'), cache.has('c'), cache.has(queued)]).toEqual([false, false, false, false])
    })

    it('refuses a time that is not a number, and ttl given with it', () => {
      const cache = openCache()
      expect(() => cache.set('k', 'v', { expiresAt: NaN })).toThrow(InvalidTtlError)
      expect(() => cache.set('k', 'v', { expiresAt: '2030-01-01' as never })).toThrow(/expiresAt must be a time in epoch milliseconds/)
      expect(() => cache.set('k', 'v', { expiresAt: Date.now() + 1000, ttl: 1000 })).toThrow(/either ttl .* or expiresAt .*, not both/)
      expect(cache.has('k')).toBe(false)
    })
  })
})
