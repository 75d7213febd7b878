import { InvalidOptionError, LockNotHeldError, LockTimeoutError } from '../errors.js'
import { openCache } from '../test-support/open-cache.js'
import { manualClock } from '../test-support/temp-dir.js'
import { Lock } from './lock.js'
import { RLock } from './rlock.js'

describe('RLock', () => {
  it('lets the object holding it acquire again, and stays held until released as many times', async () => {
    const cache = openCache()
    const lock = new RLock(cache, 'tree')
    const other = new RLock(cache, 'tree')
    expect(lock.tryAcquire()).toBe(true)
    await lock.acquire({ timeout: 0 })
    expect(lock.tryAcquire()).toBe(true)
    expect(lock.heldCount()).toBe(3)
    expect(cache.get('tree')).toEqual([lock.owner, 3])
    lock.release()
    lock.release()
    expect(other.tryAcquire()).toBe(false)
    lock.release()
    expect(lock.heldCount()).toBe(0)
    expect(other.tryAcquire()).toBe(true)
    expect(other.heldCount()).toBe(1)
  })

  it('throws LockNotHeldError when another object releases, or when released more often than acquired', () => {
    const cache = openCache()
    const lock = new RLock(cache, 'tree')
    lock.tryAcquire()
    const stranger = new RLock(cache, 'tree')
    expect(() => stranger.release()).toThrow(LockNotHeldError)
    expect(lock.heldCount()).toBe(1)
    lock.release()
    expect(() => lock.release()).toThrow(/released it as often as it acquired it/)
  })

  it('keeps another owner waiting until the last release, then lets it in', async () => {
    const cache = openCache()
    const lock = new RLock(cache, 'tree')
    lock.tryAcquire()
    lock.tryAcquire()
    const waiting = new RLock(cache, 'tree', { pollInterval: 5 }).acquire({ timeout: 10_000 })
    setTimeout(() => lock.release(), 5)
    setTimeout(() => lock.release(), 15)
    const other = await waiting
    expect(other.heldCount()).toBe(1)
    expect(lock.heldCount()).toBe(0)
  })

  it('times out with LockTimeoutError and leaves the holder’s count alone', async () => {
    const cache = openCache()
    const lock = new RLock(cache, 'tree')
    lock.tryAcquire()
    await expect(new RLock(cache, 'tree').acquire({ timeout: 20 })).rejects.toThrow(LockTimeoutError)
    expect(cache.get('tree')).toEqual([lock.owner, 1])
  })

  it('renews the ttl on every acquire, and frees the lock once it passes', () => {
    const clock = manualClock()
    const cache = openCache({ now: clock.now })
    const lock = new RLock(cache, 'tree', { ttl: 1_000 })
    lock.tryAcquire()
    clock.advance(800)
    lock.tryAcquire()
    clock.advance(800)
    expect(lock.heldCount()).toBe(2)
    clock.advance(200)
    expect(lock.heldCount()).toBe(0)
    expect(() => lock.extend()).toThrow(LockNotHeldError)
    expect(new RLock(cache, 'tree').tryAcquire()).toBe(true)
  })

  it('does not mistake a plain Lock’s entry on the same key for its own', () => {
    const cache = openCache()
    new Lock(cache, 'shared').tryAcquire()
    expect(new RLock(cache, 'shared').tryAcquire()).toBe(false)
  })

  it('releases one hold per `await using` block', async () => {
    const cache = openCache()
    const lock = new RLock(cache, 'tree')
    {
      await using outer = await lock.acquire()
      {
        await using inner = await lock.acquire()
        expect(inner.heldCount()).toBe(2)
      }
      expect(outer.heldCount()).toBe(1)
    }
    expect(lock.locked()).toBe(false)
  })

  it('refuses misspelt options', () => {
    expect(() => new RLock(openCache(), 'tree', { poll: 5 } as never)).toThrow(InvalidOptionError)
  })
})
