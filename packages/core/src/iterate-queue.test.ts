import { InvalidOptionError } from './errors.js'
import { openCache, openCacheIn } from './test-support/open-cache.js'
import { makeTempDir, manualClock } from './test-support/temp-dir.js'

function valuesOf(entries: Iterable<[unknown, unknown]>): unknown[] {
  return [...entries].map(([, value]) => value)
}

describe('cache.queueEntries()', () => {
  it('walks the queue in key order, which is pull order, not storage order', () => {
    const cache = openCache()
    cache.push('b')
    cache.push('c')
    cache.push('a', { side: 'front' }) // a newer row, but the smallest key
    expect([...cache.values()]).toEqual(['b', 'c', 'a'])
    expect([...cache.queueEntries()]).toEqual([
      [499_999_999_999_999, 'a'],
      [500_000_000_000_000, 'b'],
      [500_000_000_000_001, 'c'],
    ])
    expect(cache.pull()?.[1]).toBe('a')
  })

  it('walks back to front with reverse', () => {
    const cache = openCache()
    for (const value of ['b', 'c']) cache.push(value)
    cache.push('a', { side: 'front' })
    expect(valuesOf(cache.queueEntries({ reverse: true }))).toEqual(['c', 'b', 'a'])
  })

  it('skips offset items from the end it starts at', () => {
    const cache = openCache()
    for (const value of ['a', 'b', 'c', 'd']) cache.push(value)
    expect(valuesOf(cache.queueEntries({ offset: 1 }))).toEqual(['b', 'c', 'd'])
    expect(valuesOf(cache.queueEntries({ reverse: true, offset: 3 }))).toEqual(['a'])
    expect(valuesOf(cache.queueEntries({ offset: 4 }))).toEqual([])
  })

  it('pages through a queue longer than a page, from any offset, in order', () => {
    const cache = openCache()
    const items = Array.from({ length: 345 }, (_, i) => i)
    cache.transact(() => items.forEach((i) => cache.push(i)))
    expect(valuesOf(cache.queueEntries())).toEqual(items)
    expect(valuesOf(cache.queueEntries({ reverse: true }))).toEqual([...items].reverse())
    expect(valuesOf(cache.queueEntries({ offset: 250 }))).toEqual(items.slice(250))
    expect(valuesOf(cache.queueEntries({ reverse: true, offset: 150 }))).toEqual(items.slice(0, 195).reverse())
  })

  it('keeps queues apart: a prefixed queue, the integer queue and other keys', () => {
    const cache = openCache()
    cache.set('jobs-x', 'not queued')
    cache.set(1.5, 'a fractional key is not a queue key')
    cache.push('plain')
    cache.push('job 1', { prefix: 'jobs' })
    cache.push('job 0', { prefix: 'jobs', side: 'front' })
    cache.push('other', { prefix: 'jobsx' })
    expect(valuesOf(cache.queueEntries())).toEqual(['plain'])
    expect([...cache.queueEntries({ prefix: 'jobs' })]).toEqual([
      ['jobs-499999999999999', 'job 0'],
      ['jobs-500000000000000', 'job 1'],
    ])
    expect(cache.queueSize()).toBe(1)
    expect(cache.queueSize({ prefix: 'jobs' })).toBe(2)
    expect(cache.queueSize({ prefix: 'none' })).toBe(0)
  })

  it('skips an item another process removes after the walk fetched its page', () => {
    const dir = makeTempDir()
    const cache = openCacheIn(dir)
    const other = openCacheIn(dir)
    for (const value of ['a', 'b', 'c', 'd']) cache.push(value)
    const walk = cache.queueEntries()
    expect(walk.next().value).toEqual([500_000_000_000_000, 'a'])
    other.delete(500_000_000_000_001) // 'b', already in the fetched page
    expect(valuesOf({ [Symbol.iterator]: () => walk })).toEqual(['c', 'd'])
  })

  it('visits the items there when it began, not those pushed at either end since', () => {
    const cache = openCache()
    cache.push('a')
    cache.push('b')
    const seen: unknown[] = []
    for (const [, value] of cache.queueEntries()) {
      seen.push(value)
      cache.push(`back after ${String(value)}`)
      cache.push(`front after ${String(value)}`, { side: 'front' })
    }
    expect(seen).toEqual(['a', 'b'])
    expect(cache.queueSize()).toBe(6)
  })

  it('leaves out expired items, in the walk and in the count', () => {
    const clock = manualClock()
    const cache = openCache({ now: clock.now })
    cache.push('short', { ttl: 10 })
    cache.push('long')
    clock.advance(10)
    expect(valuesOf(cache.queueEntries())).toEqual(['long'])
    expect(cache.queueSize()).toBe(1)
  })

  it('refuses a bad offset, an unknown option and a prefix that is not a string', () => {
    const cache = openCache()
    expect(() => cache.queueEntries({ offset: -1 })).toThrow(InvalidOptionError)
    expect(() => cache.queueEntries({ offset: 1.5 })).toThrow(InvalidOptionError)
    expect(() => cache.queueEntries({ side: 'back' } as never)).toThrow('unknown queueEntries option "side"')
    expect(() => cache.queueEntries({ revers: true } as never)).toThrow('did you mean "reverse"?')
    expect(() => cache.queueEntries({ prefix: 1 as never })).toThrow(InvalidOptionError)
    expect(() => cache.queueSize({ prefix: 1 as never })).toThrow(InvalidOptionError)
  })
})
