import fc from 'fast-check'
import { Cache } from './cache.js'
import { DiskCacheError, InvalidKeyError, InvalidOptionError, InvalidTtlError, InvalidValueError } from './errors.js'
import { openCache, openFanoutCache } from './test-support/open-cache.js'
import { makeTempDir } from './test-support/temp-dir.js'

// cache-key.test.ts, value-codec.test.ts, ttl.test.ts and options.test.ts pin each rule with
// chosen examples; this file throws everything else at the public entry points: whatever comes
// in, the answer is a success or a DiskCacheError, and the cache keeps working afterwards.
const RUNS = Number(process.env.DISKCACHE_FUZZ_RUNS ?? 150)

const HUGE = 'h'.repeat(3 * 2 ** 20)
const revoked = Proxy.revocable({}, {})
revoked.revoke()

/** Values of every JS type, hostile ones included (`withHuge`: megabyte strings and buffers too). */
const anyValueOf = (withHuge: boolean): fc.Arbitrary<unknown> => fc.oneof(
  { weight: 6, arbitrary: fc.anything({ withBigInt: true, withDate: true, withMap: true, withSet: true, withTypedArray: true, withSparseArray: true, withBoxedValues: true, withNullPrototype: true, withObjectString: true }) },
  { weight: 1, arbitrary: fc.constantFrom(NaN, -0, Infinity, -Infinity, 2n ** 200n, -(2n ** 70n), Number.MIN_VALUE, Number.MAX_SAFE_INTEGER + 2) },
  { weight: 1, arbitrary: fc.string().map((description) => Symbol(description)) },
  { weight: 1, arbitrary: fc.constantFrom(() => 1, async () => 1, function* generator() {}, class Thing {}, Math.max) },
  { weight: withHuge ? 1 : 0, arbitrary: fc.constantFrom(HUGE, [HUGE], Buffer.alloc(2 ** 20, 7)) },
  { weight: 1, arbitrary: fc.constantFrom(new Float64Array([1.5, NaN]), new Int8Array([-1]), new BigInt64Array([5n]), new Uint8ClampedArray([300]), new DataView(new ArrayBuffer(4)), new ArrayBuffer(3), new Uint8Array(new ArrayBuffer(8), 2, 3)) },
  { weight: 1, arbitrary: fc.constantFrom(new Proxy({ a: 1 }, {}), new Proxy(['a', 1], {}), new Proxy(new Uint8Array([1, 2]), {}), new Proxy(() => 1, {})) },
  { weight: 1, arbitrary: fc.constantFrom(new Error('boom'), Promise.resolve(1), new WeakMap(), /re/g, new Date(NaN), Object.create(null), globalThis) },
  { weight: 2, arbitrary: fc.letrec((tie) => ({ nested: fc.oneof({ depthSize: 'small' }, fc.string(), fc.integer(), fc.bigInt(), fc.constant(NaN), fc.array(tie('nested'), { maxLength: 4 })) })).nested },
)
const anyValue = anyValueOf(true)
// Options holding megabyte strings only slow the runs down: a huge tag is still just a string.
const anyOption = anyValueOf(false)

/** Keys as the README allows them, for round trips. */
const validKey: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  key: fc.oneof(
    { depthSize: 'small' },
    fc.string(),
    fc.double({ noNaN: true }),
    fc.bigInt(),
    fc.uint8Array({ maxLength: 16 }),
    fc.array(tie('key'), { maxLength: 4 }),
  ),
})).key

/** Calls `fn`; a throw must be a DiskCacheError (of one of `allowed`, when given). */
function outcome<T>(fn: () => T, allowed?: (new (...args: never[]) => Error)[]): { ok: true; value: T } | { ok: false; error: unknown } {
  try {
    return { ok: true, value: fn() }
  } catch (error) {
    if (!(error instanceof DiskCacheError)) throw new Error(`not a DiskCacheError: ${String(error)}\n${(error as Error).stack}`)
    if (allowed) expect(allowed.some((type) => error instanceof type)).toBe(true)
    return { ok: false, error }
  }
}

function expectWorking(cache: Cache): void {
  cache.set('sentinel', 'still here')
  expect(cache.get('sentinel')).toBe('still here')
  expect(cache.check().ok).toBe(true)
}

