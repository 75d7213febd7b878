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
  private accesses = new Map<number, number>()
  private lastAccess = 0
  private hits = 0
  private misses = 0
  private timer: NodeJS.Timeout | undefined

  constructor(private readonly store: Store) {}

  get hasPending(): boolean {
    return this.accesses.size > 0 || this.hits > 0 || this.misses > 0
  }

  recordAccess(id: number, now: number): void {
    this.accesses.set(id, (this.accesses.get(id) ?? 0) + 1)
    this.lastAccess = now
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
    const db = this.store.db
    db.pragma('busy_timeout = 0')
    try {
      this.flush()
    } catch {
      // Busy or failing: the batch stays and goes out with a later write.
    } finally {
      db.pragma(`busy_timeout = ${this.store.options.timeout}`)
    }
  }

  /** Called inside a write transaction. */
  flushInTransaction(): void {
    const { statements } = this.store
    for (const [id, count] of this.accesses) statements.recordAccess.run(this.lastAccess, count, id)
    if (this.hits > 0) statements.addCounter.run(this.hits, 'hits')
    if (this.misses > 0) statements.addCounter.run(this.misses, 'misses')
    this.discard()
  }

  private discard(): void {
    this.accesses.clear()
    this.hits = 0
    this.misses = 0
  }

  close(): void {
    if (this.timer !== undefined) clearTimeout(this.timer)
    this.timer = undefined
    this.tryFlush()
  }
}
