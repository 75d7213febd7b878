import type Database from 'better-sqlite3'
import { AccessLog } from './access-log.js'
import { CacheClosedError, TransactionError, ValueTooLargeError } from './errors.js'
import { EVICTION_POLICIES, type EvictionPolicy } from './eviction-policy.js'
import { DatabaseFileIdentity } from './database-file-identity.js'
import { openDatabase } from './open-database.js'
import { type CacheSettings, DEFAULT_SETTINGS, type ProcessOptions, type ResolvedOptions, validateSetting } from './options.js'
import { prepareStatements, type Statement, type Statements } from './statements.js'
import { isPromiseLike } from './is-async-function.js'
import { ReleasedFiles } from './released-files.js'
import { PendingFiles } from './pending-files.js'
import { recoverPendingFiles } from './recover-pending-files.js'
import { crashPoint } from './crash-point.js'
import { pauseMs, retryWhileBusy } from './busy-wait.js'
import { MemoryMap } from './memory-map.js'
import { BackgroundCheckpoint, CATCH_UP_BYTES, FALLBACK_PAGES, INLINE_PAGES, NUDGE_EVERY, RESTART_WAIT_MS, SAFETY_NET_BYTES } from './background-checkpoint.js'
import { readOnlyError, translateError } from './translate-error.js'
import type { KeyKind, StoredKey } from './cache-key.js'
import type { EntryMeta } from './entry-options.js'
import { decodeValue, type EncodedValue, encodeValue, type ValueCodecConfig } from './value-codec.js'
import { TEMP_SUFFIX, ValueFiles } from './value-files.js'
import { DATABASE_FILENAME } from './schema.js'
import { statSync } from 'node:fs'
import { join } from 'node:path'

export interface StagedValue {
  encoded: EncodedValue
  /** Name of the value file written for it, or null when the value is stored inline. */
  file: string | null
  /** Bytes in that file (0 when inline). */
  size: number
}

/** What readValue returns when a value file has disappeared: the entry counts as a miss. */
export const VANISHED: unique symbol = Symbol('vanished')

const HOUSEKEEPING_INTERVAL_MS = 100

/** Pause between two tries of the catch-up's checkpoint while another process's holds the checkpoint lock. */
const CHECKPOINT_RETRY_MS = 0.2
/**
 * After a RESTART of the writer's own failed, how much more the WAL grows before
 * the next try: the first step, doubled at each failure in a row up to the last.
 * Under CPU load a failure is a reader that lost its core, and the next try
 * mostly succeeds; a long read in another process fails every try, each holding
 * the write lock for RESTART_WAIT_MS, and doubling makes those tries rare.
 */
const FIRST_RETRY_STEP_BYTES = 4 * 2 ** 20
const LAST_RETRY_STEP_BYTES = 64 * 2 ** 20

const SYNCHRONOUS_PRAGMA: Record<CacheSettings['synchronous'], number> = { off: 0, normal: 1, full: 2, extra: 3 }

/**
 * Everything behind a Cache: the connection, its statements, the shared
 * settings, transactions and value files. Internal; Cache and the modules that
 * implement its bigger methods use it.
 */
export class Store {
  readonly db: Database.Database
  readonly statements: Statements
  readonly files: ValueFiles
  readonly options: Readonly<ProcessOptions>
  readonly accessLog: AccessLog
  settings: CacheSettings = { ...DEFAULT_SETTINGS }
  codec!: ValueCodecConfig
  policy!: EvictionPolicy
  now: () => number

