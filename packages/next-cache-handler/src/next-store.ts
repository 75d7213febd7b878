import { join } from 'node:path'
import { Cache, CacheTimeoutError } from '@diskcache/core'
import type { ResolvedNextCacheOptions } from './options.js'
import { ReadMemo, bumpGeneration } from './read-memo.js'
import { warnOnce } from './warn-once.js'

/**
 * Entries below this many bytes are stored inside the database (core's `fileThreshold`, 32 KiB by
 * default, would put a typical page in a file of its own). A page write is then one SQLite
 * transaction instead of a temp file, a rename, directories made and, when it replaces an older
 * render, a file unlinked and directories pruned: measured on an 85 KB APP_PAGE entry, the median
 * set fell from about 1.6-3.4 ms to 0.2-0.3 ms, and reads got faster too (see BENCHMARKS.md).
 * Pages past 1 MiB still go to files, where SQLite's own guidance puts large blobs.
 */
export const INLINE_VALUE_LIMIT = 2 ** 20

/** How long a store that failed to open is left alone before the next attempt. */
const REOPEN_DELAY_MS = 30_000

/**
 * How long a write to the tags database waits for its lock, whatever `timeout` says. Only this
 * package's own short transactions (a revalidation, a write-generation bump) ever hold that lock,
 * and a revalidation dropped after 100 ms would leave pages stale until they expire: worth a
 * longer wait than a dropped entry, which costs one render.
 */
const TAGS_LOCK_TIMEOUT_MS = 1000

/**
 * How long the first open of a process waits for the lock: creating a new store takes it once,
 * and several processes (Next's build workers, servers started together) queue on it. Core's default.
 */
const CREATE_LOCK_TIMEOUT_MS = 5000

/**
 * The two databases of one store directory: `entries` (pages, routes, fetches, 'use cache' values;
 * size-limited) and `tags` (when each tag went stale or expired). Tag rows live apart so size
 * eviction can never drop one: a lost tag row would bring revalidated entries back to life.
 *
 * Next constructs the incremental handler several times per request, so the store is opened once
 * per process and directory (see `storeFor`) and every access goes through `read`/`write`, which
 * turn a fault into a logged miss. Reads go through the process's `ReadMemo`, checked against the
 * store's write generation first; every write moves the generation when it is done.
 */
export class NextStore {
  private opened: { entries: Cache; tags: Cache } | undefined
  private failedAt = -Infinity
  readonly memo: ReadMemo

  constructor(readonly options: ResolvedNextCacheOptions) {
    this.memo = new ReadMemo(options.memoryLimit)
  }

  /** Runs `fn` on the open databases and a memo still valid for them; on any fault logs once and returns `fallback`. */
  read<T>(fn: (entries: Cache, tags: Cache, memo: ReadMemo) => T, fallback: T): T {
    const caches = this.open()
    if (!caches) return fallback
    try {
      this.memo.sync(caches.tags)
      return fn(caches.entries, caches.tags, this.memo)
    } catch (error) {
      // Whatever the fault left half-read must not be served later.
      this.memo.clear()
      warnOnce('DISKCACHE_NEXT_READ_FAILED', `@diskcache/next: a read from ${this.options.directory} failed; serving a miss`, error)
      return fallback
    }
  }

  /**
   * Runs `fn` on the open databases, then moves the write generation so every process's memo drops
   * what it held (after the write: a reader must never see the new generation with the old data).
   * A fault is logged once and the write dropped: a write that waited `timeout` for another
   * process's lock under its own code, since its fix (a longer timeout, or finding the process
   * that holds the lock) differs from a failing disk's.
   */
  write(fn: (entries: Cache, tags: Cache) => void): void {
    const caches = this.open()
    if (!caches) return
    try {
      fn(caches.entries, caches.tags)
      bumpGeneration(caches.tags)
    } catch (error) {
      if (error instanceof CacheTimeoutError) {
        warnOnce(
          'DISKCACHE_NEXT_WRITE_TIMEOUT',
          `@diskcache/next: another process held a write lock in ${this.options.directory} past the timeout ` +
            `(${this.options.timeout} ms for entries); the write was dropped and the request served (warned once per process). ` +
            'If this happens often, shorten what holds the lock, or raise DISKCACHE_NEXT_TIMEOUT (each waiting write stalls the event loop that long)',
          error,
        )
      } else {
        warnOnce('DISKCACHE_NEXT_WRITE_FAILED', `@diskcache/next: a write to ${this.options.directory} failed; the entry was not stored`, error)
      }
    }
  }

