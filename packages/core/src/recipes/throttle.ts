import type { CacheKey } from '../cache-key.js'
import { InvalidOptionError } from '../errors.js'
import { sleep as sleepOnTimer } from './poll-until.js'
import type { RecipeCache } from './recipe-cache.js'
import { checkDuration, checkFunction, checkOptionNames, checkPositiveNumber, checkTags, resolveFunctionName } from './recipe-options.js'

export interface ThrottleOptions {
  /** Calls allowed per `per` milliseconds, and the largest burst after a quiet spell. */
  count: number
  /** The period `count` calls are spread over, in milliseconds. */
  per: number
  /** Names the shared bucket; every process using the same name shares it. @default fn.name */
  name?: string
  /** Tags on the bucket's entry, for `cache.evict(tag)`. */
  tags?: readonly string[]
  /** Clock in epoch ms; every process sharing the bucket must use the same one. @default Date.now */
  now?: () => number
  /** Waits `ms` milliseconds; for tests, a fake that advances a fake clock. @default a timer */
  sleep?: (ms: number) => Promise<void>
}

export type ThrottledFunction<A extends unknown[], R> = (...args: A) => Promise<Awaited<R>>

/** The bucket entry: when it was last refilled, and how many calls it holds (fractions included). */
type Bucket = readonly [refilledAt: number, tokens: number]

const OPTION_NAMES = ['count', 'per', 'name', 'tags', 'now', 'sleep']
const KEY_PREFIX = 'diskcache.throttle'

/**
 * Wraps `fn` so that all its callers, in every process using the cache, make
 * at most `count` calls per `per` ms between them: a token bucket stored at
 * `['diskcache.throttle', name]`. A call that finds the bucket empty waits on
 * a timer for its turn (the event loop keeps running), then calls `fn`.
 *
 * Wrapping creates the bucket, full, only if it does not exist yet, so a
 * process that starts (or restarts) never refills the bucket others are
 * draining (DiskCache resets it on every decoration). A bucket lost to
 * eviction or `clear()` starts again full.
 */
export function throttle<A extends unknown[], R>(cache: RecipeCache, fn: (...args: A) => R, options: ThrottleOptions): ThrottledFunction<A, R> {
  if (options === undefined) throw new InvalidOptionError('throttle needs options like { count: 10, per: 1000 } (10 calls a second)')
  checkOptionNames('throttle', options, OPTION_NAMES)
  const name = resolveFunctionName('throttle', fn, options.name)
  const count = checkPositiveNumber('throttle', 'count', options.count)
  const per = checkDuration('throttle', 'per', options.per)
  const tags = checkTags('throttle', options.tags)
  const now = options.now === undefined ? Date.now : checkFunction<() => number>('throttle', 'now', options.now)
  const sleep = options.sleep === undefined ? (ms: number) => sleepOnTimer(ms) : checkFunction<(ms: number) => Promise<void>>('throttle', 'sleep', options.sleep)
  const rate = count / per // tokens per millisecond
  const key: CacheKey = [KEY_PREFIX, name]
  const entryOptions = { tags }
  cache.add(key, [now(), count] satisfies Bucket, entryOptions)

  /** Takes a token and returns 0, or returns how many ms until one is due. */
  const takeToken = (): number =>
    cache.transact(() => {
      const time = now()
      const stored = cache.get(key)
      const [refilledAt, tokens] = isBucket(stored) ? stored : [time, count]
      // A clock that stepped back refills nothing rather than draining the bucket.
      const available = Math.min(count, tokens + Math.max(0, time - refilledAt) * rate)
      if (available >= 1) {
        cache.set(key, [time, available - 1] satisfies Bucket, entryOptions)
        return 0
      }
      cache.set(key, [time, available] satisfies Bucket, entryOptions)
      // Whole milliseconds, rounded up: never early, and a fractional shortfall cannot loop on sub-ms waits.
      return Math.ceil((1 - available) / rate)
    })

  const throttled = async (...args: A): Promise<Awaited<R>> => {
    for (let wait = takeToken(); wait > 0; wait = takeToken()) await sleep(wait)
    return await fn(...args)
  }
  Object.defineProperty(throttled, 'name', { value: `throttled ${name}` })
  return throttled
}

function isBucket(value: unknown): value is Bucket {
  return Array.isArray(value) && value.length === 2 && typeof value[0] === 'number' && typeof value[1] === 'number'
}