describe('public entry points under fuzzed input', () => {
  it('answer any key with a result or InvalidKeyError, and round-trip the keys they accept', () => {
    const cache = openCache()
    fc.assert(
      fc.property(fc.oneof(anyValue, validKey), (key) => {
        const k = key as never
        const stored = outcome(() => cache.set(k, 'v'), [InvalidKeyError])
        for (const call of [() => cache.get(k), () => cache.has(k), () => cache.getWithMeta(k), () => cache.touch(k, 1000), () => cache.getMany([k, 'x'])]) {
          expect(outcome(call, [InvalidKeyError]).ok).toBe(stored.ok)
        }
        if (stored.ok) {
          expect(cache.get(k)).toBe('v')
          expect(cache.add(k, 'again')).toBe(false)
          expect(outcome(() => cache.incr(k), [DiskCacheError]).ok).toBe(false) // 'v' is not a number
          expect(cache.pop(k)).toBe('v')
          expect(cache.delete(k)).toBe(false)
        }
      }),
      { numRuns: RUNS },
    )
    expectWorking(cache)
  })

  it('store any value or refuse it with InvalidValueError, leaving the previous value in place', () => {
    const cache = openCache()
    fc.assert(
      fc.property(anyValue, (value) => {
        cache.set('k', 'previous')
        const stored = outcome(() => cache.set('k', value), [InvalidValueError])
        const back = outcome(() => cache.get('k'))
        expect(back.ok).toBe(true)
        if (!stored.ok) expect(cache.get('k')).toBe('previous')
        const pushed = outcome(() => cache.push(value, { prefix: 'q' }), [InvalidValueError])
        expect(pushed.ok).toBe(stored.ok)
        if (pushed.ok) expect(outcome(() => cache.pull({ prefix: 'q' })).ok).toBe(true)
      }),
      { numRuns: RUNS },
    )
    expectWorking(cache)
  })

  it('round-trip plain data exactly, NaN, -0 and bigints included', () => {
    const cache = openCache()
    const plain = fc.oneof(fc.jsonValue(), fc.constantFrom(NaN, -0, 2n ** 100n), fc.array(fc.oneof(fc.double(), fc.bigInt(), fc.string())))
    fc.assert(
      fc.property(validKey, plain, (key, value) => {
        cache.set(key as never, value)
        const back = cache.get(key as never)
        if (Object.is(value, -0)) expect(Object.is(back, -0)).toBe(true)
        expect(back).toEqual(value)
      }),
      { numRuns: RUNS },
    )
    expectWorking(cache)
  })

  it('refuse any TTL that is not a non-negative number (or null/undefined/Infinity) with InvalidTtlError, storing nothing', () => {
    const cache = openCache()
    const ttls = fc.oneof(anyValue, fc.double(), fc.constantFrom(NaN, -1, -Infinity, '10', '', null, undefined, Infinity, 0, -0, 2 ** 60))
    fc.assert(
      fc.property(ttls, (ttl) => {
        cache.delete('t')
        const isValid = ttl === undefined || ttl === null || (typeof ttl === 'number' && ttl >= 0)
        const stored = outcome(() => cache.set('t', 1, { ttl: ttl as number }), [InvalidTtlError])
        expect(stored.ok).toBe(isValid)
        if (!isValid) expect(cache.has('t')).toBe(false)
        cache.set('present', 1)
        expect(outcome(() => cache.touch('present', ttl as number), [InvalidTtlError]).ok).toBe(isValid)
      }),
      { numRuns: RUNS },
    )
    expectWorking(cache)
  })

  it('refuse malformed write options (tags, expiresAt, unknown names, non-objects) with a DiskCacheError', () => {
    const cache = openCache()
    const writeOptions = fc.oneof(
      anyOption,
      fc.record({ ttl: anyOption, tags: anyOption, expiresAt: anyOption }, { requiredKeys: [] }),
      fc.dictionary(fc.constantFrom('ttl', 'tags', 'expiresAt', 'tag', 'TTL', 'expire', '__proto__', 'constructor'), anyOption),
      fc.constantFrom(new Proxy({ ttl: 10 }, {}), [], Object.create({ ttl: -1 })),
    )
    fc.assert(
      fc.property(writeOptions, (options) => {
        outcome(() => cache.set('w', 1, options as never))
        // Stored or not (a ttl under a millisecond may expire at once), reading it back works.
        expect(outcome(() => cache.getWithMeta('w')).ok).toBe(true)
        outcome(() => cache.add('w2', 1, options as never))
        outcome(() => cache.incr('w3', 1, options as never))
        outcome(() => cache.get('w', options as never))
        outcome(() => cache.clear(options as never))
        outcome(() => [...cache.keys(options as never)])
        outcome(() => cache.decr('w3', 1, options as never))
        outcome(() => cache.getOrSet('w4', () => 1, options as never))
        outcome(() => cache.setMany([['w5', 1]], options as never))
        outcome(() => cache.push(1, options as never))
        outcome(() => cache.pull(options as never))
        outcome(() => cache.peek(options as never))
        outcome(() => cache.peekItem(options as never))
        outcome(() => [...cache.entries(options as never)])
        outcome(() => cache.memoize((n: number) => n, options as never)(1))
        outcome(() => cache.check(options as never))
        outcome(() => cache.stats(options as never))
        outcome(() => cache.queueSize(options as never))
      }),
      { numRuns: RUNS },
    )
    expectWorking(cache)
  })

  it('answer malformed options to a FanoutCache with a DiskCacheError too', () => {
    const cache = openFanoutCache()
    fc.assert(
      fc.property(anyOption, (options) => {
        const o = options as never
        for (const call of [() => cache.set('f', 1, o), () => cache.get('f', o), () => cache.incr('n', 1, o), () => cache.getOrSet('g', () => 1, o), () => [...cache.keys(o)], () => [...cache.entries(o)], () => cache.peekItem(o), () => cache.stats(o), () => cache.check(o), () => cache.clear(o)]) {
          outcome(call)
        }
      }),
      { numRuns: Math.ceil(RUNS / 3) },
    )
    cache.set('sentinel', 'still here')
    expect(cache.get('sentinel')).toBe('still here')
    expect(cache.check().ok).toBe(true)
  })

  it('let the TypeError of a revoked Proxy through untouched (the engine refuses to look inside it) and keep working', () => {
    const cache = openCache()
    for (const call of [() => cache.set(revoked.proxy as never, 1), () => cache.set('k', revoked.proxy), () => cache.set('k', 1, revoked.proxy as never)]) {
      expect(call).toThrow(/revoked/)
    }
    expect(cache.has('k')).toBe(false)
    expectWorking(cache)
  })

  it('refuse malformed constructor options with InvalidOptionError before writing anything', () => {
    const optionValue = fc.oneof(anyOption, fc.double(), fc.constantFrom(-1, NaN, Infinity, 'full', 'none', 'v8', 'json', 'lru', true, 0))
    const options = fc.oneof(
      anyOption,
      fc.dictionary(
        fc.constantFrom('sizeLimit', 'cullLimit', 'evictionPolicy', 'statistics', 'serializer', 'compression', 'compressionThreshold', 'fileThreshold', 'synchronous', 'timeout', 'ifCorrupt', 'now', 'size_limit', 'ttl'),
        optionValue,
      ),
    )
    fc.assert(
      fc.property(options, (given) => {
        const directory = makeTempDir()
        const opened = outcome(() => new Cache(directory, given as never))
        if (opened.ok) {
          const cache = opened.value
          try {
            // A clock from the options is called here: whatever it returns, writes fail typed or work.
            const wrote = outcome(() => cache.set('k', 'v'))
            if (wrote.ok) expect(outcome(() => cache.get('k')).ok).toBe(true)
          } finally {
            cache.close()
          }
        } else {
          expect(opened.error instanceof InvalidOptionError || (opened.error as DiskCacheError).code !== undefined).toBe(true)
        }
      }),
      { numRuns: Math.ceil(RUNS / 2) },
    )
  })
})

