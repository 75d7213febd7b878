import type Database from 'better-sqlite3'
import { accessSync, closeSync, constants, existsSync, mkdirSync, openSync, readSync, rmSync, statSync } from 'node:fs'
import { dirname, join, relative, sep } from 'node:path'
import { CorruptCacheError, NotACacheError, NotWritableError, SchemaVersionError } from './errors.js'
import { openNativeDatabase } from './native-handles.js'
import { pauseMs } from './busy-wait.js'
import { warnIfNetworkFilesystem } from './network-filesystem.js'
import { APPLICATION_ID, DATABASE_FILENAME, SCHEMA_SQL, SCHEMA_VERSION } from './schema.js'
import { translateError } from './translate-error.js'
import { VALUES_DIRNAME } from './value-files.js'

export interface OpenOptions {
  readonly: boolean
  ownerOnly: boolean
  timeout: number
  ifCorrupt: 'throw' | 'rebuild'
}

const SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1')

/**
 * Opens (creating if needed) the cache database in `directory`. Refuses, without
 * writing a byte, a file that is not SQLite, a SQLite file that is not a cache,
 * and a cache from a newer schema.
 */
export function openDatabase(directory: string, options: OpenOptions): Database.Database {
  const path = join(directory, DATABASE_FILENAME)
  const context = { directory, timeout: options.timeout }
  try {
    return openChecked(directory, path, options)
  } catch (error) {
    const translated = translateError(error, context)
    if (translated instanceof NotWritableError && options.readonly) throw cannotReadWithoutWriting(directory, translated)
    if (!(translated instanceof CorruptCacheError && options.ifCorrupt === 'rebuild' && !options.readonly)) throw translated
  }
  process.emitWarning(`diskcache: the database in ${directory} was corrupt and has been rebuilt empty`, {
    code: 'DISKCACHE_REBUILT',
  })
  removeCacheFiles(directory)
  try {
    return openChecked(directory, path, options)
  } catch (error) {
    throw translateError(error, context)
  }
}

/**
 * SQLite reads a WAL database through its -shm file, which it must create beside
 * the database when no writer has it open; in a directory it cannot write (a
 * read-only filesystem, say) even a read-only open fails. better-sqlite3 offers
 * no URI filenames, so SQLite's `immutable` escape is out of reach.
 */
function cannotReadWithoutWriting(directory: string, error: NotWritableError): NotWritableError {
  return new NotWritableError(
    `cannot open the cache in ${directory}, even with { readonly: true }: SQLite needs to create cache.db-shm beside ` +
      'the database to read it, and the directory is not writable (a read-only filesystem, or its permissions). ' +
      'Mount it read-write, or copy the directory somewhere writable and open the copy',
    { cause: error.cause },
  )
}

/**
 * SQLite opens a database file it may not write read-only, without a word, and
 * an open that writes nothing would then succeed, leaving the first write to
 * fail. Asking first makes a cache we cannot write fail at open (as
 * NotWritableError, through translateError).
 */
function refuseUnwritable(directory: string, path: string): void {
  accessSync(directory, constants.W_OK)
  if (existsSync(path)) accessSync(path, constants.W_OK)
}

function openChecked(directory: string, path: string, options: OpenOptions): Database.Database {
  if (!options.readonly) {
    makeDirectory(directory, options.ownerOnly ? 0o700 : 0o755)
    warnIfNetworkFilesystem(directory)
    // SQLite gives its -wal and -shm files the database file's permissions.
    if (options.ownerOnly && !existsSync(path)) closeSync(openSync(path, 'a', 0o600))
  }
  refuseForeignFile(path)
  if (!options.readonly) refuseUnwritable(directory, path)
  if (options.readonly && !existsSync(path)) {
    throw new NotACacheError(
      `there is no cache in ${directory} to open with { readonly: true }; open it once without readonly to create it`,
    )
  }
  const db = openNativeDatabase(path, { readonly: options.readonly, fileMustExist: options.readonly, timeout: options.timeout })
  try {
    checkOwnership(db, path)
    if (options.ifCorrupt === 'rebuild' && !options.readonly) refuseCorruptDatabase(db, directory)
    if (!options.readonly) createSchema(db, options.timeout)
    return db
  } catch (error) {
    db.close()
    throw error
  }
}

/**
 * mkdir -p, but with the real reason when it fails: Node's recursive mkdir
 * reports ENOENT when a missing level cannot be created on a read-only
 * filesystem, which would read as "not found" rather than "not writable".
 */
function makeDirectory(directory: string, mode: number): void {
  try {
    mkdirSync(directory, { recursive: true, mode })
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
    let existing = directory
    while (!existsSync(existing) && dirname(existing) !== existing) existing = dirname(existing)
    const next = relative(existing, directory).split(sep)[0]
    if (next === undefined || next === '') throw error
    mkdirSync(join(existing, next), { mode }) // throws EROFS or EACCES: the real reason
    throw error
  }
}