  private readonly prepared = new Map<string, Statement>()
  private settingsVersion = -1
  private readonly releasedFiles: ReleasedFiles
  private readonly pendingFiles = new PendingFiles(this)
  private knownVolume = 0
  private housekeptAt = -Infinity
  private writesSinceHousekeeping = 0
  private settingsCheckedAt = -Infinity
  private unculledBytes = Infinity
  private appliedSynchronous: CacheSettings['synchronous'] | undefined
  /** writeSettings ran in the open transaction: a rollback must bring the stored settings back. */
  private uncommittedSettings = false
  private depth = 0
  /** How long run() and writeOne() wait for another process's lock (0 inside writeIfUnlocked). */
  private busyTimeout: number
  /** Files published inside the open transaction: removed again if it rolls back. */
  private published: string[] = []
  /** Set for a writer: readers never commit, so they have nothing to lose to a deleted file. */
  private readonly databaseFile: DatabaseFileIdentity | undefined
  /** The worker thread's checkpoints of this database (background-checkpoint.ts), for a writer with checkpoint: 'background'. */
  private checkpoints: BackgroundCheckpoint | undefined
  /** Writes since the last look at the WAL's size (noteWrite). */
  private writesSinceLook = 0
  /** WAL size (bytes) past which the writer runs a RESTART checkpoint: CATCH_UP_BYTES, or more after one failed. */
  private restartAbove = CATCH_UP_BYTES
  /** How much further restartAbove moves at the next failure (FIRST_RETRY_STEP_BYTES, doubling). */
  private retryStep = FIRST_RETRY_STEP_BYTES
  private readonly walPath: string
  /** SQLite's memory map, on while it pays (memory-map.ts). */
  readonly memoryMap: MemoryMap

  constructor(
    readonly directory: string,
    resolved: ResolvedOptions,
  ) {
    this.options = resolved.process
    this.busyTimeout = resolved.process.timeout
    this.now = resolved.process.now
    this.walPath = join(directory, `${DATABASE_FILENAME}-wal`)
    this.db = openDatabase(directory, resolved.process)
    try {
      this.statements = prepareStatements(this.db)
      this.memoryMap = new MemoryMap(this.db, this.statements.dataVersion)
      this.accessLog = new AccessLog(this)
      this.releasedFiles = new ReleasedFiles(this.db, this.options.readonly)
      this.files = new ValueFiles(directory, this.options.ownerOnly ? 0o600 : 0o644, this.options.ownerOnly ? 0o700 : 0o755)
      this.databaseFile = this.options.readonly ? undefined : new DatabaseFileIdentity(join(directory, DATABASE_FILENAME), directory)
      if (this.options.readonly) this.loadSettings()
      else this.initializeSettings(resolved.settings)
      this.db.exec('PRAGMA cache_size = -16384') // 16 MiB of page cache per connection
      this.db.exec('PRAGMA busy_timeout = 0') // from here on, run() and writeOne() wait for locks (busy-wait.ts)
      this.recoverPendingFilesIfUnlocked()
      if (!this.options.readonly) {
        // The WAL file shrinks back to this when it starts over, so its size tells how far the current WAL has grown.
        this.db.exec(`PRAGMA journal_size_limit = ${SAFETY_NET_BYTES}`)
        if (this.options.checkpoint === 'background') this.startBackgroundCheckpoints()
      }
    } catch (error) {
      this.checkpoints?.close()
      // Reading the settings is the first query past the database's first page:
      // a corrupt or unreadable file shows up here, and must not leak the connection.
      this.db.close()
      throw translateError(error, { directory, timeout: this.options.timeout })
    }
  }

  private startBackgroundCheckpoints(): void {
    const path = join(this.directory, DATABASE_FILENAME)
    this.checkpoints = BackgroundCheckpoint.start(path, SYNCHRONOUS_PRAGMA[this.settings.synchronous])
    if (this.checkpoints) this.db.exec(`PRAGMA wal_autocheckpoint = ${FALLBACK_PAGES}`)
  }

