import { Cache } from './cache.js'
import {
  CacheClosedError,
  CacheIOError,
  CacheTimeoutError,
  CorruptCacheError,
  DiskCacheError,
  DiskFullError,
  InvalidKeyError,
  InvalidOptionError,
  InvalidTtlError,
  InvalidValueError,
  KeyNotFoundError,
  LockNotHeldError,
  LockTimeoutError,
  NotACacheError,
  NotANumberError,
  NotWritableError,
  ReadOnlyCacheError,
  SchemaVersionError,
  TransactionError,
} from './errors.js'
import * as publicApi from './index.js'
import { openCache } from './test-support/open-cache.js'
import { makeTempDir } from './test-support/temp-dir.js'

describe('error classes', () => {
  it.each([
    [CacheTimeoutError, 'CACHE_TIMEOUT'],
    [InvalidValueError, 'INVALID_VALUE'],
    [KeyNotFoundError, 'KEY_NOT_FOUND'],
    [NotANumberError, 'NOT_A_NUMBER'],
    [NotACacheError, 'NOT_A_CACHE'],
    [CorruptCacheError, 'CORRUPT_CACHE'],
    [SchemaVersionError, 'SCHEMA_TOO_NEW'],
    [CacheClosedError, 'CACHE_CLOSED'],
    [ReadOnlyCacheError, 'READ_ONLY'],
    [NotWritableError, 'NOT_WRITABLE'],
    [DiskFullError, 'DISK_FULL'],
    [CacheIOError, 'IO_ERROR'],
    [TransactionError, 'INVALID_TRANSACTION'],
  ] as const)('%p is a DiskCacheError with its own code and name', (ErrorClass, code) => {
    const error = new ErrorClass('message')
    expect(error).toBeInstanceOf(ErrorClass)
    expect(error).toBeInstanceOf(DiskCacheError)
    expect(error).toBeInstanceOf(Error)
    expect(error.code).toBe(code)
    expect(error.name).toBe(ErrorClass.name)
    expect(error.message).toBe('message')
  })

  it.each([
    [InvalidKeyError, TypeError, 'INVALID_KEY'],
    [InvalidOptionError, TypeError, 'INVALID_OPTION'],
    [InvalidTtlError, RangeError, 'INVALID_TTL'],
  ] as const)('%p is also a built-in %p', (ErrorClass, BuiltIn, code) => {
    const error = new ErrorClass('message')
    expect(error).toBeInstanceOf(BuiltIn)
    expect(error).toBeInstanceOf(DiskCacheError)
    expect(error.code).toBe(code)
    expect(error.name).toBe(ErrorClass.name)
  })

  it('keep instanceof exact between subclasses', () => {
    expect(new CacheTimeoutError('x')).not.toBeInstanceOf(InvalidValueError)
    expect(new InvalidKeyError('x')).not.toBeInstanceOf(InvalidOptionError)
    expect(new TypeError('x')).not.toBeInstanceOf(DiskCacheError)
    expect(new Error('x')).not.toBeInstanceOf(DiskCacheError)
  })

  it('keep the cause given', () => {
    const cause = new Error('sqlite said no')
    expect(new CacheIOError('wrapped', { cause }).cause).toBe(cause)
  })

  it('are all exported from the package entry point', () => {
    for (const ErrorClass of [DiskCacheError, InvalidKeyError, InvalidTtlError, InvalidOptionError, CacheClosedError, TransactionError]) {
      expect(publicApi[ErrorClass.name as keyof typeof publicApi]).toBe(ErrorClass)
    }
    expect(publicApi.Cache).toBe(Cache)
  })
})

