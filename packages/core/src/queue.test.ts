import { InvalidOptionError } from './errors.js'
import { openCache } from './test-support/open-cache.js'
import { makeTempDir, manualClock } from './test-support/temp-dir.js'

describe('cache.push()', () => {
  it('without a prefix returns increasing integer keys that get() can read', () => {
    const cache = openCache()
    const first = cache.push('a')
    const second = cache.push('b')
    expect(typeof first).toBe('number')
    expect(first).toBe(500_000_000_000_000)
    expect(second).toBe(500_000_000_000_001)
    expect(cache.get(first)).toBe('a')
    expect(cache.get(second)).toBe('b')
  })

  it('with a prefix returns zero-padded string keys', () => {
    const cache = openCache()
    expect(cache.push('a', { prefix: 'jobs' })).toBe('jobs-500000000000000')
    expect(cache.push('b', { prefix: 'jobs' })).toBe('jobs-500000000000001')
    expect(cache.push('z', { prefix: 'jobs', side: 'front' })).toBe('jobs-499999999999999')
    expect(cache.get('jobs-500000000000001')).toBe('b')
  })

  it('keeps any value type', () => {
    const cache = openCache()
    cache.push({ task: 'send', to: ['x'] })
    cache.push(7n)
    cache.push(Buffer.from([1]))
    expect(cache.pull()?.[1]).toEqual({ task: 'send', to: ['x'] })
    expect(cache.pull()?.[1]).toBe(7n)
    expect(cache.pull()?.[1]).toEqual(Buffer.from([1]))
  })

  it('rejects an unknown side and a prefix that is not a string', () => {
    const cache = openCache()
    expect(() => cache.push(1, { side: 'middle' as never })).toThrow(InvalidOptionError)
    expect(() => cache.push(1, { prefix: 5 as never })).toThrow(InvalidOptionError)
    expect(() => cache.pull({ prefix: 5 as never })).toThrow(InvalidOptionError)
    expect(cache.size).toBe(0)
  })

  it('carries tags, so evict() empties a queue', () => {
    const cache = openCache()
    cache.push(1, { prefix: 'q', tags: ['batch'] })
    cache.push(2, { prefix: 'q', tags: ['batch'] })
    cache.push(3, { prefix: 'q' })
    expect(cache.evict('batch')).toBe(2)
    expect(cache.pull({ prefix: 'q' })).toEqual(['q-500000000000002', 3])
  })
})