  /**
   * After each committed write, and never inside a transaction: every
   * NUDGE_EVERY writes, a look at the WAL's size. Up to CATCH_UP_BYTES it asks
   * the worker for a checkpoint (with inline checkpoints SQLite runs its own in
   * the commit). Past it the writer starts the WAL over itself (restartWal):
   * SQLite's own checkpoints are PASSIVE, and with several processes reading
   * and writing they never do (three processes grew the WAL to 180 MB in under
   * 2 s with inline checkpoints), nor do the worker's while its RESTART keeps
   * missing readers. A RESTART that fails is tried again only once the WAL
   * has grown by FIRST_RETRY_STEP_BYTES more, doubling up to
   * LAST_RETRY_STEP_BYTES, so that a long read in another process does not
   * have it hold the write lock for RESTART_WAIT_MS every NUDGE_EVERY writes.
   */
  private noteWrite(): void {
    if (++this.writesSinceLook < NUDGE_EVERY) return
    this.writesSinceLook = 0
    if (this.checkpoints?.failed) {
      this.checkpoints.close()
      this.checkpoints = undefined
      this.db.exec(`PRAGMA wal_autocheckpoint = ${INLINE_PAGES}`)
    }
    const wal = statSync(this.walPath, { throwIfNoEntry: false })?.size ?? 0
    if (wal > this.restartAbove) {
      if (this.checkpoints ? this.checkpoints.catchUp(() => this.restartWal()) : this.restartWal()) {
        this.restartAbove = CATCH_UP_BYTES
        this.retryStep = FIRST_RETRY_STEP_BYTES
      } else {
        this.restartAbove = wal + this.retryStep
        this.retryStep = Math.min(2 * this.retryStep, LAST_RETRY_STEP_BYTES)
      }
      return
    }
    if (wal <= CATCH_UP_BYTES) {
      this.restartAbove = CATCH_UP_BYTES
      this.retryStep = FIRST_RETRY_STEP_BYTES
    }
    this.checkpoints?.request()
  }

  /**
   * A RESTART checkpoint: copies the whole WAL into the database and waits for
   * readers still in it, so that the next commit, in any process, starts it
   * over. SQLite waits (busy_timeout) for the write lock and for readers, but
   * not for another connection's checkpoint: that one reports -1 frames at
   * once, so it is tried again until RESTART_WAIT_MS have passed. True when it
   * succeeded.
   */
  private restartWal(): boolean {
    try {
      const restart = this.prepare('PRAGMA wal_checkpoint(RESTART)', 'raw')
      const deadline = performance.now() + RESTART_WAIT_MS
      this.db.exec(`PRAGMA busy_timeout = ${RESTART_WAIT_MS}`)
      try {
        for (;;) {
          const [busy, frames] = restart.get() as [number, number, number]
          if (busy === 0) return true
          if (frames !== -1 || performance.now() >= deadline) return false
          pauseMs(CHECKPOINT_RETRY_MS)
        }
      } finally {
        this.db.exec('PRAGMA busy_timeout = 0')
      }
    } catch {
      // As with SQLite's automatic checkpoint, a failure here fails no write: the next look tries again.
      return false
    }
  }

  get isOpen(): boolean {
    return this.db.open
  }

  get inTransaction(): boolean {
    return this.depth > 0
  }

  /**
   * Runs `fn` in a write transaction (BEGIN IMMEDIATE: the write lock is taken
   * up front, so two writers never deadlock upgrading a read lock). Nested calls
   * join the outer transaction. Value files that lost their row are deleted
   * after the outermost COMMIT, files published inside are deleted on ROLLBACK.
   */
  write<T>(operation: string, fn: () => T): T {
    if (this.depth > 0) return fn()
    if (this.options.readonly) throw readOnlyError(this.directory, operation)
    this.run(() => this.statements.begin.run())
    this.depth = 1
    let result: T
    try {
      this.refreshSettingsSometimes()
      if (this.accessLog.hasPending) this.accessLog.flushInTransaction()
      result = fn()
      if (isPromiseLike(result)) {
        throw new TransactionError(
          'transact() needs a synchronous function: a transaction cannot stay open across an await. ' +
            'Do the async work first, then write inside transact()',
        )
      }
      this.pendingFiles.beforeCommit()
      this.statements.commit.run()
    } catch (error) {
      this.depth = 0
      if (this.db.inTransaction) this.statements.rollback.run()
      this.releasedFiles.forget()
      this.pendingFiles.transactionEnded(false)
      // Their rows are back with the rollback: they go at the next write, the files now.
      for (const name of this.published) this.files.removeQuietly(name)
      this.pendingFiles.settle(this.published)
      this.published = []
      this.accessLog.transactionEnded(false)
      if (this.uncommittedSettings) this.reloadSettingsAfterRollback()
      throw this.translate(error)
    }
    this.depth = 0
    this.published = []
    this.pendingFiles.transactionEnded(true)
    this.accessLog.transactionEnded(true)
    this.uncommittedSettings = false
    this.applySynchronous()
    this.removeReleasedFiles()
    this.databaseFile?.assertInPlace()
    this.noteWrite()
    return result
  }

