import { InvalidOptionError, InvalidTtlError } from '@diskcache/core'
import { KeyvDiskCache } from '@diskcache/keyv'
import { CACHE_MANAGER } from '@nestjs/cache-manager'
import { Inject, Injectable } from '@nestjs/common'
import type { Cache as CacheManager } from 'cache-manager'
import type { Keyv } from 'keyv'
import { recordTags, takeTaggedKeys } from './tag-index.js'

/** Options for `DiskCacheService.set()`. */
export interface TaggedSetOptions {
  /** Milliseconds to live; the module's `ttl` when left out. */
  ttl?: number
  /** Tags for `evictTags()`. */
  tags?: readonly string[]
}

/** Options for `DiskCacheService.wrap()`. */
export interface TaggedWrapOptions extends TaggedSetOptions {
  /** Recompute in the background once less than this many milliseconds are left (cache-manager's `refreshThreshold`). */
  refreshThreshold?: number
}

/**
 * What Nest's cache lacks, over the cache-manager it injects: tags, eviction
 * by tag, and a `wrap` that computes once for concurrent misses.
 */
@Injectable()
export class DiskCacheService {
  constructor(@Inject(CACHE_MANAGER) readonly cacheManager: CacheManager) {}

  /** The Keyv on the disk store: the first of cache-manager's stores whose store is a KeyvDiskCache. */
  get keyv(): Keyv {
    const keyv = this.cacheManager.stores.find((candidate) => candidate.store instanceof KeyvDiskCache)
    if (keyv === undefined) {
      throw new InvalidOptionError(
        'the cache has no @diskcache/keyv store, so tags have nowhere to live: register it with ' +
          'CacheModule.register(diskCacheOptions({ directory })) or DiskCacheModule.forRoot({ directory }), ' +
          'or put createKeyv(directory) among the stores',
      )
    }
    return keyv
  }

  /** The KeyvDiskCache under the cache: `store.cache` is core's Cache, for `stats()`, `volume()` and the rest. */
  get store(): KeyvDiskCache {
    return this.keyv.store as KeyvDiskCache
  }

  /** Records the tags, then stores through cache-manager (every store). Resolves to the value. */
  async set<T>(key: string, value: T, options: TaggedSetOptions = {}): Promise<T> {
    checkTtl('ttl', options.ttl)
    // Tags first: an eviction racing this write then either deletes the new entry or finds no record of it yet.
    this.tag(key, options.tags ?? [], options.ttl)
    await this.cacheManager.set(key, value, options.ttl)
    return value
  }

  /**
   * The cached value of `key`, or `fn()`'s result, stored with `ttl` and
   * `tags`. Concurrent calls for one key in this process share one run of
   * `fn` (cache-manager coalesces `wrap`); so do the background refreshes of
   * `refreshThreshold`. Tags are recorded each time `fn` runs.
   */
  async wrap<T>(key: string, fn: () => T | Promise<T>, options: TaggedWrapOptions = {}): Promise<T> {
    const { ttl, tags = [], refreshThreshold } = options
    checkTtl('ttl', ttl)
    checkTtl('refreshThreshold', refreshThreshold)
    const compute = async () => {
      const value = await fn()
      // Recorded before cache-manager stores the value, so an eviction never finds the entry without its record.
      this.tag(key, tags, ttl)
      return value
    }
    const wrapOptions: { ttl?: number; refreshThreshold?: number } = {}
    if (ttl !== undefined) wrapOptions.ttl = ttl
    if (refreshThreshold !== undefined) wrapOptions.refreshThreshold = refreshThreshold
    return this.cacheManager.wrap(key, compute, wrapOptions)
  }

  /**
   * Records that the entry `key` carries `tags`, for `evictTags()`. The
   * record lasts as long as the entry (`ttl`, else the module's).
   */
  tag(key: string, tags: readonly string[], ttl?: number): void {
    checkTtl('ttl', ttl)
    if (tags.length === 0) return
    const keyv = this.keyv
    const lifetime = ttl ?? keyv.ttl
    const expiresAt = lifetime === undefined || lifetime === 0 ? null : Date.now() + lifetime
    recordTags(this.store.cache, keyv.namespace ?? '', key, tags, expiresAt)
  }

  /**
   * Deletes every entry carrying any of `tags` from every store of the cache
   * (in this process's memory tiers too), whichever process stored it.
   * Resolves to the number of live entries the disk store held.
   */
  async evictTags(tags: string | readonly string[]): Promise<number> {
    const list = typeof tags === 'string' ? [tags] : tags
    const keyv = this.keyv
    const keys = takeTaggedKeys(this.store.cache, keyv.namespace ?? '', list)
    if (keys.length === 0) return 0
    const live = (await keyv.hasMany(keys)).filter(Boolean).length
    await this.cacheManager.mdel(keys)
    return live
  }
}

// Keyv turns a failed write into `false` and an 'error' event, so a bad ttl is refused here, loudly.
function checkTtl(name: string, value: unknown): void {
  if (value === undefined) return
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new InvalidTtlError(`${name} must be a number of milliseconds >= 0 (60_000 for a minute); got ${String(value)}`)
  }
}