  /**
   * Runs `fn`, housekeeping that may be skipped: when another process holds the lock past
   * `timeout`, nothing is done and nothing logged (what it would have freed goes by TTL or size
   * eviction later). Other faults are logged as for `write`.
   */
  tidy(fn: (entries: Cache) => void): void {
    const caches = this.open()
    if (!caches) return
    try {
      fn(caches.entries)
      bumpGeneration(caches.tags)
    } catch (error) {
      if (!(error instanceof CacheTimeoutError)) {
        warnOnce('DISKCACHE_NEXT_WRITE_FAILED', `@diskcache/next: a write to ${this.options.directory} failed`, error)
      }
    }
  }

  /**
   * Runs `fn` on the open databases and lets any fault through: for tools (prefill) that must
   * report a failure rather than serve around it.
   */
  writeOrThrow<T>(fn: (entries: Cache, tags: Cache) => T): T {
    const caches = this.opened ?? this.open(true)!
    const result = fn(caches.entries, caches.tags)
    bumpGeneration(caches.tags)
    return result
  }

  close(): void {
    this.opened?.entries.close()
    this.opened?.tags.close()
    this.opened = undefined
    this.memo.clear()
  }

  private open(rethrow = false): { entries: Cache; tags: Cache } | undefined {
    if (this.opened) return this.opened
    // Retrying on every request would block each one on a failing open: wait a while between attempts.
    if (!rethrow && Date.now() - this.failedAt < REOPEN_DELAY_MS) return undefined
    const { directory, sizeLimit, compression, timeout, now } = this.options
    const clock = () => Math.floor(now())
    const entriesOptions = { sizeLimit, compression, fileThreshold: INLINE_VALUE_LIMIT, now: clock }
    const tagsOptions = { evictionPolicy: 'none', now: clock } as const
    let entries: Cache | undefined
    try {
      // Create (or find) both databases patiently, then reopen with the short timeouts: core is
      // synchronous, so a write waiting for another process's lock stalls Next's event loop.
      // Opening an existing store takes no lock.
      new Cache(join(directory, 'entries'), { ...entriesOptions, timeout: CREATE_LOCK_TIMEOUT_MS }).close()
      new Cache(join(directory, 'tags'), { ...tagsOptions, timeout: CREATE_LOCK_TIMEOUT_MS }).close()
      entries = new Cache(join(directory, 'entries'), { ...entriesOptions, timeout })
      const tags = new Cache(join(directory, 'tags'), { ...tagsOptions, timeout: Math.max(timeout, TAGS_LOCK_TIMEOUT_MS) })
      this.opened = { entries, tags }
      return this.opened
    } catch (error) {
      entries?.close()
      if (rethrow) throw error
      this.failedAt = Date.now()
      warnOnce('DISKCACHE_NEXT_OPEN_FAILED', `@diskcache/next: cannot open the cache in ${directory}; serving every request as a miss`, error)
      return undefined
    }
  }
}

const stores = new Map<string, NextStore>()

/** The process-wide store for the options' directory, opened on first use. */
export function storeFor(options: ResolvedNextCacheOptions): NextStore {
  let store = stores.get(options.directory)
  if (!store) {
    store = new NextStore(options)
    stores.set(options.directory, store)
  }
  return store
}

/** Closes and forgets every store this process opened (tests, and shutdown hooks). */
export function closeAllStores(): void {
  for (const store of stores.values()) store.close()
  stores.clear()
}
