import { InvalidOptionError, InvalidValueError } from '@diskcache/core'
import { Keyv } from 'keyv'
import { createKeyv } from './create-keyv.js'
import { KeyvDiskCache } from './keyv-disk-cache.js'
import { closeAfterTest, makeTempDir } from './test-support/open-store.js'

function openKeyv(...args: Parameters<typeof createKeyv>): Keyv {
  const keyv = createKeyv(...args)
  closeAfterTest(keyv.store as KeyvDiskCache)
  return keyv
}

describe('createKeyv()', () => {
  it('returns a Keyv on a KeyvDiskCache in the directory, in namespace "keyv"', async () => {
    const directory = makeTempDir()
    const keyv = openKeyv(directory)
    expect(keyv).toBeInstanceOf(Keyv)
    expect(keyv.store).toBeInstanceOf(KeyvDiskCache)
    expect((keyv.store as KeyvDiskCache).cache.directory).toBe(directory)
    await keyv.set('greeting', 'hello')
    expect(await keyv.get('greeting')).toBe('hello')
    expect(await openKeyv({ directory }).get('greeting')).toBe('hello')
  })

  it('stores keys exactly as given: Keyv does not prefix them, the store scopes them', async () => {
    const keyv = openKeyv(makeTempDir(), { namespace: 'app:v2' })
    await keyv.set('user:1', 'Ada')
    const store = keyv.store as KeyvDiskCache
    expect([...store.cache.keys()]).toEqual([['app:v2', 'user:1']])
    const seen: unknown[] = []
    for await (const [key] of keyv.iterator!()) seen.push(key)
    expect(seen).toEqual(['user:1'])
  })

  it("passes Keyv's options through: ttl in milliseconds, stats", async () => {
    const keyv = openKeyv(makeTempDir(), { ttl: 60_000, stats: true })
    const before = Date.now()
    await keyv.set('k', 'v')
    const raw = await keyv.getRaw('k')
    expect(raw?.expires).toBeGreaterThanOrEqual(before + 60_000)
    expect(raw?.expires).toBeLessThanOrEqual(Date.now() + 60_000)
    expect(keyv.stats.hits).toBe(1)
  })

  it('refuses a store of its own, and Keyv compression without Keyv serialization', () => {
    expect(() => createKeyv(makeTempDir(), { store: new Map() } as never)).toThrow(InvalidOptionError)
    const compression = { compress: async (v: unknown) => v, decompress: async (v: unknown) => v }
    expect(() => createKeyv(makeTempDir(), { compression } as never)).toThrow(/compression: 'gzip' or 'brotli' in the first argument/)
  })
})

describe("values with Keyv's serializer off (createKeyv's default, and cache-manager's style)", () => {
  const stored = {
    buffer: Buffer.from([0, 1, 2, 255]),
    object: { nested: { list: [1, 'two', null] }, buff: Buffer.from('buzz') },
    date: new Date('2024-02-29T12:00:00Z'),
    map: new Map([['k', new Set([1, 2])]]),
    bigint: 2n ** 70n,
    string: ':starts with a colon',
  }

  it.each(Object.entries(stored))('round-trip a %s through core\'s serializer', async (name, value) => {
    const keyv = openKeyv(makeTempDir())
    await keyv.set(name, value)
    const back = await keyv.get(name)
    expect(back).toEqual(value)
    if (Buffer.isBuffer(value)) expect(Buffer.isBuffer(back)).toBe(true)
  })

  it('are read back as the same type by another store opened on the directory', async () => {
    const directory = makeTempDir()
    await openKeyv(directory).set('d', stored.date)
    const back = await openKeyv(directory).get<Date>('d')
    // v8.deserialize builds the Date in Node's realm, not jest's sandbox: compare by tag, not instanceof.
    expect(Object.prototype.toString.call(back)).toBe('[object Date]')
    expect(back?.getTime()).toBe(stored.date.getTime())
  })

  it('work the same on a plain Keyv with serialize and deserialize undefined', async () => {
    const store = closeAfterTest(new KeyvDiskCache(makeTempDir()))
    const keyv = new Keyv({ store, serialize: undefined, deserialize: undefined })
    await keyv.set('o', stored.object, 1000)
    expect(await keyv.get('o')).toEqual(stored.object)
    expect((await keyv.getRaw('o'))?.expires).toBe(store.cache.getWithMeta(['keyv', 'keyv:o'])?.expiresAt)
  })

  it("use Keyv's serializer when given one", async () => {
    const keyv = openKeyv(makeTempDir(), { serialize: JSON.stringify, deserialize: JSON.parse })
    await keyv.set('k', { a: 1 })
    expect((keyv.store as KeyvDiskCache).cache.get(['keyv', 'k'])).toBe('{"value":{"a":1}}')
    expect(await keyv.get('k')).toEqual({ a: 1 })
  })
  it('stores each value as itself, with Keyv\'s expires in core\'s expiry column (the envelope unwrapped)', async () => {
    const keyv = openKeyv(makeTempDir())
    const store = keyv.store as KeyvDiskCache
    expect(store.unwrapEnvelopes).toBe(true)
    await keyv.set('text', 'plain', 60_000)
    await keyv.set('forever', Buffer.from('bytes'))
    const stored = store.cache.getWithMeta(['keyv', 'text'])
    expect(stored).toMatchObject({ value: 'plain', expiresAt: expect.any(Number) })
    expect(await keyv.getRaw('text')).toEqual({ value: 'plain', expires: stored!.expiresAt })
    expect(store.cache.get(['keyv', 'forever'])).toEqual(Buffer.from('bytes'))
    expect(await keyv.getRaw('forever')).toEqual({ value: Buffer.from('bytes'), expires: undefined })
    expect(await keyv.getMany(['text', 'missing', 'forever'])).toEqual(['plain', undefined, Buffer.from('bytes')])
  })

  it('keeps the envelope whole when a Keyv serializer is given (the store then receives strings)', async () => {
    const keyv = openKeyv(makeTempDir(), { serialize: JSON.stringify, deserialize: JSON.parse })
    expect((keyv.store as KeyvDiskCache).unwrapEnvelopes).toBe(false)
    await keyv.set('k', { a: 1 })
    expect(await keyv.get('k')).toEqual({ a: 1 })
    expect(typeof (keyv.store as KeyvDiskCache).cache.get(['keyv', 'k'])).toBe('string')
  })

  it('refuses a serialized string in an unwrapping store with InvalidValueError, storing nothing', async () => {
    const store = closeAfterTest(new KeyvDiskCache({ directory: makeTempDir(), unwrapEnvelopes: true }))
    const keyv = new Keyv({ store, throwOnErrors: true }) // Keyv's JSON serializer on: the store gets strings
    await expect(keyv.set('k', 'v')).rejects.toThrow(InvalidValueError)
    await expect(keyv.set('k', 'v')).rejects.toThrow(/needs Keyv's serializer off/)
    expect(store.cache.size).toBe(0)
    expect(() => new KeyvDiskCache({ directory: makeTempDir(), unwrapEnvelopes: 'yes' as never })).toThrow(InvalidOptionError)
  })
})
