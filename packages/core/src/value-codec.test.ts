import { COMPRESSION_CODECS } from './compression.js'
import { DiskCacheError, InvalidValueError } from './errors.js'
import type { Serializer } from './serializer.js'
import { openCache } from './test-support/open-cache.js'
import { makeTempDir } from './test-support/temp-dir.js'
import { decodeValue, encodeValue, type ValueCodecConfig, ValueKind, valueKind } from './value-codec.js'

// Compressible but not trivially so: words with a counter, so gzip and brotli have real work.
function largeText(seed: number, bytes = 20_000): string {
  let text = ''
  for (let i = 0; text.length < bytes; i++) text += `entry ${seed} line ${i}: the quick brown fox jumps over the lazy dog. `
  return text.slice(0, bytes)
}

describe('cache values', () => {
  it('round-trip strings, including empty, non-ASCII and long ones', () => {
    const cache = openCache()
    const values = ['', 'plain', 'naïve 🚀 ünïcödé', 'z'.repeat(30_000)]
    values.forEach((value, i) => cache.set(i, value))
    values.forEach((value, i) => expect(cache.get(i)).toBe(value))
  })

  it('round-trip numbers, including NaN, -0 and both infinities', () => {
    const cache = openCache()
    const values = [0, 1, -1, 0.1 + 0.2, Number.MAX_SAFE_INTEGER, Number.MIN_VALUE, 1e308, NaN, -0, Infinity, -Infinity]
    values.forEach((value, i) => cache.set(i, value))
    values.forEach((value, i) => expect(Object.is(cache.get(i), value)).toBe(true))
  })

  it('round-trip bigints of any size', () => {
    const cache = openCache()
    const values = [0n, -1n, 2n ** 64n, -(2n ** 200n) + 3n]
    values.forEach((value, i) => cache.set(i, value))
    values.forEach((value, i) => expect(cache.get(i)).toBe(value))
  })

  it('round-trip Buffers, including an empty one', () => {
    const cache = openCache()
    cache.set('bytes', Buffer.from([0, 255, 10]))
    cache.set('empty', Buffer.alloc(0))
    expect(cache.get('bytes')).toEqual(Buffer.from([0, 255, 10]))
    const empty = cache.get('empty')
    expect(Buffer.isBuffer(empty)).toBe(true)
    expect((empty as Buffer).length).toBe(0)
  })

  it('give a Uint8Array back as a Buffer with the same bytes, only the viewed part', () => {
    const cache = openCache()
    const backing = new Uint8Array([7, 1, 2, 3, 7])
    cache.set('view', backing.subarray(1, 4))
    const back = cache.get('view') as Buffer
    expect(Buffer.isBuffer(back)).toBe(true)
    expect([...back]).toEqual([1, 2, 3])
  })

  it('round-trip Map, Set, Date, RegExp, typed arrays and nested objects with the v8 serializer', () => {
    const cache = openCache()
    const value = {
      map: new Map<unknown, unknown>([
        ['a', 1],
        [2, { deep: [1, 2, new Set(['x'])] }],
      ]),
      set: new Set([1, 'two', 3n]),
      date: new Date('2024-01-02T03:04:05.678Z'),
      regexp: /ab+c/gi,
      floats: new Float64Array([1.5, -2]),
      nested: { array: [null, true, false, undefined, 'str'], bigint: 10n },
    }
    cache.set('v', value)
    const back = cache.get('v') as typeof value
    expect(back).toEqual(value)
    // v8.deserialize builds objects in Node's realm, not jest's sandbox, so check the tag rather than instanceof.
    expect(Object.prototype.toString.call(back.date)).toBe('[object Date]')
    expect(Object.prototype.toString.call(back.map)).toBe('[object Map]')
    expect(back.date.getTime()).toBe(value.date.getTime())
    expect(back.set.has(3n)).toBe(true)
  })

  it('round-trip null, booleans and arrays', () => {
    const cache = openCache()
    cache.set('null', null)
    cache.set('true', true)
    cache.set('false', false)
    cache.set('array', [1, 'a', [2]])
    expect(cache.get('null', { default: 'miss' })).toBeNull()
    expect(cache.get('true')).toBe(true)
    expect(cache.get('false')).toBe(false)
    expect(cache.get('array')).toEqual([1, 'a', [2]])
  })

  it('keep a value with a cycle with the v8 serializer', () => {
    const cache = openCache()
    const node: { name: string; self?: unknown } = { name: 'n' }
    node.self = node
    cache.set('cycle', node)
    const back = cache.get('cycle') as typeof node
    expect(back.self).toBe(back)
  })
})