  /**
   * Runs a write that is a single statement in its own (autocommit)
   * transaction, or joins the open one: half the cost of BEGIN … COMMIT.
   */
  writeOne<T>(operation: string, fn: () => T): T {
    if (this.depth > 0) return fn()
    if (this.options.readonly) throw readOnlyError(this.directory, operation)
    this.memoryMap.tick()
    let result: T
    try {
      try {
        result = fn()
      } catch (error) {
        this.releasedFiles.forget() // SQLite rolled the statement back
        result = retryWhileBusy(fn, error, this.busyTimeout)
      }
    } catch (error) {
      this.releasedFiles.forget()
      throw this.translate(error)
    }
    this.removeReleasedFiles() // a replaced or deleted row's file, if it had one
    this.databaseFile?.assertInPlace()
    this.noteWrite()
    return result
  }

  private removeReleasedFiles(): void {
    const names = this.releasedFiles.take()
    if (names.length === 0) return
    crashPoint('committed')
    for (const name of names) this.files.removeQuietly(name)
    this.pendingFiles.settle(names)
    // A process that only deletes never opens a write transaction to forget them in.
    if (this.pendingFiles.isSettledFull) this.writeIfUnlocked('forget removed value files', () => this.pendingFiles.forgetSettled())
  }

  /** Runs reads in one snapshot (a deferred transaction), or inside the open write transaction. */
  read<T>(fn: () => T): T {
    if (this.depth > 0) return fn()
    this.run(() => this.statements.beginRead.run())
    this.depth = 1
    try {
      return fn()
    } catch (error) {
      throw this.translate(error)
    } finally {
      this.depth = 0
      if (this.db.inTransaction) this.statements.commit.run()
    }
  }

  /** Runs one statement outside any explicit transaction, translating SQLite errors. */
  run<T>(fn: () => T): T {
    if (this.depth === 0) this.memoryMap.tick()
    try {
      return fn()
    } catch (error) {
      try {
        return retryWhileBusy(fn, error, this.busyTimeout)
      } catch (last) {
        throw this.translate(last)
      }
    }
  }

  translate(error: unknown): unknown {
    if (!this.db.open) return new CacheClosedError(`the cache in ${this.directory} is closed; open a new Cache to use it again`)
    return translateError(error, { directory: this.directory, timeout: this.options.timeout })
  }

  /**
   * Encodes a value for writing. Bytes bound for a file are written now, under a
   * temporary name and before the transaction, so the write lock is never held
   * during file I/O. Call `discardStagedFile` in a finally block.
   */
  stageValue(value: unknown): StagedValue {
    const encoded = encodeValue(value, this.codec)
    // A UTF-16 unit is at most 3 UTF-8 bytes: only near the limit are bytes worth counting.
    if (typeof encoded.data !== 'number' && encoded.data.length * 3 > this.settings.sizeLimit) {
      this.refuseIfTooLarge(typeof encoded.data === 'string' ? Buffer.byteLength(encoded.data) : encoded.data.length)
    }
    if (!encoded.toFile) return { encoded, file: null, size: 0 }
    return { encoded, file: this.stageFile(encoded.data as Buffer), size: (encoded.data as Buffer).length }
  }

  /** Throws ValueTooLargeError for a value that could never fit under sizeLimit. */
  refuseIfTooLarge(bytes: number): void {
    if (bytes <= this.settings.sizeLimit || this.policy.victimOrder === null) return
    throw new ValueTooLargeError(
      `a value of ${bytes} bytes is larger than the whole cache (sizeLimit ${this.settings.sizeLimit}): ` +
        'it would be evicted as soon as it was stored. Raise sizeLimit, or compress the value',
    )
  }

