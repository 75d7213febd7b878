import { type CacheKey, encodeKey, keyIdentity } from '../cache-key.js'
import { InvalidOptionError, LockNotHeldError, LockTimeoutError } from '../errors.js'
import { canonicalArguments, withoutIgnored } from '../memoize-key.js'
import { DEFAULT_LOCK_OPTIONS, describeKey } from './acquirable.js'
import { Lock } from './lock.js'
import { pollUntil } from './poll-until.js'
import type { RecipeCache } from './recipe-cache.js'
import {
  checkDuration,
  checkFunction,
  checkOptionNames,
  checkPositiveNumber,
  checkTags,
  checkTtl,
  resolveFunctionName,
} from './recipe-options.js'

export interface MemoizeStampedeOptions<A extends unknown[] = unknown[]> {
  /** Milliseconds each result stays cached. Required: early refresh is measured against the expiry. */
  ttl: number
  /** How eagerly to refresh before expiry: above 1 earlier, below 1 later (0.5 under heavy load). @default 1 */
  beta?: number
  /** Names the function's entries; every process using the same name shares them. @default fn.name */
  name?: string
  /** Builds the key part from the arguments yourself, instead of the default canonical form. */
  key?: (...args: A) => CacheKey
  /** Arguments left out of the key: positions (0-based), or property names of plain-object arguments. */
  ignore?: readonly (number | string)[]
  /** Key class instances by class as well as by their fields. @default false */
  typed?: boolean
  /** Extra tags on every stored result. */
  tags?: readonly string[]
  /** Milliseconds the cold-miss lock lasts: past it, a computation still running no longer keeps others out. @default 30_000 */
  lockTtl?: number
  /** Most milliseconds a cold-miss caller waits for another's computation before rejecting with LockTimeoutError. @default Infinity */
  timeout?: number
  /** Longest pause, in ms, between two looks while waiting on a cold miss. @default 50 */
  pollInterval?: number
  /** Uniform random numbers in [0, 1), for tests. @default Math.random */
  random?: () => number
  /** Clock in epoch ms; give the cache's own clock if you injected one there. @default Date.now */
  now?: () => number
  /** Told about a background refresh that threw (callers keep the cached value). @default a process warning */
  onRefreshError?: (error: unknown) => void
}

export type StampedeFunction<A extends unknown[], R> = ((...args: A) => Promise<Awaited<R>>) & {
  /** The cache key a call with these arguments stores its result under. */
  cacheKey(...args: A): CacheKey
}

/** What a stored result holds besides the value: how long computing it took, in ms. */
type Stored = readonly [value: unknown, delta: number]

const OPTION_NAMES = [
  'ttl', 'beta', 'name', 'key', 'ignore', 'typed', 'tags', 'lockTtl', 'timeout', 'pollInterval', 'random', 'now', 'onRefreshError',
]
const VALUE_PREFIX = 'diskcache.stampede'
const REFRESH_PREFIX = 'diskcache.stampede.refresh'
const LOCK_PREFIX = 'diskcache.stampede.lock'

/**
 * Memoizes `fn` with stampede control across processes:
 * - a hit close to expiry is recomputed early with probability per XFetch
 *   (Vattani et al., VLDB 2015): when `-delta * beta * ln(random()) >= time left`,
 *   where delta is how long the last computation took. One caller (the one
 *   whose `add` of a marker key, with ttl delta, succeeds) recomputes in the
 *   background; every caller, that one included, gets the cached value at once;
 * - a cold miss takes a cross-process Lock, so one process computes while the
 *   others wait on timers and then read the stored value (DiskCache lets every
 *   process compute). Concurrent calls in one process share one promise.
 *
 * The wrapper always returns a promise; `fn` may be sync or async. Errors are
 * never cached: a failed cold computation rejects its caller and the next
 * waiter tries in turn.
 */
