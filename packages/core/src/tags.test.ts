import { InvalidOptionError } from './errors.js'
import { CACHE_IMPLEMENTATIONS } from './test-support/open-cache.js'
import { manualClock } from './test-support/temp-dir.js'

describe.each(CACHE_IMPLEMENTATIONS)('$name', ({ name, open: openCache }) => {
  // For what only a single database can do (see FanoutCache in the README).
  const itCacheOnly = name === 'Cache' ? it : it.skip

  describe('tags', () => {
    it('lets an entry carry several tags, each of which evicts it', () => {
      const cache = openCache()
      cache.set('a', 1, { tags: ['user:1', 'page:home'] })
      cache.set('b', 2, { tags: ['user:1', 'page:home'] })
      expect(cache.getWithMeta('a')?.tags).toEqual(['user:1', 'page:home'])
      expect(cache.evict('page:home')).toBe(2)
      expect(cache.size).toBe(0)
      expect(cache.evict('user:1')).toBe(0)
    })

    it('stores a repeated tag once', () => {
      const cache = openCache()
      cache.set('a', 1, { tags: ['t', 't', 'u'] })
      expect(cache.getWithMeta('a')?.tags).toEqual(['t', 'u'])
      expect(cache.evict('t')).toBe(1)
    })

    it('treats an empty tag list as no tags', () => {
      const cache = openCache()
      cache.set('a', 1, { tags: [] })
      expect(cache.getWithMeta('a')?.tags).toEqual([])
    })

    it.each([
      ['a string instead of an array', 'tag'],
      ['an empty tag', ['']],
      ['a number tag', [1]],
      ['a null tag', [null]],
    ])('rejects %s with InvalidOptionError and stores nothing', (_name, tags) => {
      const cache = openCache()
      expect(() => cache.set('k', 1, { tags: tags as never })).toThrow(InvalidOptionError)
      expect(cache.has('k')).toBe(false)
    })
  })

  describe('cache.evict()', () => {
    it('removes exactly the entries carrying the tag and returns the count', () => {
      const cache = openCache()
      cache.set('a', 1, { tags: ['red'] })
      cache.set('b', 2, { tags: ['blue'] })
      cache.set('c', 3, { tags: ['red', 'blue'] })
      cache.set('d', 4)
      expect(cache.evict('red')).toBe(2)
      expect([...cache.keys()]).toEqual(['b', 'd'])
      expect(cache.getWithMeta('b')?.tags).toEqual(['blue'])
    })

    it('returns 0 for a tag nobody carries', () => {
      const cache = openCache()
      cache.set('a', 1, { tags: ['x'] })
      expect(cache.evict('y')).toBe(0)
      expect(cache.size).toBe(1)
    })

    it('matches the tag exactly, not as a prefix or case-insensitively', () => {
      const cache = openCache()
      cache.set('a', 1, { tags: ['user:1'] })
      cache.set('b', 2, { tags: ['user:10'] })
      cache.set('c', 3, { tags: ['USER:1'] })
      expect(cache.evict('user:1')).toBe(1)
      expect([...cache.keys()]).toEqual(['b', 'c'])
    })

    it('rejects a tag that is not a string', () => {
      const cache = openCache()
      expect(() => cache.evict(1 as never)).toThrow(InvalidOptionError)
    })

    it('does not evict an overwritten entry by its old tag, only by its new one', () => {
      const cache = openCache()
      cache.set('k', 'first', { tags: ['old'] })
      cache.set('k', 'second', { tags: ['new'] })
      expect(cache.getWithMeta('k')?.tags).toEqual(['new'])
      expect(cache.evict('old')).toBe(0)
      expect(cache.get('k')).toBe('second')
      expect(cache.evict('new')).toBe(1)
      expect(cache.has('k')).toBe(false)
    })

    it('does not evict an entry overwritten without tags', () => {
      const cache = openCache()
      cache.set('k', 'first', { tags: ['old'] })
      cache.set('k', 'second')
      expect(cache.evict('old')).toBe(0)
      expect(cache.get('k')).toBe('second')
    })

    it('does not count entries deleted or popped before it ran', () => {
      const cache = openCache()
      cache.set('a', 1, { tags: ['t'] })
      cache.set('b', 2, { tags: ['t'] })
      cache.set('c', 3, { tags: ['t'] })
      cache.delete('a')
      cache.pop('b')
      expect(cache.evict('t')).toBe(1)
    })

    it('keeps tags through incr() and touch()', () => {
      const cache = openCache()
      cache.set('n', 1, { tags: ['counter'] })
      cache.incr('n')
      cache.touch('n', 1000)
      expect(cache.evict('counter')).toBe(1)
    })

    it('removes tagged entries that have expired too', () => {
      const clock = manualClock()
      const cache = openCache({ now: clock.now, cullLimit: 0 })
      cache.set('a', 1, { tags: ['t'], ttl: 1 })
      cache.set('b', 2, { tags: ['t'] })
      clock.advance(1)
      expect(cache.evict('t')).toBe(2)
      expect(cache.expire()).toBe(0)
    })

    it('removes 5,000 tagged entries among 20,000 in more than one batch', () => {
      const cache = openCache()
      const entries = Array.from({ length: 20_000 }, (_, i) => [i, `value ${i}`] as const)
      cache.transact(() => {
        for (const [key, value] of entries) cache.set(key, value, key % 4 === 0 ? { tags: ['quarter', `row:${key}`] } : undefined)
      })
      expect(cache.size).toBe(20_000)
      expect(cache.evict('quarter')).toBe(5000)
      expect(cache.size).toBe(15_000)
      expect(cache.has(0)).toBe(false)
      expect(cache.has(19_996)).toBe(false)
      expect(cache.get(1)).toBe('value 1')
      expect(cache.get(19_999)).toBe('value 19999')
      expect(cache.evict('row:4')).toBe(0)
      expect(cache.evict('quarter')).toBe(0)
    })
  })
})