describe('cache.close()', () => {
  function closedCache(): Cache {
    const cache = openCache()
    cache.set('k', 1)
    cache.close()
    return cache
  }

  const operations: [string, (cache: Cache) => unknown][] = [
    ['get', (c) => c.get('k')],
    ['get with a number key', (c) => c.get(1)],
    ['has', (c) => c.has('k')],
    ['getWithMeta', (c) => c.getWithMeta('k')],
    ['getMany', (c) => c.getMany(['k'])],
    ['set', (c) => c.set('k', 2)],
    ['add', (c) => c.add('x', 2)],
    ['setMany', (c) => c.setMany([['x', 1]])],
    ['delete', (c) => c.delete('k')],
    ['deleteMany', (c) => c.deleteMany(['k'])],
    ['pop', (c) => c.pop('k')],
    ['touch', (c) => c.touch('k', 10)],
    ['incr', (c) => c.incr('n')],
    ['decr', (c) => c.decr('n')],
    ['getOrSet', (c) => c.getOrSet('x', () => 1)],
    ['size', (c) => c.size],
    ['length', (c) => c.length],
    ['volume', (c) => c.volume()],
    ['keys', (c) => [...c.keys()]],
    ['values', (c) => [...c.values()]],
    ['entries', (c) => [...c.entries()]],
    ['iterator', (c) => [...c]],
    ['peekItem', (c) => c.peekItem()],
    ['push', (c) => c.push(1)],
    ['pull', (c) => c.pull()],
    ['pull with a prefix', (c) => c.pull({ prefix: 'q', side: 'back' })],
    ['peek', (c) => c.peek()],
    ['peek with a prefix', (c) => c.peek({ prefix: 'q' })],
    ['expire', (c) => c.expire()],
    ['evict', (c) => c.evict('t')],
    ['cull', (c) => c.cull()],
    ['clear', (c) => c.clear()],
    ['stats', (c) => c.stats()],
    ['transact', (c) => c.transact(() => 1)],
    ['reset (read)', (c) => c.reset('sizeLimit')],
    ['reset (write)', (c) => c.reset('sizeLimit', 10)],
    ['a memoized function', (c) => c.memoize((n: number) => n, { name: 'f' })(1)],
  ]

  it.each(operations)('makes %s throw CacheClosedError', (_name, operation) => {
    const cache = closedCache()
    let error: unknown
    try {
      operation(cache)
    } catch (caught) {
      error = caught
    }
    expect(error).toBeInstanceOf(CacheClosedError)
    expect((error as CacheClosedError).code).toBe('CACHE_CLOSED')
    expect((error as Error).message).toContain(cache.directory)
  })

  it('can be called twice', () => {
    const cache = closedCache()
    expect(() => cache.close()).not.toThrow()
  })

  it('keeps the data for the next Cache on the directory', () => {
    const dir = makeTempDir()
    const cache = new Cache(dir)
    cache.set('k', 'v')
    cache.close()
    expect(openCache({}, dir).get('k')).toBe('v')
  })

  it('leaves other open Caches on the same directory working', () => {
    const dir = makeTempDir()
    const a = openCache({}, dir)
    const b = openCache({}, dir)
    a.set('k', 1)
    a.close()
    expect(b.get('k')).toBe(1)
    b.set('k', 2)
    expect(b.get('k')).toBe(2)
  })
})

describe('errors from incr()', () => {
  it('carry stable codes', () => {
    const cache = openCache()
    cache.set('s', 'text')
    expect(() => cache.incr('s')).toThrow(expect.objectContaining({ code: 'NOT_A_NUMBER' }))
    expect(() => cache.incr('missing', 1, { default: null })).toThrow(expect.objectContaining({ code: 'KEY_NOT_FOUND' }))
  })
})

describe('recipe error classes', () => {
  it('LockTimeoutError is a CacheTimeoutError with its own code', () => {
    const error = new LockTimeoutError('waited too long')
    expect(error).toBeInstanceOf(LockTimeoutError)
    expect(error).toBeInstanceOf(CacheTimeoutError)
    expect(error).toBeInstanceOf(DiskCacheError)
    expect(error.code).toBe('LOCK_TIMEOUT')
    expect(error.name).toBe('LockTimeoutError')
    expect(new CacheTimeoutError('x')).not.toBeInstanceOf(LockTimeoutError)
  })

  it('LockNotHeldError is a DiskCacheError with code LOCK_NOT_HELD', () => {
    const error = new LockNotHeldError('not yours')
    expect(error).toBeInstanceOf(DiskCacheError)
    expect(error.code).toBe('LOCK_NOT_HELD')
    expect(error.name).toBe('LockNotHeldError')
  })

  it('are exported from the package entry point', () => {
    expect(publicApi.LockTimeoutError).toBe(LockTimeoutError)
    expect(publicApi.LockNotHeldError).toBe(LockNotHeldError)
  })
})
