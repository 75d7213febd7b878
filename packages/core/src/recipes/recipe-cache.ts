import type { CacheKey } from '../cache-key.js'
import type { SetOptions } from '../entry-options.js'

/**
 * The few cache methods the recipes use, typed structurally: a `Cache` fits,
 * and so will any other store with the same method signatures (a sharded
 * cache, a wrapper that adds metrics). Like DiskCache's recipes, they rely on
 * `add` being atomic across processes and on `transact` serializing writers.
 */
export interface RecipeCache {
  get(key: CacheKey): unknown
  /** The value with its absolute expiry (epoch ms, or null), or undefined on a miss. */
  getWithMeta(key: CacheKey): { value: unknown; expiresAt: number | null } | undefined
  set(key: CacheKey, value: unknown, options?: SetOptions): void
  /** Stores only if the key is absent or expired; true when it stored. */
  add(key: CacheKey, value: unknown, options?: SetOptions): boolean
  delete(key: CacheKey): boolean
  /** Runs `fn` as one write transaction across processes; nested calls join the outer one. */
  transact<T>(fn: () => T): T
}
