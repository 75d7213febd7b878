import { Cache } from '../cache.js'
import { FanoutCache, type FanoutCacheOptions } from '../fanout-cache.js'
import type { CacheKey } from '../cache-key.js'
import type { CacheOptions } from '../options.js'
import { makeTempDir } from './temp-dir.js'

const opened: Cache<never, unknown>[] = []

/**
 * A Cache in a fresh temp directory (or in `directory`, to open a second Cache
 * on the same files), closed after the test so no handle outlives it.
 */
export function openCache<K extends CacheKey = CacheKey, V = unknown>(options?: CacheOptions, directory = makeTempDir()): Cache<K, V> {
  const cache = new Cache<K, V>(directory, options)
  opened.push(cache as unknown as Cache<never, unknown>)
  return cache
}

/** The same, for tests that name the directory first. */
export function openCacheIn(directory: string, options?: CacheOptions): Cache {
  return openCache(options, directory)
}

afterEach(() => {
  for (const cache of opened.splice(0)) cache.close()
})

/** A promise with its resolve/reject exposed, to hold an async computation open. */
export function deferred<T>(): { promise: Promise<T>; resolve(value: T): void; reject(error: unknown): void } {
  let resolve!: (value: T) => void
  let reject!: (error: unknown) => void
  const promise = new Promise<T>((res, rej) => {
    resolve = res
    reject = rej
  })
  return { promise, resolve, reject }
}

const openedFanouts: FanoutCache[] = []

/** A FanoutCache (3 shards unless told) in a fresh temp directory, closed after the test. */
export function openFanoutCache<K extends CacheKey = CacheKey, V = unknown>(
  options?: FanoutCacheOptions,
  directory = makeTempDir(),
): FanoutCache<K, V> {
  const cache = new FanoutCache<K, V>(directory, { shards: 3, ...options })
  openedFanouts.push(cache as unknown as FanoutCache)
  return cache
}

afterEach(() => {
  for (const cache of openedFanouts.splice(0)) cache.close()
})

/**
 * The implementations of the Cache API, for behaviour tests written once and
 * run on each: `describe.each(CACHE_IMPLEMENTATIONS)('$name', ({ open }) => …)`.
 * The FanoutCache is typed as a Cache: tests use only what both provide.
 */
export const CACHE_IMPLEMENTATIONS: {
  name: string
  open: <K extends CacheKey = CacheKey, V = unknown>(options?: CacheOptions, directory?: string) => Cache<K, V>
}[] = [
  { name: 'Cache', open: openCache },
  {
    name: 'FanoutCache',
    open: <K extends CacheKey, V>(options?: CacheOptions, directory?: string) =>
      openFanoutCache<K, V>(options, directory) as unknown as Cache<K, V>,
  },
]
