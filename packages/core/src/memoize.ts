import type { ReadThrough } from './cache.js'
import type { CacheKey } from './cache-key.js'
import { InvalidOptionError } from './errors.js'
import { isAsyncFunction } from './is-async-function.js'
import { canonicalArguments, withoutIgnored } from './memoize-key.js'
import { unknownName } from './options.js'

export interface MemoizeOptions {
  /** Names the function's entries; required for anonymous functions. @default fn.name */
  name?: string
  /** Milliseconds each result stays cached. @default no expiry */
  ttl?: number | null
  /** Extra tags on every cached result. */
  tags?: readonly string[]
  /** Builds the cache key from the arguments yourself, instead of the default canonical form. */
  key?: (...args: never[]) => CacheKey
  /** Arguments left out of the key: positions (0-based), or property names of plain-object arguments. */
  ignore?: readonly (number | string)[]
  /** Most results kept for this function; the least recently used go first. @default unbounded */
  maxSize?: number
  /** Key class instances by class as well as by their fields. @default false */
  typed?: boolean
  /** The function returns a promise (detected for `async` functions). @default auto */
  async?: boolean
}

export interface CacheInfo {
  /** Hits and misses seen by this wrapper in this process. */
  hits: number
  misses: number
  maxSize: number | null
  /** Results of this function stored in the cache now (all processes). */
  currentSize: number
}

export type MemoizedFunction<A extends unknown[], R> = ((...args: A) => R) & {
  /** The cache key a call with these arguments uses. */
  cacheKey(...args: A): CacheKey
  cacheInfo(): CacheInfo
  /** Removes this function's results (only them); returns how many. */
  cacheClear(): number
}

/**
 * @internal What memoize needs from a cache. Cache provides it over one
 * database; FanoutCache routes each key to its shard.
 */
export interface MemoizeHost {
  readThrough(key: CacheKey, compute: () => unknown, how: ReadThrough<CacheKey, unknown>): unknown
  /** Stores one result; with `trim`, then removes the function's least recently used results beyond maxSize. */
  storeMemoized(key: CacheKey, value: unknown, entry: { ttl?: number | null; tags: string[] }, trim?: { tag: string; maxSize: number }): void
  countTagged(tag: string): number
  evict(tag: string): number
}

const OPTION_NAMES = ['name', 'ttl', 'tags', 'key', 'ignore', 'maxSize', 'typed', 'async']
const KEY_PREFIX = 'diskcache.memoize'

export function memoize<A extends unknown[], R>(
  cache: MemoizeHost,
  fn: (...args: A) => R,
  options: MemoizeOptions = {},
): MemoizedFunction<A, R> {
  if (typeof fn !== 'function') throw new InvalidOptionError(`memoize needs a function; got ${typeof fn}`)
  for (const option of Object.keys(options)) {
    if (!OPTION_NAMES.includes(option)) throw unknownName('memoize option', option, OPTION_NAMES)
  }
  const name = options.name ?? fn.name
  if (!name) throw new InvalidOptionError('memoize needs { name } for an anonymous function, so every process finds the same entries')
  const { ttl, ignore = [], typed = false, maxSize } = options
  if (maxSize !== undefined && !(Number.isInteger(maxSize) && maxSize > 0)) {
    throw new InvalidOptionError(`memoize "maxSize" must be a positive integer; got ${String(maxSize)}`)
  }
  const tag = `${KEY_PREFIX}:${name}`
  const tags = [tag, ...(options.tags ?? [])]
  const isAsync = options.async ?? isAsyncFunction(fn)
  const customKey = options.key as ((...args: A) => CacheKey) | undefined
  let hits = 0
  let misses = 0

  const cacheKey = (...args: A): CacheKey =>
    customKey ? [KEY_PREFIX, name, customKey(...args)] : [KEY_PREFIX, name, canonicalArguments(withoutIgnored(args, ignore), typed)]

  const trim = maxSize === undefined ? undefined : { tag, maxSize }
  const store = (key: CacheKey, value: unknown) => cache.storeMemoized(key, value, { ttl, tags }, trim)

  const readThrough = {
    async: isAsync,
    store,
    counted: (hit: boolean) => (hit ? hits++ : misses++),
    // Under a policy that ignores reads, maxSize still needs them for its own LRU order.
    alwaysRecordRead: maxSize !== undefined,
  }
  const memoized = ((...args: A): R => {
    const key = cacheKey(...args)
    return cache.readThrough(key, () => fn(...args), readThrough) as R
  }) as MemoizedFunction<A, R>

  memoized.cacheKey = cacheKey
  memoized.cacheInfo = () => ({ hits, misses, maxSize: maxSize ?? null, currentSize: cache.countTagged(tag) })
  memoized.cacheClear = () => {
    hits = 0
    misses = 0
    return cache.evict(tag)
  }
  Object.defineProperty(memoized, 'name', { value: `memoized ${name}` })
  return memoized
}