export function memoizeStampede<A extends unknown[], R>(
  cache: RecipeCache,
  fn: (...args: A) => R,
  options: MemoizeStampedeOptions<A>,
): StampedeFunction<A, R> {
  if (options === undefined) throw new InvalidOptionError('memoizeStampede needs options with a ttl, like { ttl: 60_000 }')
  checkOptionNames('memoizeStampede', options, OPTION_NAMES)
  const name = resolveFunctionName('memoizeStampede', fn, options.name)
  const ttl = checkTtl('memoizeStampede', 'ttl', options.ttl)
  const beta = options.beta === undefined ? 1 : checkPositiveNumber('memoizeStampede', 'beta', options.beta)
  const lockTtl = options.lockTtl === undefined ? DEFAULT_LOCK_OPTIONS.ttl : checkTtl('memoizeStampede', 'lockTtl', options.lockTtl)
  const timeout =
    options.timeout === undefined ? Infinity : checkDuration('memoizeStampede', 'timeout', options.timeout, { allowZero: true, allowInfinity: true })
  const pollInterval =
    options.pollInterval === undefined ? DEFAULT_LOCK_OPTIONS.pollInterval : checkDuration('memoizeStampede', 'pollInterval', options.pollInterval)
  const random = optionalFunction(options, 'random') ?? Math.random
  const now = optionalFunction(options, 'now') ?? Date.now
  const onRefreshError = optionalFunction(options, 'onRefreshError') ?? ((error: unknown) => warnRefreshFailed(name, error))
  const customKey = optionalFunction(options, 'key') as ((...args: A) => CacheKey) | undefined
  const ignore = checkIgnore(options.ignore)
  if (options.typed !== undefined && typeof options.typed !== 'boolean') {
    throw new InvalidOptionError(`memoizeStampede "typed" must be true or false; got ${typeof options.typed}`)
  }
  const typed = options.typed ?? false
  const tags = [`${VALUE_PREFIX}:${name}`, ...(checkTags('memoizeStampede', options.tags) ?? [])]
  const inflight = new Map<string, Promise<Awaited<R>>>()

  const argumentsKey = (args: A): CacheKey => (customKey ? customKey(...args) : canonicalArguments(withoutIgnored(args, ignore), typed))

  const read = (key: CacheKey): { value: Awaited<R>; delta: number; expiresAt: number | null } | undefined => {
    const entry = cache.getWithMeta(key)
    if (entry === undefined || !isStored(entry.value)) return undefined
    return { value: entry.value[0] as Awaited<R>, delta: entry.value[1], expiresAt: entry.expiresAt }
  }

  const computeAndStore = async (args: A, key: CacheKey): Promise<Awaited<R>> => {
    const startedAt = now()
    const value = await fn(...args)
    const delta = Math.max(0, now() - startedAt)
    cache.set(key, [value, delta] satisfies Stored, { ttl, tags })
    return value
  }

  const computeOnce = async (args: A, key: CacheKey, part: CacheKey): Promise<Awaited<R>> => {
    const lock = new Lock(cache, [LOCK_PREFIX, name, part], { ttl: lockTtl, pollInterval })
    // Each look checks for the value first, so waiters return as soon as the
    // computing process stores it, without queueing for the lock one by one.
    const found = await pollUntil(() => read(key) ?? (lock.tryAcquire() ? { locked: true as const } : undefined), {
      timeout,
      signal: undefined,
      pollInterval,
      wakeOn: { cache, key: lock.key },
      timedOut: () =>
        new LockTimeoutError(
          `memoizeStampede "${name}": another caller was still computing ${describeKey(key)} after ${timeout} ms; ` +
            'raise { timeout }, or lower { lockTtl } so a stuck computation stops keeping others out sooner',
        ),
    })
    if (!('locked' in found)) return found.value
    try {
      // Someone may have stored it between our last look and taking the lock.
      const stored = read(key)
      return stored ? stored.value : await computeAndStore(args, key)
    } finally {
      try {
        lock.release()
      } catch (error) {
        // Losing the lock to its ttl only let another process compute too; the result is still right.
        if (!(error instanceof LockNotHeldError)) throw error
      }
    }
  }

  const memoized = (async (...args: A): Promise<Awaited<R>> => {
    const part = argumentsKey(args)
    const key: CacheKey = [VALUE_PREFIX, name, part]
    const hit = read(key)
    if (hit !== undefined) {
      if (hit.expiresAt !== null && -hit.delta * beta * Math.log(random()) >= hit.expiresAt - now()) {
        // The marker lives as long as the last computation took: one refresh at a time, and a failed one is retried after that.
        if (cache.add([REFRESH_PREFIX, name, part], true, { ttl: Math.max(hit.delta, 1) })) {
          // Started on the next turn, so even a synchronous fn runs after this caller has its value.
          setImmediate(() => computeAndStore(args, key).catch(onRefreshError))
        }
      }
      return hit.value
    }
    const identity = keyIdentity(...encodeKey(key))
    const pending = inflight.get(identity)
    if (pending) return pending
    const computing = computeOnce(args, key, part).finally(() => inflight.delete(identity))
    inflight.set(identity, computing)
    return computing
  }) as StampedeFunction<A, R>

  memoized.cacheKey = (...args: A) => [VALUE_PREFIX, name, argumentsKey(args)]
  Object.defineProperty(memoized, 'name', { value: `memoizeStampede ${name}` })
  return memoized
}

function isStored(value: unknown): value is Stored {
  return Array.isArray(value) && value.length === 2 && typeof value[1] === 'number'
}

function optionalFunction<O extends object, N extends keyof O & string>(options: O, name: N): O[N] | undefined {
  const value = options[name]
  return value === undefined ? undefined : checkFunction<O[N]>('memoizeStampede', name, value)
}

function checkIgnore(ignore: unknown): readonly (number | string)[] {
  if (ignore === undefined) return []
  if (!Array.isArray(ignore) || ignore.some((item) => typeof item !== 'string' && !(Number.isInteger(item) && item >= 0))) {
    throw new InvalidOptionError('memoizeStampede "ignore" must list argument positions (0, 1, …) or property names, like [0, "signal"]')
  }
  return ignore as (number | string)[]
}

function warnRefreshFailed(name: string, error: unknown): void {
  const reason = error instanceof Error ? error.message : String(error)
  process.emitWarning(`memoizeStampede "${name}": a background refresh failed (${reason}); callers keep the cached value until it expires`, {
    code: 'DISKCACHE_REFRESH_FAILED',
  })
}
