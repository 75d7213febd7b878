import { InvalidKeyError, InvalidOptionError } from './errors.js'
import { deferred, CACHE_IMPLEMENTATIONS } from './test-support/open-cache.js'
import { makeTempDir, manualClock } from './test-support/temp-dir.js'

describe.each(CACHE_IMPLEMENTATIONS)('$name', ({ name, open: openCache }) => {
  // For what only a single database can do (see FanoutCache in the README).
  const itCacheOnly = name === 'Cache' ? it : it.skip

  describe('cache.memoize() with a sync function', () => {
    it('calls the function once per distinct arguments and returns the cached result after', () => {
      const cache = openCache()
      let calls = 0
      const add = cache.memoize(function add(a: number, b: number) {
        calls++
        return { sum: a + b }
      })
      expect(add(1, 2)).toEqual({ sum: 3 })
      expect(add(1, 2)).toEqual({ sum: 3 })
      expect(calls).toBe(1)
      expect(add(2, 1)).toEqual({ sum: 3 })
      expect(calls).toBe(2)
    })

    it('keeps results for another Cache on the same directory', () => {
      const dir = makeTempDir()
      let calls = 0
      function square(n: number) {
        calls++
        return n * n
      }
      expect(openCache({}, dir).memoize(square)(4)).toBe(16)
      expect(openCache({}, dir).memoize(square)(4)).toBe(16)
      expect(calls).toBe(1)
    })

    it('does not cache a throw', () => {
      const cache = openCache()
      let calls = 0
      const flaky = cache.memoize(function flaky() {
        calls++
        if (calls === 1) throw new Error('first call fails')
        return 'ok'
      })
      expect(() => flaky()).toThrow('first call fails')
      expect(flaky()).toBe('ok')
      expect(flaky()).toBe('ok')
      expect(calls).toBe(2)
    })

    it('caches undefined and null results', () => {
      const cache = openCache()
      let calls = 0
      const nothing = cache.memoize(function nothing(): undefined {
        calls++
        return undefined
      })
      nothing()
      nothing()
      expect(calls).toBe(1)
    })

    it('tells argument types and object contents apart, but not property order', () => {
      const cache = openCache()
      let calls = 0
      const kind = cache.memoize(function kind(value: unknown) {
        calls++
        return typeof value
      })
      kind(1)
      kind('1')
      kind(1n)
      kind([1])
      kind({ a: 1, b: 2 })
      expect(calls).toBe(5)
      kind({ b: 2, a: 1 })
      kind(new Map([[1, 2]]))
      kind(new Map([[1, 3]]))
      expect(calls).toBe(7)
    })

    it('gives a promise on misses and hits with { async: true }', async () => {
      const cache = openCache()
      const lookUp = cache.memoize((id: number) => `user ${id}`, { name: 'lookUp', async: true })
      const miss = lookUp(1) as unknown
      expect(miss).toBeInstanceOf(Promise)
      await expect(miss).resolves.toBe('user 1')
      const hit = lookUp(1) as unknown
      expect(hit).toBeInstanceOf(Promise)
      await expect(hit).resolves.toBe('user 1')
    })
  })

  describe('cache.memoize() with an async function', () => {
    it('caches the resolved value and returns a promise on hits', async () => {
      const cache = openCache()
      let calls = 0
      const fetchUser = cache.memoize(async function fetchUser(id: number) {
        calls++
        return { id, name: `user ${id}` }
      })
      await expect(fetchUser(7)).resolves.toEqual({ id: 7, name: 'user 7' })
      const hit = fetchUser(7)
      expect(hit).toBeInstanceOf(Promise)
      await expect(hit).resolves.toEqual({ id: 7, name: 'user 7' })
      expect(calls).toBe(1)
      expect(cache.get(fetchUser.cacheKey(7))).toEqual({ id: 7, name: 'user 7' })
    })

    it('shares one computation between concurrent calls', async () => {
      const cache = openCache()
      const gate = deferred<string>()
      let calls = 0
      const slow = cache.memoize(async function slow(key: string) {
        calls++
        return `${key}:${await gate.promise}`
      })
      const calls3 = [slow('k'), slow('k'), slow('k')]
      const other = slow('other')
      gate.resolve('done')
      await expect(Promise.all(calls3)).resolves.toEqual(['k:done', 'k:done', 'k:done'])
      await expect(other).resolves.toBe('other:done')
      expect(calls).toBe(2)
    })

    it('does not cache a rejection', async () => {
      const cache = openCache()
      let calls = 0
      const flaky = cache.memoize(async function flaky() {
        calls++
        if (calls === 1) throw new Error('first call fails')
        return 'ok'
      })
      const first = flaky()
      const joined = flaky()
      await expect(first).rejects.toThrow('first call fails')
      await expect(joined).rejects.toThrow('first call fails')
      expect(flaky.cacheInfo().currentSize).toBe(0)
      await expect(flaky()).resolves.toBe('ok')
      await expect(flaky()).resolves.toBe('ok')
      expect(calls).toBe(2)
    })
  })

  describe('memoized.cacheKey()', () => {
    it('returns the key a call uses, equal for equal arguments', () => {
      const cache = openCache()
      const f = cache.memoize(function f(options: { a: number; b: number }) {
        return options.a + options.b
      })
      const key = f.cacheKey({ a: 1, b: 2 })
      expect(f.cacheKey({ b: 2, a: 1 })).toEqual(key)
      expect(f.cacheKey({ a: 1, b: 3 })).not.toEqual(key)
      expect(cache.has(key)).toBe(false)
      f({ a: 1, b: 2 })
      expect(cache.get(key)).toBe(3)
    })

    it('differs between functions with different names', () => {
      const cache = openCache()
      const one = cache.memoize((n: number) => n, { name: 'one' })
      const two = cache.memoize((n: number) => n, { name: 'two' })
      expect(one.cacheKey(1)).not.toEqual(two.cacheKey(1))
    })
  })

  describe('memoized.cacheInfo()', () => {
    itCacheOnly('counts hits and misses and reports the entries stored', () => {
      const cache = openCache()
      const double = cache.memoize((n: number) => n * 2, { name: 'double', maxSize: 10 })
      expect(double.cacheInfo()).toEqual({ hits: 0, misses: 0, maxSize: 10, currentSize: 0 })
      double(1)
      double(2)
      double(1)
      double(1)
      expect(double.cacheInfo()).toEqual({ hits: 2, misses: 2, maxSize: 10, currentSize: 2 })
    })

    it('reports maxSize null when unbounded', () => {
      const cache = openCache()
      expect(cache.memoize((n: number) => n, { name: 'f' }).cacheInfo().maxSize).toBeNull()
    })
  })

  describe('memoized.cacheClear()', () => {
    it("removes only that function's entries and returns how many", () => {
      const cache = openCache()
      const a = cache.memoize((n: number) => `a${n}`, { name: 'a' })
      const b = cache.memoize((n: number) => `b${n}`, { name: 'b' })
      a(1)
      a(2)
      b(1)
      cache.set('plain', 'value')
      expect(a.cacheClear()).toBe(2)
      expect(a.cacheInfo()).toMatchObject({ hits: 0, misses: 0, currentSize: 0 })
      expect(b.cacheInfo().currentSize).toBe(1)
      expect(cache.get(b.cacheKey(1))).toBe('b1')
      expect(cache.get('plain')).toBe('value')
      expect(cache.has(a.cacheKey(1))).toBe(false)
    })
  })

  describe('memoize option ignore', () => {
    it('leaves arguments out of the key by position', () => {
      const cache = openCache()
      let calls = 0
      const load = cache.memoize(
        function load(id: number, log: (message: string) => void) {
          calls++
          log(`loading ${id}`)
          return id
        },
        { ignore: [1] },
      )
      load(1, () => {})
      load(1, () => {})
      expect(calls).toBe(1)
      load(2, () => {})
      expect(calls).toBe(2)
    })

    it('leaves properties of plain-object arguments out of the key by name', () => {
      const cache = openCache()
      let calls = 0
      const search = cache.memoize(
        function search(query: { text: string; requestId: string }) {
          calls++
          return query.text.toUpperCase()
        },
        { ignore: ['requestId'] },
      )
      expect(search({ text: 'a', requestId: 'r1' })).toBe('A')
      expect(search({ text: 'a', requestId: 'r2' })).toBe('A')
      expect(calls).toBe(1)
      expect(search({ text: 'b', requestId: 'r1' })).toBe('B')
      expect(calls).toBe(2)
    })

    it('is needed for a function argument, which cannot be part of a key', () => {
      const cache = openCache()
      const f = cache.memoize((n: number, callback: () => void) => (callback(), n), { name: 'f' })
      expect(() => f(1, () => {})).toThrow(InvalidKeyError)
    })
  })

  describe('memoize option key', () => {
    it('builds the key from the arguments with the given function', () => {
      const cache = openCache()
      let calls = 0
      const render = cache.memoize(
        function render(user: { id: number; loadedAt: number }) {
          calls++
          return `<p>${user.id}</p>`
        },
        { key: (user: { id: number }) => user.id },
      )
      render({ id: 1, loadedAt: 1 })
      render({ id: 1, loadedAt: 2 })
      expect(calls).toBe(1)
      expect(render.cacheKey({ id: 1, loadedAt: 3 })).toEqual(['diskcache.memoize', 'render', 1])
    })

    it('may return any cache key type, bigints and buffers included', async () => {
      const cache = openCache()
      let calls = 0
      const byBigint = cache.memoize(
        (id: bigint) => {
          calls++
          return `big ${id}`
        },
        { name: 'byBigint', key: (id: bigint) => id },
      )
      expect(byBigint(2n ** 70n)).toBe(`big ${2n ** 70n}`)
      expect(byBigint(2n ** 70n)).toBe(`big ${2n ** 70n}`)
      const byBytes = cache.memoize(async (data: Buffer) => data.length, { name: 'byBytes', key: (data: Buffer) => [data, 1n] })
      await expect(byBytes(Buffer.from('abc'))).resolves.toBe(3)
      await expect(byBytes(Buffer.from('abc'))).resolves.toBe(3)
      expect(calls).toBe(1)
    })
  })

  describe('memoize option typed', () => {
    class Meters {
      constructor(readonly value: number) {}
    }
    class Feet {
      constructor(readonly value: number) {}
    }

    it('off by default: instances of two classes with the same fields share a key', () => {
      const cache = openCache()
      const f = cache.memoize((length: object) => length.constructor.name, { name: 'f' })
      expect(f(new Meters(1))).toBe('Meters')
      expect(f(new Feet(1))).toBe('Meters')
    })

    it('on: instances of two classes with the same fields get different keys', () => {
      const cache = openCache()
      const f = cache.memoize((length: object) => length.constructor.name, { name: 'f', typed: true })
      expect(f(new Meters(1))).toBe('Meters')
      expect(f(new Feet(1))).toBe('Feet')
      expect(f(new Feet(1))).toBe('Feet')
      expect(f.cacheInfo()).toMatchObject({ hits: 1, misses: 2 })
    })
  })

  describe('memoize option maxSize', () => {
    itCacheOnly('keeps at most maxSize results, dropping the least recently used', () => {
      const clock = manualClock()
      const cache = openCache({ now: clock.now })
      let calls = 0
      const f = cache.memoize(
        (n: number) => {
          calls++
          return n
        },
        { name: 'f', maxSize: 3 },
      )
      for (const n of [1, 2, 3]) {
        clock.advance(1)
        f(n)
      }
      clock.advance(1)
      f(1) // 1 is now the most recently used; 2 is the least
      clock.advance(1)
      f(4)
      expect(f.cacheInfo().currentSize).toBe(3)
      expect(cache.has(f.cacheKey(2))).toBe(false)
      expect([1, 3, 4].map((n) => cache.has(f.cacheKey(n)))).toEqual([true, true, true])
      clock.advance(1)
      f(5)
      expect(cache.has(f.cacheKey(3))).toBe(false)
      expect(calls).toBe(5)
    })

    itCacheOnly('counts only its own function against the bound', () => {
      const cache = openCache()
      const f = cache.memoize((n: number) => n, { name: 'f', maxSize: 2 })
      const g = cache.memoize((n: number) => n, { name: 'g' })
      for (let n = 0; n < 5; n++) {
        f(n)
        g(n)
      }
      expect(f.cacheInfo().currentSize).toBe(2)
      expect(g.cacheInfo().currentSize).toBe(5)
    })

    itCacheOnly('records a hit once, so LFU counts memoized reads like any other read', () => {
      const clock = manualClock()
      const cache = openCache({ now: clock.now, sizeLimit: 4096, cullLimit: 0, evictionPolicy: 'least-frequently-used' })
      const f = cache.memoize((n: number) => n, { name: 'f', maxSize: 10 })
      cache.set('plain', 'p')
      clock.advance(1)
      f(1)
      clock.advance(1)
      cache.get('plain')
      cache.get('plain')
      clock.advance(1)
      f(1) // one read: fewer than plain's two
      cache.reset('cullLimit', 1)
      clock.advance(1)
      cache.set('new', 'n') // never read, but spared by its own write: the least read other entry goes
      expect(cache.has(f.cacheKey(1))).toBe(false)
      expect(cache.has('plain')).toBe(true)
    })

    it.each([0, -1, 1.5, NaN])('rejects maxSize %p', (maxSize) => {
      const cache = openCache()
      expect(() => cache.memoize((n: number) => n, { name: 'f', maxSize })).toThrow(InvalidOptionError)
    })
  })

  describe('memoize option ttl', () => {
    it('recomputes a result after its ttl', () => {
      const clock = manualClock()
      const cache = openCache({ now: clock.now })
      let calls = 0
      const f = cache.memoize(
        () => {
          calls++
          return calls
        },
        { name: 'f', ttl: 100 },
      )
      expect(f()).toBe(1)
      clock.advance(99)
      expect(f()).toBe(1)
      clock.advance(1)
      expect(f()).toBe(2)
    })
  })

  describe('memoize option tags', () => {
    it('adds tags to every result, so evict() removes them', () => {
      const cache = openCache()
      const f = cache.memoize((n: number) => n, { name: 'f', tags: ['group'] })
      f(1)
      f(2)
      expect(cache.evict('group')).toBe(2)
      expect(f.cacheInfo().currentSize).toBe(0)
    })
  })

  describe('memoize validation', () => {
    it('needs a name for an anonymous function', () => {
      const cache = openCache()
      let error: unknown
      try {
        cache.memoize((n: number) => n)
      } catch (caught) {
        error = caught
      }
      expect(error).toBeInstanceOf(InvalidOptionError)
      expect((error as Error).message).toMatch(/name/)
      expect(cache.memoize((n: number) => n, { name: 'named' })(3)).toBe(3)
    })

    it('rejects an unknown option, suggesting the right one', () => {
      const cache = openCache()
      expect(() => cache.memoize((n: number) => n, { name: 'f', maxsize: 3 } as never)).toThrow(/did you mean "maxSize"/)
    })

    it('rejects something that is not a function', () => {
      const cache = openCache()
      expect(() => cache.memoize('nope' as never)).toThrow(InvalidOptionError)
    })

    it('names the wrapper after the function', () => {
      const cache = openCache()
      expect(cache.memoize(function total() {}).name).toBe('memoized total')
    })
  })
})
