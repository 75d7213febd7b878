import type Database from 'better-sqlite3'

/**
 * Collects the value files whose rows this connection deletes (or repoints),
 * so they can be deleted once the transaction commits, and forgotten if it
 * rolls back. TEMP triggers see only this connection's statements, which is
 * exactly the set of files this process must delete; they fire only for rows
 * that have a file, so an ordinary write pays nothing for them. A crash
 * between COMMIT and the deletion leaves orphan files: check({ fix: true })
 * removes them.
 */
export class ReleasedFiles {
  private names: string[] = []

  constructor(db: Database.Database, readonly: boolean) {
    if (readonly) return // a reader deletes nothing
    db.function('diskcache_release_file', { deterministic: false }, (name: unknown) => {
      this.names.push(name as string)
      return null
    })
    db.exec(`
      CREATE TEMP TRIGGER IF NOT EXISTS diskcache_release_on_delete AFTER DELETE ON main.entries
        WHEN OLD.filename IS NOT NULL BEGIN SELECT diskcache_release_file(OLD.filename); END;
      CREATE TEMP TRIGGER IF NOT EXISTS diskcache_release_on_update AFTER UPDATE OF filename ON main.entries
        WHEN OLD.filename IS NOT NULL AND OLD.filename IS NOT NEW.filename BEGIN SELECT diskcache_release_file(OLD.filename); END;
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
