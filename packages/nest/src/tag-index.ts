import type { Cache as CoreCache } from '@diskcache/core'

// Tag records live in the same file as the entries, so a tag evicted in one
// process reaches entries another process stored. Four-element keys never
// collide with the Keyv store's two-element [namespace, key].
const TAG_RECORDS = '@diskcache/nest:tags'

/**
 * Records that `key` (a cache-manager key in `namespace`) carries `tags`. A
 * record lives as long as the entry it points at (`expiresAt`, epoch ms, or
 * null), so expired entries leave no records behind.
 */
export function recordTags(
  cache: CoreCache,
  namespace: string,
  key: string,
  tags: readonly string[],
  expiresAt: number | null,
): void {
  if (tags.length === 0) return
  cache.transact(() => {
    for (const tag of tags) cache.set([TAG_RECORDS, namespace, tag, key], 1, { expiresAt })
  })
}

/**
 * Removes the records of `tags` and returns the keys they pointed at, each
 * once. One transaction: a key tagged by another process meanwhile is either
 * returned here or keeps its record for the next eviction.
 */
export function takeTaggedKeys(cache: CoreCache, namespace: string, tags: readonly string[]): string[] {
  return cache.transact(() => {
    const keys = new Set<string>()
    const records: string[][] = []
    for (const tag of tags) {
      for (const record of cache.keys({ prefix: [TAG_RECORDS, namespace, tag] })) {
        const stored = record as [string, string, string, string]
        records.push(stored)
        keys.add(stored[3])
      }
    }
    cache.deleteMany(records)
    return [...keys]
  })
}
