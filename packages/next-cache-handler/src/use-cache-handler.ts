import { isUseCacheRow } from './entry-shape.js'
import { namespaceTags } from './entry-tags.js'
import { revalidateTags } from './incremental-handler.js'
import type { UseCacheEntry } from './next-types.js'
import { type NextCacheOptions, resolveNextCacheOptions } from './options.js'
import { storeFor } from './next-store.js'
import { type TagDurations, judgeTags, latestExpiration } from './tag-state.js'
import { warnOnce } from './warn-once.js'

/**
 * The 'use cache' handler interface (`cacheHandlers.default`, `.remote`, or a custom name): Next 16's,
 * plus what Next 15's `CacheHandlerV2` calls (`expireTags(...tags)`, `getExpiration(...tags)`).
 */
export interface UseCacheHandler {
  get(cacheKey: string, softTags: string[]): Promise<UseCacheEntry | undefined>
  set(cacheKey: string, pendingEntry: Promise<UseCacheEntry>): Promise<void>
  refreshTags(): Promise<void>
  /** Next 16 passes one array (`getExpiration(tags)`), Next 15 spreads the tags (`getExpiration(...tags)`). */
  getExpiration(...tags: (string | string[])[]): Promise<number>
  updateTags(tags: string[], durations?: TagDurations): Promise<void>
  /** Next 15's revalidateTag/revalidatePath: the tags expire now, as `updateTags(tags)` without durations. */
  expireTags(...tags: string[]): Promise<void>
}

/**
 * The tags of a `getExpiration` call, whichever way Next passed them. Taken as Next 16's one
 * array, Next 15's spread call would hand the lookup only its first tag, a string, read
 * character by character.
 */
function tagList(args: readonly (string | string[])[]): string[] {
  return args.flat().filter((tag): tag is string => typeof tag === 'string')
}

/** A stored 'use cache' entry: the stream's bytes and the entry's metadata. */
interface StoredUseCacheEntry {
  bytes: Buffer
  tags: string[]
  stale: number
  timestamp: number
  expire: number
  revalidate: number
}

async function readAll(stream: ReadableStream<Uint8Array>): Promise<Buffer> {
  const chunks: Uint8Array[] = []
  const reader = stream.getReader()
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    chunks.push(value)
  }
  return Buffer.concat(chunks)
}

function streamOf(bytes: Buffer): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    start(controller) {
      // A copy per stream: a consumer that transfers or mutates its chunk cannot touch the next reader's.
      if (bytes.length > 0) controller.enqueue(new Uint8Array(bytes))
      controller.close()
    },
  })
}

/**
 * Builds a 'use cache' handler object with these options (resolved once, here). Entries and tag
 * state share the store of the incremental handler with the same directory, across processes.
 */
export function createUseCacheHandler(options: NextCacheOptions = {}): UseCacheHandler {
  const resolved = resolveNextCacheOptions(options)
  const store = storeFor(resolved)
  const { keyPrefix, maxAge, now } = resolved
  // Sets under way in this process: a get of the same key waits for it instead of missing.
  const pending = new Map<string, Promise<void>>()
  const keyFor = (cacheKey: string) => ['next', keyPrefix, 'use-cache', cacheKey]

  return {
    async get(cacheKey, softTags = []) {
      const inFlight = pending.get(cacheKey)
      if (inFlight) await inFlight
      const at = now()
      const stored = store.read((entries, tags, memo) => {
        const where = keyFor(cacheKey)
        const row = memo.entry(JSON.stringify(where), entries, where, at)
        if (row === undefined || row === null) return undefined
        if (!isUseCacheRow(row)) {
          warnOnce('DISKCACHE_NEXT_BAD_ENTRY', `@diskcache/next: the stored 'use cache' entry for ${JSON.stringify(cacheKey)} is malformed; serving a miss`)
          return undefined
        }
        const entry = row as StoredUseCacheEntry
        // Past expire Next would discard it anyway; Next's own handler also drops it past revalidate.
        if (at > entry.timestamp + entry.expire * 1000) return undefined
        const verdict = judgeTags(memo.tagState(tags, at), namespaceTags(keyPrefix, [...entry.tags, ...softTags]), entry.timestamp, at)
        if (verdict === 'expired') return undefined
        // revalidate -1 is how Next's own handler says "serve once, then replace it".
        return verdict === 'stale' ? { ...entry, revalidate: -1 } : entry
      }, undefined)
      if (!stored) return undefined
      const { bytes, ...meta } = stored
      return { ...meta, value: streamOf(bytes) }
    },

    async set(cacheKey, pendingEntry) {
      let done!: () => void
      const settled = new Promise<void>((resolve) => (done = resolve))
      pending.set(cacheKey, settled)
      try {
        const entry = await pendingEntry
        // expire 0 marks a dynamic entry nobody may reuse; Next's own handler does not store it either.
        if (entry.expire === 0) return
        const bytes = await readAll(entry.value)
        const stored: StoredUseCacheEntry = {
          bytes,
          tags: entry.tags,
          stale: entry.stale,
          timestamp: entry.timestamp,
          expire: entry.expire,
          revalidate: entry.revalidate,
        }
        const ttl = Math.min(entry.expire * 1000, maxAge)
        store.write((entries) => entries.set(keyFor(cacheKey), stored, { ttl, tags: namespaceTags(keyPrefix, entry.tags) }))
      } catch {
        // The render or its stream failed: a partial entry would be served as complete, so store nothing.
      } finally {
        if (pending.get(cacheKey) === settled) pending.delete(cacheKey)
        done()
      }
    },

    // Every read checks the store's write generation first: there is nothing to pull in ahead.
    async refreshTags() {},

    async getExpiration(...args) {
      const tags = tagList(args)
      const at = now()
      return store.read((_entries, tagCache, memo) => latestExpiration(memo.tagState(tagCache, at), namespaceTags(keyPrefix, tags), at), 0)
    },

    async updateTags(tags, durations) {
      await revalidateTags(store, resolved, tags, durations)
    },

    // Next 15 has no durations: every revalidation expires now. There is no `receiveExpiredTags`:
    // Next 15 calls it only on handlers without `refreshTags`, and every process reads the tag
    // state a server action wrote from the shared store anyway.
    async expireTags(...tags) {
      await revalidateTags(store, resolved, tags, undefined)
    },
  }
}
