import { Cache } from './cache.js'
import { openCache } from './test-support/open-cache.js'
import { makeTempDir } from './test-support/temp-dir.js'

describe('cache.stats()', () => {
  it('counts nothing by default', () => {
    const cache = openCache()
    expect(cache.settings.statistics).toBe(false)
    cache.set('k', 1)
    cache.get('k')
    cache.get('missing')
    expect(cache.stats()).toEqual({ hits: 0, misses: 0 })
  })

  it('does not turn counting on by being called', () => {
    const cache = openCache()
    cache.stats()
    cache.stats({ reset: true })
    expect(cache.settings.statistics).toBe(false)
    cache.get('missing')
    expect(cache.stats()).toEqual({ hits: 0, misses: 0 })
  })

  it('counts hits and misses once enabled', () => {
    const cache = openCache()
    expect(cache.stats({ enable: true })).toEqual({ hits: 0, misses: 0 })
    expect(cache.settings.statistics).toBe(true)
    cache.set('k', 1)
    cache.get('k')
    cache.get('k')
    cache.get('missing')
    expect(cache.stats()).toEqual({ hits: 2, misses: 1 })
    expect(cache.stats()).toEqual({ hits: 2, misses: 1 })
  })

  it('counts an expired key as a miss', () => {
    let now = 1000
    const cache = openCache({ statistics: true, now: () => now })
    cache.set('k', 1, { ttl: 10 })
    now += 10
    cache.get('k')
    expect(cache.stats()).toEqual({ hits: 0, misses: 1 })
  })

  it('counts getMany(), getOrSet() and memoized calls', () => {
    const cache = openCache({ statistics: true })
    cache.set('a', 1)
    cache.getMany(['a', 'b', 'a'])
    cache.getOrSet('c', () => 3)
    cache.getOrSet('c', () => 3)
    const f = cache.memoize((n: number) => n, { name: 'f' })
    f(1)
    f(1)
    expect(cache.stats()).toEqual({ hits: 4, misses: 3 })
  })

  it('returns the counts from before a reset, then starts from zero', () => {
    const cache = openCache({ statistics: true })
    cache.set('k', 1)
    cache.get('k')
    cache.get('nope')
    expect(cache.stats({ reset: true })).toEqual({ hits: 1, misses: 1 })
    expect(cache.stats()).toEqual({ hits: 0, misses: 0 })
    cache.get('k')
    expect(cache.stats()).toEqual({ hits: 1, misses: 0 })
  })

  it('stops counting with { enable: false }', () => {
    const cache = openCache({ statistics: true })
    cache.get('x')
    expect(cache.stats({ enable: false })).toEqual({ hits: 0, misses: 1 })
    cache.get('x')
    expect(cache.stats()).toEqual({ hits: 0, misses: 1 })
  })

  it('turns counting on for every Cache on the directory', () => {
    const dir = makeTempDir()
    openCache({}, dir).stats({ enable: true })
    const later = openCache({}, dir)
    expect(later.settings.statistics).toBe(true)
    later.get('missing')
    expect(later.stats()).toEqual({ hits: 0, misses: 1 })
  })

  it('adds up the counts of two Caches on the same directory', () => {
    const dir = makeTempDir()
    const a = openCache({ statistics: true }, dir)
    const b = openCache({}, dir)
    a.set('k', 1)
    a.get('k')
    b.get('k')
    b.get('nope')
    b.set('flush', 1) // b's counts go out with its next write
    expect(a.stats()).toEqual({ hits: 2, misses: 1 })
  })

  it('keeps the counts across close and reopen', () => {
    const dir = makeTempDir()
    const first = new Cache(dir, { statistics: true })
    first.get('missing')
    first.get('missing')
    first.close()
    expect(openCache({}, dir).stats()).toEqual({ hits: 0, misses: 2 })
  })

  it('does not lose counts noted before a transaction that rolled back', () => {
    const cache = openCache({ statistics: true })
    cache.get('missing')
    expect(() =>
      cache.transact(() => {
        cache.set('k', 1)
        throw new Error('abort')
      }),
    ).toThrow('abort')
    expect(cache.stats()).toEqual({ hits: 0, misses: 1 })
  })
})
