import { closeSync, openSync, rmSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import { Cache } from './cache.js'
import { DiskFullError } from './errors.js'
import { openCacheIn as openCache } from './test-support/open-cache.js'
import { listValueFiles } from './test-support/temp-dir.js'
import { mountTmpfs, TMPFS_UNAVAILABLE } from './test-support/tmpfs.js'
import { thrownBy } from './test-support/thrown-by.js'

// A real full disk: a 2 MiB tmpfs, the cache on it, and a ballast file that takes the
// rest of the space. cross-process.test.ts covers the file-size limit (ulimit -f).
const withTmpfs = TMPFS_UNAVAILABLE === null ? describe : describe.skip
if (TMPFS_UNAVAILABLE !== null) console.warn(`disk-full tests skipped: ${TMPFS_UNAVAILABLE}`)

/** Writes a file until the filesystem refuses more (ENOSPC); returns its path. */
function fillDisk(dir: string): string {
  const path = join(dir, 'ballast')
  const fd = openSync(path, 'w')
  const chunk = Buffer.alloc(4096, 1)
  try {
    for (;;) writeSync(fd, chunk)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error
  } finally {
    closeSync(fd)
  }
  return path
}


withTmpfs('a full disk (a 2 MiB tmpfs filled by another file)', () => {
  const FILE_VALUE = 'F'.repeat(20_000)

  function fullCache(): { mount: string; cache: Cache; ballast: string } {
    const mount = mountTmpfs(2 * 1024 * 1024)
    const cache = openCache(join(mount, 'cache'), { fileThreshold: 4096 })
    cache.set('inline', 'old')
    cache.set('file', FILE_VALUE)
    return { mount, cache, ballast: fillDisk(mount) }
  }

  it('makes a file-backed set() throw DiskFullError, keeps the old value and leaves no partial file', () => {
    const { mount, cache } = fullCache()
    const before = listValueFiles(join(mount, 'cache'))
    const error = thrownBy(() => cache.set('file', 'G'.repeat(50_000)))
    expect(error).toBeInstanceOf(DiskFullError)
    // The file's name is recorded in the database before the file is written, so either can be the one refused.
    expect(error).toMatchObject({ code: 'DISK_FULL', cause: { code: expect.stringMatching(/^(ENOSPC|SQLITE_FULL)/) } })
    expect((error as Error).message).toMatch(/free space/i)
    expect(cache.get('file')).toBe(FILE_VALUE)
    expect(listValueFiles(join(mount, 'cache'))).toEqual(before)
    expect(cache.check()).toEqual({ ok: true, problems: [] })
  })

  it('makes inline writes throw DiskFullError once the database cannot grow; every acknowledged write stays readable', () => {
    const { cache } = fullCache()
    const acknowledged: string[] = []
    let error: unknown
    // SQLite reuses WAL space it already has, so a few writes may still fit: write until one does not.
    for (let i = 0; i < 5000 && error === undefined; i++) {
      error = thrownBy(() => cache.set(`k${i}`, `value ${i} `.repeat(100)))
      if (error === undefined) acknowledged.push(`k${i}`)
    }
    expect(error).toBeInstanceOf(DiskFullError)
    expect(error).toMatchObject({ code: 'DISK_FULL', cause: { code: expect.stringMatching(/^SQLITE_FULL/) } })
    expect(thrownBy(() => cache.set('inline', 'new'.repeat(1000)))).toBeInstanceOf(DiskFullError)
    expect(cache.get('inline')).toBe('old')
    expect(cache.get('file')).toBe(FILE_VALUE)
    for (const key of acknowledged) expect(cache.get(key)).toBe(`value ${key.slice(1)} `.repeat(100))
    expect(cache.check().ok).toBe(true)
  })

  it('recovers once space returns: writes succeed again, nothing stored earlier is lost, and it reopens sound', () => {
    const { mount, cache, ballast } = fullCache()
    expect(thrownBy(() => cache.set('file', 'G'.repeat(50_000)))).toBeInstanceOf(DiskFullError)
    let inlineError: unknown
    for (let i = 0; i < 5000 && inlineError === undefined; i++) inlineError = thrownBy(() => cache.set(`fill${i}`, 'x'.repeat(500)))
    expect(inlineError).toBeInstanceOf(DiskFullError)
    rmSync(ballast)
    cache.set('inline', 'new')
    cache.set('file', 'G'.repeat(50_000))
    cache.set('later', 'L'.repeat(30_000))
    expect(cache.get('inline')).toBe('new')
    expect(cache.get('file')).toBe('G'.repeat(50_000))
    expect(cache.check()).toEqual({ ok: true, problems: [] })
    cache.close()
    const reopened = openCache(join(mount, 'cache'))
    expect(reopened.get('file')).toBe('G'.repeat(50_000))
    expect(reopened.get('later')).toBe('L'.repeat(30_000))
    expect(reopened.check()).toEqual({ ok: true, problems: [] })
  })

  it('lets a delete on a completely full disk either fit in WAL space SQLite already has or throw DiskFullError, never another error', () => {
    const { cache } = fullCache()
    let error: unknown
    for (let i = 0; i < 5000 && error === undefined; i++) error = thrownBy(() => cache.set(`fill${i}`, 'x'.repeat(500)))
    const deleteError = thrownBy(() => cache.delete('file'))
    // Either the delete fits in WAL space SQLite already has, or it is refused with the typed error; never an untyped one.
    if (deleteError !== undefined) expect(deleteError).toBeInstanceOf(DiskFullError)
    expect(cache.has('file')).toBe(deleteError !== undefined)
  })
})
