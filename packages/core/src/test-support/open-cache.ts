import { Cache } from '../cache.js'
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
