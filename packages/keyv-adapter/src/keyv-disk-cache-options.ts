import {
  checkOptionNames,
  Cache,
  type CacheOptions,
  DEFAULT_DIRECTORY,
  DEFAULT_OPTIONS,
  DEFAULT_SETTINGS,
  InvalidOptionError,
} from '@diskcache/core'

/** Where the adapter stores: a directory (opened with core's options) or a Cache already open. */
export interface KeyvDiskCacheOptions extends CacheOptions {
  /** Directory of the cache, created if missing. @default '.cache/diskcache' (core's DEFAULT_DIRECTORY) */
  directory?: string
  /**
   * A Cache you opened, to store in instead of opening one: several adapters
   * (and your own code) can share one connection. `disconnect()` leaves it
   * open. Give its options when you open it, not here.
   */
  cache?: Cache
}

const ADAPTER_OPTION_NAMES = ['directory', 'cache']
const KNOWN_OPTION_NAMES = [...ADAPTER_OPTION_NAMES, ...Object.keys(DEFAULT_SETTINGS), ...Object.keys(DEFAULT_OPTIONS)]

/** The Cache an adapter stores in, and whether the adapter opened it (and so closes it). */
export interface AdapterCache {
  cache: Cache
  ownsCache: boolean
}

/** Validates the options once and opens (or adopts) the cache. */
export function openAdapterCache(input: string | KeyvDiskCacheOptions = {}): AdapterCache {
  if (typeof input === 'string') return { cache: new Cache(input), ownsCache: true }
  if (typeof input !== 'object' || input === null) {
    throw new InvalidOptionError(
      `the Keyv store takes a directory path or an options object like { directory: '.cache/app' }; got ${input === null ? 'null' : typeof input}`,
    )
  }
  checkOptionNames('option', input, KNOWN_OPTION_NAMES)
  const { directory, cache, ...cacheOptions } = input
  if (cache === undefined) return { cache: new Cache(directory ?? DEFAULT_DIRECTORY, cacheOptions), ownsCache: true }
  if (!(cache instanceof Cache)) {
    throw new InvalidOptionError('"cache" must be a Cache from @diskcache/core (new Cache(directory, options))')
  }
  const extra = Object.keys(input).filter((name) => name !== 'cache')
  if (extra.length > 0) {
    throw new InvalidOptionError(
      `"cache" is a Cache that is already open, so ${extra.map((name) => `"${name}"`).join(', ')} cannot apply to it: ` +
        'give those options to new Cache(directory, options), or leave out "cache"',
    )
  }
  return { cache, ownsCache: false }
}
