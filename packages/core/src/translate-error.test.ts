import { statSync } from 'node:fs'
import { runInNewContext } from 'node:vm'
import {
  CacheIOError,
  CacheTimeoutError,
  CorruptCacheError,
  DiskCacheError,
  DiskFullError,
  InvalidKeyError,
  NotACacheError,
  NotWritableError,
  ReadOnlyCacheError,
} from './errors.js'
import { readOnlyError, translateError } from './translate-error.js'

const context = { directory: '/var/cache/app', timeout: 250 }

function withCode(code: string, message = `failed with ${code}`): Error {
  return Object.assign(new Error(message), { code })
}

describe('translateError()', () => {
  it.each([
    ['SQLITE_BUSY', CacheTimeoutError],
    ['SQLITE_BUSY_SNAPSHOT', CacheTimeoutError],
    ['SQLITE_BUSY_TIMEOUT', CacheTimeoutError],
    ['SQLITE_LOCKED', CacheTimeoutError],
    ['SQLITE_LOCKED_SHAREDCACHE', CacheTimeoutError],
    ['SQLITE_FULL', DiskFullError],
    ['ENOSPC', DiskFullError],
    ['EDQUOT', DiskFullError],
    ['EFBIG', DiskFullError],
    ['SQLITE_NOTADB', NotACacheError],
    ['SQLITE_CORRUPT', CorruptCacheError],
    ['SQLITE_CORRUPT_INDEX', CorruptCacheError],
    ['SQLITE_READONLY', NotWritableError],
    ['SQLITE_READONLY_DIRECTORY', NotWritableError],
    ['SQLITE_CANTOPEN', NotWritableError],
    ['SQLITE_CANTOPEN_ISDIR', NotWritableError],
    ['SQLITE_PERM', NotWritableError],
    ['EACCES', NotWritableError],
    ['EPERM', NotWritableError],
    ['EROFS', NotWritableError],
    ['SQLITE_IOERR', CacheIOError],
    ['SQLITE_IOERR_WRITE', CacheIOError],
    ['SQLITE_IOERR_FSYNC', CacheIOError],
    ['EIO', CacheIOError],
  ])('turns %s into %p, keeping the original as cause', (code, Expected) => {
    const original = withCode(code)
    const translated = translateError(original, context) as DiskCacheError
    expect(translated).toBeInstanceOf(Expected)
    expect(translated).toBeInstanceOf(DiskCacheError)
    expect(translated.cause).toBe(original)
    expect(translated.message).toContain(context.directory)
  })

  it('gives every translated error its stable code', () => {
    const codes = ['SQLITE_BUSY', 'ENOSPC', 'SQLITE_NOTADB', 'SQLITE_CORRUPT', 'EACCES', 'EIO'].map(
      (code) => (translateError(withCode(code), context) as DiskCacheError).code,
    )
    expect(codes).toEqual(['CACHE_TIMEOUT', 'DISK_FULL', 'NOT_A_CACHE', 'CORRUPT_CACHE', 'NOT_WRITABLE', 'IO_ERROR'])
  })

  it('names the timeout in a lock timeout message', () => {
    expect((translateError(withCode('SQLITE_BUSY'), context) as Error).message).toContain('250 ms')
  })

  it('passes through errors that are already ours, errors without a code and unknown codes', () => {
    const ours = new CacheTimeoutError('already translated')
    const branded = new InvalidKeyError('bad key')
    const plain = new TypeError('a bug in user code')
    const unknown = withCode('ERR_SOMETHING_ELSE')
    const constraint = withCode('SQLITE_CONSTRAINT_UNIQUE')
    for (const error of [ours, branded, plain, unknown, constraint, 'a string', undefined, null, 42]) {
      expect(translateError(error, context)).toBe(error)
    }
  })

  it('translates a real fs error from another realm (as Node’s own errors look under Jest or in a vm)', () => {
    let real: unknown
    try {
      statSync('/definitely/not/here')
    } catch (error) {
      real = error
    }
    expect(translateError(real, context)).toBeInstanceOf(CacheIOError)
    const foreign = runInNewContext("Object.assign(new Error('no space'), { code: 'ENOSPC' })") as unknown
    expect(foreign instanceof Error).toBe(false) // the point of the test: a different Error constructor
    const translated = translateError(foreign, context) as DiskFullError
    expect(translated).toBeInstanceOf(DiskFullError)
    expect(translated.cause).toBe(foreign)
  })
})

describe('readOnlyError()', () => {
  it('names the operation, the directory and the fix', () => {
    const error = readOnlyError('/var/cache/app', 'set')
    expect(error).toBeInstanceOf(ReadOnlyCacheError)
    expect(error.code).toBe('READ_ONLY')
    expect(error.message).toContain('cannot set')
    expect(error.message).toContain('/var/cache/app')
    expect(error.message).toContain('readonly')
  })
})
