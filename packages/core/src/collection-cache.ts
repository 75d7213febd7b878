import { Cache } from './cache.js'
import type { CacheKey } from './cache-key.js'
import { InvalidOptionError } from './errors.js'
import { type CacheOptions, DEFAULT_OPTIONS, DEFAULT_SETTINGS, unknownName } from './options.js'

/** Cache options for a Deque or an Index: everything but the eviction policy, which is always 'none'. */
export type CollectionCacheOptions = Omit<CacheOptions, 'evictionPolicy'>

const CACHE_OPTION_NAMES = [...Object.keys(DEFAULT_SETTINGS), ...Object.keys(DEFAULT_OPTIONS)].filter(
  (name) => name !== 'evictionPolicy',
)

/**
 * Opens the Cache behind a Deque or an Index, from their options: the cache's
 * own plus `ownNames` (left out of what the Cache gets). Their items are data,
 * not cached copies: losing one to size pressure would silently corrupt the
 * collection, so the policy is forced to 'none' and a caller asking for
 * another is told why.
 */
export function openCollectionCache<K extends CacheKey, V>(
  what: 'Deque' | 'Index',
  directory: string,
  options: object,
  ownNames: readonly string[],
): Cache<K, V> {
  if (typeof directory !== 'string' || directory.length === 0) {
    throw new InvalidOptionError(`a ${what} needs its directory, a non-empty path string; got ${String(directory)}`)
  }
  const cacheOptions: Record<string, unknown> = {}
  for (const [name, value] of Object.entries(options)) {
    if (name === 'evictionPolicy') {
      throw new InvalidOptionError(
        `a ${what} never evicts its items, so its evictionPolicy is always 'none': remove the "evictionPolicy" option`,
      )
    }
    if (ownNames.includes(name)) continue
    if (!CACHE_OPTION_NAMES.includes(name)) throw unknownName(`${what} option`, name, [...ownNames, ...CACHE_OPTION_NAMES])
    cacheOptions[name] = value
  }
  return new Cache<K, V>(directory, { ...cacheOptions, evictionPolicy: 'none' })
}

/**
 * Makes an existing cache safe to hold a Deque or an Index: switches its shared
 * eviction policy to 'none' (for every process using the directory). A
 * read-only cache is left as it is: it cannot write, so it cannot evict either.
 */
export function adoptCollectionCache<K extends CacheKey, V>(what: 'Deque' | 'Index', cache: Cache<K, V>): Cache<K, V> {
  if (!(cache instanceof Cache)) {
    throw new InvalidOptionError(`${what}.fromCache() needs a Cache; got ${cache === null ? 'null' : typeof cache}`)
  }
  if (cache.settings.evictionPolicy !== 'none' && !cache.store.options.readonly) cache.reset('evictionPolicy', 'none')
  return cache
}

/** The caller's options object (never modified), or an empty one; anything else is refused. */
export function optionsObject<T extends object>(what: string, options: T | undefined): T {
  if (options === undefined) return {} as T
  if (typeof options !== 'object' || options === null) {
    throw new InvalidOptionError(`${what} options must be an object; got ${options === null ? 'null' : typeof options}`)
  }
  return options
}
