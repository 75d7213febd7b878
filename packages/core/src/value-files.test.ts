import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Cache } from './cache.js'
import { DiskFullError } from './errors.js'
import { TEMP_SUFFIX, ValueFiles } from './value-files.js'
import { openCacheIn as openCache } from './test-support/open-cache.js'
import { listValueFiles, makeTempDir, manualClock } from './test-support/temp-dir.js'

// The module object itself (not an import-* copy), so jest.spyOn reaches value-files.ts.
const fs: typeof import('node:fs') = require('node:fs')

afterEach(() => {
  jest.restoreAllMocks()
})

function valueDirectories(directory: string): string[] {
  const root = join(directory, 'values')
  if (!existsSync(root)) return []
  return (readdirSync(root, { recursive: true }) as string[]).filter((name) => statSync(join(root, name)).isDirectory())
}

function filenameOf(cache: Cache, key: string): string | null | undefined {
  return cache.store.db.prepare("SELECT filename FROM entries WHERE kind = 1 AND key = ?").pluck().get(key) as string | null | undefined
}

const FILE_NAME = /^values\/[0-9a-f]{2}\/[0-9a-f]{2}\/[0-9a-f]{28}\.val$/
const THRESHOLD = 1024

describe('values at or above fileThreshold', () => {
  it('live in values/ab/cd/<hex>.val files holding exactly their bytes', () => {
    const dir = makeTempDir()
    const cache = openCache(dir, { fileThreshold: THRESHOLD })
    const bytes = Buffer.alloc(THRESHOLD, 7)
    cache.set('at-threshold', bytes)
    cache.set('below', Buffer.alloc(THRESHOLD - 1, 7))
    const files = listValueFiles(dir)
    expect(files).toHaveLength(1)
    expect(files[0]).toMatch(FILE_NAME)
    expect(filenameOf(cache, 'at-threshold')).toBe(files[0])
    expect(filenameOf(cache, 'below')).toBeNull()
    expect(readFileSync(join(dir, files[0]!))).toEqual(bytes)
    expect(cache.get('at-threshold')).toEqual(bytes)
  })

  it('get names that do not come from the key: the same key in two caches gets different files', () => {
    const first = makeTempDir()
    const second = makeTempDir()
    const key = 'aa/bb/../../secret'
    openCache(first, { fileThreshold: THRESHOLD }).set(key, 'x'.repeat(2000))
    openCache(second, { fileThreshold: THRESHOLD }).set(key, 'x'.repeat(2000))
    const [a] = listValueFiles(first)
    const [b] = listValueFiles(second)
    expect(a).toMatch(FILE_NAME)
    expect(b).toMatch(FILE_NAME)
    expect(a).not.toBe(b)
    expect(a).not.toContain('secret')
  })

  it('round-trip strings, objects and compressed values through their file', () => {
    const dir = makeTempDir()
    const cache = openCache(dir, { fileThreshold: THRESHOLD, compression: 'gzip', compressionThreshold: 100 })
    // Random hex halves under gzip, so each value stays above the threshold after compression.
    const text = 'é' + randomBytes(20_000).toString('hex')
    const random = randomBytes(20_000)
    const object = { list: Array.from({ length: 300 }, () => randomBytes(32).toString('hex')), map: new Map([[1, 'one']]) }
    cache.set('text', text)
    cache.set('random', random)
    cache.set('object', object)
    expect(cache.get('text')).toBe(text)
    expect(cache.get('random')).toEqual(random)
    expect(cache.get('object')).toEqual(object)
    expect(listValueFiles(dir)).toHaveLength(3) // random bytes do not shrink, so they are stored as they are
    expect(readFileSync(join(dir, filenameOf(cache, 'random')!))).toEqual(random)
    for (const name of listValueFiles(dir).filter((name) => name !== filenameOf(cache, 'random'))) {
      expect(readFileSync(join(dir, name)).subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b])) // gzip magic
    }
  })

  it('are stored in the same file name format by setMany, push and incr-free writes in a transaction', () => {
    const dir = makeTempDir()
    const cache = openCache(dir, { fileThreshold: THRESHOLD })
    cache.setMany([
      ['a', 'a'.repeat(2000)],
      ['b', 'b'.repeat(2000)],
    ])
    cache.push('q'.repeat(2000))
    expect(listValueFiles(dir)).toHaveLength(3)
    for (const name of listValueFiles(dir)) expect(name).toMatch(FILE_NAME)
    expect(cache.pull()?.[1]).toBe('q'.repeat(2000))
    expect(listValueFiles(dir)).toHaveLength(2)
  })
})

