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

  /** Throws CacheIOError when the file was deleted, moved or replaced since it was opened. */
  assertInPlace(): void {
    if (this.isInPlace()) return
    throw new CacheIOError(
      `the database file of the cache in ${this.directory} was deleted, moved or replaced while open: the last write ` +
        'went to the removed file and is lost, and so is everything else stored through this Cache object. ' +
        'Close it and open a new Cache on the directory (it starts empty unless the file is put back)',
    )
  }
}
