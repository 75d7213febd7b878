import { openCache } from './test-support/open-cache.js'
import { manualClock } from './test-support/temp-dir.js'

/*
 * Storage order is last-write order: every set() replaces the row and gives it
 * a new id, so an overwritten key moves to the end. incr() and touch() update
 * the row in place and keep its position. This is also the victim order of the
 * 'least-recently-stored' eviction policy.
 */

describe('cache.keys(), values() and entries()', () => {
  it('walk entries in the order they were stored', () => {
    const cache = openCache()
    cache.set('b', 1)
    cache.set(3, 'three')
    cache.set('a', { x: 1 })
    expect([...cache.keys()]).toEqual(['b', 3, 'a'])
    expect([...cache.values()]).toEqual([1, 'three', { x: 1 }])
    expect([...cache.entries()]).toEqual([
      ['b', 1],
      [3, 'three'],
      ['a', { x: 1 }],
    ])
  })

  it('walk newest first with { reverse: true }', () => {
    const cache = openCache()
    for (const key of ['a', 'b', 'c']) cache.set(key, key.toUpperCase())
    expect([...cache.keys({ reverse: true })]).toEqual(['c', 'b', 'a'])
    expect([...cache.values({ reverse: true })]).toEqual(['C', 'B', 'A'])
    expect([...cache.entries({ reverse: true })]).toEqual([
      ['c', 'C'],
      ['b', 'B'],
      ['a', 'A'],
    ])
  })

  it('keep an overwritten key in its first place, as a Map does', () => {
    const cache = openCache()
    for (const key of ['a', 'b', 'c']) cache.set(key, 1)
    cache.set('a', 2)
    expect([...cache.entries()]).toEqual([['a', 2], ['b', 1], ['c', 1]])
    cache.add('b', 3) // add() of a live key writes nothing
    expect([...cache.keys()]).toEqual(['a', 'b', 'c'])
    cache.delete('a')
    cache.set('a', 3) // a deleted key comes back at the end
    expect([...cache.keys()]).toEqual(['b', 'c', 'a'])
  })

  it('keep the position of a key changed by incr() or touch()', () => {
    const cache = openCache()
    cache.set('n', 1)
    cache.set('t', 'v')
    cache.set('last', 'v')
    cache.incr('n')
    cache.touch('t', 1000)
    expect([...cache.entries()]).toEqual([
      ['n', 2],
      ['t', 'v'],
      ['last', 'v'],
    ])
  })

  it('skip expired entries', () => {
    const clock = manualClock()
    const cache = openCache({ now: clock.now, cullLimit: 0 })
    cache.set('a', 1)
    cache.set('b', 2, { ttl: 10 })
    cache.set('c', 3)
    clock.advance(10)
    expect([...cache.keys()]).toEqual(['a', 'c'])
    expect([...cache.values({ reverse: true })]).toEqual([3, 1])
  })

  it('are empty for an empty cache', () => {
    const cache = openCache()
    expect([...cache.keys()]).toEqual([])
    expect([...cache.entries({ reverse: true })]).toEqual([])
  })

  it('stay correct past the 100-row page size, in both directions, skipping expired rows on every page', () => {
    const clock = manualClock()
    const cache = openCache({ now: clock.now, cullLimit: 0 })
    cache.transact(() => {
      for (let i = 0; i < 350; i++) cache.set(i, `v${i}`, i % 3 === 0 ? { ttl: 5 } : undefined)
    })
    clock.advance(5)
    const live = Array.from({ length: 350 }, (_, i) => i).filter((i) => i % 3 !== 0)
    expect([...cache.keys()]).toEqual(live)
    expect([...cache.keys({ reverse: true })]).toEqual([...live].reverse())
    expect([...cache.values()]).toEqual(live.map((i) => `v${i}`))
    expect(cache.size).toBe(live.length)
  })

  it('visit exactly 100 and 200 entries when that is all there is', () => {
    for (const count of [100, 200]) {
      const cache = openCache()
      cache.setMany(Array.from({ length: count }, (_, i) => [i, i] as const))
      expect([...cache.keys()].length).toBe(count)
      expect([...cache.keys({ reverse: true })].length).toBe(count)
    }
  })

  it('do not visit entries written after a forward walk began', () => {
    const cache = openCache()
    for (let i = 0; i < 3; i++) cache.set(i, i)
    const seen: unknown[] = []
    for (const key of cache.keys()) {
      seen.push(key)
      if (key === 0) cache.set('later', 1)
    }
    expect(seen).toEqual([0, 1, 2])
    expect(cache.has('later')).toBe(true)
  })

  it('are lazy: stopping early reads no further', () => {
    const cache = openCache()
    for (let i = 0; i < 250; i++) cache.set(i, i)
    const iterator = cache.keys()
    expect(iterator.next().value).toBe(0)
    expect(iterator.next().value).toBe(1)
  })
})

describe('cache[Symbol.iterator]()', () => {
  it('yields [key, value] pairs in storage order', () => {
    const cache = openCache()
    cache.set('x', 1)
    cache.set('y', 2)
    expect([...cache]).toEqual([
      ['x', 1],
      ['y', 2],
    ])
    expect(new Map(cache)).toEqual(
      new Map([
        ['x', 1],
        ['y', 2],
      ]),
    )
  })
})

describe('cache.peekItem()', () => {
  it('returns the last entry by default and the first with { last: false }', () => {
    const cache = openCache()
    cache.set('first', 1)
    cache.set('middle', 2)
    cache.set('last', 3)
    expect(cache.peekItem()).toEqual(['last', 3])
    expect(cache.peekItem({ last: true })).toEqual(['last', 3])
    expect(cache.peekItem({ last: false })).toEqual(['first', 1])
    expect(cache.size).toBe(3)
  })

  it('returns undefined for an empty cache', () => {
    const cache = openCache()
    expect(cache.peekItem()).toBeUndefined()
    expect(cache.peekItem({ last: false })).toBeUndefined()
  })

  it('skips expired entries at either end', () => {
    const clock = manualClock()
    const cache = openCache({ now: clock.now, cullLimit: 0 })
    cache.set('old', 1, { ttl: 1 })
    cache.set('a', 2)
    cache.set('b', 3)
    cache.set('new', 4, { ttl: 1 })
    clock.advance(1)
    expect(cache.peekItem()).toEqual(['b', 3])
    expect(cache.peekItem({ last: false })).toEqual(['a', 2])
  })

  it('keeps an overwritten key in its first place', () => {
    const cache = openCache()
    cache.set('a', 1)
    cache.set('b', 2)
    cache.set('a', 3)
    expect(cache.peekItem()).toEqual(['b', 2])
    expect(cache.peekItem({ last: false })).toEqual(['a', 3])
  })
})