describe('values the serializer cannot store', () => {
  it.each([
    ['a function', () => 1],
    ['an object holding a function', { ok: 1, callback: () => 1 }],
    ['a symbol', Symbol('s')],
    ['an array holding a function', [1, function named() {}]],
  ])('throw InvalidValueError for %s and store nothing', (_name, value) => {
    const cache = openCache()
    let error: unknown
    try {
      cache.set('k', value)
    } catch (caught) {
      error = caught
    }
    expect(error).toBeInstanceOf(InvalidValueError)
    expect(error).toBeInstanceOf(DiskCacheError)
    expect((error as InvalidValueError).code).toBe('INVALID_VALUE')
    expect((error as Error).cause).toBeDefined()
    expect(cache.has('k')).toBe(false)
    expect(cache.size).toBe(0)
  })

  it('leave the previous value in place when an overwrite fails', () => {
    const cache = openCache()
    cache.set('k', 'good')
    expect(() => cache.set('k', { fn: () => 1 })).toThrow(InvalidValueError)
    expect(cache.get('k')).toBe('good')
    expect(() => cache.add('other', () => 1)).toThrow(InvalidValueError)
    expect(cache.has('other')).toBe(false)
  })
})

describe('the json serializer', () => {
  it('round-trips plain data and records itself in the settings', () => {
    const cache = openCache({ serializer: 'json' })
    expect(cache.settings.serializer).toBe('json')
    const value = { a: [1, 'two', { three: null }], b: true }
    cache.set('k', value)
    expect(cache.get('k')).toEqual(value)
  })

  it('keeps strings, numbers, bigints and bytes native', () => {
    const cache = openCache({ serializer: 'json' })
    cache.set('s', 'text')
    cache.set('n', 2.5)
    cache.set('big', 2n ** 70n)
    cache.set('bytes', Buffer.from([1, 2]))
    expect(cache.get('s')).toBe('text')
    expect(cache.get('n')).toBe(2.5)
    expect(cache.get('big')).toBe(2n ** 70n)
    expect(cache.get('bytes')).toEqual(Buffer.from([1, 2]))
  })

  it('turns a Date into its JSON string and a Map into an empty object, as JSON does', () => {
    const cache = openCache({ serializer: 'json' })
    cache.set('date', new Date('2024-01-01T00:00:00.000Z'))
    cache.set('map', new Map([['a', 1]]))
    expect(cache.get('date')).toBe('2024-01-01T00:00:00.000Z')
    expect(cache.get('map')).toEqual({})
  })

  it('throws InvalidValueError for values JSON cannot represent', () => {
    const cache = openCache({ serializer: 'json' })
    expect(() => cache.set('u', undefined)).toThrow(InvalidValueError)
    expect(() => cache.set('f', () => 1)).toThrow(InvalidValueError)
    expect(() => cache.set('big', { n: 1n })).toThrow(InvalidValueError)
    expect(cache.size).toBe(0)
  })

  it('still reads values written earlier with v8', () => {
    const dir = makeTempDir()
    const v8Cache = openCache({}, dir)
    v8Cache.set('map', new Map([['a', 1]]))
    const jsonCache = openCache({ serializer: 'json' }, dir)
    expect(jsonCache.get('map')).toEqual(new Map([['a', 1]]))
  })
})

describe('a custom serializer', () => {
  function tagged(): Serializer & { serialized: number; deserialized: number } {
    const serializer = {
      serialized: 0,
      deserialized: 0,
      serialize(value: unknown) {
        serializer.serialized++
        return 'CUSTOM:' + JSON.stringify(value)
      },
      deserialize(data: Buffer) {
        serializer.deserialized++
        const text = data.toString('utf8')
        if (!text.startsWith('CUSTOM:')) throw new Error('not mine')
        return { ...JSON.parse(text.slice(7)), viaCustom: true }
      },
    }
    return serializer
  }

  it('is used for objects and round-trips through it', () => {
    const serializer = tagged()
    const cache = openCache({ serializer })
    expect(cache.settings.serializer).toBe('custom')
    cache.set('k', { a: 1 })
    expect(serializer.serialized).toBe(1)
    expect(cache.get('k')).toEqual({ a: 1, viaCustom: true })
    expect(serializer.deserialized).toBe(1)
  })

  it('is not used for strings, numbers, bigints and bytes', () => {
    const serializer = tagged()
    const cache = openCache({ serializer })
    cache.set('s', 's')
    cache.set('n', 1)
    cache.set('b', 1n)
    cache.set('x', Buffer.from([1]))
    expect(serializer.serialized).toBe(0)
    expect(cache.getMany(['s', 'n', 'b'])).toEqual(['s', 1, 1n])
  })

  it('turns a serialize() failure into InvalidValueError', () => {
    const cache = openCache({
      serializer: {
        serialize: () => {
          throw new Error('refused')
        },
        deserialize: () => null,
      },
    })
    expect(() => cache.set('k', {})).toThrow(InvalidValueError)
    expect(() => cache.set('k', {})).toThrow(/refused/)
    expect(cache.has('k')).toBe(false)
  })

  it('throws InvalidValueError when serialize() returns something other than bytes or a string', () => {
    const cache = openCache({ serializer: { serialize: () => 42 as never, deserialize: () => null } })
    expect(() => cache.set('k', {})).toThrow(InvalidValueError)
  })
})

