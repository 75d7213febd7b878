import type { Cache } from '@diskcache/core'
import { isTagStateRow } from './entry-shape.js'
import { bumpGeneration } from './read-memo.js'

/** When a tag went stale and when it expires (epoch ms), as Next 16 keeps it. */
export interface TagState {
  stale?: number
  expired?: number
}

/** Looks up one tag's state (from the tags database, or a process's memo of it). */
export type TagStateReader = (tag: string) => TagState | undefined

/** What the tags of an entry written at some time say about it. */
export type TagVerdict = 'fresh' | 'stale' | 'expired'

/** Durations Next 16 passes with revalidateTag: `expire` in seconds. */
export interface TagDurations {
  expire?: number
}

/**
 * Records a revalidation of `tags` the way Next 16's own tag manifest does:
 * - no durations (revalidatePath, updateTag, Next 15's revalidateTag): expired now;
 * - durations (revalidateTag(tag, profile)): stale now, and expired `expire` seconds from now
 *   (`{ expire: 0 }`: now; `'max'`: in a year, i.e. stale-while-revalidate).
 *
 * A row is kept `maxAge` past its latest time: no entry lives longer than `maxAge`, so after
 * that no entry the row could apply to is left and the row goes, by core's TTL.
 * The write generation moves in the same transaction, so no process can read the new generation
 * without the new tag state.
 */
export function recordRevalidation(
  tagCache: Cache,
  tags: readonly string[],
  durations: TagDurations | undefined,
  now: number,
  maxAge: number,
): void {
  const at = Math.round(now)
  tagCache.transact(() => {
    for (const tag of new Set(tags)) {
      const row = tagCache.get(tag)
      // A malformed row is replaced: what it said cannot be read, and this revalidation is what counts now.
      const state: TagState = isTagStateRow(row) ? { ...(row as TagState) } : {}
      if (durations) {
        state.stale = at
        if (durations.expire !== undefined) state.expired = at + durations.expire * 1000
      } else {
        state.expired = at
      }
      const latest = Math.max(state.stale ?? 0, state.expired ?? 0)
      tagCache.set(tag, state, { ttl: latest - at + maxAge })
    }
    bumpGeneration(tagCache)
  })
}

/** Expired wins over stale; `timestamp` is when the entry was written (ms, may be fractional). */
export function judgeTags(stateOf: TagStateReader, tags: Iterable<string>, timestamp: number, now: number): TagVerdict {
  let verdict: TagVerdict = 'fresh'
  for (const tag of new Set(tags)) {
    const state = stateOf(tag)
    if (!state) continue
    if (state.expired !== undefined && state.expired <= now && state.expired > timestamp) return 'expired'
    if (state.stale !== undefined && state.stale > timestamp) verdict = 'stale'
  }
  return verdict
}

/**
 * The latest expiry already in force among `tags`, 0 if none: what 'use cache' getExpiration
 * returns. Next drops entries written at or before it. An expiry still in the future is left out,
 * or every entry (even one written after the revalidation) would be dropped until then.
 */
export function latestExpiration(stateOf: TagStateReader, tags: Iterable<string>, now: number): number {
  let latest = 0
  for (const tag of new Set(tags)) {
    const expired = stateOf(tag)?.expired
    if (expired !== undefined && expired <= now && expired > latest) latest = expired
  }
  return latest
}
