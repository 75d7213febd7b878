import { readBuildId } from './build-id.js'
import { isIncrementalRow, isKindFor } from './entry-shape.js'
import { namespaceTags, tagsOfIncrementalEntry, tagsToCheck } from './entry-tags.js'
import type {
  CacheControl,
  CacheHandlerContext,
  CacheHandlerValue,
  GetContext,
  IncrementalCacheValue,
  SetContext,
} from './next-types.js'
import { type NextCacheOptions, type ResolvedNextCacheOptions, resolveNextCacheOptions } from './options.js'
import { type NextStore, storeFor } from './next-store.js'
import { type TagDurations, judgeTags, recordRevalidation } from './tag-state.js'
import { warnOnce } from './warn-once.js'

/** One stored incremental entry. */
interface StoredEntry {
  lastModified: number
  value: IncrementalCacheValue | null
  cacheControl?: CacheControl
  /** Next 14 passes `revalidate` in the set context instead of `cacheControl`. */
  revalidate?: number | false
  tags: string[]
}

/** The incremental handler's public shape (Next's `CacheHandler`). */
export interface IncrementalCacheHandler {
  get(key: string, ctx?: GetContext): Promise<CacheHandlerValue | null>
  set(key: string, data: IncrementalCacheValue | null, ctx?: SetContext): Promise<void>
  revalidateTag(tags: string | string[], durations?: TagDurations): Promise<void>
  resetRequestCache(): void
}

export type IncrementalCacheHandlerClass = new (ctx?: CacheHandlerContext) => IncrementalCacheHandler

function isFetchGet(ctx: GetContext): boolean {
  return ctx.kind === 'FETCH' || ctx.kindHint === 'fetch'
}

function isFetchSet(data: IncrementalCacheValue | null, ctx: SetContext): boolean {
  return ctx.fetchCache === true || data?.kind === 'FETCH'
}

/**
 * A `lastModified` that makes Next see an entry as past its revalidate window, so it serves it
 * once (STALE) and regenerates in the background: how a tag marked stale (revalidateTag(tag,
 * 'max')) reaches Next, which consults no tag state of its own for a custom handler.
 * Without a positive window, -1: Next then regenerates before answering.
 */
function staleLastModified(revalidate: number | false | undefined, now: number, fallback: number): number {
  return typeof revalidate === 'number' && revalidate > 0 ? now - revalidate * 1000 - 1 : fallback
}

/**
 * Where an incremental entry lives in the entries database. Fetch keys are shared across builds
 * on purpose (Next designs them to survive deploys); response keys are not: a new build must
 * never serve the old build's HTML.
 */
export function storeKey(options: ResolvedNextCacheOptions, buildId: string, key: string, isFetch: boolean): string[] {
  return isFetch ? ['next', options.keyPrefix, 'fetch', key] : ['next', options.keyPrefix, 'response', buildId, key]
}

/** The row `set` writes (also what prefill writes): the entry as stored, its ttl and its namespaced tags. */
export function prepareEntry(
  options: ResolvedNextCacheOptions,
  data: IncrementalCacheValue | null,
  ctx: SetContext,
): { stored: StoredEntry; ttl: number; tags: string[] } {
  const stored: StoredEntry = { lastModified: options.now(), value: data, tags: tagsOfIncrementalEntry(data, ctx) }
  if (ctx.cacheControl) stored.cacheControl = ctx.cacheControl
  if (ctx.revalidate !== undefined) stored.revalidate = ctx.revalidate
  // Past `expire` Next would re-render before answering anyway: the entry may go then.
  const expire = ctx.cacheControl?.expire
  const ttl = typeof expire === 'number' ? Math.min(expire * 1000, options.maxAge) : options.maxAge
  return { stored, ttl, tags: namespaceTags(options.keyPrefix, stored.tags) }
}

/**
 * Builds a handler class for Next's `cacheHandler` with these options (resolved once, here).
 * The class's constructor does nothing costly: Next constructs it several times per request;
 * the store is opened once per process.
 */
