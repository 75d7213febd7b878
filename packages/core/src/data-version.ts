import type { Store } from './store.js'

/**
 * One number for "has anything in this database changed?", made of two that
 * SQLite keeps for free: `data_version`, which moves when another connection
 * (another Cache, another process) commits, and `total_changes()`, which
 * counts the rows this connection itself changed. Neither reads a table, so
 * a caller can afford them on every request.
 */
export class DataVersion {
  private version = -1
  private changes = -1
  private count = 0

  constructor(private readonly store: Store) {}

  /** Grows by one at each read that finds either source moved since the read before. */
  read(): number {
    const { store } = this
    let version: number
    let changes: number
    // No closure or array per call: this runs on every request of an HTTP cache.
    try {
      version = store.statements.dataVersion.get() as number
      changes = store.statements.totalChanges.get() as number
    } catch (error) {
      throw store.translate(error)
    }
    if (version !== this.version || changes !== this.changes) {
      this.version = version
      this.changes = changes
      this.count++
    }
    return this.count
  }
}
