import { InvalidOptionError, LockTimeoutError } from '../errors.js'
import { deferred, openCache } from '../test-support/open-cache.js'
import { makeTempDir } from '../test-support/temp-dir.js'
import { barrier } from './barrier.js'
import { BoundedSemaphore } from './bounded-semaphore.js'
import { Lock } from './lock.js'
import { RLock } from './rlock.js'

/** An async function that records how many of its calls overlap. */
function overlapMeter() {
  const meter = { inside: 0, most: 0, calls: 0 }
  const work = async (label: string) => {
    meter.calls++
    meter.inside++
    meter.most = Math.max(meter.most, meter.inside)
    await new Promise((resolve) => setTimeout(resolve, 3))
    meter.inside--
    return `done ${label}`
  }
  return { meter, work }
}

describe('barrier()', () => {
  it('runs calls one at a time with a Lock, from several Cache objects (as from several processes)', async () => {
    const dir = makeTempDir()
    const { meter, work } = overlapMeter()
    const here = barrier(openCache({}, dir), work, Lock, { name: 'work', pollInterval: 2 })
    const there = barrier(openCache({}, dir), work, Lock, { name: 'work', pollInterval: 2 })
    const results = await Promise.all([here('a'), there('b'), here('c'), there('d'), here('e')])
    expect(results).toEqual(['done a', 'done b', 'done c', 'done d', 'done e'])
    expect(meter).toMatchObject({ calls: 5, most: 1 })
  })

  it('works with RLock as with Lock: each call is its own owner', async () => {
    const { meter, work } = overlapMeter()
    const guarded = barrier(openCache(), work, RLock, { name: 'work', pollInterval: 2 })
    await Promise.all([guarded('a'), guarded('b'), guarded('c')])
    expect(meter.most).toBe(1)
  })

  it('runs n at a time with a BoundedSemaphore factory', async () => {
    const { meter, work } = overlapMeter()
    const guarded = barrier(openCache(), work, (cache, key, options) => new BoundedSemaphore(cache, key, { ...options, value: 2 }), {
      name: 'work',
      pollInterval: 2,
    })
    await Promise.all(['a', 'b', 'c', 'd', 'e', 'f'].map((label) => guarded(label)))
    expect(meter).toMatchObject({ calls: 6, most: 2 })
  })

  it('releases when the function throws, so the next call runs', async () => {
    const cache = openCache()
    let fail = true
    const guarded = barrier(cache, async function flaky() {
      if (fail) throw new Error('first call fails')
      return 'second call runs'
    }, Lock)
    await expect(guarded()).rejects.toThrow('first call fails')
    fail = false
    await expect(guarded()).resolves.toBe('second call runs')
    expect(cache.size).toBe(0)
  })

  it('rejects a call with LockTimeoutError when it waits longer than `timeout`', async () => {
    const cache = openCache()
    const gate = deferred<void>()
    const guarded = barrier(cache, () => gate.promise, Lock, { name: 'gate', timeout: 20 })
    const first = guarded()
    await expect(guarded()).rejects.toThrow(LockTimeoutError)
    gate.resolve()
    await first
    expect(cache.size).toBe(0)
  })

  it('keys the lock by name, so barriers with different names do not wait for each other', async () => {
    const cache = openCache()
    const gate = deferred<void>()
    const slow = barrier(cache, () => gate.promise, Lock, { name: 'slow' })
    const fast = barrier(cache, () => 'fast', Lock, { name: 'fast', timeout: 0 })
    const pending = slow()
    await expect(fast()).resolves.toBe('fast')
    gate.resolve()
    await pending
  })

  it('refuses bad options and factories when wrapping, not at the first call', () => {
    const cache = openCache()
    const fn = function job() {}
    expect(() => barrier(cache, fn, Lock, { ttl: -1 })).toThrow(/ttl/)
    expect(() => barrier(cache, fn, Lock, { nmae: 'x' } as never)).toThrow('did you mean "name"?')
    expect(() => barrier(cache, fn, 'Lock' as never)).toThrow(InvalidOptionError)
    expect(() => barrier(cache, fn, (() => ({})) as never)).toThrow('must return a lock with withLock()')
    expect(() => barrier(cache, () => {}, Lock)).toThrow('needs { name } for an anonymous function')
  })
})
