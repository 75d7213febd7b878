import { Cache } from './cache.js'
import { makeTempDir, manualClock } from './test-support/temp-dir.js'

describe('cache.get()', () => {
  it('returns what set() stored, with its type', () => {
    const cache = new Cache(makeTempDir())
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
    const cache = new Cache(makeTempDir(), { now: clock.now })
    cache.set('k', 'v', { ttl: 1000 })
    clock.advance(999)
    expect(cache.get('k')).toBe('v')
    clock.advance(1)
    expect(cache.get('k')).toBeUndefined()
    cache.close()
  })
})
