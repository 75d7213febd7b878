import type { Cache } from '@diskcache/core'
import { isTagStateRow } from './entry-shape.js'
import { warnOnce } from './warn-once.js'
import type { TagState } from './tag-state.js'

/**
 * The key, in the tags database, of the store's write generation: a number every entry write and
 * every tag revalidation adds one to, from any process. Tag keys are strings, so this array key
 * can never be a tag.
 */
export const GENERATION_KEY = ['diskcache-next', 'generation']

/** Adds one to the store's write generation; call it after the write it announces has committed. */
export function bumpGeneration(tagCache: Cache): void {
  tagCache.incr(GENERATION_KEY)
}

/** A decoded entry kept in memory, with when its row expires (core's ttl) and roughly how big it is. */
interface MemoEntry {
  value: unknown
  expiresAt: number | null
  bytes: number
}

/**
 * Decoded entries and tag states of this process, valid while the store's write generation has not
 * moved. A hit then costs one read of a small number instead of an 85 KB row, its decoding and one
 * read per tag; any write from any process moves the generation and drops everything, so a
 * revalidation elsewhere is seen by the very next read here.
 *
 * The generation must be read BEFORE the data it guards: a write landing in between then leaves
 * newer data under an older generation, which the next read drops (the safe direction).
 */
export class ReadMemo {
  private generation: unknown = undefined
  private readonly entries = new Map<string, MemoEntry>()
  private readonly tagStates = new Map<string, TagState | null>()
  private bytes = 0

  /** @param limit bytes of decoded entries kept (least recently used go first); 0 keeps none. */
  constructor(private readonly limit: number) {}

  /** Reads the generation and forgets everything if it moved since the last call. */
  sync(tagCache: Cache): void {
    const generation = tagCache.get(GENERATION_KEY) ?? 0
    if (generation === this.generation) return
    this.clear()
    this.generation = generation
  }

  clear(): void {
    this.entries.clear()
    this.tagStates.clear()
    this.bytes = 0
    this.generation = undefined
  }

  /** The entry under `key` (a string naming its store key), read and decoded at most once per generation. */
  entry(key: string, entries: Cache, storeKey: readonly unknown[], now: number): unknown {
    const known = this.entries.get(key)
    if (known && (known.expiresAt === null || known.expiresAt > now)) {
      // Map order is insertion order: re-inserting makes it the most recently used.
      this.entries.delete(key)
      this.entries.set(key, known)
      return known.value
    }
    if (known) this.forget(key, known)
    const found = entries.getWithMeta(storeKey as string[])
    if (!found) return undefined
    const bytes = this.limit > 0 ? approximateBytes(found.value) : Infinity
    if (bytes <= this.limit) {
      this.entries.set(key, { value: found.value, expiresAt: found.expiresAt, bytes })
      this.bytes += bytes
      for (const [oldest, entry] of this.entries) {
        if (this.bytes <= this.limit) break
        this.forget(oldest, entry)
      }
    }
    return found.value
  }

  /**
   * A reader of tag states that asks the tags database once per tag and generation. A row of
   * another shape reads as "expired now" on every read (never remembered): it may record a
   * revalidation we can no longer see, and a miss is the answer that is never wrong.
   */
  tagState(tagCache: Cache, now: number): (tag: string) => TagState | undefined {
    return (tag) => {
      let state = this.tagStates.get(tag)
      if (state === undefined) {
        const row = tagCache.get(tag)
        if (row !== undefined && !isTagStateRow(row)) {
          warnOnce('DISKCACHE_NEXT_BAD_ENTRY', `@diskcache/next: the tag row for ${JSON.stringify(tag)} is malformed; treating its entries as expired`)
          return { expired: now }
        }
        state = (row as TagState | undefined) ?? null
        this.tagStates.set(tag, state)
      }
      return state ?? undefined
    }
  }

  private forget(key: string, entry: MemoEntry): void {
    this.entries.delete(key)
    this.bytes -= entry.bytes
  }
}

/**
 * Bytes a decoded value roughly holds: strings, Buffers and typed arrays counted by length, a little
 * for every other slot. Enough to bound the memo; not an exact heap size.
 */
export function approximateBytes(value: unknown, depth = 0): number {
  if (typeof value === 'string') return 16 + value.length * 2
  if (value === null || typeof value !== 'object' || depth > 8) return 8
  if (ArrayBuffer.isView(value)) return 64 + value.byteLength
  let total = 64
  if (value instanceof Map) {
    for (const [key, item] of value) total += approximateBytes(key, depth + 1) + approximateBytes(item, depth + 1)
  } else if (Array.isArray(value)) {
    for (const item of value) total += approximateBytes(item, depth + 1)
  } else {
    for (const [key, item] of Object.entries(value)) total += key.length * 2 + approximateBytes(item, depth + 1)
  }
  return total
}
