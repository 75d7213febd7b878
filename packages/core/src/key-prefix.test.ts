import { CacheClosedError, InvalidKeyError, InvalidOptionError } from './errors.js'
import { openCache } from './test-support/open-cache.js'
import { manualClock } from './test-support/temp-dir.js'

describe('cache.keys({ prefix }) with a string prefix', () => {
  it('walks exactly the string keys that start with the prefix, in key order', () => {
    const cache = openCache()
    for (const key of ['ns:b', 'ns;', 'ns', 'ns:a', 'other:a', 'NS:a', 'ns:', 'nsx:a']) cache.set(key, key.toUpperCase())
    cache.set(['ns:c'], 1) // an array key is not a string key
    cache.set(7, 1)
    expect([...cache.keys({ prefix: 'ns:' })]).toEqual(['ns:', 'ns:a', 'ns:b'])
    expect([...cache.entries({ prefix: 'ns:', reverse: true })]).toEqual([
      ['ns:b', 'NS:B'],
      ['ns:a', 'NS:A'],
      ['ns:', 'NS:'],
    ])
  })

  it('treats LIKE wildcards and case as ordinary characters', () => {
    const cache = openCache()
    for (const key of ['a_b:1', 'axb:1', 'a%:1', 'abc:1', 'A_B:1']) cache.set(key, 1)
    expect([...cache.keys({ prefix: 'a_b:' })]).toEqual(['a_b:1'])
    expect([...cache.keys({ prefix: 'a%' })]).toEqual(['a%:1'])
  })

  it('handles prefixes ending in the largest code points and non-ASCII text', () => {
    const cache = openCache()
    const top = String.fromCodePoint(0x10ffff)
    for (const key of [`é${top}`, `é${top}x`, 'ê', `d${top}`, '日本:1', '日本語', `\u{d7ff}a`, '\u{e000}']) cache.set(key, 1)
    expect([...cache.keys({ prefix: `é${top}` })]).toEqual([`é${top}`, `é${top}x`])
    expect([...cache.keys({ prefix: '日本:' })]).toEqual(['日本:1'])
    expect([...cache.keys({ prefix: '\u{d7ff}' })]).toEqual(['\u{d7ff}a'])
  })

  it('with an empty prefix walks every string key', () => {
    const cache = openCache()
    for (const key of ['b', '', 'a']) cache.set(key, 1)
    cache.set(1, 1)
    expect([...cache.keys({ prefix: '' })]).toEqual(['', 'a', 'b'])
  })

  it('skips expired entries and pages past 100 rows in both directions', () => {
    const clock = manualClock()
    const cache = openCache({ now: clock.now, cullLimit: 0 })
    const names = (i: number) => `k:${String(i).padStart(4, '0')}`
    cache.transact(() => {
      for (let i = 0; i < 350; i++) cache.set(names(i), i, i % 3 === 0 ? { ttl: 5 } : undefined)
      cache.set('l:0', 'after the range')
    })
    clock.advance(5)
    const live = Array.from({ length: 350 }, (_, i) => i).filter((i) => i % 3 !== 0)
    expect([...cache.keys({ prefix: 'k:' })]).toEqual(live.map(names))
    expect([...cache.values({ prefix: 'k:', reverse: true })]).toEqual([...live].reverse())
  })

  it('visits every entry once when entries are deleted during the walk', () => {
    const cache = openCache()
    cache.transact(() => {
      for (let i = 0; i < 250; i++) cache.set(`k:${String(i).padStart(3, '0')}`, i)
    })
    const seen: string[] = []
    for (const key of cache.keys({ prefix: 'k:' })) {
      seen.push(key as string)
      cache.delete(key) // OFFSET paging would skip entries here
    }
    expect(seen).toHaveLength(250)
    expect(new Set(seen).size).toBe(250)
  })
})

