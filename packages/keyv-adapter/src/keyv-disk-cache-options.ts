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
  /**
   * Store Keyv's `{ value, expires }` envelope unwrapped: the value as itself
   * and `expires` in core's expiry column. Reads are then several times faster
   * (a string, number or Buffer never goes through the serializer). Needs
   * Keyv's serializer off, which is what `createKeyv` sets up (and why it turns
   * this on); a serialized string then throws InvalidValueError. One directory,
   * one choice: entries written one way do not read back the other way.
   * @default false (true through createKeyv without a Keyv serializer)
   */
  unwrapEnvelopes?: boolean
}

const ADAPTER_OPTION_NAMES = ['directory', 'cache', 'unwrapEnvelopes']
const KNOWN_OPTION_NAMES = [...ADAPTER_OPTION_NAMES, ...Object.keys(DEFAULT_SETTINGS), ...Object.keys(DEFAULT_OPTIONS)]

/** The Cache an adapter stores in, and whether the adapter opened it (and so closes it). */
export interface AdapterCache {
  cache: Cache
  ownsCache: boolean
  unwrapEnvelopes: boolean
}

/** Validates the options once and opens (or adopts) the cache. */
export function openAdapterCache(input: string | KeyvDiskCacheOptions = {}): AdapterCache {
  if (typeof input === 'string') return { cache: new Cache(input), ownsCache: true, unwrapEnvelopes: false }
  if (typeof input !== 'object' || input === null) {
    throw new InvalidOptionError(
      `the Keyv store takes a directory path or an options object like { directory: '.cache/app' }; got ${input === null ? 'null' : typeof input}`,
    )
  }
  checkOptionNames('option', input, KNOWN_OPTION_NAMES)
  const { directory, cache, unwrapEnvelopes = false, ...cacheOptions } = input
  if (typeof unwrapEnvelopes !== 'boolean') {
    throw new InvalidOptionError(`"unwrapEnvelopes" must be true or false; got ${typeof unwrapEnvelopes}`)
  }
  if (cache === undefined) return { cache: new Cache(directory ?? DEFAULT_DIRECTORY, cacheOptions), ownsCache: true, unwrapEnvelopes }
  if (!(cache instanceof Cache)) {
    throw new InvalidOptionError('"cache" must be a Cache from @diskcache/core (new Cache(directory, options))')
  }
  const extra = Object.keys(input).filter((name) => name !== 'cache' && name !== 'unwrapEnvelopes')
  if (extra.length > 0) {
    throw new InvalidOptionError(
      `"cache" is a Cache that is already open, so ${extra.map((name) => `"${name}"`).join(', ')} cannot apply to it: ` +
        'give those options to new Cache(directory, options), or leave out "cache"',
    )
  }
  return { cache, ownsCache: false, unwrapEnvelopes }
}
