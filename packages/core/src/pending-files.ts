import type { Store } from './store.js'

const RESERVE = 'INSERT INTO pending_files (name, since, released) VALUES (?, ?, 0)'
const FORGET_ONE = 'DELETE FROM pending_files WHERE name = ?'
// A file published and then released by the same transaction keeps the row its release wrote.
const PUBLISHED = 'DELETE FROM pending_files WHERE name = ? AND released = 0'
const FORGET = 'DELETE FROM pending_files WHERE name IN (SELECT value FROM json_each(?))'

// Past this many, the rows of removed files are deleted at once rather than at the next file write.
const MAX_SETTLED = 1000
// Reserved names are used only this young, far below the stale age (an hour) after which recovery
// deletes a row with no file: so it never deletes the row of a file about to be created.
const MAX_NEXT_AGE_MS = 5 * 60 * 1000
const MAX_COVER_AGE_MS = 30 * 60 * 1000

interface Reserved {
  name: string
  at: number
}

/**
 * This process's side of the pending_files table (schema.ts), which makes every
 * value file that no entry references yet, or any more, known to the database
 * before a crash could strand it:
 *
 * - a new file's name is committed there before its temp file is created, and
 *   its row is deleted by the transaction that publishes the file into an entry;
 * - a released file's name is written there by the transaction that released it
 *   (released-files.ts); the row goes once the file is unlinked, with this
 *   process's next file write, so no delete pays for a commit of its own.
 *
 * Names are reserved ahead, by the transaction that uses the previous ones, so
 * a steady stream of file-backed writes pays no commit of its own for this:
 * `next` for a file written before its transaction (set), `cover` for files
 * written inside one (transact(), setMany, Deque.push), where no commit can
 * come first. A cover name stands for its whole family, the names that share
 * its first 20 hex digits (familyName), so one reserved row covers every file
 * of that transaction. Whatever a killed writer left is then found from the
 * table alone, without a walk of values/: see recover-pending-files.ts.
 */
export class PendingFiles {
  /** Names whose files are gone (unlinked, or never published): their rows go at the next file write. */
  private settled: string[] = []
  /** Names whose rows the open transaction deletes: settled again if it rolls back. */
  private forgetting: string[] = []
  private next: Reserved | undefined
  private cover: Reserved | undefined
  /** Files of the cover's family made in the open transaction (0: the cover is unused). */
  private coverUsed = 0
  /** Names published in the open transaction (their rows go before COMMIT). */
  private published: string[] = []
  private reserving: { next?: Reserved; cover?: Reserved } = {}
  private closing = false

  constructor(private readonly store: Store) {}

  /** A name for a file written outside a transaction, recorded as pending first (committed). */
  reserve(): string {
    const next = this.next
    this.next = undefined
    if (next !== undefined && Date.now() - next.at < MAX_NEXT_AGE_MS) return next.name
    if (next !== undefined) this.settled.push(next.name)
    return this.insertNow().name
  }

  /**
   * A name for a file written inside the open transaction: the cover's family.
   * Without a cover (its reservation failed), the name is recorded in the
   * transaction itself, so only its COMMIT makes it known (docs/reliability.md).
   */
  reserveInTransaction(): string {
    const { cover } = this
    if (cover !== undefined) return this.coverUsed++ === 0 ? cover.name : familyName(cover.name, this.coverUsed - 1)
    const name = this.store.files.createName()
    this.store.prepare(RESERVE).run(name, Date.now())
    return name
  }

  /**
   * Before the outermost BEGIN: a committed cover name for files written inside
   * the transaction. Best effort (a full disk, a busy lock): without one, such a
   * file is only recorded by its own transaction.
   */
  ensureCover(): void {
    if (this.closing || (this.cover !== undefined && Date.now() - this.cover.at < MAX_COVER_AGE_MS)) return
    try {
      const fresh = this.insertNow()
      if (this.cover !== undefined) this.settled.push(this.cover.name)
      this.cover = fresh
    } catch {
      // The write that follows reports the same trouble, if it matters to it.
    }
  }

