import { CacheTimeoutError, DiskCacheError, InvalidOptionError, InvalidTtlError, LockNotHeldError, LockTimeoutError } from '../errors.js'
import { openCache } from '../test-support/open-cache.js'
import { makeTempDir, manualClock } from '../test-support/temp-dir.js'
import { Lock } from './lock.js'

describe('Lock', () => {
  it('lets one object hold it and keeps a second out until the first releases', () => {
    const cache = openCache()
    const first = new Lock(cache, 'job')
    const second = new Lock(cache, 'job')
    expect(first.tryAcquire()).toBe(true)
    expect(second.tryAcquire()).toBe(false)
    expect(first.locked()).toBe(true)
    expect(second.locked()).toBe(true)
    first.release()
    expect(second.locked()).toBe(false)
    expect(second.tryAcquire()).toBe(true)
    expect(second.isHeld()).toBe(true)
    expect(first.isHeld()).toBe(false)
  })

  it('stores its random owner token under the key, expiring after the ttl', () => {
    const clock = manualClock()
    const cache = openCache({ now: clock.now })
    const lock = new Lock(cache, 'job', { ttl: 2_000, tags: ['locks'] })
    const other = new Lock(cache, 'job')
    expect(lock.owner).toMatch(/^[0-9a-f-]{36}$/)
    expect(lock.owner).not.toBe(other.owner)
    lock.tryAcquire()
    expect(cache.getWithMeta('job')).toEqual({ value: lock.owner, expiresAt: clock.now() + 2_000, storedAt: clock.now(), tags: ['locks'] })
  })

  it('is free again once the ttl of a holder that never released has passed', () => {
    const clock = manualClock()
    const cache = openCache({ now: clock.now })
    const abandoned = new Lock(cache, 'job', { ttl: 1_000 })
    const next = new Lock(cache, 'job')
    abandoned.tryAcquire()
    clock.advance(999)
    expect(next.tryAcquire()).toBe(false)
    clock.advance(1)
    expect(next.tryAcquire()).toBe(true)
  })

  it('throws LockNotHeldError when an object that does not hold it releases, and leaves the holder’s entry', () => {
    const cache = openCache()
    const holder = new Lock(cache, 'job')
    const stranger = new Lock(cache, 'job')
    holder.tryAcquire()
    expect(() => stranger.release()).toThrow(LockNotHeldError)
    expect(cache.get('job')).toBe(holder.owner)
    try {
      stranger.release()
    } catch (error) {
      expect(error).toBeInstanceOf(DiskCacheError)
      expect((error as LockNotHeldError).code).toBe('LOCK_NOT_HELD')
      expect((error as Error).message).toMatch(/lock "job".*raise \{ ttl \} or call extend\(\)/)
    }
  })

  it('throws on a second release and on a release after its ttl let another owner in, without touching the new owner', () => {
    const clock = manualClock()
    const cache = openCache({ now: clock.now })
    const slow = new Lock(cache, 'job', { ttl: 100 })
    slow.tryAcquire()
    slow.release()
    expect(() => slow.release()).toThrow(LockNotHeldError)

    slow.tryAcquire()
    clock.advance(100)
    const next = new Lock(cache, 'job')
    expect(next.tryAcquire()).toBe(true)
    expect(() => slow.release()).toThrow(LockNotHeldError)
    expect(next.isHeld()).toBe(true)
  })

  it('renews its expiry with extend(), and refuses to extend a lock it lost', () => {
    const clock = manualClock()
    const cache = openCache({ now: clock.now })
    const lock = new Lock(cache, 'job', { ttl: 100 })
    lock.tryAcquire()
    clock.advance(90)
    lock.extend(500)
    expect(cache.getWithMeta('job')?.expiresAt).toBe(clock.now() + 500)
    clock.advance(499)
    expect(lock.isHeld()).toBe(true)
    clock.advance(1)
    expect(() => lock.extend()).toThrow(LockNotHeldError)
    expect(() => lock.extend(-1)).toThrow(InvalidTtlError)
  })

  describe('acquire()', () => {
    it('resolves with the lock once the holder releases', async () => {
      const cache = openCache()
      const holder = new Lock(cache, 'job')
      holder.tryAcquire()
      const waiter = new Lock(cache, 'job')
      const acquired = waiter.acquire()
      holder.release()
      await expect(acquired).resolves.toBe(waiter)
      expect(waiter.isHeld()).toBe(true)
    })

    it('never blocks the event loop while it waits: a timer fires meanwhile, and here it is what releases the holder', async () => {
      const cache = openCache()
      const holder = new Lock(cache, 'job')
      holder.tryAcquire()
      const fired: string[] = []
      setTimeout(() => {
        fired.push('timer')
        holder.release()
      }, 20)
      // A busy-waiting acquire would starve the timer and time out instead.
      await new Lock(cache, 'job').acquire({ timeout: 10_000 })
      expect(fired).toEqual(['timer'])
    })

    it('sees a release by another Cache object on the same directory (as another process would) at its next poll', async () => {
      const dir = makeTempDir()
      const holder = new Lock(openCache({}, dir), 'job')
      holder.tryAcquire()
      const waiting = new Lock(openCache({}, dir), 'job', { pollInterval: 5 }).acquire({ timeout: 10_000 })
      setTimeout(() => holder.release(), 20)
      await expect(waiting).resolves.toBeInstanceOf(Lock)
    })

    it('rejects with LockTimeoutError (a CacheTimeoutError) after its timeout, and leaves nothing behind', async () => {
      const cache = openCache()
      const holder = new Lock(cache, 'job')
      holder.tryAcquire()
      const waiter = new Lock(cache, 'job', { pollInterval: 5 })
      const error = await waiter.acquire({ timeout: 30 }).catch((caught: unknown) => caught)
      expect(error).toBeInstanceOf(LockTimeoutError)
      expect(error).toBeInstanceOf(CacheTimeoutError)
      expect((error as LockTimeoutError).code).toBe('LOCK_TIMEOUT')
      expect((error as Error).message).toMatch(/lock "job" was still held by others after 30 ms; raise \{ timeout \}/)
      expect(cache.get('job')).toBe(holder.owner)
      expect(waiter.isHeld()).toBe(false)
      holder.release()
      expect(cache.size).toBe(0)
      await expect(waiter.releaseIfHeld()).resolves.toBeUndefined()
    })

    it('tries exactly once with timeout 0', async () => {
      const cache = openCache()
      new Lock(cache, 'busy').tryAcquire()
      await expect(new Lock(cache, 'busy').acquire({ timeout: 0 })).rejects.toThrow(LockTimeoutError)
      await expect(new Lock(cache, 'free').acquire({ timeout: 0 })).resolves.toBeInstanceOf(Lock)
    })

    it('rejects with the signal’s reason when aborted while waiting, and holds nothing', async () => {
      const cache = openCache()
      const holder = new Lock(cache, 'job')
      holder.tryAcquire()
      const controller = new AbortController()
      const waiter = new Lock(cache, 'job')
      const waiting = waiter.acquire({ signal: controller.signal })
      setTimeout(() => controller.abort(), 10)
      await expect(waiting).rejects.toMatchObject({ name: 'AbortError' })
      holder.release()
      expect(cache.size).toBe(0)
    })

    it('rejects at once for a signal already aborted, even when the lock is free', async () => {
      const cache = openCache()
      const reason = new Error('shutting down')
      await expect(new Lock(cache, 'job').acquire({ signal: AbortSignal.abort(reason) })).rejects.toBe(reason)
      expect(cache.size).toBe(0)
    })

    it('lets async tasks sharing one Lock object take turns', async () => {
      const cache = openCache()
      const lock = new Lock(cache, 'job')
      let inside = 0
      let mostInside = 0
      const task = async () => {
        await lock.acquire()
        inside++
        mostInside = Math.max(mostInside, inside)
        await new Promise((resolve) => setTimeout(resolve, 2))
        inside--
        lock.release()
      }
      await Promise.all([task(), task(), task(), task()])
      expect(mostInside).toBe(1)
      expect(cache.size).toBe(0)
    })

    it('refuses misspelt options and a timeout that is not a duration', async () => {
      const lock = new Lock(openCache(), 'job')
      await expect(lock.acquire({ timout: 5 } as never)).rejects.toThrow('unknown acquire option "timout"; did you mean "timeout"?')
      await expect(lock.acquire({ timeout: -1 })).rejects.toThrow(InvalidOptionError)
      await expect(lock.acquire({ signal: 'stop' } as never)).rejects.toThrow(InvalidOptionError)
    })
  })

  describe('withLock()', () => {
    it('returns what fn returns and releases', async () => {
      const cache = openCache()
      const lock = new Lock(cache, 'job')
      await expect(lock.withLock(async () => (lock.isHeld() ? 'held inside' : 'not held'))).resolves.toBe('held inside')
      expect(lock.locked()).toBe(false)
    })

    it('releases when fn throws or rejects, and passes the error on', async () => {
      const cache = openCache()
      const lock = new Lock(cache, 'job')
      const failure = new Error('boom')
      await expect(
        lock.withLock(() => {
          throw failure
        }),
      ).rejects.toBe(failure)
      expect(lock.locked()).toBe(false)
      await expect(lock.withLock(() => Promise.reject(failure))).rejects.toBe(failure)
      expect(lock.locked()).toBe(false)
    })

    it('throws LockNotHeldError instead of returning when the lock ran out while fn worked', async () => {
      const clock = manualClock()
      const cache = openCache({ now: clock.now })
      const lock = new Lock(cache, 'job', { ttl: 100 })
      const result = lock.withLock(() => {
        clock.advance(100)
        new Lock(cache, 'job').tryAcquire()
        return 'done'
      })
      await expect(result).rejects.toThrow(LockNotHeldError)
    })
  })

  it('releases at the end of an `await using` block, also one left by a throw, and disposing an unheld lock does nothing', async () => {
    const cache = openCache()
    const lock = new Lock(cache, 'job')
    {
      await using held = await lock.acquire()
      expect(held.isHeld()).toBe(true)
    }
    expect(lock.locked()).toBe(false)
    const leave = async () => {
      await using held = await lock.acquire()
      if (held.isHeld()) throw new Error('left early')
    }
    await expect(leave()).rejects.toThrow('left early')
    expect(lock.locked()).toBe(false)
    await expect(lock[Symbol.asyncDispose]()).resolves.toBeUndefined()
  })

  it('refuses misspelt options with a suggestion, and a ttl that is not a positive duration', () => {
    const cache = openCache()
    expect(() => new Lock(cache, 'job', { tll: 5 } as never)).toThrow('unknown Lock option "tll"; did you mean "ttl"?')
    expect(() => new Lock(cache, 'job', { ttl: 0 })).toThrow(InvalidTtlError)
    expect(() => new Lock(cache, 'job', { ttl: Infinity })).toThrow(InvalidTtlError)
    expect(() => new Lock(cache, 'job', { pollInterval: 0 })).toThrow(InvalidOptionError)
    expect(() => new Lock(cache, 'job', { tags: 'locks' } as never)).toThrow(InvalidOptionError)
  })
})
