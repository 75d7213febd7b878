import type { CacheKey } from './cache-key.js'
import { InvalidKeyError, InvalidOptionError, KeyNotFoundError } from './errors.js'
import { Index, type IndexOptions } from './ordered-index.js'
import { openCacheIn } from './test-support/open-cache.js'
import { makeTempDir } from './test-support/temp-dir.js'

const opened: Index<CacheKey, unknown>[] = []

/** An Index in `directory` (a fresh one by default), closed after the test. */
function openIndex<K extends CacheKey = CacheKey, V = unknown>(options?: IndexOptions<K, V>, directory = makeTempDir()): Index<K, V> {
  const index = new Index<K, V>(directory, options)
  opened.push(index as unknown as Index<CacheKey, unknown>)
  return index
}

afterEach(() => {
  for (const index of opened.splice(0)) index.close()
})

describe('new Index()', () => {
  it('opens a cache whose eviction policy is always none, optionally with entries', () => {
    const index = openIndex({ entries: [['a', 1], ['b', 2]] })
    expect(index.cache.settings.evictionPolicy).toBe('none')
    expect(index.toMap()).toEqual(new Map([['a', 1], ['b', 2]]))
    expect(openIndex({ entries: { x: 'from an object' } }).get('x')).toBe('from an object')
  })

  it('refuses an evictionPolicy, saying why, and a misspelt option with a suggestion', () => {
    expect(() => openIndex({ evictionPolicy: 'least-recently-stored' } as never)).toThrow(/always 'none'/)
    expect(() => openIndex({ entires: [] } as never)).toThrow('did you mean "entries"?')
    expect(() => openIndex({ entries: 5 } as never)).toThrow(InvalidOptionError)
  })

  it('shows the same entries, in the same order, when the directory is opened again', () => {
    const dir = makeTempDir()
    const first = new Index(dir)
    first.set('b', 1).set('a', 2).set('b', 3)
    first.close()
    expect([...openIndex({}, dir)]).toEqual([['b', 3], ['a', 2]])
  })

  it('never evicts entries, whatever the size limit', () => {
    const index = openIndex({ sizeLimit: 4096 })
    for (let i = 0; i < 200; i++) index.set(i, 'v'.repeat(100))
    expect(index.cache.volume()).toBeGreaterThan(4096)
    expect(index.size).toBe(200)
  })
})

describe('Index.fromCache()', () => {
  it('wraps a cache, switching its eviction policy to none, and adds entries', () => {
    const cache = openCacheIn(makeTempDir())
    cache.set('existing', 0)
    const index = Index.fromCache(cache, new Map([['added', 1]]))
    expect(index.cache).toBe(cache)
    expect(cache.settings.evictionPolicy).toBe('none')
    expect(index.toObject()).toEqual({ existing: 0, added: 1 })
    expect(() => Index.fromCache('dir' as never)).toThrow(InvalidOptionError)
  })
})

describe('index.set(), get(), has(), delete() and size', () => {
  it('work as on a Map', () => {
    const index = openIndex<string, number>()
    expect(index.set('a', 1)).toBe(index)
    expect(index.get('a')).toBe(1)
    expect(index.get('b')).toBeUndefined()
    expect(index.get('b', { default: 0 })).toBe(0)
    expect(index.has('a')).toBe(true)
    expect(index.size).toBe(1)
    expect(index.delete('a')).toBe(true)
    expect(index.delete('a')).toBe(false)
    expect(index.size).toBe(0)
  })

  it('keep an overwritten key in its place', () => {
    const index = openIndex()
    index.set('a', 1).set('b', 2).set('c', 3)
    index.set('a', 'one')
    expect([...index.keys()]).toEqual(['a', 'b', 'c'])
    expect(index.get('a')).toBe('one')
    index.delete('a')
    index.set('a', 'back')
    expect([...index.keys()]).toEqual(['b', 'c', 'a'])
  })

  it('keep key types apart', () => {
    const index = openIndex()
    index.set(1, 'number').set('1', 'string').set(1n, 'bigint').set([1], 'array')
    expect(index.size).toBe(4)
    expect(index.get(1)).toBe('number')
    expect(index.get([1])).toBe('array')
  })
})