describe('inputs the fuzzer found (each once threw a bare TypeError)', () => {
  it('refuses a Proxy of a Uint8Array as a key (InvalidKeyError) and as a value (InvalidValueError)', () => {
    const cache = openCache()
    const proxied = new Proxy(new Uint8Array([1, 2]), {})
    expect(() => cache.set(proxied, 1)).toThrow(InvalidKeyError)
    expect(() => cache.set(['a', proxied], 1)).toThrow(InvalidKeyError)
    expect(() => cache.set('k', proxied)).toThrow(InvalidValueError)
    expect(cache.size).toBe(0)
  })

  it('refuses null for the options of every method that takes some, with InvalidOptionError', () => {
    const cache = openCache()
    const fanout = openFanoutCache()
    const calls: (() => unknown)[] = [
      () => cache.incr('n', 1, null as never),
      () => cache.getOrSet('g', () => 1, null as never),
      () => [...cache.entries(null as never)],
      () => cache.peekItem(null as never),
      () => cache.push(1, null as never),
      () => cache.pull(null as never),
      () => cache.stats(null as never),
      () => cache.check(null as never),
      () => cache.memoize((n: number) => n, null as never),
      () => [...fanout.keys(null as never)],
      () => fanout.peekItem(null as never),
    ]
    for (const call of calls) expect(call).toThrow(InvalidOptionError)
    expect(cache.has('n')).toBe(false)
  })

  it('refuses clear(null) with InvalidOptionError and clears nothing', () => {
    const cache = openCache()
    cache.set('k', 1)
    expect(() => cache.clear(null as never)).toThrow(InvalidOptionError)
    expect(cache.has('k')).toBe(true)
  })

  it('names an option value without a prototype in its InvalidOptionError', () => {
    const bare = Object.create(null) as object
    expect(() => openCache({ sizeLimit: bare as never })).toThrow(/"sizeLimit" must be .*\[object Object\]/)
    expect(() => openCache().set('k', 1, [bare] as never)).toThrow(InvalidOptionError)
  })

  it('names a bigint given as a setting in its InvalidOptionError', () => {
    expect(() => openCache({ evictionPolicy: [0n] as never })).toThrow(/"evictionPolicy" must be .*got 0/)
  })

  it.each([0.5, 2 ** 31, 1e300])('refuses a timeout of %p with InvalidOptionError (SQLite takes whole milliseconds in 32 bits)', (timeout) => {
    expect(() => openCache({ timeout })).toThrow(InvalidOptionError)
  })
})
