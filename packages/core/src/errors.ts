/**
 * Every error core throws on purpose is a DiskCacheError with a stable `code`.
 * Callers branch on `instanceof` or `code`, never on the message text.
 */
export type DiskCacheErrorCode =
  | 'CACHE_TIMEOUT'
  | 'INVALID_KEY'
  | 'INVALID_TTL'
  | 'INVALID_OPTION'
  | 'INVALID_VALUE'
  | 'KEY_NOT_FOUND'
  | 'NOT_A_NUMBER'
  | 'NOT_A_CACHE'
  | 'CORRUPT_CACHE'
  | 'SCHEMA_TOO_NEW'
  | 'CACHE_CLOSED'
  | 'READ_ONLY'
  | 'NOT_WRITABLE'
  | 'DISK_FULL'
  | 'IO_ERROR'
  | 'INVALID_TRANSACTION'
  | 'VALUE_TOO_LARGE'
  | 'LOCK_TIMEOUT'
  | 'LOCK_NOT_HELD'

const kDiskCacheError = Symbol.for('diskcache.error')

export class DiskCacheError extends Error {
  readonly code: DiskCacheErrorCode

  constructor(code: DiskCacheErrorCode, message: string, options?: ErrorOptions) {
    super(message, options)
    this.code = code
    this.name = new.target.name
  }

  // The argument errors below extend TypeError/RangeError (as Node's own
  // ERR_INVALID_ARG_TYPE does) and still answer `instanceof DiskCacheError`
  // through this brand. Only the base class uses the brand: subclasses keep
  // the ordinary prototype check, so `instanceof CacheTimeoutError` stays exact.
  static override [Symbol.hasInstance](value: unknown): boolean {
    if (this === DiskCacheError && typeof value === 'object' && value !== null && kDiskCacheError in value) return true
    return Function.prototype[Symbol.hasInstance].call(this, value)
  }
}

function brand(error: Error, code: DiskCacheErrorCode, name: string): void {
  Object.defineProperty(error, kDiskCacheError, { value: true })
  Object.defineProperty(error, 'code', { value: code, enumerable: true })
  error.name = name
}

/** A key of a type the cache cannot store (it names the type it got). */
export class InvalidKeyError extends TypeError {
  declare readonly code: 'INVALID_KEY'
  constructor(message: string) {
    super(message)
    brand(this, 'INVALID_KEY', new.target.name)
  }
}

/** A TTL that is not a non-negative number of milliseconds. */
export class InvalidTtlError extends RangeError {
  declare readonly code: 'INVALID_TTL'
  constructor(message: string) {
    super(message)
    brand(this, 'INVALID_TTL', new.target.name)
  }
}

/** An unknown, misspelt or out-of-range option. */
export class InvalidOptionError extends TypeError {
  declare readonly code: 'INVALID_OPTION'
  constructor(message: string) {
    super(message)
    brand(this, 'INVALID_OPTION', new.target.name)
  }
}

/** The database stayed locked by another writer for longer than `timeout`. */
export class CacheTimeoutError extends DiskCacheError {
  constructor(message: string, options?: ErrorOptions) {
    super('CACHE_TIMEOUT', message, options)
  }
}

/** The serializer rejected a value, or a stored value cannot be read back. */
export class InvalidValueError extends DiskCacheError {
  constructor(message: string, options?: ErrorOptions) {
    super('INVALID_VALUE', message, options)
  }
}

/** An operation that needs an existing key found none (`incr` with no default). */
export class KeyNotFoundError extends DiskCacheError {
  constructor(message: string) {
    super('KEY_NOT_FOUND', message)
  }
}

/** `incr`/`decr` on a value that is not a number or bigint. */
export class NotANumberError extends DiskCacheError {
  constructor(message: string) {
    super('NOT_A_NUMBER', message)
  }
}

/**
 * The database path holds no diskcache database: another program's file (left
 * untouched), or nothing at all when opening with `readonly: true`.
 */
export class NotACacheError extends DiskCacheError {
  constructor(message: string, options?: ErrorOptions) {
    super('NOT_A_CACHE', message, options)
  }
}

/** SQLite reports the database as malformed. */
export class CorruptCacheError extends DiskCacheError {
  constructor(message: string, options?: ErrorOptions) {
    super('CORRUPT_CACHE', message, options)
  }
}

/** The database was written by a newer diskcache with a schema this version does not know. */
export class SchemaVersionError extends DiskCacheError {
  constructor(message: string) {
    super('SCHEMA_TOO_NEW', message)
  }
}

/** The cache was used after `close()`. */
export class CacheClosedError extends DiskCacheError {
  constructor(message: string) {
    super('CACHE_CLOSED', message)
  }
}

/** A write was attempted on a cache opened with `readonly: true`. */
export class ReadOnlyCacheError extends DiskCacheError {
  constructor(message: string, options?: ErrorOptions) {
    super('READ_ONLY', message, options)
  }
}

/** The directory or database file cannot be written (permissions, read-only filesystem). */
export class NotWritableError extends DiskCacheError {
  constructor(message: string, options?: ErrorOptions) {
    super('NOT_WRITABLE', message, options)
  }
}

/** The disk (or the process's file size limit) is full; the write was not stored. */
export class DiskFullError extends DiskCacheError {
  constructor(message: string, options?: ErrorOptions) {
    super('DISK_FULL', message, options)
  }
}

/** Any other I/O failure of the database or a value file. */
export class CacheIOError extends DiskCacheError {
  constructor(message: string, options?: ErrorOptions) {
    super('IO_ERROR', message, options)
  }
}

/** `transact()` was given an async function, or a transaction was misused. */
export class TransactionError extends DiskCacheError {
  constructor(message: string) {
    super('INVALID_TRANSACTION', message)
  }
}

/** A value bigger than the whole `sizeLimit`: storing it would evict it at once, so it is refused. */
export class ValueTooLargeError extends DiskCacheError {
  constructor(message: string) {
    super('VALUE_TOO_LARGE', message)
  }
}

/**
 * A recipe (Lock, RLock, BoundedSemaphore, barrier, memoizeStampede) waited
 * longer than its `timeout` for another holder. A CacheTimeoutError too, so a
 * handler for every timeout catches it; its own code tells the two apart.
 */
export class LockTimeoutError extends CacheTimeoutError {
  declare readonly code: 'LOCK_TIMEOUT'
  constructor(message: string, options?: ErrorOptions) {
    super(message, options)
    // CacheTimeoutError fixes its code in its constructor; this one is its own.
    Object.defineProperty(this, 'code', { value: 'LOCK_TIMEOUT', enumerable: true, writable: false })
  }
}

/**
 * `release()` or `extend()` by an object that does not hold the lock: it never
 * acquired it, already released it, or its ttl ran out and another owner took it.
 */
export class LockNotHeldError extends DiskCacheError {
  constructor(message: string) {
    super('LOCK_NOT_HELD', message)
  }
}