function refuseForeignFile(path: string): void {
  let fd: number
  try {
    const stats = statSync(path)
    if (!stats.isFile()) {
      throw new NotACacheError(`${path} exists and is not a file, so it is not a cache. Choose another directory for the cache`)
    }
    if (stats.size === 0) return
    fd = openSync(path, 'r')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return
    throw error
  }
  const header = Buffer.alloc(SQLITE_HEADER.length)
  try {
    readSync(fd, header, 0, header.length, 0)
  } finally {
    closeSync(fd)
  }
  if (!header.equals(SQLITE_HEADER)) {
    throw new NotACacheError(
      `${path} exists and is not a SQLite database, so it is not a cache; it was left untouched. ` +
        'Choose another directory for the cache',
    )
  }
}

function checkOwnership(db: Database.Database, path: string): void {
  // One statement, so one snapshot: read apart, another process creating the
  // schema could commit in between, and its tables would seem to lack our id.
  const [applicationId, version, tables] = db
    .prepare(
      `SELECT (SELECT application_id FROM pragma_application_id), (SELECT user_version FROM pragma_user_version),
         (SELECT count(*) FROM sqlite_schema WHERE type = 'table')`,
    )
    .raw()
    .get() as [number, number, number]
  if (applicationId === APPLICATION_ID) {
    if (version > SCHEMA_VERSION) {
      throw new SchemaVersionError(
        `${path} was written by a newer diskcache (schema ${version}; this one knows ${SCHEMA_VERSION}). ` +
          'Upgrade @diskcache/core, or use another directory',
      )
    }
    return
  }
  if (applicationId !== 0 || tables > 0) {
    throw new NotACacheError(
      `${path} is a SQLite database that diskcache did not create; it was left untouched. ` +
        'Choose another directory for the cache',
    )
  }
}

// Opening reads only the first page, so damage further in shows up at some later
// query. A caller who chose 'rebuild' pays for one read of the whole file now
// (quick_check walks every b-tree page) so that damage is found while it can still be rebuilt.
function refuseCorruptDatabase(db: Database.Database, directory: string): void {
  const result = db.prepare('PRAGMA quick_check(1)').pluck().get()
  if (result !== 'ok') {
    throw new CorruptCacheError(`the cache database in ${directory} is corrupt (${String(result)})`)
  }
}

function createSchema(db: Database.Database, timeout: number): void {
  // auto_vacuum only takes effect before the first table exists; incremental
  // mode lets cull()/clear() hand freed pages back without a full VACUUM. On an
  // existing database setting it changes nothing but still waits for the write
  // lock, so a process opening the cache would stall (or time out) behind a writer.
  if (db.prepare('PRAGMA page_count').pluck().get() === 0) db.exec('PRAGMA auto_vacuum = INCREMENTAL')
  enableWriteAheadLog(db, timeout)
  if (db.prepare('PRAGMA user_version').pluck().get() === SCHEMA_VERSION) return
  // Several processes may open a new directory at once: the first to take the
  // write lock creates the schema, the others find it there.
  db.exec('BEGIN IMMEDIATE')
  try {
    db.exec(SCHEMA_SQL)
    db.exec(`PRAGMA application_id = ${APPLICATION_ID}`)
    db.exec(`PRAGMA user_version = ${SCHEMA_VERSION}`)
    db.exec('COMMIT')
  } catch (error) {
    if (db.inTransaction) db.exec('ROLLBACK')
    throw error
  }
}

/**
 * Switching a new database to WAL needs an exclusive lock, and SQLite answers
 * SQLITE_BUSY at once, without its busy handler, when another process opening
 * the same new directory holds a lock. So retry, as the busy handler would,
 * until `timeout` (DiskCache retries its setup statements the same way).
 */
function enableWriteAheadLog(db: Database.Database, timeout: number): void {
  const deadline = Date.now() + timeout
  for (let pause = 1; ; pause = Math.min(pause * 2, 50)) {
    try {
      if (db.prepare('PRAGMA journal_mode').pluck().get() === 'wal') return
      db.exec('PRAGMA journal_mode = WAL')
      return
    } catch (error) {
      if ((error as { code?: unknown }).code !== 'SQLITE_BUSY' || Date.now() >= deadline) throw error
    }
    pauseMs(pause) // a synchronous sleep, like SQLite's own
  }
}

/** Deletes the database, its WAL files and every value file in `directory`; other files stay. */
export function removeCacheFiles(directory: string): void {
  for (const name of [DATABASE_FILENAME, `${DATABASE_FILENAME}-wal`, `${DATABASE_FILENAME}-shm`, `${DATABASE_FILENAME}-journal`]) {
    rmSync(join(directory, name), { force: true })
  }
  rmSync(join(directory, VALUES_DIRNAME), { recursive: true, force: true })
}
