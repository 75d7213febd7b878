import { Cache, InvalidOptionError, InvalidTtlError, InvalidValueError } from '@diskcache/core'
import { Keyv } from 'keyv'
import { KeyvDiskCache } from './keyv-disk-cache.js'
import { closeAfterTest, makeTempDir, manualClock, openStore } from './test-support/open-store.js'

/** Keyv's serialized envelope, as @keyv/serialize writes it. */
function envelope(value: unknown, expires?: number): string {
  return JSON.stringify({ value, expires })
}

describe('KeyvDiskCache as Keyv sees it', () => {
  it('declares the sqlite dialect, so the Keyv constructor accepts it and enables keyv.iterator()', () => {
    const store = openStore()
    expect(store.opts.dialect).toBe('sqlite')
    const keyv = new Keyv({ store })
    expect(typeof keyv.iterator).toBe('function')
    expect(store.namespace).toBe('keyv')
  })

  it('stores the key exactly as received, under the namespace Keyv assigned', async () => {
    const store = openStore()
    const keyv = new Keyv({ store, namespace: 'users' })
    await keyv.set('42', { name: 'Ada' })
    expect([...store.cache.keys()]).toEqual([['users', 'users:42']])
    expect(store.cache.get(['users', 'users:42'])).toBe('{"value":{"name":"Ada"}}')
  })

  it('answers get, getMany, has and hasMany for live keys in the order asked', async () => {
    const store = openStore()
    await store.set('a', envelope(1))
    await store.set('c', envelope(3))
    expect(await store.get('a')).toBe(envelope(1))
    expect(await store.get('b')).toBeUndefined()
    expect(await store.getMany(['c', 'b', 'a'])).toEqual([envelope(3), undefined, envelope(1)])
    expect(await store.has('c')).toBe(true)
    expect(await store.hasMany(['a', 'b', 'c'])).toEqual([true, false, true])
  })

  it('deletes: delete is true only when the key existed, deleteMany when any of the keys did', async () => {
    const store = openStore()
    await store.setMany([
      { key: 'a', value: envelope(1) },
      { key: 'b', value: envelope(2) },
    ])
    expect(await store.delete('a')).toBe(true)
    expect(await store.delete('a')).toBe(false)
    expect(await store.deleteMany(['x', 'y'])).toBe(false)
    expect(await store.deleteMany(['x', 'b'])).toBe(true)
    expect(await store.get('b')).toBeUndefined()
  })

  it('resolves setMany to one true per entry, which keyv.setMany() returns', async () => {
    const keyv = new Keyv({ store: openStore() })
    expect(await keyv.setMany([{ key: 'a', value: 1 }, { key: 'b', value: 2, ttl: 1000 }])).toEqual([true, true])
    expect(await keyv.getMany(['a', 'b'])).toEqual([1, 2])
  })

  it('writes setMany in one transaction: a value core cannot store leaves none of the batch stored', async () => {
    const store = openStore()
    await expect(
      store.setMany([
        { key: 'first', value: { ok: true } },
        { key: 'bad', value: { fn: () => 1 } }, // v8 cannot serialize a function
      ]),
    ).rejects.toBeInstanceOf(InvalidValueError)
    expect(await store.has('first')).toBe(false)
  })
})

describe('KeyvDiskCache expiry', () => {
  it('takes the expiry from the envelope, to the millisecond', async () => {
    const clock = manualClock()
    const store = openStore({ now: clock.now })
    await store.set('k', envelope('v', clock.now() + 1000), 999_999) // the envelope wins over a stale ttl
    expect(store.cache.getWithMeta(['', 'k'])?.expiresAt).toBe(clock.now() + 1000)
  })

  it('takes it from an envelope object when Keyv serialization is off', async () => {
    const clock = manualClock()
    const store = openStore({ now: clock.now })
    await store.set('k', { value: 'v', expires: clock.now() + 500 })
    expect(store.cache.getWithMeta(['', 'k'])?.expiresAt).toBe(clock.now() + 500)
  })

  it('falls back to the ttl argument when the envelope has no readable expiry', async () => {
    const clock = manualClock()
    const store = openStore({ now: clock.now })
    await store.set('custom', 'opaque-serializer-output', 250)
    await store.set('forever', envelope('v'))
    await store.set('zero', envelope('v'), 0) // Keyv's "no expiry"
    expect(store.cache.getWithMeta(['', 'custom'])?.expiresAt).toBe(clock.now() + 250)
    expect(store.cache.getWithMeta(['', 'forever'])?.expiresAt).toBeNull()
    expect(store.cache.getWithMeta(['', 'zero'])?.expiresAt).toBeNull()
  })

  it('is not fooled by an expires field inside the value', async () => {
    const clock = manualClock()
    const store = openStore({ now: clock.now })
    await store.set('k', envelope({ expires: 5 }))
    await store.set('s', envelope(',"expires":5'))
    expect(store.cache.getWithMeta(['', 'k'])?.expiresAt).toBeNull()
    expect(store.cache.getWithMeta(['', 's'])?.expiresAt).toBeNull()
  })

  it('never returns, counts or iterates an expired entry', async () => {
    const clock = manualClock()
    const store = openStore({ now: clock.now })
    await store.set('short', envelope('s', clock.now() + 100))
    await store.set('long', envelope('l'))
    clock.advance(100)
    expect(await store.get('short')).toBeUndefined()
    expect(await store.getMany(['short', 'long'])).toEqual([undefined, envelope('l')])
    expect(await store.has('short')).toBe(false)
    expect(await store.hasMany(['short', 'long'])).toEqual([false, true])
    const seen: unknown[] = []
    for await (const [key] of store.iterator()) seen.push(key)
    expect(seen).toEqual(['long'])
  })

  it('makes keyv.has() false for an expired key, which Keyv takes from the store unchecked', async () => {
    // Keyv stamps envelopes with Date.now(): fake it, and give core the same clock.
    jest.useFakeTimers({ now: 1_700_000_000_000, doNotFake: ['nextTick', 'queueMicrotask', 'setImmediate', 'setTimeout'] })
    try {
      const store = openStore({ now: () => Date.now() })
      const keyv = new Keyv({ store })
      await keyv.set('k', 'v', 40)
      expect(await keyv.has('k')).toBe(true)
      jest.setSystemTime(Date.now() + 40)
      expect(await keyv.has('k')).toBe(false)
      expect(await keyv.has(['k'])).toEqual([false])
    } finally {
      jest.useRealTimers()
    }
  })

  it('has expired entries swept by later writes, so the file does not keep them', async () => {
    const clock = manualClock()
    const store = openStore({ now: clock.now })
    await store.setMany(Array.from({ length: 50 }, (_, i) => ({ key: `old${i}`, value: envelope(i, clock.now() + 1000) })))
    clock.advance(1000)
    for (let i = 0; i < 5; i++) {
      await store.set(`new${i}`, envelope(i))
      clock.advance(100) // core sweeps at most every 100 ms, cullLimit (10) per write since the last sweep
    }
    expect(store.cache.expire()).toBe(0) // nothing left for a manual sweep
    expect(store.cache.size).toBe(5)
  })

  it('refuses a negative ttl', async () => {
    const store = openStore()
    await expect(store.set('k', 'opaque', -1)).rejects.toBeInstanceOf(InvalidTtlError)
  })
})

