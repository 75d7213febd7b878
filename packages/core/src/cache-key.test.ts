import fc from 'fast-check'
import { decodeKey, encodeKey } from './cache-key.js'
import { DiskCacheError, InvalidKeyError } from './errors.js'
import { openCache } from './test-support/open-cache.js'

describe('cache keys', () => {
  it('store strings, including the empty string and non-ASCII text', () => {
    const cache = openCache()
    for (const key of ['', 'plain', 'naïve 🚀', 'a'.repeat(5000)]) cache.set(key, `v:${key.length}`)
    expect(cache.get('')).toBe('v:0')
    expect(cache.get('naïve 🚀')).toBe(`v:${'naïve 🚀'.length}`)
    expect(cache.get('a'.repeat(5000))).toBe('v:5000')
  })

  it('store numbers: integers, fractions, negatives and infinities', () => {
    const cache = openCache()
    const keys = [0, 1, -1, 1.5, 2 ** 60, Number.MAX_SAFE_INTEGER, Infinity, -Infinity]
    keys.forEach((key, i) => cache.set(key, i))
    keys.forEach((key, i) => expect(cache.get(key)).toBe(i))
    expect(cache.size).toBe(keys.length)
  })

  it('treat -0 and 0 as the same key, also inside arrays', () => {
    const cache = openCache()
    cache.set(-0, 'minus zero')
    expect(cache.get(0)).toBe('minus zero')
    cache.set(0, 'zero')
    expect(cache.size).toBe(1)
    cache.set([-0], 'in array')
    expect(cache.get([0])).toBe('in array')
  })

  it('store bigints exactly, beyond 2^53 and beyond the 64-bit range', () => {
    const cache = openCache()
    const keys = [0n, -5n, 2n ** 53n + 1n, 2n ** 60n + 1n, 2n ** 63n - 1n, -(2n ** 63n), 2n ** 63n, 2n ** 100n + 7n, -(2n ** 90n)]
    keys.forEach((key, i) => cache.set(key, i))
    keys.forEach((key, i) => expect(cache.get(key)).toBe(i))
    expect(cache.get(2n ** 60n)).toBeUndefined()
    expect(cache.size).toBe(keys.length)
  })

  it('give bigint keys back exactly from keys()', () => {
    const cache = openCache()
    const keys = [2n ** 53n + 1n, 2n ** 60n + 1n, 2n ** 63n - 1n, -(2n ** 63n) + 3n, 2n ** 64n + 1n]
    for (const key of keys) cache.set(key, 'v')
    expect([...cache.keys()]).toEqual(keys)
    expect([...cache.entries()].map(([key]) => key)).toEqual(keys)
  })

  it('treat a Buffer and a Uint8Array with the same bytes as one key', () => {
    const cache = openCache()
    cache.set(Buffer.from([1, 2, 3]), 'bytes')
    expect(cache.get(new Uint8Array([1, 2, 3]))).toBe('bytes')
    const backing = new Uint8Array([9, 1, 2, 3, 9])
    expect(cache.get(backing.subarray(1, 4))).toBe('bytes')
    expect(cache.get(Buffer.from([1, 2]))).toBeUndefined()
    cache.set(new Uint8Array([1, 2, 3]), 'replaced')
    expect(cache.size).toBe(1)
    expect(cache.get(Buffer.from([1, 2, 3]))).toBe('replaced')
  })

  it('store arrays, nested, mixing every key type', () => {
    const cache = openCache()
    const key = ['user', 42, 7n, Buffer.from('ab'), ['nested', [1, ['deeper']]], []]
    cache.set(key, 'composite')
    expect(cache.get(['user', 42, 7n, new Uint8Array([0x61, 0x62]), ['nested', [1, ['deeper']]], []])).toBe('composite')
    expect(cache.get(['user', 42, 7n, Buffer.from('ab'), ['nested', [1, ['other']]], []])).toBeUndefined()
    expect(cache.get([])).toBeUndefined()
  })

  it('give array keys back with their element types from keys()', () => {
    const cache = openCache()
    const key = ['s', 1, 2n, Buffer.from([255]), [['x', 0.5]]]
    cache.set(key, 'v')
    expect([...cache.keys()]).toEqual([key])
    const [back] = [...cache.keys()] as unknown[][]
    expect(typeof back![1]).toBe('number')
    expect(typeof back![2]).toBe('bigint')
    expect(Buffer.isBuffer(back![3])).toBe(true)
  })

  it('keep the type of a key: 1, "1", 1n, [1] and ["1"] are five keys', () => {
    const cache = openCache()
    const keys = [1, '1', 1n, [1], ['1']]
    keys.forEach((key, i) => cache.set(key, i))
    expect(cache.size).toBe(5)
    keys.forEach((key, i) => expect(cache.get(key)).toBe(i))
    expect(cache.get([1n])).toBeUndefined()
  })

  it('keep each key type from keys()', () => {
    const cache = openCache()
    const keys = [1, '1', 1n, [1], ['1'], Buffer.from('1')]
    for (const key of keys) cache.set(key, 'v')
    expect([...cache.keys()]).toEqual(keys)
    expect([...cache.keys()].map((key) => typeof key)).toEqual(['number', 'string', 'bigint', 'object', 'object', 'object'])
  })

  it('do not confuse an array of one string with the string itself', () => {
    const cache = openCache()
    cache.set('["sa"]', 'string that looks encoded')
    cache.set(['a'], 'array')
    expect(cache.get('["sa"]')).toBe('string that looks encoded')
    expect(cache.get(['a'])).toBe('array')
  })
})