describe('cache.keys({ prefix }) with an array prefix', () => {
  it('walks the array keys whose first elements equal the prefix', () => {
    const cache = openCache()
    const keys = [['ns', 'a'], ['ns', 'b', 1], ['ns'], ['nsx', 'a'], ['n', 's'], ['ns', 2], [['ns'], 'a'], 'ns:a', [Buffer.from('ns')]]
    for (const key of keys) cache.set(key, 1)
    expect([...cache.keys({ prefix: ['ns'] })]).toEqual([['ns', 2], ['ns', 'a'], ['ns', 'b', 1], ['ns']])
    expect([...cache.keys({ prefix: ['ns', 'b'] })]).toEqual([['ns', 'b', 1]])
    expect([...cache.keys({ prefix: [['ns']] })]).toEqual([[['ns'], 'a']])
  })

  it('keeps element types apart: [1] is not the prefix of ["1", …]', () => {
    const cache = openCache()
    cache.set([1, 'a'], 'number')
    cache.set(['1', 'a'], 'string')
    cache.set([1n, 'a'], 'bigint')
    expect([...cache.values({ prefix: [1] })]).toEqual(['number'])
    expect([...cache.values({ prefix: ['1'] })]).toEqual(['string'])
  })

  it('does not confuse a nested array prefix with a longer nested array', () => {
    const cache = openCache()
    cache.set([['a', 'b']], 1)
    cache.set([['a'], 'b'], 2)
    expect([...cache.values({ prefix: [['a']] })]).toEqual([2])
  })

  it('with an empty array walks every array key', () => {
    const cache = openCache()
    cache.set(['b'], 1)
    cache.set([], 2)
    cache.set('s', 3)
    expect([...cache.values({ prefix: [] })].sort()).toEqual([1, 2])
  })
})

describe('cache.clear({ prefix })', () => {
  it('removes only the entries with the prefix and returns how many', () => {
    const cache = openCache()
    for (const key of ['ns:a', 'ns:b', 'nsx:a', 'NS:a', 'ns', 'other']) cache.set(key, 1)
    cache.set(['ns:a'], 1)
    expect(cache.clear({ prefix: 'ns:' })).toBe(2)
    expect([...cache.keys()].sort()).toEqual(['NS:a', 'ns', 'nsx:a', 'other', ['ns:a']].sort())
  })

  it('removes array keys under an array prefix, in batches past 1,000', () => {
    const cache = openCache()
    cache.transact(() => {
      for (let i = 0; i < 2500; i++) cache.set(['a', i], i)
      for (let i = 0; i < 10; i++) cache.set(['b', i], i)
    })
    expect(cache.clear({ prefix: ['a'] })).toBe(2500)
    expect(cache.size).toBe(10)
  })

  it('still clears everything without options', () => {
    const cache = openCache()
    cache.set('a', 1)
    cache.set(['b'], 1)
    expect(cache.clear()).toBe(2)
    expect(cache.size).toBe(0)
  })
})

describe('prefix walks and clears on a closed cache', () => {
  it('throw CacheClosedError', () => {
    const cache = openCache()
    cache.close()
    expect(() => cache.keys({ prefix: 'a' }).next()).toThrow(CacheClosedError)
    expect(() => cache.clear({ prefix: ['a'] })).toThrow(CacheClosedError)
  })
})

describe('prefix validation', () => {
  it('refuses a prefix that is neither a string nor an array, at the call', () => {
    const cache = openCache()
    expect(() => cache.keys({ prefix: 5 as never })).toThrow(InvalidOptionError)
    expect(() => cache.clear({ prefix: null as never })).toThrow(/prefix must be a string .* or an array/)
    expect(() => cache.keys({ prefix: [{}] as never })).toThrow(InvalidKeyError)
  })

  it('refuses unknown options with a suggestion', () => {
    const cache = openCache()
    expect(() => cache.keys({ prefx: 'a' } as never)).toThrow('unknown option "prefx"; did you mean "prefix"?')
    expect(() => cache.clear({ prefixes: 'a' } as never)).toThrow(/did you mean "prefix"/)
  })
})