describe('index.update()', () => {
  it('sets every entry in one transaction, overwrites in place', () => {
    const index = openIndex()
    index.set('b', 0)
    index.update([['a', 1], ['b', 2]])
    expect([...index]).toEqual([['b', 2], ['a', 1]])
  })

  it('stores nothing when one entry fails', () => {
    const index = openIndex()
    expect(() => index.update([['a', 1], [{} as never, 2]])).toThrow(InvalidKeyError)
    expect(index.size).toBe(0)
  })
})

describe('index iteration', () => {
  it('goes in insertion order, or newest first with reverse', () => {
    const index = openIndex({ entries: [['x', 1], ['y', 2], ['z', 3]] })
    expect([...index.keys()]).toEqual(['x', 'y', 'z'])
    expect([...index.values({ reverse: true })]).toEqual([3, 2, 1])
    expect([...index.entries({ reverse: true })]).toEqual([['z', 3], ['y', 2], ['x', 1]])
    expect([...index]).toEqual([['x', 1], ['y', 2], ['z', 3]])
  })
})

describe('index.setDefault()', () => {
  it('stores and returns the value for a missing key, and returns the stored one otherwise', () => {
    const index = openIndex()
    expect(index.setDefault('k', 'first')).toBe('first')
    expect(index.setDefault('k', 'second')).toBe('first')
    expect(index.get('k')).toBe('first')
  })
})

describe('index.pop()', () => {
  it('removes and returns the value', () => {
    const index = openIndex({ entries: [['k', 'v']] })
    expect(index.pop('k')).toBe('v')
    expect(index.has('k')).toBe(false)
  })

  it('returns the default for a missing key, even an undefined one', () => {
    const index = openIndex()
    expect(index.pop('missing', { default: 'd' })).toBe('d')
    expect(index.pop('missing', { default: undefined })).toBeUndefined()
  })

  it('throws KeyNotFoundError for a missing key without a default, naming the fix', () => {
    const index = openIndex()
    expect(() => index.pop('missing')).toThrow(KeyNotFoundError)
    expect(() => index.pop('missing')).toThrow(/"missing"[^]*pass \{ default \}/)
  })
})

describe('index.popItem() and peekItem()', () => {
  it('take the newest entry by default and the oldest with last: false', () => {
    const index = openIndex({ entries: [['a', 1], ['b', 2], ['c', 3]] })
    expect(index.peekItem()).toEqual(['c', 3])
    expect(index.peekItem({ last: false })).toEqual(['a', 1])
    expect(index.popItem()).toEqual(['c', 3])
    expect(index.popItem({ last: false })).toEqual(['a', 1])
    expect([...index]).toEqual([['b', 2]])
    expect(index.popItem()).toEqual(['b', 2])
    expect(index.popItem()).toBeUndefined()
    expect(index.peekItem()).toBeUndefined()
  })
})

describe('index.push(), pull() and peek()', () => {
  it('work as the cache queue, with prefixes and sides', () => {
    const index = openIndex()
    expect(index.push('a')).toBe(500_000_000_000_000)
    index.push('b')
    index.push('first', { side: 'front' })
    expect(index.push('job', { prefix: 'jobs' })).toBe('jobs-500000000000000')
    expect(index.peek()).toEqual([499_999_999_999_999, 'first'])
    expect(index.pull()?.[1]).toBe('first')
    expect(index.pull({ side: 'back' })?.[1]).toBe('b')
    expect(index.pull({ prefix: 'jobs' })?.[1]).toBe('job')
  })

  it('refuses ttl and tags, saying why', () => {
    const index = openIndex()
    expect(() => index.push(1, { ttl: 10 } as never)).toThrow(/keeps its entries for good[^]*"ttl"/)
    expect(() => index.push(1, { tags: ['t'] } as never)).toThrow(InvalidOptionError)
    expect(() => index.push(1, { sid: 'back' } as never)).toThrow('did you mean "side"?')
    expect(index.size).toBe(0)
  })
})

describe('index.memoize()', () => {
  it('caches results in the index for good', () => {
    const index = openIndex()
    let calls = 0
    const square = index.memoize((n: number) => (calls++, n * n), { name: 'square' })
    expect(square(3)).toBe(9)
    expect(square(3)).toBe(9)
    expect(calls).toBe(1)
    expect(index.size).toBe(1)
  })

  it('refuses a ttl', () => {
    const index = openIndex()
    expect(() => index.memoize((n: number) => n, { name: 'id', ttl: 1000 } as never)).toThrow(InvalidOptionError)
  })
})