describe('the old file of an entry', () => {
  it('is removed once an overwrite commits', () => {
    const dir = makeTempDir()
    const cache = openCache(dir, { fileThreshold: THRESHOLD })
    cache.set('k', 'old'.repeat(1000))
    const [old] = listValueFiles(dir)
    cache.set('k', 'new'.repeat(1000))
    const [current] = listValueFiles(dir)
    expect(listValueFiles(dir)).toHaveLength(1)
    expect(current).not.toBe(old)
    expect(cache.get('k')).toBe('new'.repeat(1000))
    cache.set('k', 'inline now')
    expect(listValueFiles(dir)).toEqual([])
    expect(valueDirectories(dir)).toEqual([]) // emptied directories are pruned
  })

  it('is removed by delete() and pop()', () => {
    const dir = makeTempDir()
    const cache = openCache(dir, { fileThreshold: THRESHOLD })
    cache.set('a', 'a'.repeat(2000))
    cache.set('b', 'b'.repeat(2000))
    expect(listValueFiles(dir)).toHaveLength(2)
    expect(cache.delete('a')).toBe(true)
    expect(listValueFiles(dir)).toHaveLength(1)
    expect(cache.pop('b')).toBe('b'.repeat(2000))
    expect(listValueFiles(dir)).toEqual([])
  })

  it('survives a transaction that overwrote it and then threw; the new file is removed', () => {
    const dir = makeTempDir()
    const cache = openCache(dir, { fileThreshold: THRESHOLD })
    cache.set('k', 'old'.repeat(1000))
    const before = listValueFiles(dir)
    expect(() =>
      cache.transact(() => {
        cache.set('k', 'new'.repeat(1000))
        cache.set('fresh', 'f'.repeat(2000))
        cache.delete('k')
        expect(listValueFiles(dir)).toHaveLength(3) // old (pending delete) and the two new ones
        throw new Error('changed my mind')
      }),
    ).toThrow('changed my mind')
    expect(listValueFiles(dir)).toEqual(before)
    expect(cache.get('k')).toBe('old'.repeat(1000))
    expect(cache.has('fresh')).toBe(false)
    expect(cache.check()).toEqual({ ok: true, problems: [] })
  })

  it('written and replaced inside one committed transaction leaves only the last file', () => {
    const dir = makeTempDir()
    const cache = openCache(dir, { fileThreshold: THRESHOLD })
    cache.transact(() => {
      for (let i = 0; i < 5; i++) cache.set('k', String(i).repeat(2000))
    })
    expect(listValueFiles(dir)).toHaveLength(1)
    expect(cache.get('k')).toBe('4'.repeat(2000))
    expect(cache.check()).toEqual({ ok: true, problems: [] })
  })
})

