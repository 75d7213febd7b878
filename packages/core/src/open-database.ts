import Database from 'better-sqlite3'
import { closeSync, existsSync, mkdirSync, openSync, readSync, rmSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { CorruptCacheError, NotACacheError, SchemaVersionError } from './errors.js'
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
  try {
    return openChecked(directory, path, options)
  } catch (error) {
    const translated = translateError(error, { directory, timeout: options.timeout })
    if (translated instanceof CorruptCacheError && options.ifCorrupt === 'rebuild' && !options.readonly) {
      process.emitWarning(`diskcache: the database in ${directory} was corrupt and has been rebuilt empty`, {
        code: 'DISKCACHE_REBUILT',
      })
      removeCacheFiles(directory)
      return openChecked(directory, path, options)
    }
    throw translated
  }
}

function openChecked(directory: string, path: string, options: OpenOptions): Database.Database {
  if (!options.readonly) {
    mkdirSync(directory, { recursive: true, mode: options.ownerOnly ? 0o700 : 0o755 })
    warnIfNetworkFilesystem(directory)
    // SQLite gives its -wal and -shm files the database file's permissions.
    if (options.ownerOnly && !existsSync(path)) closeSync(openSync(path, 'a', 0o600))
  }
  refuseForeignFile(path)
  const db = new Database(path, { readonly: options.readonly, fileMustExist: options.readonly, timeout: options.timeout })
  try {
    checkOwnership(db, path)
    if (!options.readonly) createSchema(db)
    return db
  } catch (error) {
    db.close()
    throw error
  }
}

function refuseForeignFile(path: string): void {
  let fd: number
  try {
    if (statSync(path).size === 0) return
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
  const applicationId = db.pragma('application_id', { simple: true }) as number
  const version = db.pragma('user_version', { simple: true }) as number
  if (applicationId === APPLICATION_ID) {
    if (version > SCHEMA_VERSION) {
      throw new SchemaVersionError(
        `${path} was written by a newer diskcache (schema ${version}; this one knows ${SCHEMA_VERSION}). ` +
          'Upgrade @diskcache/core, or use another directory',
      )
    }
    return
  }
  const tables = db.prepare("SELECT count(*) FROM sqlite_schema WHERE type = 'table'").pluck().get() as number
  if (applicationId !== 0 || tables > 0) {
    throw new NotACacheError(
      `${path} is a SQLite database that diskcache did not create; it was left untouched. ` +
        'Choose another directory for the cache',
    )
  }
}

function createSchema(db: Database.Database): void {
  // auto_vacuum only takes effect before the first table exists; incremental
  // mode lets cull()/clear() hand freed pages back without a full VACUUM.
  db.pragma('auto_vacuum = INCREMENTAL')
  if (db.pragma('journal_mode', { simple: true }) !== 'wal') db.pragma('journal_mode = WAL')
  if ((db.pragma('user_version', { simple: true }) as number) === SCHEMA_VERSION) return
  // Several processes may open a new directory at once: the first to take the
  // write lock creates the schema, the others find it there.
  db.transaction(() => {
    db.exec(SCHEMA_SQL)
    db.pragma(`application_id = ${APPLICATION_ID}`)
    db.pragma(`user_version = ${SCHEMA_VERSION}`)
  }).immediate()
}

/** Deletes the database, its WAL files and every value file in `directory`; other files stay. */
export function removeCacheFiles(directory: string): void {
  for (const name of [DATABASE_FILENAME, `${DATABASE_FILENAME}-wal`, `${DATABASE_FILENAME}-shm`, `${DATABASE_FILENAME}-journal`]) {
    rmSync(join(directory, name), { force: true })
  }
  rmSync(join(directory, VALUES_DIRNAME), { recursive: true, force: true })
}