describe('index.clear() and transact()', () => {
  it('clear() removes every entry and says how many', () => {
    const index = openIndex({ entries: [['a', 1], ['b', 2]] })
    expect(index.clear()).toBe(2)
    expect(index.size).toBe(0)
  })

  it('transact() commits together or not at all', () => {
    const index = openIndex({ entries: [['balance', 10]] })
    expect(() =>
      index.transact(() => {
        index.set('balance', 0)
        throw new Error('abort')
      }),
    ).toThrow('abort')
    expect(index.get('balance')).toBe(10)
  })
})

describe('index.equals()', () => {
  it('against another Index or a Map, needs the same entries in the same order', () => {
    // JSON: under jest, objects node:v8 deserializes belong to another realm than the test's, which deep equality tells apart.
    const a = openIndex<string, unknown>({ serializer: 'json', entries: [['x', { deep: [1] }], ['y', 2]] })
    const b = openIndex<string, unknown>({ serializer: 'json', entries: [['x', { deep: [1] }], ['y', 2]] })
    const reordered = openIndex<string, unknown>({ serializer: 'json', entries: [['y', 2], ['x', { deep: [1] }]] })
    expect(a.equals(b)).toBe(true)
    expect(a.equals(reordered)).toBe(false)
    expect(a.equals(new Map<unknown, unknown>([['x', { deep: [1] }], ['y', 2]]))).toBe(true)
    expect(a.equals(new Map<unknown, unknown>([['y', 2], ['x', { deep: [1] }]]))).toBe(false)
    expect(a.equals(new Map<unknown, unknown>([['x', { deep: [2] }], ['y', 2]]))).toBe(false)
    expect(a.equals(new Map([['x', { deep: [1] }]]))).toBe(false)
  })

  it('compares keys as cache keys: 1 and "1" differ, equal byte keys match', () => {
    const index = openIndex<CacheKey, string>({ entries: [[1, 'one'], [Buffer.from('k'), 'bytes']] })
    expect(index.equals(new Map<unknown, unknown>([[1, 'one'], [new Uint8Array([107]), 'bytes']]))).toBe(true)
    expect(index.equals(new Map<unknown, unknown>([['1', 'one'], [Buffer.from('k'), 'bytes']]))).toBe(false)
    expect(index.equals(new Map<unknown, unknown>([[{}, 'one'], [Buffer.from('k'), 'bytes']]))).toBe(false)
  })

  it('against a plain object, ignores order', () => {
    const index = openIndex({ entries: [['b', 2], ['a', 1]] })
    expect(index.equals({ a: 1, b: 2 })).toBe(true)
    expect(index.equals({ a: 1, b: 3 })).toBe(false)
    expect(index.equals({ a: 1 })).toBe(false)
    expect(index.equals({ a: 1, c: 2 })).toBe(false)
  })

  it('is false for anything else, and true between empty collections', () => {
    const index = openIndex()
    expect(index.equals([] as never)).toBe(false)
    expect(index.equals(null as never)).toBe(false)
    expect(index.equals(new Map())).toBe(true)
    expect(index.equals({})).toBe(true)
  })
})

describe('index.toMap() and toObject()', () => {
  it('copy the entries in order', () => {
    const index = openIndex<CacheKey, unknown>({ entries: [['b', 1], [2, 'two']] })
    expect([...index.toMap()]).toEqual([['b', 1], [2, 'two']])
    expect(index.toObject()).toEqual({ b: 1, 2: 'two' })
  })

  it('toObject() refuses keys that cannot be property names', () => {
    const index = openIndex({ entries: [[['a', 1], 'array key']] })
    expect(() => index.toObject()).toThrow(InvalidKeyError)
    expect([...index.toMap()]).toEqual([[['a', 1], 'array key']])
  })
})

describe('two Index objects on one directory', () => {
  it('see each other’s writes at once, and overwrite in place', () => {
    const dir = makeTempDir()
    const a = openIndex({}, dir)
    const b = openIndex({}, dir)
    a.set('k', 1)
    b.set('j', 2)
    b.set('k', 3)
    expect([...a]).toEqual([['k', 3], ['j', 2]])
  })
})
