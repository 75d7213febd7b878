import { randomUUID } from 'node:crypto'
import type { CacheKey } from '../cache-key.js'
import { InvalidOptionError, LockTimeoutError } from '../errors.js'
import { pollUntil, type WaitOptions } from './poll-until.js'
import type { RecipeCache } from './recipe-cache.js'
import { checkDuration, checkOptionNames, checkTags, checkTtl } from './recipe-options.js'

/** Options of `acquire()` and `withLock()`. */
export type AcquireOptions = WaitOptions

/** Options shared by Lock, RLock and BoundedSemaphore. */
export interface LockOptions {
  /**
   * Milliseconds a hold lasts unless renewed with `extend()`. A holder that
   * dies (or forgets to release) blocks the others only this long.
   * @default 30_000
   */
  ttl?: number
  /** Tags on the lock's entries, for `cache.evict(tag)`. */
  tags?: readonly string[]
  /** Longest pause, in ms, between two tries while waiting; pauses start at 1 ms and double. @default 50 */
  pollInterval?: number
}

export const DEFAULT_LOCK_OPTIONS = { ttl: 30_000, pollInterval: 50 } as const

export interface ResolvedLockOptions {
  ttl: number
  tags: readonly string[] | undefined
  pollInterval: number
}

/** Validates LockOptions (plus `extra` names a subclass reads itself). */
export function resolveLockOptions(what: string, options: LockOptions | undefined, extra: readonly string[] = []): ResolvedLockOptions {
  checkOptionNames(what, options, ['ttl', 'tags', 'pollInterval', ...extra])
  return {
    ttl: options?.ttl === undefined ? DEFAULT_LOCK_OPTIONS.ttl : checkTtl(what, 'ttl', options.ttl),
    tags: checkTags(what, options?.tags),
    pollInterval: options?.pollInterval === undefined ? DEFAULT_LOCK_OPTIONS.pollInterval : checkDuration(what, 'pollInterval', options.pollInterval),
  }
}

/**
 * What Lock, RLock and BoundedSemaphore share: the waiting `acquire`,
 * `withLock`, and release on `await using`. The owner is the object: its
 * random `owner` token is what it stores, so only it can release.
 */
export abstract class Acquirable {
  /** This object's owner token, stored in the cache while it holds. Random per object. */
  readonly owner: string = randomUUID()
  /** Acquisitions this object made in this process and has not released. */
  protected holding = 0
  /** Says what is held, for messages: `lock "jobs"`. */
  protected abstract readonly kind: string

  protected constructor(
    readonly cache: RecipeCache,
    readonly key: CacheKey,
    protected readonly options: ResolvedLockOptions,
  ) {}

  /** Takes a hold now if one is free; never waits. */
  abstract tryAcquire(): boolean
  /** Gives back one hold; throws LockNotHeldError when this object holds none. */
  abstract release(): void
  /** True while every hold is taken (by anyone). */
  abstract locked(): boolean

  /**
   * Waits, on timers, until a hold is free and takes it. Rejects with
   * LockTimeoutError after `timeout` ms, or with `signal.reason` on abort;
   * either way it holds nothing. Resolves with this object, so
   * `await using held = await lock.acquire()` releases at the end of the block.
   */
  async acquire(options?: AcquireOptions): Promise<this> {
    const { timeout, signal } = resolveAcquireOptions(options)
    await pollUntil(() => (this.tryAcquire() ? true : undefined), {
      timeout,
      signal,
      pollInterval: this.options.pollInterval,
      wakeOn: { cache: this.cache, key: this.key },
      timedOut: () =>
        new LockTimeoutError(
          `${this.describe()} was still held by others after ${timeout} ms; raise { timeout }, ` +
            `or make sure its holders release it (a dead holder frees it after its ttl)`,
        ),
    })
    return this
  }

  /**
   * Runs `fn` while holding, and releases afterwards, also when `fn` throws or
   * rejects. If `fn` failed, its error is the one you get. If `fn` succeeded
   * but the hold was lost meanwhile (its ttl ran out), release throws
   * LockNotHeldError instead of returning: the work may have overlapped.
   */
  async withLock<T>(fn: () => T | PromiseLike<T>, options?: AcquireOptions): Promise<Awaited<T>> {
    if (typeof fn !== 'function') throw new InvalidOptionError(`withLock needs a function to run while holding; got ${typeof fn}`)
    await this.acquire(options)
    let result: Awaited<T>
    try {
      result = await fn()
    } catch (error) {
      try {
        this.release()
      } catch {
        // The work failed already; its error says more than "the hold ran out meanwhile".
      }
      throw error
    }
    this.release()
    return result
  }

  /** Releases if this object holds (for `await using`); does nothing otherwise. */
  async releaseIfHeld(): Promise<void> {
    if (this.holding > 0) this.release()
  }

  declare [Symbol.asyncDispose]: () => Promise<void>

  protected describe(): string {
    return `the ${this.kind} ${describeKey(this.key)}`
  }
}

// Node 20.0–20.3 have no Symbol.asyncDispose (nor `await using`): there the
// method is simply absent and releaseIfHeld() does the same job.
if (typeof Symbol.asyncDispose === 'symbol') {
  Object.defineProperty(Acquirable.prototype, Symbol.asyncDispose, {
    value: Acquirable.prototype.releaseIfHeld,
    writable: true,
    configurable: true,
  })
}

export function resolveAcquireOptions(options: AcquireOptions | undefined): { timeout: number; signal: AbortSignal | undefined } {
  checkOptionNames('acquire', options, ['timeout', 'signal'])
  const timeout =
    options?.timeout === undefined ? Infinity : checkDuration('acquire', 'timeout', options.timeout, { allowZero: true, allowInfinity: true })
  const signal = options?.signal
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    throw new InvalidOptionError('acquire "signal" must be an AbortSignal, like AbortSignal.timeout(1000)')
  }
  return { timeout, signal }
}

export function describeKey(key: CacheKey): string {
  if (typeof key === 'string') return JSON.stringify(key)
  if (typeof key === 'bigint') return `${key}n`
  if (key instanceof Uint8Array) return `<${key.byteLength} bytes>`
  if (Array.isArray(key)) return `[${key.map((part) => describeKey(part as CacheKey)).join(', ')}]`
  return String(key)
}