describe('invalid cache keys', () => {
  const invalidKeys: [string, unknown][] = [
    ['NaN', NaN],
    ['a plain object', { a: 1 }],
    ['null', null],
    ['undefined', undefined],
    ['true', true],
    ['false', false],
    ['a function', () => 1],
    ['a symbol', Symbol('s')],
    ['a Date', new Date(0)],
    ['a Map', new Map()],
    ['NaN inside an array', ['a', NaN]],
    ['an object inside an array', [{ a: 1 }]],
    ['null nested in arrays', [[null]]],
    ['a boolean inside an array', [true]],
  ]

  it.each(invalidKeys)('throws InvalidKeyError for %s', (_name, key) => {
    const cache = openCache()
    let error: unknown
    try {
      cache.set(key as never, 'v')
    } catch (caught) {
      error = caught
    }
    expect(error).toBeInstanceOf(InvalidKeyError)
    expect(error).toBeInstanceOf(TypeError)
    expect(error).toBeInstanceOf(DiskCacheError)
    expect((error as InvalidKeyError).code).toBe('INVALID_KEY')
    expect((error as Error).name).toBe('InvalidKeyError')
    expect(cache.size).toBe(0)
  })

  it('throws InvalidKeyError from every operation that takes a key', () => {
    const cache = openCache()
    const bad = { not: 'a key' } as never
    const calls: (() => unknown)[] = [
      () => cache.get(bad),
      () => cache.has(bad),
      () => cache.delete(bad),
      () => cache.add(bad, 1),
      () => cache.pop(bad),
      () => cache.touch(bad, 1),
      () => cache.incr(bad),
      () => cache.getWithMeta(bad),
      () => cache.getMany(['ok', bad]),
      () => cache.setMany([[bad, 1]]),
      () => cache.getOrSet(bad, () => 1),
    ]
    for (const call of calls) expect(call).toThrow(InvalidKeyError)
  })

  it('names the type it got in the message', () => {
    const cache = openCache()
    expect(() => cache.get(new Date() as never)).toThrow(/Date/)
    expect(() => cache.get(null as never)).toThrow(/null/)
    expect(() => cache.get(true as never)).toThrow(/boolean/)
  })
})

describe('encodeKey() and decodeKey()', () => {
  it('round-trip every kind of key', () => {
    const keys = ['s', 3.25, -7, 12n, 2n ** 80n, Buffer.from([0, 1]), ['a', [2, 3n, Buffer.from([4])]]]
    for (const key of keys) {
      const [kind, stored] = encodeKey(key)
      expect(decodeKey(kind, stored)).toEqual(key)
    }
  })
})

describe('the stored text of array keys', () => {
  // What every version so far has written: JSON of the elements tagged 's' (string) or 'n' (number).
  // Entries stored under it must stay reachable, so the direct path for strings and numbers must agree.
  const tagged = (key: (string | number)[]): string =>
    JSON.stringify(key.map((element) => (typeof element === 'string' ? 's' + element : 'n' + String(element === 0 ? 0 : element))))

  it('is pinned for a namespace and a key', () => {
    expect(encodeKey(['keyv', 'user:1'])).toEqual([5, '["skeyv","suser:1"]'])
    expect(encodeKey(['a', 1, -0, 2.5, -Infinity])).toEqual([5, '["sa","n1","n0","n2.5","n-Infinity"]'])
    expect(encodeKey([])).toEqual([5, '[]'])
  })

  it('is the tagged JSON for any strings and numbers: quotes, backslashes, control characters, lone surrogates', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.string({ unit: 'binary' }), fc.double({ noNaN: true }), fc.integer())), (key) => {
        expect(encodeKey(key)[1]).toBe(tagged(key))
      }),
      { numRuns: 2000 },
    )
  })

  it('takes the general path, with the same text, once an element is not a string or number', () => {
    expect(encodeKey(['a', 1, 2n])[1]).toBe('["sa","n1","b2"]')
    expect(encodeKey(['a', ['b']])[1]).toBe('["sa",["sb"]]')
    expect(() => encodeKey(['a', NaN])).toThrow(InvalidKeyError)
  })
})