describe('KeyvDiskCache.iterator()', () => {
  it('yields [key, stored value] for the namespace it is given, in key order', async () => {
    const store = openStore()
    store.namespace = 'a'
    await store.set('a:2', envelope(2))
    await store.set('a:1', envelope(1))
    store.namespace = 'b'
    await store.set('b:1', envelope('other'))
    const seen: unknown[] = []
    for await (const entry of store.iterator('a')) seen.push(entry)
    expect(seen).toEqual([
      ['a:1', envelope(1)],
      ['a:2', envelope(2)],
    ])
  })

  it('skips keys a core user stored deeper under the namespace', async () => {
    const store = openStore()
    store.namespace = 'ns'
    await store.set('k', envelope(1))
    store.cache.set(['ns', 'k', 'extra'], 'not keyv')
    store.cache.set(['ns', 7], 'not keyv either')
    const seen: unknown[] = []
    for await (const [key] of store.iterator()) seen.push(key)
    expect(seen).toEqual(['k'])
  })

  it('visits every entry once while Keyv deletes entries during the walk', async () => {
    const store = openStore()
    const keyv = new Keyv({ store })
    await keyv.setMany(Array.from({ length: 250 }, (_, i) => ({ key: String(i).padStart(3, '0'), value: i })))
    const seen: string[] = []
    for await (const [key] of keyv.iterator!()) {
      seen.push(key as string)
      await keyv.delete(key as string)
    }
    expect(seen).toHaveLength(250)
    expect(new Set(seen).size).toBe(250)
  })
})

describe('KeyvDiskCache options', () => {
  it('opens a directory given as a string or as { directory }, with core options', async () => {
    const dir = makeTempDir()
    const first = closeAfterTest(new KeyvDiskCache(dir))
    await first.set('k', envelope(1))
    const second = closeAfterTest(new KeyvDiskCache({ directory: dir, timeout: 100 }))
    expect(await second.get('k')).toBe(envelope(1))
  })

  it('stores in a Cache passed as { cache } and leaves it open on disconnect', async () => {
    const cache = new Cache(makeTempDir())
    const store = new KeyvDiskCache({ cache })
    await store.set('k', envelope(1))
    await store.disconnect()
    expect(cache.get(['', 'k'])).toBe(envelope(1))
    cache.close()
  })

  it('closes a cache it opened itself on disconnect', async () => {
    const store = new KeyvDiskCache(makeTempDir())
    await store.disconnect()
    await expect(store.set('k', envelope(1))).rejects.toMatchObject({ code: 'CACHE_CLOSED' })
  })

  it('refuses misspelt options with a suggestion', () => {
    expect(() => new KeyvDiskCache({ directroy: makeTempDir() } as never)).toThrow(
      new InvalidOptionError('unknown option "directroy"; did you mean "directory"?'),
    )
    expect(() => new KeyvDiskCache({ size_limit: 1 } as never)).toThrow(/did you mean "sizeLimit"/)
  })

  it('refuses core options beside an open cache, and a cache that is not a Cache', () => {
    const cache = closeAfterTest(new KeyvDiskCache(makeTempDir())).cache
    expect(() => new KeyvDiskCache({ cache, sizeLimit: 1e6 })).toThrow(/"sizeLimit" cannot apply to it/)
    expect(() => new KeyvDiskCache({ cache: new Map() as never })).toThrow(InvalidOptionError)
    expect(() => new KeyvDiskCache(42 as never)).toThrow(/directory path or an options object/)
  })
})