  /** Inserts an entry, or updates an existing key's row in place (inside a write transaction), and culls. */
  putEntry(kind: KeyKind, key: StoredKey, staged: StagedValue, meta: EntryMeta, now: number): void {
    const { encoded, file, size } = staged
    if (file !== null) this.publishFile(file)
    const data = file === null ? encoded.data : null
    const args = [kind, key, encoded.mode, data, file, size, meta.expireAt, now, now, meta.tags]
    const id = this.statements.upsertReturningId.get(...args) as number
    if (meta.tags !== null) this.statements.insertTags.run(id, meta.tags)
    this.cullAfterWrite(now, file === null ? approximateBytes(encoded.data) : size, id)
  }

  /**
   * Writes an inline, untagged entry as one autocommit statement, when no
   * housekeeping is due: most sets take this path, and cost one INSERT instead
   * of BEGIN, INSERT, housekeeping query and COMMIT. Returns false (and writes
   * nothing) when the caller must take the full path through `write`.
   */
  putEntryAlone(kind: KeyKind, key: StoredKey, staged: StagedValue, meta: EntryMeta, now: number): boolean {
    if (this.depth > 0 || this.options.readonly || staged.file !== null || meta.tags !== null) return false
    const bytes = approximateBytes(staged.encoded.data)
    if (this.isHousekeepingDue(bytes, now)) return false
    this.refreshSettingsSometimes()
    const { encoded } = staged
    this.writeOne('set', () =>
      this.statements.upsert.run(kind, key, encoded.mode, encoded.data, null, 0, meta.expireAt, now, now, null),
    )
    this.unculledBytes += bytes
    this.writesSinceHousekeeping++
    return true
  }

  // Expired entries are swept, replaced value files deleted and the volume
  // checked at most every 100 ms per process, or sooner when this process may
  // have written its way near sizeLimit.
  private isHousekeepingDue(bytes: number, now: number): boolean {
    const { sizeLimit } = this.settings
    const unculled = this.unculledBytes + bytes
    return (
      Math.abs(now - this.housekeptAt) >= HOUSEKEEPING_INTERVAL_MS ||
      unculled >= sizeLimit / 64 ||
      this.knownVolume + unculled >= sizeLimit
    )
  }

  /** Writes a value file's bytes under a temporary name, before the transaction. */
  stageFile(data: Buffer): string {
    const name = this.depth > 0 ? this.pendingFiles.reserveInTransaction() : this.reserveFileName()
    try {
      this.files.writeTemp(name, data)
    } catch (error) {
      this.abandonFileName(name) // writeTemp removed what it wrote
      throw this.translate(error)
    }
    return name
  }

  /** A name for a new value file written outside a transaction, recorded in pending_files before the file exists (see pending-files.ts). */
  reserveFileName(): string {
    return this.pendingFiles.reserve()
  }

  /** Before a transaction that may write value files inside it (transact()): see PendingFiles.ensureCover. */
  prepareForFilesInTransaction(): void {
    if (this.depth === 0 && !this.options.readonly) this.pendingFiles.ensureCover()
  }

  /** Moves a staged file into place; call inside the write transaction that references it. */
  publishFile(name: string): void {
    this.files.publish(name)
    this.published.push(name)
    crashPoint('published')
    this.pendingFiles.publishedInTransaction(name)
  }

  /** Removes a staged file's temporary copy if it never made it into place. */
  discardStagedFile(staged: StagedValue): void {
    if (staged.file !== null) this.discardTempFile(staged.file)
  }

  /** Removes `name`'s temp file, if it is still there (never published), and lets its pending row go. */
  discardTempFile(name: string): void {
    if (this.files.removeQuietly(name + TEMP_SUFFIX)) this.pendingFiles.settle([name])
  }

  /** A reserved name whose file was never published and is gone already: its pending row can go. */
  abandonFileName(name: string): void {
    this.pendingFiles.settle([name])
  }

  /**
   * Removes what killed writers left (recover-pending-files.ts), when the write
   * lock is free this instant: opening and closing must never wait for it. A
   * read first, so a cache with nothing pending takes no lock at all.
   */
  private recoverPendingFilesIfUnlocked(): void {
    if (this.options.readonly || !this.hasPendingFiles()) return
    this.writeIfUnlocked('recover value files', () => recoverPendingFiles(this))
  }

