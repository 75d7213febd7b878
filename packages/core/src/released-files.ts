import type Database from 'better-sqlite3'

/**
 * Collects the value files whose rows this connection deletes (or repoints),
 * so they can be deleted once the transaction commits, and forgotten if it
 * rolls back. TEMP triggers see only this connection's statements, which is
 * exactly the set of files this process must delete; they fire only for rows
 * that have a file, so an ordinary write pays nothing for them. The same
 * triggers record each name in pending_files, in the releasing transaction:
 * a crash between COMMIT and the deletion leaves a file that the next
 * recovery removes (see pending-files.ts).
 */
export class ReleasedFiles {
  private names: string[] = []

  constructor(db: Database.Database, readonly: boolean) {
    if (readonly) return // a reader deletes nothing
    // Returns the time for the pending_files row: wall-clock, as file times are.
    db.function('diskcache_release_file', { deterministic: false }, (name: unknown) => {
      this.names.push(name as string)
      return Date.now()
    })
    // A file published and released by one transaction still has the row of its reservation: this
    // one replaces it. (Not INSERT OR REPLACE: the statement that fires a trigger imposes its own conflict policy.)
    const record =
      'DELETE FROM pending_files WHERE name = OLD.filename; ' +
      'INSERT INTO pending_files (name, since, released) VALUES (OLD.filename, diskcache_release_file(OLD.filename), 1)'
    db.exec(`
      CREATE TEMP TRIGGER IF NOT EXISTS diskcache_release_on_delete AFTER DELETE ON main.entries
        WHEN OLD.filename IS NOT NULL BEGIN ${record}; END;
      CREATE TEMP TRIGGER IF NOT EXISTS diskcache_release_on_update AFTER UPDATE OF filename ON main.entries
        WHEN OLD.filename IS NOT NULL AND OLD.filename IS NOT NEW.filename BEGIN ${record}; END;
    `)
  }

  /** The files released since the last call (after a COMMIT: delete them). */
  take(): string[] {
    if (this.names.length === 0) return EMPTY
    const names = this.names
    this.names = []
    return names
  }

  /** After a ROLLBACK the rows, and so their files, are back. */
  forget(): void {
    this.names = []
  }
}

const EMPTY: string[] = []
