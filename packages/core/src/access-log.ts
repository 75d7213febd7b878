import type { Store } from './store.js'

const FLUSH_AT = 256
const FLUSH_AFTER_MS = 1000

/**
 * Reads that need bookkeeping (access time and count for LRU/LFU, hit and miss
 * statistics) are noted in memory and written in batches, so a get stays a
 * read-only query instead of a write transaction per call (DiskCache's slow
 * path). Batches go out inside the next write this process makes, after 256
 * reads, or after a second; a batch that meets another writer's lock waits for
 * the next chance rather than stalling the read that triggered it.
 */
export class AccessLog {
  /** Entry id → reads since the last flush and when the latest happened (each entry its own time, for LRU order). */
  private accesses = new Map<number, Access>()
  private hits = 0
  private misses = 0
  /** What the open write transaction has flushed: pending again if that transaction rolls back. */
  private unconfirmed: Batch | undefined
  private timer: NodeJS.Timeout | undefined

  constructor(private readonly store: Store) {}

  get hasPending(): boolean {
    return this.accesses.size > 0 || this.hits > 0 || this.misses > 0
  }

  recordAccess(id: number, now: number): void {
    const access = this.accesses.get(id)
    if (access === undefined) this.accesses.set(id, { count: 1, at: now })
    else {
      access.count++
      access.at = Math.max(access.at, now)
    }
    this.afterRecord()
  }

  recordHit(): void {
    this.hits++
    this.afterRecord()
  }

  recordMiss(): void {
    this.misses++
    this.afterRecord()
  }

  /** Hits and misses noted but not yet written. */
  pendingStats(): { hits: number; misses: number } {
    return { hits: this.hits, misses: this.misses }
  }

  private afterRecord(): void {
    if (this.accesses.size >= FLUSH_AT || this.hits + this.misses >= FLUSH_AT) this.tryFlush()
    else if (this.timer === undefined) {
      this.timer = setTimeout(() => {
        this.timer = undefined
        this.tryFlush()
      }, FLUSH_AFTER_MS)
      this.timer.unref()
    }
  }

  /** Writes the batch now, waiting for the lock as long as any write would. */
  flush(): void {
    if (this.hasPending && this.store.isOpen && !this.store.options.readonly) {
      this.store.write('record accesses', () => this.flushInTransaction())
    }
  }

  /** Writes the batch if the write lock is free right now; otherwise keeps it for later. */
  private tryFlush(): void {
    if (!this.store.isOpen || this.store.options.readonly) return this.discard()
    if (this.store.inTransaction) return // the open write transaction will take it
    // Busy or failing: the batch stays and goes out with a later write.
    if (this.hasPending) this.store.writeIfUnlocked('record accesses', () => this.flushInTransaction())
  }

  /** Called inside a write transaction; the store calls `transactionEnded` once it commits or rolls back. */
  flushInTransaction(): void {
    const { statements } = this.store
    for (const [id, { count, at }] of this.accesses) statements.recordAccess.run(at, count, id)
    if (this.hits > 0) statements.addCounter.run(this.hits, 'hits')
    if (this.misses > 0) statements.addCounter.run(this.misses, 'misses')
    const flushed = { accesses: this.accesses, hits: this.hits, misses: this.misses }
    this.unconfirmed = this.unconfirmed ? mergeBatches(this.unconfirmed, flushed) : flushed
    this.accesses = new Map()
    this.hits = 0
    this.misses = 0
  }

  /** A rolled-back flush never reached the database: its batch is pending again, so no read goes uncounted. */
  transactionEnded(committed: boolean): void {
    const flushed = this.unconfirmed
    if (flushed === undefined) return
    this.unconfirmed = undefined
    if (committed) return
    const merged = mergeBatches(flushed, { accesses: this.accesses, hits: this.hits, misses: this.misses })
    this.accesses = merged.accesses
    this.hits = merged.hits
    this.misses = merged.misses
  }

  private discard(): void {
    this.accesses.clear()
    this.hits = 0
    this.misses = 0
  }

  /** Stops the timer; the store's last write on close takes what is pending. */
  close(): void {
    if (this.timer !== undefined) clearTimeout(this.timer)
    this.timer = undefined
  }
}

interface Access {
  count: number
  at: number
}

interface Batch {
  accesses: Map<number, Access>
  hits: number
  misses: number
}

/** Adds `later` into `earlier` (which it changes and returns). */
function mergeBatches(earlier: Batch, later: Batch): Batch {
  for (const [id, access] of later.accesses) {
    const known = earlier.accesses.get(id)
    if (known === undefined) earlier.accesses.set(id, { ...access })
    else {
      known.count += access.count
      known.at = Math.max(known.at, access.at)
    }
  }
  earlier.hits += later.hits
  earlier.misses += later.misses
  return earlier
}
