import { renameSync, rmSync, statSync, truncateSync } from 'node:fs'
import { join } from 'node:path'
import { Cache } from './cache.js'
import { CacheIOError, CorruptCacheError, DiskCacheError } from './errors.js'
import { openCacheIn as openCache } from './test-support/open-cache.js'
import { makeTempDir } from './test-support/temp-dir.js'
import { thrownBy } from './test-support/thrown-by.js'

afterEach(() => {
  jest.restoreAllMocks()
})


/** Writes closer than 1 ms to the last good check of the file share it: let that millisecond pass. */
function pastTheCheckInterval(): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 2)
}

const posix = process.platform === 'win32' ? describe.skip : describe // Windows cannot delete an open file

posix('the database file deleted while a Cache has it open', () => {
  it('makes the next write throw CacheIOError instead of acknowledging a write nobody can read', () => {
    const dir = makeTempDir()
    const cache = openCache(dir, { fileThreshold: 1024 })
    cache.set('before', 1)
    for (const name of ['cache.db', 'cache.db-wal', 'cache.db-shm']) rmSync(join(dir, name), { force: true })
    pastTheCheckInterval()
    const writes: [string, () => unknown][] = [
      ['set', () => cache.set('after', 2)],
      ['set (file-backed)', () => cache.set('big', 'b'.repeat(5000))],
      ['setMany', () => cache.setMany([['x', 1]])],
      ['incr', () => cache.incr('n')],
      ['delete', () => cache.delete('before')],
      ['transact', () => cache.transact(() => cache.set('t', 1))],
    ]
    for (const [name, write] of writes) {
      const error = thrownBy(write)
      expect([name, error]).toEqual([name, expect.any(CacheIOError)])
      expect([name, (error as CacheIOError).message]).toEqual([name, expect.stringMatching(/deleted, moved or replaced.*open a new Cache/s)])
    }
  })

  it('is recovered by opening a new Cache, which starts empty and works', () => {
    const dir = makeTempDir()
    const cache = openCache(dir)
    cache.set('before', 1)
    rmSync(join(dir, 'cache.db'))
    pastTheCheckInterval()
    expect(() => cache.set('after', 2)).toThrow(CacheIOError)
    cache.close()
    const fresh = openCache(dir)
    expect(fresh.get('before')).toBeUndefined()
    fresh.set('after', 2)
    expect(fresh.get('after')).toBe(2)
    expect(fresh.check()).toEqual({ ok: true, problems: [] })
  })

  it('also catches the file replaced by another one renamed over it', () => {
    const dir = makeTempDir()
    const other = makeTempDir()
    const cache = openCache(dir)
    cache.set('mine', 1)
    openCache(other).close()
    renameSync(join(other, 'cache.db'), join(dir, 'cache.db'))
    pastTheCheckInterval()
    expect(() => cache.set('after', 2)).toThrow(CacheIOError)
  })

  it('leaves every other process’s view alone: a second Cache opened before the deletion fails the same way', () => {
    const dir = makeTempDir()
    const first = openCache(dir)
    const second = openCache(dir)
    rmSync(join(dir, 'cache.db'))
    pastTheCheckInterval()
    expect(() => first.set('a', 1)).toThrow(CacheIOError)
    expect(() => second.set('b', 1)).toThrow(CacheIOError)
  })
})

describe('the database file truncated while a Cache has it open', () => {
  function filledCache(dir: string): Cache {
    const writer = new Cache(dir)
    writer.transact(() => {
      for (let i = 0; i < 2000; i++) writer.set(`key-${i}`, `value-${i}-${'x'.repeat(100)}`)
    })
    writer.close()
    return openCache(dir)
  }

  it.each([
    ['to half its size', 0.5],
    ['to its first page', 4096],
    ['to nothing', 0],
  ])('%s makes reads, writes and check() throw CorruptCacheError, never return wrong data', (_name, cut) => {
    const dir = makeTempDir()
    const cache = filledCache(dir)
    const path = join(dir, 'cache.db')
    truncateSync(path, cut < 1 ? Math.floor(statSync(path).size * cut) : cut)
    for (const [name, operation] of [
      ['get', () => cache.get('key-1999')],
      ['set', () => cache.set('new', 1)],
      ['size', () => cache.size],
      ['check', () => cache.check()],
    ] as [string, () => unknown][]) {
      const error = thrownBy(operation)
      expect([name, error]).toEqual([name, expect.any(CorruptCacheError)])
    }
  })

  it('is recovered by reopening with { ifCorrupt: "rebuild" }, which starts empty with a warning', () => {
    const dir = makeTempDir()
    const cache = filledCache(dir)
    const path = join(dir, 'cache.db')
    truncateSync(path, Math.floor(statSync(path).size / 2))
    expect(() => cache.get('key-1999')).toThrow(CorruptCacheError)
    cache.close()
    const reopenError = thrownBy(() => openCache(dir))
    // Closing may have checkpointed pages back, so the damage may or may not show at open: never a raw error.
    if (reopenError !== undefined) expect(reopenError).toBeInstanceOf(DiskCacheError)
    const warn = jest.spyOn(process, 'emitWarning').mockImplementation(() => {})
    const rebuilt = openCache(dir, { ifCorrupt: 'rebuild' })
    for (let i = 0; i < 2000; i += 97) {
      const value = rebuilt.get(`key-${i}`)
      expect(value === undefined || value === `value-${i}-${'x'.repeat(100)}`).toBe(true)
    }
    rebuilt.set('after', 1)
    expect(rebuilt.get('after')).toBe(1)
    expect(rebuilt.check()).toEqual({ ok: true, problems: [] })
    if (reopenError !== undefined) expect(warn).toHaveBeenCalledWith(expect.any(String), expect.objectContaining({ code: 'DISKCACHE_REBUILT' }))
  })
})
