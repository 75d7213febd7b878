import { InvalidOptionError, LockNotHeldError, LockTimeoutError } from '../errors.js'
import { openCache } from '../test-support/open-cache.js'
import { manualClock } from '../test-support/temp-dir.js'
import { BoundedSemaphore } from './bounded-semaphore.js'

describe('BoundedSemaphore', () => {
  it('admits `value` holders and refuses the next', () => {
    const cache = openCache()
    const [a, b, c] = [1, 2, 3].map(() => new BoundedSemaphore(cache, 'pool', { value: 2 })) as [BoundedSemaphore, BoundedSemaphore, BoundedSemaphore]
    expect(a.tryAcquire()).toBe(true)
    expect(a.locked()).toBe(false)
    expect(b.tryAcquire()).toBe(true)
    expect(c.tryAcquire()).toBe(false)
    expect(c.locked()).toBe(true)
    expect(c.holders()).toBe(2)
    b.release()
    expect(c.tryAcquire()).toBe(true)
  })

  it('keeps each holder in its own entry with its own expiry, so a dead holder’s slot comes back while the others keep theirs', () => {
    const clock = manualClock()
    const cache = openCache({ now: clock.now })
    const options = { value: 2, ttl: 1_000 }
    const dead = new BoundedSemaphore(cache, 'pool', options)
    const alive = new BoundedSemaphore(cache, 'pool', options)
    dead.tryAcquire()
    clock.advance(500)
    alive.tryAcquire()
    expect(cache.get(['diskcache.semaphore', 'pool', 0])).toBe(dead.owner)
    expect(cache.get(['diskcache.semaphore', 'pool', 1])).toBe(alive.owner)
    clock.advance(500)
    const next = new BoundedSemaphore(cache, 'pool', options)
    expect(next.tryAcquire()).toBe(true)
    expect(new BoundedSemaphore(cache, 'pool', options).tryAcquire()).toBe(false)
    alive.release()
  })

  it('lets one object hold several slots and release them one by one', () => {
    const cache = openCache()
    const semaphore = new BoundedSemaphore(cache, 'pool', { value: 3 })
    expect(semaphore.tryAcquire()).toBe(true)
    expect(semaphore.tryAcquire()).toBe(true)
    expect(semaphore.holders()).toBe(2)
    semaphore.release()
    semaphore.release()
    expect(semaphore.holders()).toBe(0)
  })

  it('throws LockNotHeldError on a release past its acquires, by a non-holder, or after its slot expired', () => {
    const clock = manualClock()
    const cache = openCache({ now: clock.now })
    const holder = new BoundedSemaphore(cache, 'pool', { value: 2, ttl: 100 })
    const stranger = new BoundedSemaphore(cache, 'pool', { value: 2 })
    holder.tryAcquire()
    expect(() => stranger.release()).toThrow(LockNotHeldError)
    expect(holder.holders()).toBe(1)
    holder.release()
    expect(() => holder.release()).toThrow(/holds no slot/)
    holder.tryAcquire()
    clock.advance(100)
    stranger.tryAcquire()
    expect(() => holder.release()).toThrow(/ttl of 100 ms ran out/)
    expect(stranger.holders()).toBe(1)
  })

  it('makes acquire() wait for a free slot, and time out leaving no slot taken', async () => {
    const cache = openCache()
    const first = new BoundedSemaphore(cache, 'pool', { value: 1 })
    first.tryAcquire()
    const late = new BoundedSemaphore(cache, 'pool', { value: 1, pollInterval: 5 })
    await expect(late.acquire({ timeout: 20 })).rejects.toThrow(LockTimeoutError)
    expect(late.holders()).toBe(1)
    const waiting = late.acquire({ timeout: 10_000 })
    setTimeout(() => first.release(), 5)
    await expect(waiting).resolves.toBe(late)
    late.release()
    expect(cache.size).toBe(0)
  })

  it('renews all of its slots with extend()', () => {
    const clock = manualClock()
    const cache = openCache({ now: clock.now })
    const semaphore = new BoundedSemaphore(cache, 'pool', { value: 2, ttl: 100 })
    semaphore.tryAcquire()
    semaphore.tryAcquire()
    clock.advance(90)
    semaphore.extend(1_000)
    clock.advance(500)
    expect(semaphore.holders()).toBe(2)
  })

  it('refuses a value that is not a whole number above 0', () => {
    const cache = openCache()
    expect(() => new BoundedSemaphore(cache, 'pool', { value: 0 })).toThrow(InvalidOptionError)
    expect(() => new BoundedSemaphore(cache, 'pool', { value: 1.5 })).toThrow(InvalidOptionError)
    expect(() => new BoundedSemaphore(cache, 'pool', { valeu: 2 } as never)).toThrow('did you mean "value"?')
  })
})