  /** The same, waiting for the lock like any write (for expire() and cull(), which take it anyway). */
  recoverPendingFiles(): number {
    if (this.options.readonly || !this.run(() => this.hasPendingFiles())) return 0
    return this.write('recover value files', () => recoverPendingFiles(this))
  }

  private hasPendingFiles(): boolean {
    return this.prepare('SELECT EXISTS (SELECT 1 FROM pending_files)', 'pluck').get() === 1
  }

  /**
   * Decodes a row's value; VANISHED when its file has gone, or is damaged (not
   * the size the row records, a link, not a file): the row is then removed.
   */
  readValue(id: number, mode: number, value: unknown, filename: string | null): unknown {
    if (filename === null) return decodeValue(mode, value, this.options.serializer)
    let bytes: Buffer | 'missing' | 'unsafe'
    try {
      bytes = this.files.read(filename)
    } catch (error) {
      throw this.translate(error)
    }
    if (bytes === 'missing') {
      this.removeRowWithMissingFile(id, filename)
      return VANISHED
    }
    const damage = this.damageOf(id, filename, bytes === 'unsafe' ? bytes : bytes.length)
    if (damage === 'replaced') return VANISHED
    if (damage !== null) {
      this.dropDamagedEntry(id, filename, damage)
      return VANISHED
    }
    return decodeValue(mode, bytes, this.options.serializer)
  }

  /** Removes an entry whose value file is damaged (a read of it is a miss), warning once per process. */
  dropDamagedEntry(id: number, filename: string, damage: string): void {
    warnOfDamage(this.directory, filename, damage)
    this.removeRowWithMissingFile(id, filename)
  }

  /**
   * What is wrong with a value file just opened: null when nothing is. A file of
   * another length than its row records was truncated or written to by someone
   * else, and is never returned as the value. 'replaced' means another process
   * repointed the row meanwhile (not damage: the read is a miss).
   */
  damageOf(id: number, filename: string, found: number | 'unsafe'): string | 'replaced' | null {
    if (found === 'unsafe') return 'it is a link or not a regular file, and was not followed'
    const expected = this.run(() => this.statements.fileSize.get(id, filename)) as number | undefined
    if (expected === undefined) return 'replaced'
    return found === expected ? null : `it holds ${found} bytes where ${expected} were stored`
  }

  private removeRowWithMissingFile(id: number, filename: string): void {
    if (this.options.readonly) return
    try {
      this.write('remove an entry whose file is missing', () => this.statements.deleteIfFile.run(id, filename))
    } catch {
      // A miss is the answer either way; check({ fix: true }) removes the row later.
    }
  }

  /**
   * After each write: removes up to `cullLimit` expired entries, then, if the
   * cache is over `sizeLimit`, entries chosen by the policy. The volume is read
   * only when this process may have crossed the limit since it last looked (or
   * after it wrote 1/64 of the limit), so a write far below the limit pays for
   * one cheap read instead of three pragma queries.
   */
  cullAfterWrite(now: number, bytesWritten: number, writtenId: number): void {
    // Writes that skipped housekeeping (putEntryAlone) lend it their budget, so
    // expired entries still go at up to cullLimit per write, as in DiskCache.
    const sweepBudget = Math.min(this.settings.cullLimit * (this.writesSinceHousekeeping + 1), 1000)
    this.writesSinceHousekeeping = 0
    this.housekeptAt = now
    const limit = this.settings.cullLimit
    if (limit === 0) return
    const removed = this.statements.hasExpired.get(now) === 1 ? this.statements.deleteExpired.run(now, sweepBudget).changes : 0
    this.unculledBytes += bytesWritten
    const { sizeLimit } = this.settings
    if (this.unculledBytes < sizeLimit / 64 && this.knownVolume + this.unculledBytes < sizeLimit) return
    this.knownVolume = this.volume()
    this.unculledBytes = 0
    if (removed < limit && this.policy.victimOrder !== null && this.knownVolume >= sizeLimit) {
      this.evictByPolicy(limit - removed, writtenId)
    }
  }