export function createCacheHandler(options: NextCacheOptions = {}): IncrementalCacheHandlerClass {
  const resolved = resolveNextCacheOptions(options)
  // Module scope, not per instance: Next constructs the class several times per request.
  const store = storeFor(resolved)
  return class DiskCacheHandler implements IncrementalCacheHandler {
    private readonly buildId: string

    constructor(ctx: CacheHandlerContext = {}) {
      this.buildId = readBuildId(ctx.serverDistDir)
    }

    async get(key: string, ctx: GetContext = {}): Promise<CacheHandlerValue | null> {
      const isFetch = isFetchGet(ctx)
      const now = resolved.now()
      return store.read((entries, tags, memo) => {
        const where = storeKey(resolved, this.buildId, key, isFetch)
        const row = memo.entry(JSON.stringify(where), entries, where, now)
        if (row === undefined || row === null) return null
        if (!isIncrementalRow(row)) {
          warnOnce('DISKCACHE_NEXT_BAD_ENTRY', `@diskcache/next: the stored entry for ${JSON.stringify(key)} is malformed; serving a miss`)
          return null
        }
        const stored = row as StoredEntry
        if (stored.value !== null && !isKindFor(stored.value.kind, ctx.kind, isFetch)) {
          warnOnce('DISKCACHE_NEXT_BAD_ENTRY', `@diskcache/next: the stored entry for ${JSON.stringify(key)} is a ${stored.value.kind}, not the ${ctx.kind ?? (isFetch ? 'FETCH' : 'page')} Next asked for; serving a miss`)
          return null
        }
        const checked = namespaceTags(resolved.keyPrefix, tagsToCheck(stored.tags, ctx))
        const verdict = judgeTags(memo.tagState(tags, now), checked, stored.lastModified, now)
        if (verdict === 'expired') return null
        let lastModified = stored.lastModified
        if (verdict === 'stale') {
          lastModified = isFetch
            ? staleLastModified(ctx.revalidate || stored.value?.revalidate, now, 0)
            : staleLastModified(stored.cacheControl?.revalidate ?? stored.revalidate, now, -1)
        }
        // The memo hands every request the same decoded value, as Next's own memory cache does
        // (file-system-cache.js returns its LRU's object); Next reads it and does not change it.
        const found: CacheHandlerValue = { lastModified, value: stored.value }
        if (stored.cacheControl) found.cacheControl = stored.cacheControl
        return found
      }, null)
    }

    async set(key: string, data: IncrementalCacheValue | null, ctx: SetContext = {}): Promise<void> {
      const isFetch = isFetchSet(data, ctx)
      const { stored, ttl, tags } = prepareEntry(resolved, data, ctx)
      store.write((entries) => entries.set(storeKey(resolved, this.buildId, key, isFetch), stored, { ttl, tags }))
    }

    async revalidateTag(tags: string | string[], durations?: TagDurations): Promise<void> {
      await revalidateTags(store, resolved, typeof tags === 'string' ? [tags] : tags, durations)
    }

    /**
     * Nothing to drop: the process's memo is checked against the store's write generation on
     * every read, not kept for the length of a request.
     */
    resetRequestCache(): void {}
  }
}

/**
 * Records the revalidation; entries carrying a tag that expires now are then deleted, freeing their
 * space. The deletion is housekeeping (reads judge entries by the tag state already): when another
 * process holds the entries' lock past `timeout` it is skipped, never the revalidation itself.
 */
export async function revalidateTags(
  store: NextStore,
  options: ResolvedNextCacheOptions,
  tags: readonly string[],
  durations: TagDurations | undefined,
): Promise<void> {
  const now = options.now()
  const stored = namespaceTags(options.keyPrefix, tags)
  store.write((_entries, tagCache) => recordRevalidation(tagCache, stored, durations, now, options.maxAge))
  if (durations === undefined || durations.expire === 0) store.tidy((entries) => stored.forEach((tag) => entries.evict(tag)))
}
