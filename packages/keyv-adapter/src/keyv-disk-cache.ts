import { EventEmitter } from 'node:events'
import type { Cache } from '@diskcache/core'
import type { KeyvEntry, KeyvStoreAdapter, StoredData } from 'keyv'
import { entryExpiry } from './entry-expiry.js'
import { envelopeOf, valueOfEnvelope } from './keyv-envelope.js'
import { type KeyvDiskCacheOptions, openAdapterCache } from './keyv-disk-cache-options.js'

/** The key core stores an entry under: the namespace, then the key exactly as Keyv gave it. */
type StoredKey = [namespace: string, key: string]

/**
 * A Keyv 5 storage adapter on @diskcache/core: one SQLite file, shared by every
 * process on the host, with indexed expiry, eviction and exact namespaces.
 *
 * Each entry is stored under the core key `[namespace, key]`: the key exactly
 * as received and the adapter's `namespace` at the time of the call (`''` when
 * there is none). So namespaces stay apart whether Keyv prefixes keys itself
 * (`useKeyPrefix`, the default) or leaves that to the store (`useKeyPrefix:
 * false`, what `createKeyv` does), and `clear()` and `iterator()` reach exactly
 * one namespace through an index range, never a `LIKE` pattern.
 */
export class KeyvDiskCache extends EventEmitter implements Omit<KeyvStoreAdapter, 'setMany'> {
  /** The core cache underneath: for `stats()`, `expire()`, `volume()`, `check()` and the rest of core's API. */
  readonly cache: Cache
  /**
   * Keyv reads `opts.dialect` (its constructor enables `keyv.iterator()` only
   * for SQL and a few other dialects, and throws for a store with `opts` but
   * neither `dialect` nor `url`), and the Keyv test suite writes to `opts`.
   */
  opts: { dialect: 'sqlite'; url: string; [name: string]: unknown }
  /** Set by Keyv to its own namespace; every call is scoped to it. */
  namespace?: string | undefined
  private readonly ownsCache: boolean
  /** See KeyvDiskCacheOptions.unwrapEnvelopes. */
  readonly unwrapEnvelopes: boolean

  /** Opens the cache in `directory` (a path, or options: core's `CacheOptions` plus `directory` or `cache`). */
  constructor(directoryOrOptions?: string | KeyvDiskCacheOptions) {
    super()
    const { cache, ownsCache, unwrapEnvelopes } = openAdapterCache(directoryOrOptions)
    this.cache = cache
    this.ownsCache = ownsCache
    this.unwrapEnvelopes = unwrapEnvelopes
    this.opts = { dialect: 'sqlite', url: `diskcache://${cache.directory}` }
  }

  async get<Value>(key: string): Promise<StoredData<Value> | undefined> {
    return this.reportingRead(() => this.read(this.storedKey(key)) as StoredData<Value> | undefined)
  }

  async getMany<Value>(keys: string[]): Promise<Array<StoredData<Value | undefined>>> {
    return this.reportingRead(() => {
      const storedKeys = keys.map((key) => this.storedKey(key))
      if (!this.unwrapEnvelopes) return this.cache.getMany(storedKeys) as Array<StoredData<Value | undefined>>
      return this.cache
        .getManyWithMeta(storedKeys)
        .map((found) => (found === undefined ? undefined : envelopeOf(found.value, found.expiresAt))) as Array<StoredData<Value | undefined>>
    })
  }

  /** True only for a live entry: an expired one is absent here too (Keyv trusts a store's `has` without checking). */
  async has(key: string): Promise<boolean> {
    return this.reportingRead(() => this.cache.has(this.storedKey(key)))
  }

  async hasMany(keys: string[]): Promise<boolean[]> {
    return this.reportingRead(() => keys.map((key) => this.cache.has(this.storedKey(key))))
  }

  /**
   * Stores Keyv's envelope: the serialized string as it comes; with Keyv's
   * serializer off, the envelope object through core's serializer, or, with
   * `unwrapEnvelopes`, only its value. The expiry goes to core's indexed column
   * (see entryExpiry).
   */
  async set(key: string, value: unknown, ttl?: number): Promise<boolean> {
    this.write(this.storedKey(key), value, ttl)
    return true
  }

  /**
   * Stores every entry (Keyv passes each value serialized, or as the envelope
   * itself) in one transaction: all or none, and one commit instead of one per key.
   * Keyv 5 types the result as void (hence the Omit above), yet returns it as
   * keyv.setMany()'s boolean[]: so it resolves to one true per entry.
   */
  async setMany(entries: KeyvEntry[]): Promise<boolean[]> {
    this.cache.transact(() => {
      for (const { key, value, ttl } of entries) this.write(this.storedKey(key), value, ttl)
    })
    return entries.map(() => true)
  }

  /** True when a live entry was deleted. */
  async delete(key: string): Promise<boolean> {
    return this.cache.delete(this.storedKey(key))
  }

  /** True when at least one of the keys had a live entry (one transaction). */
  async deleteMany(keys: string[]): Promise<boolean> {
    return this.cache.deleteMany(keys.map((key) => this.storedKey(key))) > 0
  }

  /** Deletes every entry of this namespace, and nothing else. */
  async clear(): Promise<void> {
    this.cache.clear({ prefix: [this.namespace ?? ''] })
  }

  /**
   * Yields `[key, storedValue]` for every live entry of the namespace, in key
   * order, reading 100 rows at a time from where the last page ended: memory
   * stays flat however large the namespace, and Keyv deleting entries as it
   * goes skips nothing.
   */
  async *iterator<Value>(namespace?: string): AsyncGenerator<Array<string | Awaited<Value> | undefined>, void> {
    const entries = this.reportingRead(() => this.cache.entries({ prefix: [namespace ?? this.namespace ?? ''] }))
    for (;;) {
      const next = this.reportingRead(() => entries.next())
      if (next.done) return
      const [storedKey, value] = next.value as [unknown[], Awaited<Value>]
      // Keys a core user wrote deeper under the namespace are not Keyv's.
      // Unwrapped, the expiry is not needed here: an expired entry is never yielded.
      if (storedKey.length === 2 && typeof storedKey[1] === 'string') yield [storedKey[1], this.unwrapEnvelopes ? (envelopeOf(value, null) as Awaited<Value>) : value]
    }
  }

  /** Closes the cache if this adapter opened it; one passed in as `cache` stays open. */
  async disconnect(): Promise<void> {
    if (this.ownsCache) this.cache.close()
  }

  /** The stored envelope (rebuilt when unwrapped), or undefined. */
  private read(key: StoredKey): unknown {
    if (!this.unwrapEnvelopes) return this.cache.get(key)
    const found = this.cache.getWithMeta(key)
    return found === undefined ? undefined : envelopeOf(found.value, found.expiresAt)
  }

  private write(key: StoredKey, value: unknown, ttl: number | undefined): void {
    const options = entryExpiry(value, ttl)
    this.cache.set(key, this.unwrapEnvelopes ? valueOfEnvelope(value) : value, options)
  }

  private storedKey(key: string): StoredKey {
    return [this.namespace ?? '', key]
  }

  /**
   * Keyv 5 swallows a rejected `store.get` unless `throwOnErrors` is set, so a
   * closed or corrupt cache would look like an endless run of misses. Reads
   * therefore also report failures as an 'error' event, which Keyv re-emits;
   * Keyv emits failed writes itself. Either way one failed call is one 'error'.
   */
  private reportingRead<T>(read: () => T): T {
    try {
      return read()
    } catch (error) {
      if (this.listenerCount('error') > 0) this.emit('error', error)
      throw error
    }
  }
}