describe('cache.pull()', () => {
  it('takes items first in, first out by default', () => {
    const cache = openCache()
    for (const value of ['a', 'b', 'c']) cache.push(value)
    expect(cache.pull()?.[1]).toBe('a')
    expect(cache.pull()?.[1]).toBe('b')
    expect(cache.pull()?.[1]).toBe('c')
    expect(cache.pull()).toBeUndefined()
    expect(cache.size).toBe(0)
  })

  it("takes items last in, first out with side 'back'", () => {
    const cache = openCache()
    for (const value of ['a', 'b', 'c']) cache.push(value, { prefix: 'stack' })
    expect(cache.pull({ prefix: 'stack', side: 'back' })).toEqual(['stack-500000000000002', 'c'])
    expect(cache.pull({ prefix: 'stack', side: 'back' })).toEqual(['stack-500000000000001', 'b'])
    cache.push('d', { prefix: 'stack' })
    expect(cache.pull({ prefix: 'stack', side: 'back' })?.[1]).toBe('d')
    expect(cache.pull({ prefix: 'stack', side: 'back' })?.[1]).toBe('a')
    expect(cache.pull({ prefix: 'stack', side: 'back' })).toBeUndefined()
  })

  it("takes an item pushed at the front first", () => {
    const cache = openCache()
    cache.push('normal-1')
    cache.push('normal-2')
    cache.push('urgent', { side: 'front' })
    expect(cache.pull()?.[1]).toBe('urgent')
    expect(cache.pull()?.[1]).toBe('normal-1')
  })

  it('returns the key with the value, and removes only that item', () => {
    const cache = openCache()
    const key = cache.push('a', { prefix: 'p' })
    cache.push('b', { prefix: 'p' })
    expect(cache.pull({ prefix: 'p' })).toEqual([key, 'a'])
    expect(cache.has(key)).toBe(false)
    expect(cache.size).toBe(1)
  })

  it('returns undefined for an empty queue', () => {
    const cache = openCache()
    expect(cache.pull()).toBeUndefined()
    expect(cache.pull({ prefix: 'nothing' })).toBeUndefined()
    expect(cache.pull({ side: 'back' })).toBeUndefined()
  })

  it('keeps queues with different prefixes, and the unprefixed queue, independent', () => {
    const cache = openCache()
    cache.push('j1', { prefix: 'jobs' })
    cache.push('e1', { prefix: 'emails' })
    cache.push('u1')
    cache.push('j2', { prefix: 'jobs' })
    cache.push('e2', { prefix: 'emails' })
    expect(cache.pull({ prefix: 'emails' })?.[1]).toBe('e1')
    expect(cache.pull({ prefix: 'jobs' })?.[1]).toBe('j1')
    expect(cache.pull({ prefix: 'jobs' })?.[1]).toBe('j2')
    expect(cache.pull({ prefix: 'jobs' })).toBeUndefined()
    expect(cache.pull()?.[1]).toBe('u1')
    expect(cache.pull()).toBeUndefined()
    expect(cache.pull({ prefix: 'emails' })?.[1]).toBe('e2')
  })

  it('does not take user keys that only look like the queue', () => {
    const cache = openCache()
    cache.set('jobs-hello', 'user value')
    cache.set('jobs', 'user value')
    cache.set('jobs-1', 'user value')
    cache.set('jobs-extra-500000000000000', 'other queue')
    cache.set('jobs-50000000000000x', 'not digits')
    cache.push('queued', { prefix: 'jobs' })
    expect(cache.pull({ prefix: 'jobs' })).toEqual(['jobs-500000000000000', 'queued'])
    expect(cache.pull({ prefix: 'jobs' })).toBeUndefined()
    expect(cache.pull({ prefix: 'jobs', side: 'back' })).toBeUndefined()
    expect(cache.size).toBe(5)
  })

  it('does not take string keys for the unprefixed queue', () => {
    const cache = openCache()
    cache.set('500000000000000', 'string key')
    expect(cache.pull()).toBeUndefined()
    expect(cache.push('x')).toBe(500_000_000_000_000)
  })

  it('skips items whose ttl ran out', () => {
    const clock = manualClock()
    const cache = openCache({ now: clock.now, cullLimit: 0 })
    cache.push('short', { ttl: 10 })
    cache.push('long', { ttl: 1000 })
    cache.push('forever')
    clock.advance(10)
    expect(cache.peek()?.[1]).toBe('long')
    expect(cache.pull()?.[1]).toBe('long')
    clock.advance(1000)
    expect(cache.pull()?.[1]).toBe('forever')
    expect(cache.pull()).toBeUndefined()
  })

  it('shares one queue between two caches on the same directory', () => {
    const dir = makeTempDir()
    const producer = openCache({}, dir)
    const consumer = openCache({}, dir)
    producer.push('a', { prefix: 'q' })
    producer.push('b', { prefix: 'q' })
    expect(consumer.pull({ prefix: 'q' })?.[1]).toBe('a')
    producer.push('c', { prefix: 'q' })
    expect(consumer.pull({ prefix: 'q' })?.[1]).toBe('b')
    expect(consumer.pull({ prefix: 'q' })?.[1]).toBe('c')
  })
})

describe('cache.peek()', () => {
  it('returns the next item without removing it', () => {
    const cache = openCache()
    cache.push('a', { prefix: 'q' })
    cache.push('b', { prefix: 'q' })
    expect(cache.peek({ prefix: 'q' })).toEqual(['q-500000000000000', 'a'])
    expect(cache.peek({ prefix: 'q' })).toEqual(['q-500000000000000', 'a'])
    expect(cache.peek({ prefix: 'q', side: 'back' })).toEqual(['q-500000000000001', 'b'])
    expect(cache.size).toBe(2)
  })

  it('returns undefined for an empty queue', () => {
    const cache = openCache()
    expect(cache.peek()).toBeUndefined()
    expect(cache.peek({ prefix: 'q', side: 'back' })).toBeUndefined()
  })
})
