import { statSync } from 'node:fs'
import { CacheIOError } from './errors.js'

/**
 * The database file a connection opened, by device and inode. On POSIX a file
 * deleted (or replaced by a rename) while open lives on for whoever holds it:
 * SQLite would go on committing to it, every other process would open a new,
 * empty database at the path, and everything written here would vanish at
 * close. SQLite checks this itself only in rollback-journal mode (its
 * SQLITE_READONLY_DBMOVED), not in WAL mode, so each write checks after it
 * commits, and throws rather than acknowledge a write nobody will ever read.
 */
/** Writes closer together than this share one check. */
const CHECK_INTERVAL_MS = 1

export class DatabaseFileIdentity {
  private readonly dev: number
  private readonly ino: number

  constructor(
    private readonly path: string,
    private readonly directory: string,
  ) {
    const stats = statSync(path)
    this.dev = stats.dev
    this.ino = stats.ino
  }

  /** Whether `path` still names the file this connection opened. */
  isInPlace(): boolean {
    const stats = statSync(this.path, { throwIfNoEntry: false })
    return stats !== undefined && stats.ino === this.ino && stats.dev === this.dev
  }

  /** performance.now() of the last check that found the file in place. */
  private checkedAt = Number.NEGATIVE_INFINITY
  private moved = false

  /**
   * Throws CacheIOError when the file was deleted, moved or replaced since it
   * was opened. A stat costs a few microseconds, a fifth of a write, so writes
   * closer than a millisecond to the last good check skip it: in a burst, a
   * write made within that millisecond after the file went can be
   * acknowledged before the next one throws. Once gone, always gone.
   */
  assertInPlace(): void {
    if (!this.moved) {
      const now = performance.now()
      if (now - this.checkedAt < CHECK_INTERVAL_MS) return
      if (this.isInPlace()) {
        this.checkedAt = now
        return
      }
      this.moved = true
    }
    throw new CacheIOError(
      `the database file of the cache in ${this.directory} was deleted, moved or replaced while open: the last write ` +
        'went to the removed file and is lost, and so is everything else stored through this Cache object. ' +
        'Close it and open a new Cache on the directory (it starts empty unless the file is put back)',
    )
  }
}
