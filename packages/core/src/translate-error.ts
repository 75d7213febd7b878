import {
  CacheIOError,
  CacheTimeoutError,
  CorruptCacheError,
  DiskCacheError,
  DiskFullError,
  NotACacheError,
  NotWritableError,
  ReadOnlyCacheError,
} from './errors.js'

/**
 * Turns a SQLite or filesystem error into the matching DiskCacheError, keeping
 * the original as `cause`. Errors that are already ours, and programming errors
 * (TypeError from user code, say), pass through unchanged.
 */
export function translateError(error: unknown, context: { directory: string; timeout?: number }): unknown {
  // Not `instanceof Error`: errors from another realm (Node's own fs errors seen
  // from a vm context, as under Jest) fail that test and would escape untranslated.
  if (error instanceof DiskCacheError || typeof error !== 'object' || error === null) return error
  const code = (error as { code?: unknown }).code
  if (typeof code !== 'string') return error
  const where = context.directory
  const cause = { cause: error }
  switch (primaryCode(code)) {
    case 'SQLITE_BUSY':
    case 'SQLITE_LOCKED':
      return new CacheTimeoutError(
        `the cache in ${where} stayed locked by another writer for more than ${context.timeout ?? 0} ms; ` +
          'retry, raise the "timeout" option, or keep transactions short',
        cause,
      )
    case 'SQLITE_FULL':
    case 'ENOSPC':
    case 'EDQUOT':
    case 'EFBIG':
      return new DiskFullError(
        `the disk holding ${where} is full (or a file size limit was reached); nothing was stored, and what was stored ` +
          'before is intact. Free space on that disk (while it is completely full, even deletes can fail), and lower ' +
          '"sizeLimit" below the space the cache can have',
        cause,
      )
    case 'SQLITE_NOTADB':
      return new NotACacheError(
        `the file at ${where} is not a SQLite database; it was left untouched. Point the cache at another directory`,
        cause,
      )
    case 'SQLITE_CORRUPT':
      return new CorruptCacheError(
        `the cache database in ${where} is corrupt. Delete it with Cache.destroy(directory), ` +
          'or open it with { ifCorrupt: "rebuild" } to start empty',
        cause,
      )
    case 'SQLITE_READONLY':
    case 'SQLITE_PERM':
    case 'SQLITE_CANTOPEN':
    case 'SQLITE_AUTH':
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      return new NotWritableError(
        `cannot write to the cache in ${where} (${code}): check the directory's permissions and that its ` +
          'filesystem is mounted read-write, or open it with { readonly: true } to only read',
        cause,
      )
    case 'SQLITE_IOERR':
    case 'EIO':
    case 'ENOENT':
      return new CacheIOError(`I/O error on the cache in ${where} (${code}): ${String((error as { message?: unknown }).message)}`, cause)
    default:
      return error
  }
}

// SQLite's extended codes (SQLITE_IOERR_WRITE, SQLITE_BUSY_SNAPSHOT, SQLITE_CANTOPEN_ISDIR, ...)
// mean what their primary code means; no primary code has an underscore after SQLITE_.
function primaryCode(code: string): string {
  return code.startsWith('SQLITE_') ? code.replace(/^(SQLITE_[A-Z]+)_.*$/, '$1') : code
}

export function readOnlyError(directory: string, operation: string): ReadOnlyCacheError {
  return new ReadOnlyCacheError(
    `cannot ${operation}: the cache in ${directory} was opened with { readonly: true }; open it without that option to write`,
  )
}
