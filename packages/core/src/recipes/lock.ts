import type { CacheKey } from '../cache-key.js'
import { LockNotHeldError } from '../errors.js'
import { Acquirable, type LockOptions, resolveLockOptions } from './acquirable.js'
import { announceRelease } from './poll-until.js'
import type { RecipeCache } from './recipe-cache.js'
import { checkTtl } from './recipe-options.js'

/**
 * A mutual-exclusion lock shared by every process using the cache. The entry
 * at `key` holds the owner token of the Lock object that holds it, with the
 * ttl as its expiry, so a holder that dies frees it after `ttl` ms.
 *
 * The owner is this object: async tasks sharing one Lock object take turns
 * (each acquire waits for the previous release); give each independent owner
 * its own object. Not re-entrant: acquiring again while holding waits, like
 * any other contender (use RLock for re-entry).
 */
export class Lock extends Acquirable {
  protected readonly kind = 'lock'

  constructor(cache: RecipeCache, key: CacheKey, options?: LockOptions) {
    super(cache, key, resolveLockOptions('Lock', options))
  }

  tryAcquire(): boolean {
    const { ttl, tags } = this.options
    // `add` is atomic across processes: of simultaneous callers exactly one stores.
    if (!this.cache.add(this.key, this.owner, { ttl, tags })) return false
    this.holding = 1
    return true
  }

  /** Deletes the lock if this object still holds it; throws LockNotHeldError otherwise (nothing is deleted). */
  release(): void {
    const released = this.cache.transact(() => this.isOwnedHere() && this.cache.delete(this.key))
    this.holding = 0
    if (!released) throw this.notHeld('release')
    announceRelease(this.cache, this.key)
  }

  /** True while anyone holds the lock. */
  locked(): boolean {
    return this.cache.get(this.key) !== undefined
  }

  /** True while this object holds the lock (its token is stored and unexpired). */
  isHeld(): boolean {
    return this.isOwnedHere()
  }

  /** Renews the hold: it now expires `ttl` ms from now. Throws LockNotHeldError if this object no longer holds it. */
  extend(ttl: number = this.options.ttl): void {
    checkTtl('extend', 'ttl', ttl)
    const extended = this.cache.transact(() => {
      if (!this.isOwnedHere()) return false
      this.cache.set(this.key, this.owner, { ttl, tags: this.options.tags })
      return true
    })
    if (!extended) {
      this.holding = 0
      throw this.notHeld('extend')
    }
  }

  private isOwnedHere(): boolean {
    return this.cache.get(this.key) === this.owner
  }

  private notHeld(operation: string): LockNotHeldError {
    return new LockNotHeldError(
      `cannot ${operation} ${this.describe()}: this Lock does not hold it (it never acquired it, already released it, ` +
        `or its ttl of ${this.options.ttl} ms ran out and another owner may have taken it). ` +
        'Acquire before releasing; for long work raise { ttl } or call extend() before it runs out',
    )
  }
}
