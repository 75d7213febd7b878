import type { CacheKey } from '../cache-key.js'
import { InvalidOptionError } from '../errors.js'
import type { AcquireOptions, LockOptions } from './acquirable.js'
import type { RecipeCache } from './recipe-cache.js'
import { checkDuration, checkOptionNames, resolveFunctionName } from './recipe-options.js'

/** What a barrier needs of a lock: Lock, RLock and BoundedSemaphore all fit. */
export interface Holdable {
  withLock<T>(fn: () => T | PromiseLike<T>, options?: AcquireOptions): Promise<Awaited<T>>
}

/** A lock class such as Lock, RLock or BoundedSemaphore. */
export type HoldableClass = new (cache: RecipeCache, key: CacheKey, options: LockOptions) => Holdable
/** Builds the lock for one call; for a semaphore: `(c, k, o) => new BoundedSemaphore(c, k, { ...o, value: 4 })`. */
export type HoldableFactory = (cache: RecipeCache, key: CacheKey, options: LockOptions) => Holdable

export interface BarrierOptions extends LockOptions {
  /** Names the shared lock; every process using the same name shares it. @default fn.name */
  name?: string
  /** Most milliseconds a call waits for its turn before rejecting with LockTimeoutError. @default Infinity */
  timeout?: number
}

const OPTION_NAMES = ['name', 'ttl', 'tags', 'pollInterval', 'timeout']
const KEY_PREFIX = 'diskcache.barrier'

/**
 * Wraps `fn` so that its calls, in every process using the cache, run one at
 * a time (or n at a time with a BoundedSemaphore of value n): each call takes
 * its own hold of the lock at `['diskcache.barrier', name]`, awaits `fn`, and
 * releases, also when `fn` throws. The wrapper always returns a promise.
 *
 * Each call is its own owner, so calls from one process exclude each other
 * too; with RLock that means a wrapped function that calls itself waits on
 * itself, so use Lock unless the function re-enters the lock by other means.
 */
export function barrier<A extends unknown[], R>(
  cache: RecipeCache,
  fn: (...args: A) => R,
  lock: HoldableClass | HoldableFactory,
  options: BarrierOptions = {},
): (...args: A) => Promise<Awaited<R>> {
  checkOptionNames('barrier', options, OPTION_NAMES)
  const name = resolveFunctionName('barrier', fn, options.name)
  if (typeof lock !== 'function') {
    throw new InvalidOptionError('barrier needs a lock class (Lock, RLock, BoundedSemaphore) or a factory (cache, key, options) => lock')
  }
  const { ttl, tags, pollInterval } = options
  const lockOptions: LockOptions = { ttl, tags, pollInterval }
  for (const option of ['ttl', 'tags', 'pollInterval'] as const) if (lockOptions[option] === undefined) delete lockOptions[option]
  const wait: AcquireOptions = options.timeout === undefined ? {} : { timeout: checkDuration('barrier', 'timeout', options.timeout, { allowZero: true, allowInfinity: true }) }
  const key: CacheKey = [KEY_PREFIX, name]
  const isClass = typeof (lock.prototype as Partial<Holdable> | undefined)?.withLock === 'function'
  const makeLock = (): Holdable =>
    isClass ? new (lock as HoldableClass)(cache, key, lockOptions) : (lock as HoldableFactory)(cache, key, lockOptions)
  // Built once now, so bad lock options or a factory returning no lock fail at wrapping time, not at the first call.
  if (typeof makeLock()?.withLock !== 'function') {
    throw new InvalidOptionError('the barrier lock factory must return a lock with withLock(), such as a Lock, RLock or BoundedSemaphore')
  }

  const guarded = (...args: A): Promise<Awaited<R>> => makeLock().withLock(() => fn(...args), wait)
  Object.defineProperty(guarded, 'name', { value: `barrier ${name}` })
  return guarded
}