describe('a value file deleted by hand', () => {
  // Deleting only the file leaves its directories behind: check() may report those, and nothing else.
  function expectOnlyEmptyDirectories(cache: Cache): void {
    expect(cache.check().problems.filter((problem) => problem.kind !== 'empty-directory')).toEqual([])
    expect(cache.check({ fix: true }).ok).toBe(true)
    expect(cache.check()).toEqual({ ok: true, problems: [] })
  }

  it('makes get() a miss and removes the row', () => {
    const dir = makeTempDir()
    const cache = openCache(dir, { fileThreshold: THRESHOLD })
    cache.set('gone', 'g'.repeat(2000))
    cache.set('kept', 'k'.repeat(2000))
    rmSync(join(dir, filenameOf(cache, 'gone')!))
    expect(cache.has('gone')).toBe(true) // has() trusts the row
    expect(cache.get('gone')).toBeUndefined()
    expect(cache.get('gone', { default: 'fallback' })).toBe('fallback')
    expect(filenameOf(cache, 'gone')).toBeUndefined()
    expect(cache.has('gone')).toBe(false)
    expect(cache.get('kept')).toBe('k'.repeat(2000))
    expectOnlyEmptyDirectories(cache)
  })

  it('is skipped by iteration, getWithMeta, pop and getMany', () => {
    const dir = makeTempDir()
    const cache = openCache(dir, { fileThreshold: THRESHOLD })
    for (const key of ['a', 'b', 'c', 'd']) cache.set(key, key.repeat(2000))
    cache.set('small', 1)
    for (const key of ['a', 'b', 'c', 'd']) rmSync(join(dir, filenameOf(cache, key)!))
    expect([...cache.entries()]).toEqual([['small', 1]])
    expect(cache.getWithMeta('b')).toBeUndefined()
    expect(cache.pop('c', { default: 'none' })).toBe('none')
    expect(cache.getMany(['d', 'small'])).toEqual([undefined, 1])
    expect(cache.size).toBe(1)
    expectOnlyEmptyDirectories(cache)
  })
})

describe('bulk removal', () => {
  it('clear() removes every value file', () => {
    const dir = makeTempDir()
    const cache = openCache(dir, { fileThreshold: THRESHOLD })
    for (let i = 0; i < 20; i++) cache.set(`k${i}`, String(i).repeat(2000))
    expect(listValueFiles(dir)).toHaveLength(20)
    expect(cache.clear()).toBe(20)
    expect(listValueFiles(dir)).toEqual([])
  })

  it('evict(tag) removes the tagged entries’ files only', () => {
    const dir = makeTempDir()
    const cache = openCache(dir, { fileThreshold: THRESHOLD })
    cache.set('t1', 'a'.repeat(2000), { tags: ['t'] })
    cache.set('t2', 'b'.repeat(2000), { tags: ['t', 'u'] })
    cache.set('other', 'c'.repeat(2000), { tags: ['u'] })
    const otherFile = filenameOf(cache, 'other')
    expect(cache.evict('t')).toBe(2)
    expect(listValueFiles(dir)).toEqual([otherFile])
  })

  it('expire() removes expired entries’ files', () => {
    const dir = makeTempDir()
    const clock = manualClock()
    const cache = openCache(dir, { fileThreshold: THRESHOLD, now: clock.now, cullLimit: 0 })
    cache.set('short', 's'.repeat(2000), { ttl: 1000 })
    cache.set('long', 'l'.repeat(2000), { ttl: 10_000 })
    const longFile = filenameOf(cache, 'long')
    clock.advance(1000)
    expect(listValueFiles(dir)).toHaveLength(2) // expired but not yet removed
    expect(cache.expire()).toBe(1)
    expect(listValueFiles(dir)).toEqual([longFile])
  })

  it('culling to sizeLimit removes the evicted entries’ files', () => {
    const dir = makeTempDir()
    const cache = openCache(dir, { fileThreshold: THRESHOLD, sizeLimit: 200_000 })
    for (let i = 0; i < 20; i++) cache.set(`k${i}`, Buffer.alloc(50_000, i))
    cache.cull()
    expect(cache.volume()).toBeLessThanOrEqual(200_000)
    const rows = cache.store.db.prepare('SELECT count(*) FROM entries WHERE filename IS NOT NULL').pluck().get() as number
    expect(listValueFiles(dir)).toHaveLength(rows)
    expect(rows).toBeLessThan(20)
  })
})