  /** Evicts `count` entries in policy order; after a write, never the entry that write stored (`spareId`). */
  evictByPolicy(count: number, spareId?: number): number {
    if (this.policy.victimOrder === null) return 0
    const victims = `SELECT id FROM entries WHERE id <> ? ORDER BY ${this.policy.victimOrder} LIMIT ?`
    return this.prepare(`DELETE FROM entries WHERE id IN (${victims})`).run(spareId ?? 0, count).changes
  }

  countTagged(tag: string): number {
    return this.run(() => this.statements.countTagged.get(tag)) as number
  }

  /** Removes the `count` least recently used entries carrying `tag` (inside a write transaction). */
  evictOldestTagged(tag: string, count: number): number {
    return this.statements.deleteOldestTagged.run(tag, count).changes
  }

  /**
   * A statement for this connection, prepared on first use and reused after:
   * preparing costs more than running, and on some runtimes a statement must
   * never be dropped (see native-handles.ts).
   */
  prepare(sql: string, shape: 'plain' | 'raw' | 'pluck' = 'plain'): Statement {
    const key = `${shape}:${sql}`
    let statement = this.prepared.get(key)
    if (statement === undefined) {
      statement = this.db.prepare(sql)
      if (shape === 'raw') statement.raw(true)
      if (shape === 'pluck') statement.pluck(true)
      this.prepared.set(key, statement)
    }
    return statement
  }

  volume(): number {
    return this.statements.volume.get() as number
  }

  /** Returns freed database pages to the filesystem after bulk deletions. */
  vacuumFreePages(): void {
    if (this.options.readonly) return
    this.run(() => this.db.exec('PRAGMA incremental_vacuum'))
  }

  // ----- settings -----

  /**
   * Loads the stored settings and writes the caller's explicit ones. A new
   * database records every setting, so later openers agree on them. When none
   * are stored yet, the check and the write share one write transaction: two
   * processes creating the directory at once must not overwrite each other's
   * explicit settings with defaults.
   */
  private initializeSettings(explicit: Partial<CacheSettings>): void {
    if (this.loadSettings() > 0) {
      this.writeSettings(explicit, true)
      // A file written by an older version may lack the policy's index (it came
      // later): without it every cull scans the whole table. A read tells.
      const index = this.policy.index
      if (index !== null && this.db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = ?").get(index.name) === undefined) {
        this.write('restore the eviction index', () => this.ensurePolicyIndex())
      }
      return
    }
    this.write('initialize settings', () => {
      const storedCount = this.loadSettings()
      this.writeSettings(storedCount === 0 ? { ...this.settings, ...explicit } : explicit, storedCount > 0)
    })
  }

  /** Reads the shared settings; returns how many were stored. */
  private loadSettings(): number {
    const stored: Partial<CacheSettings> = {}
    for (const [name, json] of this.statements.readSettings.all() as [keyof CacheSettings, string][]) {
      try {
        Object.assign(stored, { [name]: validateSetting(name, JSON.parse(json)) })
      } catch {
        // A setting this version does not know (or a bad value) keeps its default.
      }
    }
    this.settingsVersion = this.statements.counter.get('settings_version') as number
    this.applySettings({ ...DEFAULT_SETTINGS, ...stored })
    return Object.keys(stored).length
  }

  /** Writes settings for every process; `onlyChanged` skips the write when nothing differs. */
  writeSettings(changes: Partial<CacheSettings>, onlyChanged = false): void {
    const names = (Object.keys(changes) as (keyof CacheSettings)[]).filter(
      (name) => !onlyChanged || changes[name] !== this.settings[name],
    )
    if (names.length === 0) return
    this.write('change settings', () => {
      this.uncommittedSettings = true
      for (const name of names) this.statements.writeSetting.run(name, JSON.stringify(changes[name]))
      this.statements.addCounter.run(1, 'settings_version')
      this.applySettings({ ...this.settings, ...changes })
      this.settingsVersion = this.statements.counter.get('settings_version') as number
      this.ensurePolicyIndex()
    })
  }