  /** Inside the transaction that puts `name` into an entry: its row goes before COMMIT. */
  publishedInTransaction(name: string): void {
    this.published.push(name)
  }

  /** `names` have no file left (or will have none once removed): their rows can go. */
  settle(names: readonly string[]): void {
    for (const name of names) this.settled.push(name)
  }

  get isSettledFull(): boolean {
    return this.settled.length >= MAX_SETTLED
  }

  /**
   * Last step of a write transaction that wrote value files: deletes the rows of
   * the files it published and of settled files, and reserves the names used up.
   * A transaction without files writes nothing here.
   */
  beforeCommit(): void {
    if (this.published.length === 0 && this.coverUsed === 0) return
    const { store } = this
    const published = this.published.filter((name) => !this.isCoverFamily(name))
    if (this.coverUsed > 0) published.push(this.cover!.name)
    for (const name of published) store.prepare(PUBLISHED).run(name)
    this.forgetSettled()
    const at = Date.now()
    if (this.next === undefined) {
      this.reserving.next = { name: store.files.createName(), at }
      store.prepare(RESERVE).run(this.reserving.next.name, at)
    }
    if (this.coverUsed > 0) {
      this.reserving.cover = { name: store.files.createName(), at }
      store.prepare(RESERVE).run(this.reserving.cover.name, at)
    }
  }

  /** Deletes the settled rows now, in the open write transaction (before closing, or when too many wait). */
  forgetSettled(): void {
    this.forget(this.settled)
    this.forgetting = this.settled
    this.settled = []
  }

  transactionEnded(committed: boolean): void {
    if (committed) {
      if (this.reserving.next !== undefined) this.next = this.reserving.next
      if (this.reserving.cover !== undefined) this.cover = this.reserving.cover
    } else {
      this.settle(this.forgetting)
      // A used cover's family was removed with the rollback; its row stays until settled.
      if (this.coverUsed > 0 && this.cover !== undefined) {
        this.settled.push(this.cover.name)
        this.cover = undefined
      }
    }
    this.forgetting = []
    this.published = []
    this.coverUsed = 0
    this.reserving = {}
  }

  /** Before closing: no more reservations, and the reserved names' rows go with the closing write. */
  releaseReserved(): void {
    this.closing = true
    for (const reserved of [this.next, this.cover]) if (reserved !== undefined) this.settled.push(reserved.name)
    this.next = undefined
    this.cover = undefined
  }

  private insertNow(): Reserved {
    const { store } = this
    const reserved = { name: store.files.createName(), at: Date.now() }
    store.writeOne('write a value file', () => store.prepare(RESERVE).run(reserved.name, reserved.at))
    return reserved
  }

  private isCoverFamily(name: string): boolean {
    return this.coverUsed > 0 && name.startsWith(familyStem(this.cover!.name))
  }

  private forget(names: readonly string[]): void {
    if (names.length === 0) return
    // A statement per name is cheaper than parsing JSON for the usual one or two.
    if (names.length <= 4) for (const name of names) this.store.prepare(FORGET_ONE).run(name)
    else this.store.prepare(FORGET).run(JSON.stringify(names))
  }
}

/** values/ab/cd/ and the first 20 of the 28 hex digits: what the names of a cover's family share. */
export function familyStem(name: string): string {
  return name.slice(0, 'values/ab/cd/'.length + 20)
}

/** The `index`th name of `cover`'s family (never the cover itself). */
function familyName(cover: string, index: number): string {
  const suffix = (n: number) => n.toString(16).padStart(8, '0')
  const candidate = familyStem(cover) + suffix(index) + '.val'
  return candidate === cover ? familyStem(cover) + suffix(index + 0x80000000) + '.val' : candidate
}
