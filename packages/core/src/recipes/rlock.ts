import type { CacheKey } from '../cache-key.js'
import { LockNotHeldError } from '../errors.js'
import { Acquirable, type LockOptions, resolveLockOptions } from './acquirable.js'
import { announceRelease } from './poll-until.js'
import type { RecipeCache } from './recipe-cache.js'
import { checkTtl } from './recipe-options.js'

/** What the entry holds: the owner token and how many times it acquired. */
type Holding = readonly [owner: string, count: number]

/**
 * A re-entrant lock shared by every process using the cache: the object that
 * holds it may acquire it again, and must release it as many times. The entry
 * holds `[owner token, count]` with the ttl as its expiry, renewed by every
 * acquire and partial release.
 *
 * The owner is this RLock object (its random `owner` token), not an async
 * task: every task that shares one RLock object counts as the same owner, so
 * they do not exclude each other. Give each independent owner its own object.
 */
export class RLock extends Acquirable {
  protected readonly kind = 're-entrant lock'

  constructor(cache: RecipeCache, key: CacheKey, options?: LockOptions) {
    super(cache, key, resolveLockOptions('RLock', options))
  }

  tryAcquire(): boolean {
    const { ttl, tags } = this.options
    const acquired = this.cache.transact(() => {
      const current = this.cache.get(this.key)
      if (current !== undefined && !this.isOurs(current)) return false
      const count = current === undefined ? 1 : current[1] + 1
      this.cache.set(this.key, [this.owner, count] satisfies Holding, { ttl, tags })
      return true
    })
    if (acquired) this.holding++
    return acquired
  }

  /** Undoes one acquire; the last one frees the lock. Throws LockNotHeldError if this object holds none. */
  release(): void {
    const { ttl, tags } = this.options
    const left = this.cache.transact(() => {
      const current = this.cache.get(this.key)
      if (!this.isOurs(current)) return -1
      if (current[1] > 1) this.cache.set(this.key, [this.owner, current[1] - 1] satisfies Holding, { ttl, tags })
      else this.cache.delete(this.key)
      return current[1] - 1
    })
    if (left < 0) {
      this.holding = 0
      throw this.notHeld('release')
    }
    this.holding = left
    if (left === 0) announceRelease(this.cache, this.key)
  }

  /** True while anyone holds the lock. */
  locked(): boolean {
    return this.cache.get(this.key) !== undefined
  }

  /** How many times this object holds the lock now (0 when it does not). */
  heldCount(): number {
    const current = this.cache.get(this.key)
    return this.isOurs(current) ? current[1] : 0
  }

  /** Renews the hold: it now expires `ttl` ms from now. Throws LockNotHeldError if this object no longer holds it. */
  extend(ttl: number = this.options.ttl): void {
    checkTtl('extend', 'ttl', ttl)
    const extended = this.cache.transact(() => {
      const current = this.cache.get(this.key)
      if (!this.isOurs(current)) return false
      this.cache.set(this.key, current, { ttl, tags: this.options.tags })
      return true
    })
    if (!extended) {
      this.holding = 0
      throw this.notHeld('extend')
    }
  }

  private isOurs(value: unknown): value is Holding {
    return Array.isArray(value) && value.length === 2 && value[0] === this.owner && typeof value[1] === 'number'
  }

  private notHeld(operation: string): LockNotHeldError {
    return new LockNotHeldError(
      `cannot ${operation} ${this.describe()}: this RLock does not hold it (it never acquired it, released it as often ` +
        `as it acquired it, or its ttl of ${this.options.ttl} ms ran out and another owner may have taken it). ` +
        'Release once per acquire; for long work raise { ttl } or call extend() before it runs out',
    )
  }
}
