import { checkOptionNames, DEFAULT_OPTIONS, DEFAULT_SETTINGS, InvalidTtlError } from '@diskcache/core'
import { createKeyv, type KeyvDiskCacheOptions } from '@diskcache/keyv'
import type { CacheModuleOptions } from '@nestjs/cache-manager'

/** What `diskCacheOptions()` and `DiskCacheModule.forRoot()` take: where the cache lives, and cache-manager's settings. */
export interface DiskCacheOptions extends KeyvDiskCacheOptions {
  /** Default time to live in milliseconds for entries set without one; none means they stay until evicted. */
  ttl?: number
  /** Keyv namespace: modules (or apps) sharing a directory stay apart by it. @default 'keyv' */
  namespace?: string
  /** cache-manager's `refreshThreshold` (ms): `wrap` recomputes in the background once less than this is left. */
  refreshThreshold?: number
  /** cache-manager's `cacheId`, which scopes `wrap`'s in-process coalescing. */
  cacheId?: string
  /** Make the cache (and, with DiskCacheModule, DiskCacheService) injectable in every module. @default false */
  isGlobal?: boolean
}

const NEST_OPTION_NAMES = ['ttl', 'namespace', 'refreshThreshold', 'cacheId', 'isGlobal']
const STORE_OPTION_NAMES = ['directory', 'cache', ...Object.keys(DEFAULT_SETTINGS), ...Object.keys(DEFAULT_OPTIONS)]
const KNOWN_OPTION_NAMES = [...STORE_OPTION_NAMES, ...NEST_OPTION_NAMES]

/**
 * Validates the options without opening anything, so DiskCacheModule.forRoot()
 * refuses a misspelt option where it is written, not when the app starts.
 */
export function checkDiskCacheOptions(options: DiskCacheOptions): void {
  checkOptionNames('diskCacheOptions option', options, KNOWN_OPTION_NAMES)
  for (const name of ['ttl', 'refreshThreshold'] as const) {
    const value = options[name]
    if (value === undefined) continue
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw new InvalidTtlError(`${name} must be a number of milliseconds >= 0 (60_000 for a minute); got ${String(value)}`)
    }
  }
}

/**
 * Options for `CacheModule.register()` whose store is a Keyv on a
 * KeyvDiskCache. The cache opens here, at the call: `@nestjs/cache-manager`
 * closes it when the module is destroyed (`app.close()`).
 */
export function diskCacheOptions(options: DiskCacheOptions = {}): CacheModuleOptions {
  checkDiskCacheOptions(options)
  const { ttl, namespace, refreshThreshold, cacheId, isGlobal, ...storeOptions } = options
  // The Keyv carries the default ttl too, so DiskCacheService can give tag records the entry's lifetime.
  const keyv = createKeyv(storeOptions, { ttl, ...(namespace === undefined ? {} : { namespace }) })
  const result: CacheModuleOptions = { stores: [keyv] }
  if (ttl !== undefined) result.ttl = ttl
  if (refreshThreshold !== undefined) result.refreshThreshold = refreshThreshold
  if (cacheId !== undefined) result.cacheId = cacheId
  if (isGlobal !== undefined) result.isGlobal = isGlobal
  return result
}
