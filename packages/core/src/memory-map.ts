import type Database from 'better-sqlite3'
import type { Statement } from './statements.js'

/** How much of the database file a connection maps while the map pays (bytes). */
export const MMAP_SIZE = 2 ** 28
/** Operations between two looks at `data_version`. */
const CHECK_EVERY = 128
/** Looks in a row that saw another connection's commit before the map goes. */
const BUSY_LOOKS_TO_UNMAP = 2
/** Looks in a row that saw none before it comes back. */
const QUIET_LOOKS_TO_MAP = 8

/**
 * Keeps SQLite's memory map on while it pays and off while it costs.
 *
 * With the map, a read takes pages straight from the OS page cache: no system
 * call and no copy, which matters once the database outgrows the connection's
 * page cache (a get over 1,000,000 entries is about a fifth slower through
 * read()). But whenever a read transaction finds that another connection has
 * committed, SQLite drops its page cache and unmaps the whole file
 * (pagerBeginReadTransaction), and the next reads map it again and fault every
 * page back in. With several processes writing one file that happens on a good
 * share of all reads: with the map off, FanoutCache under four writing
 * processes made 1.4× the operations per second (BENCHMARKS.md, finding 10).
 *
 * So each connection counts its operations and, every CHECK_EVERY of them,
 * looks at `PRAGMA data_version`, which moves when SQLite has had to drop
 * its cache, as it must for another connection's commit. While such commits keep
 * coming it reads through read() instead; once they stop, the map comes back.
 */
export class MemoryMap {
  private operations = 0
  private version: number
  private busyLooks = 0
  private quietLooks = 0
  private mapped = false

  constructor(
    private readonly db: Database.Database,
    private readonly dataVersion: Statement,
  ) {
    this.setMapped(true)
    this.version = dataVersion.get() as number
  }

  /** Counts one operation, in a transaction or not; the look itself waits for one outside a transaction. */
  tick(): void {
    if (++this.operations < CHECK_EVERY) return
    // SQLite ignores a new map size while a statement holds a mapped page: look at the first operation outside one.
    if (!this.db.open || this.db.inTransaction) return
    this.operations = 0
    try {
      const version = this.dataVersion.get() as number
      if (version !== this.version) {
        this.version = version
        this.quietLooks = 0
        if (++this.busyLooks >= BUSY_LOOKS_TO_UNMAP && this.mapped) this.setMapped(false)
      } else {
        this.busyLooks = 0
        if (++this.quietLooks >= QUIET_LOOKS_TO_MAP && !this.mapped) this.setMapped(true)
      }
    } catch {
      // Only a tuning choice failed: the operation that follows meets any real fault and reports it as it should.
    }
  }

  private setMapped(mapped: boolean): void {
    this.db.exec(`PRAGMA mmap_size = ${mapped ? MMAP_SIZE : 0}`)
    this.mapped = mapped
  }
}
