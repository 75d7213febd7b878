import { InvalidOptionError, InvalidTtlError, LockTimeoutError } from '../errors.js'
import { deferred, openCache } from '../test-support/open-cache.js'
import { makeTempDir, manualClock } from '../test-support/temp-dir.js'
import { memoizeStampede } from './memoize-stampede.js'

/** Lets queued callbacks and promise reactions run until `done()` holds (or gives up). */
async function until(done: () => boolean): Promise<void> {
  for (let i = 0; i < 1_000 && !done(); i++) await new Promise((resolve) => setImmediate(resolve))
  expect(done()).toBe(true)
}

describe('memoizeStampede()', () => {
  it('returns the cached value before a synchronous refresh runs', async () => {
    const clock = manualClock()
    const cache = openCache({ now: clock.now })
    const log: string[] = []
    let calls = 0
    const version = memoizeStampede(
      cache,
      () => {
        calls++
        log.push(`compute ${calls}`)
        clock.advance(100)
        return calls
      },
      { ttl: 1_000, name: 'version', now: clock.now, random: () => 0 },
    )
    await version()
    clock.advance(950)
    const served = await version()
    log.push(`served ${served}`)
    await until(() => calls === 2)
    expect(log).toEqual(['compute 1', 'served 1', 'compute 2'])
  })

  it('stores each result with how long it took, and serves hits without calling the function', async () => {
    const clock = manualClock()
    const cache = openCache({ now: clock.now })
    let calls = 0
    const square = memoizeStampede(
      cache,
      async (n: number) => {
        calls++
        clock.advance(40)
        return n * n
      },
      { ttl: 1_000, name: 'square', now: clock.now, random: () => 0.5 },
    )
    await expect(square(3)).resolves.toBe(9)
    expect(cache.get(square.cacheKey(3))).toEqual([9, 40])
    expect(cache.getWithMeta(square.cacheKey(3))?.expiresAt).toBe(clock.now() + 1_000)
    await expect(square(3)).resolves.toBe(9)
    expect(calls).toBe(1)
  })

  it('runs the function once for 8 concurrent callers on a cold key, through two Cache objects (as from two processes)', async () => {
    const dir = makeTempDir()
    const gate = deferred<string>()
    let calls = 0
    const load = () => {
      calls++
      return gate.promise
    }
    const options = { ttl: 60_000, name: 'load', pollInterval: 2 }
    const here = memoizeStampede(openCache({}, dir), load, options)
    const there = memoizeStampede(openCache({}, dir), load, options)
    const callers = [here(), there(), here(), there(), here(), there(), here(), there()]
    await new Promise((resolve) => setTimeout(resolve, 20))
    gate.resolve('loaded once')
    await expect(Promise.all(callers)).resolves.toEqual(Array(8).fill('loaded once'))
    expect(calls).toBe(1)
  })

  it('refreshes early in the background when -delta × beta × ln(random) reaches the time left, serving the old value meanwhile', async () => {
    const clock = manualClock()
    const cache = openCache({ now: clock.now })
    const refresh = deferred<string>()
    let calls = 0
    let random = 0.5
    const report = memoizeStampede(
      cache,
      async () => {
        calls++
        if (calls > 1) return refresh.promise
        clock.advance(100) // the first computation takes 100 ms: delta
        return 'old'
      },
      { ttl: 1_000, name: 'report', now: clock.now, random: () => random },
    )
    await expect(report()).resolves.toBe('old')
    clock.advance(800) // 200 ms left
    await expect(report()).resolves.toBe('old') // -100 × ln(0.5) ≈ 69 < 200: no refresh
    expect(calls).toBe(1)

    random = 0.1 // -100 × ln(0.1) ≈ 230 >= 200: refresh
    await expect(report()).resolves.toBe('old')
    await until(() => calls === 2)
    // While it runs, everyone still gets the old value, and nobody starts a second refresh.
    await expect(Promise.all([report(), report(), report()])).resolves.toEqual(['old', 'old', 'old'])
    expect(calls).toBe(2)

    refresh.resolve('new')
    await until(() => (cache.get(report.cacheKey()) as [string, number])[0] === 'new')
    await expect(report()).resolves.toBe('new')
    expect(cache.getWithMeta(report.cacheKey())?.expiresAt).toBe(clock.now() + 1_000)
  })

  it('refreshes earlier with a larger beta', async () => {
    const clock = manualClock()
    const cache = openCache({ now: clock.now })
    let calls = 0
    const compute = async () => {
      calls++
      clock.advance(100)
      return calls
    }
    const eager = memoizeStampede(cache, compute, { ttl: 1_000, name: 'eager', beta: 4, now: clock.now, random: () => 0.5 })
    await eager()
    clock.advance(800) // 200 ms left: -100 × 4 × ln(0.5) ≈ 277 >= 200
    await eager()
    await until(() => calls === 2)
  })

  it('does not cache errors: a failed cold computation rejects its callers, and the next call computes again', async () => {
    const cache = openCache()
    let calls = 0
    const flaky = memoizeStampede(
      cache,
      async () => {
        calls++
        if (calls === 1) throw new Error('backend down')
        return 'recovered'
      },
      { ttl: 1_000, name: 'flaky' },
    )
    await expect(Promise.all([flaky(), flaky()])).rejects.toThrow('backend down')
    expect(cache.size).toBe(0)
    await expect(flaky()).resolves.toBe('recovered')
    expect(calls).toBe(2)
  })

  it('lets a waiting process compute when the one computing fails', async () => {
    const dir = makeTempDir()
    const failing = deferred<string>()
    const options = { ttl: 1_000, name: 'job', pollInterval: 2 }
    const first = memoizeStampede(openCache({}, dir), () => failing.promise, options)
    const second = memoizeStampede(openCache({}, dir), () => 'from the waiter', options)
    const firstCall = first()
    const secondCall = second()
    failing.reject(new Error('first failed'))
    await expect(firstCall).rejects.toThrow('first failed')
    await expect(secondCall).resolves.toBe('from the waiter')
  })

  it('keeps serving the cached value when a background refresh throws, and reports the error', async () => {
    const clock = manualClock()
    const cache = openCache({ now: clock.now })
    const errors: unknown[] = []
    let calls = 0
    const price = memoizeStampede(
      cache,
      () => {
        calls++
        if (calls > 1) throw new Error('refresh failed')
        clock.advance(100)
        return 42
      },
      { ttl: 1_000, name: 'price', now: clock.now, random: () => 0.01, onRefreshError: (error) => errors.push(error) },
    )
    await price()
    clock.advance(900)
    await expect(price()).resolves.toBe(42)
    await until(() => errors.length === 1)
    expect((errors[0] as Error).message).toBe('refresh failed')
    expect(cache.get(price.cacheKey())).toEqual([42, 100])
  })

  it('rejects a cold-miss caller with LockTimeoutError when another is still computing after `timeout`', async () => {
    const dir = makeTempDir()
    const gate = deferred<string>()
    const slow = memoizeStampede(openCache({}, dir), () => gate.promise, { ttl: 1_000, name: 'slow' })
    const impatient = memoizeStampede(openCache({}, dir), () => 'never', { ttl: 1_000, name: 'slow', timeout: 20, pollInterval: 2 })
    const computing = slow()
    await expect(impatient()).rejects.toThrow(LockTimeoutError)
    gate.resolve('slow value')
    await expect(computing).resolves.toBe('slow value')
  })

  it('keys by the arguments, minus ignored ones, or by a key function', async () => {
    const cache = openCache()
    const seen: string[] = []
    const greet = memoizeStampede(
      cache,
      (name: string, requestId: string) => {
        seen.push(requestId)
        return `hello ${name}`
      },
      { ttl: 1_000, name: 'greet', ignore: [1] },
    )
    await greet('ada', 'r1')
    await greet('ada', 'r2')
    await greet('bob', 'r3')
    expect(seen).toEqual(['r1', 'r3'])
    expect(greet.cacheKey('ada', 'anything')).toEqual(greet.cacheKey('ada', 'r1'))

    const byId = memoizeStampede(cache, (user: { id: number; name: string }) => user.name, { ttl: 1_000, name: 'byId', key: (user) => user.id })
    await byId({ id: 7, name: 'first' })
    await expect(byId({ id: 7, name: 'second' })).resolves.toBe('first')
    expect(byId.cacheKey({ id: 7, name: 'x' })).toEqual(['diskcache.stampede', 'byId', 7])
  })

  it('refuses a missing ttl and misspelt or out-of-range options', () => {
    const cache = openCache()
    const fn = function load() {}
    expect(() => memoizeStampede(cache, fn, {} as never)).toThrow(InvalidTtlError)
    expect(() => memoizeStampede(cache, fn, undefined as never)).toThrow('needs options with a ttl')
    expect(() => memoizeStampede(cache, fn, { ttl: 1_000, bta: 2 } as never)).toThrow('did you mean "beta"?')
    expect(() => memoizeStampede(cache, fn, { ttl: 1_000, beta: 0 })).toThrow(InvalidOptionError)
    expect(() => memoizeStampede(cache, fn, { ttl: 1_000, random: 0.5 } as never)).toThrow(InvalidOptionError)
    expect(() => memoizeStampede(cache, fn, { ttl: 1_000, ignore: [-1] })).toThrow(InvalidOptionError)
    expect(() => memoizeStampede(cache, () => {}, { ttl: 1_000 })).toThrow('needs { name } for an anonymous function')
  })
})
