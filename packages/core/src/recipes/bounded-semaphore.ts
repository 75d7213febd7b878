import type { CacheKey } from '../cache-key.js'
import { LockNotHeldError } from '../errors.js'
import { Acquirable, type LockOptions, resolveLockOptions } from './acquirable.js'
import { announceRelease } from './poll-until.js'
import type { RecipeCache } from './recipe-cache.js'
import { checkPositiveInteger, checkTtl } from './recipe-options.js'

export interface BoundedSemaphoreOptions extends LockOptions {
  /** Most holders at once, across processes. Every process must use the same number. @default 1 */
  value?: number
}

const SLOT_PREFIX = 'diskcache.semaphore'

/**
 * At most `value` holders at once across every process using the cache. Each
 * hold is its own entry, `['diskcache.semaphore', key, slot]`, holding the
 * holder's owner token with its own expiry: a holder that dies gives its slot
 * back after `ttl` ms, while the others keep theirs (DiskCache keeps one shared
 * count, which a dead holder leaks forever).
 *
 * The owner is this object; it may hold several slots (one per acquire) and
 * releases them last-taken first.
 */
export class BoundedSemaphore extends Acquirable {
  protected readonly kind = 'semaphore'
  /** Most holders at once. */
  readonly value: number
  /** The slots this object holds, in the order it took them. */
  private readonly slots: number[] = []

  constructor(cache: RecipeCache, key: CacheKey, options?: BoundedSemaphoreOptions) {
    super(cache, key, resolveLockOptions('BoundedSemaphore', options, ['value']))
    this.value = options?.value === undefined ? 1 : checkPositiveInteger('BoundedSemaphore', 'value', options.value)
  }

  tryAcquire(): boolean {
    const { ttl, tags } = this.options
    // One transaction for the whole scan, so it costs one lock round whatever `value` is.
    const slot = this.cache.transact(() => {
      for (let slot = 0; slot < this.value; slot++) {
        if (this.cache.add(this.slotKey(slot), this.owner, { ttl, tags })) return slot
      }
      return -1
    })
    if (slot < 0) return false
    this.slots.push(slot)
    this.holding = this.slots.length
    return true
  }

  /**
   * Gives back the slot this object took last. Throws LockNotHeldError when it
   * holds none (a release past its acquires), or when that slot's ttl ran out.
   */
  release(): void {
    const slot = this.slots.pop()
    this.holding = this.slots.length
    if (slot === undefined) throw this.notHeld('release', 'it holds no slot: every acquire was already released')
    const released = this.cache.transact(() => this.isOurs(slot) && this.cache.delete(this.slotKey(slot)))
    if (!released) throw this.notHeld('release', `its slot's ttl of ${this.options.ttl} ms ran out and another holder may have taken it`)
    announceRelease(this.cache, this.key)
  }

  /** True while all `value` slots are taken (by anyone). */
  locked(): boolean {
    for (let slot = 0; slot < this.value; slot++) {
      if (this.cache.get(this.slotKey(slot)) === undefined) return false
    }
    return true
  }

  /** How many holders there are now, across processes. */
  holders(): number {
    let count = 0
    for (let slot = 0; slot < this.value; slot++) if (this.cache.get(this.slotKey(slot)) !== undefined) count++
    return count
  }

  /** Renews every slot this object holds: they now expire `ttl` ms from now. Throws LockNotHeldError if it lost any. */
  extend(ttl: number = this.options.ttl): void {
    checkTtl('extend', 'ttl', ttl)
    if (this.slots.length === 0) throw this.notHeld('extend', 'it holds no slot')
    const lost = this.cache.transact(() =>
      this.slots.filter((slot) => {
        if (!this.isOurs(slot)) return true
        this.cache.set(this.slotKey(slot), this.owner, { ttl, tags: this.options.tags })
        return false
      }),
    )
    if (lost.length > 0) {
      for (const slot of lost) this.slots.splice(this.slots.indexOf(slot), 1)
      this.holding = this.slots.length
      throw this.notHeld('extend', `the ttl of ${lost.length} of its slots ran out`)
    }
  }

  private slotKey(slot: number): CacheKey {
    return [SLOT_PREFIX, this.key, slot]
  }

  private isOurs(slot: number): boolean {
    return this.cache.get(this.slotKey(slot)) === this.owner
  }

  private notHeld(operation: string, why: string): LockNotHeldError {
    return new LockNotHeldError(
      `cannot ${operation} ${this.describe()}: ${why}. Release once per acquire; for long work raise { ttl } or call extend() before it runs out`,
    )
  }
}