describe('compression', () => {
  it.each(['gzip', 'brotli'] as const)('with %s round-trips large text and bytes', (compression) => {
    const cache = openCache({ compression })
    const text = largeText(1)
    const bytes = Buffer.from(largeText(2))
    cache.set('text', text)
    cache.set('bytes', bytes)
    cache.set('object', { text })
    expect(cache.get('text')).toBe(text)
    expect(cache.get('bytes')).toEqual(bytes)
    expect(cache.get('object')).toEqual({ text })
    expect(cache.getWithMeta('text')?.value).toBe(text)
    expect([...cache.values()]).toEqual([text, bytes, { text }])
  })

  it.each(['gzip', 'brotli'] as const)('with %s makes the cache much smaller than without', (compression) => {
    const plain = openCache()
    const compressed = openCache({ compression })
    for (let i = 0; i < 40; i++) {
      plain.set(i, largeText(i))
      compressed.set(i, largeText(i))
    }
    const empty = openCache().volume()
    const plainData = plain.volume() - empty
    const compressedData = compressed.volume() - empty
    expect(plainData).toBeGreaterThan(40 * 20_000)
    expect(compressedData).toBeLessThan(plainData / 5)
  })

  it('keeps incompressible bytes readable', () => {
    const cache = openCache({ compression: 'gzip' })
    const noise = Buffer.alloc(4096)
    for (let i = 0; i < noise.length; i++) noise[i] = (i * 2654435761) >>> 24
    cache.set('noise', noise)
    expect(cache.get('noise')).toEqual(noise)
  })

  it('reads compressed values from a cache opened later without the option', () => {
    const dir = makeTempDir()
    openCache({ compression: 'brotli' }, dir).set('k', largeText(3))
    expect(openCache({}, dir).get('k')).toBe(largeText(3))
  })
})

describe('encodeValue() and decodeValue()', () => {
  const config: ValueCodecConfig = {
    serializer: 'v8',
    customSerializer: undefined,
    compression: 'none',
    compressionThreshold: 1024,
    fileThreshold: 32_768,
  }

  it('records the kind of each value in the mode', () => {
    expect(encodeValue('s', config).mode).toBe(ValueKind.String)
    expect(encodeValue(1, config).mode).toBe(ValueKind.Number)
    expect(encodeValue(1n, config).mode).toBe(ValueKind.BigInt)
    expect(encodeValue(Buffer.from([1]), config).mode).toBe(ValueKind.Bytes)
    expect(encodeValue({}, config).mode).toBe(ValueKind.V8)
    expect(encodeValue(NaN, config).mode).toBe(ValueKind.V8)
    expect(encodeValue({}, { ...config, serializer: 'json' }).mode).toBe(ValueKind.Json)
  })

  it('compresses only values at or above the threshold, and sets the codec flag', () => {
    const gzip = { ...config, compression: 'gzip' as const }
    const small = encodeValue('a'.repeat(100), gzip)
    const large = encodeValue('a'.repeat(5000), gzip)
    expect(small.mode).toBe(ValueKind.String)
    expect(large.mode).toBe(ValueKind.String | COMPRESSION_CODECS.gzip.flag)
    expect(valueKind(large.mode)).toBe(ValueKind.String)
    expect((large.data as Buffer).length).toBeLessThan(200)
    expect(decodeValue(large.mode, large.data, undefined)).toBe('a'.repeat(5000))
  })

  it('sends values at or above fileThreshold to a file', () => {
    expect(encodeValue(Buffer.alloc(32_768), config).toFile).toBe(true)
    expect(encodeValue(Buffer.alloc(32_767), config).toFile).toBe(false)
  })
})