  /**
   * Another process's settings change reaches this one's writes within 100 ms:
   * checking the version on every write would cost a query per set.
   */
  private refreshSettingsSometimes(): void {
    const now = performance.now()
    if (now - this.settingsCheckedAt < 100) return
    this.settingsCheckedAt = now
    this.refreshSettings()
  }

  /** Picks up settings another process changed. */
  refreshSettings(): void {
    const version = this.statements.counter.get('settings_version') as number
    if (version !== this.settingsVersion) this.loadSettings()
  }

  private applySettings(settings: CacheSettings): void {
    this.settings = settings
    this.policy = EVICTION_POLICIES[settings.evictionPolicy]
    this.codec = {
      serializer: settings.serializer,
      customSerializer: this.options.serializer,
      compression: settings.compression,
      compressionThreshold: settings.compressionThreshold,
      fileThreshold: settings.fileThreshold,
    }
    this.files.durable = settings.synchronous === 'full' || settings.synchronous === 'extra'
    this.applySynchronous()
  }

  /**
   * SQLite refuses to change `synchronous` inside a transaction ("Safety level
   * may not be changed inside a transaction"), and settings are mostly applied
   * inside one: a change made there takes effect when it commits.
   */
  private applySynchronous(): void {
    const wanted = this.settings.synchronous
    if (wanted === this.appliedSynchronous || this.db.inTransaction) return
    this.db.exec(`PRAGMA synchronous = ${SYNCHRONOUS_PRAGMA[wanted]}`)
    if (this.checkpoints) this.checkpoints.synchronous = SYNCHRONOUS_PRAGMA[wanted]
    this.appliedSynchronous = wanted
  }

  private reloadSettingsAfterRollback(): void {
    this.uncommittedSettings = false
    try {
      this.loadSettings()
    } catch {
      this.settingsVersion = -1 // the next write's refresh reloads them
      this.settingsCheckedAt = -Infinity
    }
  }

  /** Creates the current policy's index and drops the others, so writes maintain only one. */
  private ensurePolicyIndex(): void {
    for (const policy of Object.values(EVICTION_POLICIES)) {
      if (policy.index === null) continue
      if (policy === this.policy) this.db.exec(policy.index.sql)
      else this.db.exec(`DROP INDEX IF EXISTS ${policy.index.name}`)
    }
  }

  /**
   * Runs `fn` in a write transaction only if no other process holds the write
   * lock right now; false (and nothing written) otherwise. For bookkeeping
   * that can wait for a later write, and must never stall a read.
   */
  writeIfUnlocked(operation: string, fn: () => void): boolean {
    this.busyTimeout = 0
    try {
      this.write(operation, fn)
      return true
    } catch {
      return false
    } finally {
      this.busyTimeout = this.options.timeout
    }
  }

  /** Writes pending read records and statistics, deletes replaced value files, and closes. */
  close(): void {
    if (!this.db.open) return
    this.accessLog.close()
    // On its way the write flushes the access log and forgets the pending rows of removed files.
    if (!this.options.readonly) {
      this.pendingFiles.releaseReserved()
      this.writeIfUnlocked('close', () => {
        this.pendingFiles.forgetSettled()
        if (this.hasPendingFiles()) recoverPendingFiles(this)
      })
    }
    // The worker's connection goes first, so this one is the last and SQLite removes the WAL.
    this.checkpoints?.close()
    this.db.close()
  }
}

let warnedOfDamage = false

/** One warning per process: a damaged value file means something else writes in the cache directory. */
function warnOfDamage(directory: string, filename: string, damage: string): void {
  if (warnedOfDamage) return
  warnedOfDamage = true
  process.emitWarning(
    `diskcache: the value file ${filename} in ${directory} is damaged (${damage}); the entry was dropped as a miss. ` +
      'Something other than diskcache is writing in the cache directory: run cache.check() to find the rest',
    { code: 'DISKCACHE_DAMAGED_VALUE_FILE' },
  )
}

// Row overhead plus the value: close enough to decide when to measure the real volume.
function approximateBytes(data: string | number | Buffer): number {
  return 64 + (typeof data === 'number' ? 8 : data.length)
}