describe('cache.volume()', () => {
  it('counts the bytes of value files', () => {
    const dir = makeTempDir()
    const cache = openCache(dir, { fileThreshold: THRESHOLD })
    const empty = cache.volume()
    cache.set('big', Buffer.alloc(300_000, 1))
    const withFile = cache.volume()
    expect(withFile - empty).toBeGreaterThanOrEqual(300_000)
    expect(withFile - empty).toBeLessThan(300_000 + 64 * 1024)
    cache.set('big', Buffer.alloc(100_000, 1))
    expect(withFile - cache.volume()).toBeGreaterThanOrEqual(200_000 - 64 * 1024)
    cache.delete('big')
    expect(cache.volume()).toBeLessThan(empty + 64 * 1024)
  })
})

describe('a value file that cannot be written', () => {
  it('throws DiskFullError on ENOSPC, stores nothing and leaves no temp file or empty directory', () => {
    const dir = makeTempDir()
    const cache = openCache(dir, { fileThreshold: THRESHOLD })
    cache.set('before', 'b'.repeat(2000))
    const before = listValueFiles(dir)
    const realWriteSync = fs.writeSync
    jest.spyOn(fs, 'writeSync').mockImplementation(((fd: number, ...rest: unknown[]) => {
      // Half a write succeeds, then the disk is full: as a real ENOSPC goes.
      const [buffer, offset = 0, length] = rest as [Buffer, number, number]
      if (length > 512) return (realWriteSync as (...args: unknown[]) => number)(fd, buffer, offset, 512)
      throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', errno: -28, syscall: 'write' })
    }) as typeof fs.writeSync)
    let thrown: unknown
    try {
      cache.set('after', 'a'.repeat(5000))
    } catch (error) {
      thrown = error
    }
    jest.restoreAllMocks()
    expect(thrown).toBeInstanceOf(DiskFullError)
    expect((thrown as DiskFullError).code).toBe('DISK_FULL')
    expect(((thrown as DiskFullError).cause as NodeJS.ErrnoException).code).toBe('ENOSPC')
    expect(cache.has('after')).toBe(false)
    expect(cache.get('before')).toBe('b'.repeat(2000))
    expect(listValueFiles(dir)).toEqual(before)
    expect(cache.check()).toEqual({ ok: true, problems: [] })
  })
})

describe('ValueFiles', () => {
  it('writes under a .tmp name and publishes by rename', () => {
    const dir = makeTempDir()
    const files = new ValueFiles(dir, 0o644, 0o755)
    const name = files.createName()
    expect(name).toMatch(FILE_NAME)
    files.writeTemp(name, Buffer.from('payload'))
    expect(existsSync(join(dir, name + TEMP_SUFFIX))).toBe(true)
    expect(files.read(name)).toBe('missing')
    files.publish(name)
    expect(existsSync(join(dir, name + TEMP_SUFFIX))).toBe(false)
    expect(files.read(name)).toEqual(Buffer.from('payload'))
  })

  it('removeQuietly prunes the emptied directories but keeps values/ and non-empty ones', () => {
    const dir = makeTempDir()
    const files = new ValueFiles(dir, 0o644, 0o755)
    const a = 'values/aa/bb/' + '1'.repeat(28) + '.val'
    const b = 'values/aa/cc/' + '2'.repeat(28) + '.val'
    for (const name of [a, b]) {
      mkdirSync(join(dir, name, '..'), { recursive: true })
      writeFileSync(join(dir, name), 'x')
    }
    files.removeQuietly(a)
    expect(existsSync(join(dir, 'values/aa/bb'))).toBe(false)
    expect(existsSync(join(dir, 'values/aa/cc'))).toBe(true)
    files.removeQuietly(b)
    expect(existsSync(join(dir, 'values/aa'))).toBe(false)
    expect(existsSync(join(dir, 'values'))).toBe(true)
    expect(() => files.removeQuietly(b)).not.toThrow()
  })
})
