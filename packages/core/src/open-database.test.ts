import { openNativeDatabase } from './native-handles.js'
import { spawnSync } from 'node:child_process'
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, statSync, writeFileSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { Cache } from './cache.js'
import {
  CorruptCacheError,
  DiskCacheError,
  NotACacheError,
  NotWritableError,
  ReadOnlyCacheError,
  SchemaVersionError,
} from './errors.js'
import { SCHEMA_VERSION } from './schema.js'
import { BUILT_PACKAGE, ChildCache, killAllChildren } from './test-support/child-cache.js'
import { openCacheIn as openCache } from './test-support/open-cache.js'
import { makeTempDir } from './test-support/temp-dir.js'
import { thrownBy } from './test-support/thrown-by.js'

afterEach(killAllChildren)

afterEach(() => {
  jest.restoreAllMocks()
})


/** The bytes and mtime of a file, to prove it was not touched. */
function snapshot(path: string): { bytes: Buffer; mtimeMs: number } {
  return { bytes: readFileSync(path), mtimeMs: statSync(path).mtimeMs }
}

/** A closed cache with enough rows to span many pages; returns the path of its database. */
function makeFilledCache(dir: string, rows = 3000): string {
  const cache = new Cache(dir)
  cache.transact(() => {
    for (let i = 0; i < rows; i++) cache.set(`key-${i}`, `value-${i}-${'x'.repeat(100)}`)
  })
  cache.close()
  return join(dir, 'cache.db')
}

function overwrite(path: string, offset: number, length: number): void {
  const fd = openSync(path, 'r+')
  try {
    writeSync(fd, Buffer.alloc(length, 0xab), 0, length, offset)
  } finally {
    closeSync(fd)
  }
}

const isRoot = process.getuid?.() === 0

describe('opening a directory that holds someone else’s file', () => {
  it('refuses a cache.db that is not SQLite with NotACacheError and leaves its bytes alone', () => {
    const dir = makeTempDir()
    const path = join(dir, 'cache.db')
    writeFileSync(path, 'precious notes, not a database\n'.repeat(500))
    const before = snapshot(path)
    const error = thrownBy(() => openCache(dir))
    expect(error).toBeInstanceOf(NotACacheError)
    expect((error as NotACacheError).code).toBe('NOT_A_CACHE')
    expect(snapshot(path)).toEqual(before)
    expect(readdirSync(dir)).toEqual(['cache.db']) // no -wal, -shm or values/ beside it
  })

  it('refuses a SQLite database made by another program (its own table, no application_id), untouched', () => {
    const dir = makeTempDir()
    const path = join(dir, 'cache.db')
    const foreign = openNativeDatabase(path, {})
    foreign.exec("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL); INSERT INTO invoices VALUES (1, 9.5)")
    foreign.close()
    const before = snapshot(path)
    expect(() => openCache(dir)).toThrow(NotACacheError)
    expect(() => openCache(dir, { readonly: true })).toThrow(NotACacheError)
    expect(snapshot(path)).toEqual(before)
    expect(readdirSync(dir)).toEqual(['cache.db'])
  })

  it('refuses a directory named cache.db with NotACacheError', () => {
    const dir = makeTempDir()
    mkdirSync(join(dir, 'cache.db'))
    expect(() => openCache(dir)).toThrow(NotACacheError)
  })

  it('throws SchemaVersionError for a cache written by a newer schema, and does not touch it', () => {
    const dir = makeTempDir()
    const writer = openCache(dir)
    writer.set('k', 'v')
    writer.close()
    const path = join(dir, 'cache.db')
    const db = openNativeDatabase(path, {})
    db.exec(`PRAGMA user_version = ${SCHEMA_VERSION + 1}`)
    db.close()
    const before = snapshot(path)
    const error = thrownBy(() => openCache(dir))
    expect(error).toBeInstanceOf(SchemaVersionError)
    expect((error as SchemaVersionError).code).toBe('SCHEMA_TOO_NEW')
    expect(() => openCache(dir, { ifCorrupt: 'rebuild' })).toThrow(SchemaVersionError) // never "rebuilt" away
    expect(snapshot(path)).toEqual(before)
  })
})

describe('opening a corrupt cache', () => {
  it('throws CorruptCacheError (never a raw SqliteError) when pages in the middle are garbage', () => {
    const dir = makeTempDir()
    const path = makeFilledCache(dir)
    const size = statSync(path).size
    overwrite(path, Math.floor(size / 2 / 4096) * 4096, 4 * 4096)
    const errors: unknown[] = []
    let cache: Cache | undefined
    try {
      cache = openCache(dir)
      for (let i = 0; i < 3000; i++) {
        try {
          cache.get(`key-${i}`)
        } catch (error) {
          errors.push(error)
        }
      }
    } catch (error) {
      errors.push(error) // opening may already notice
    }
    expect(errors.length).toBeGreaterThan(0)
    for (const error of errors) expect(error).toBeInstanceOf(CorruptCacheError)
    if (cache) {
      try {
        const report = cache.check()
        expect(report.ok).toBe(false)
        expect(report.problems.some((problem) => problem.kind === 'integrity')).toBe(true)
      } catch (error) {
        expect(error).toBeInstanceOf(CorruptCacheError)
      }
    }
  })

  it('throws CorruptCacheError when the pages right after the header (settings) are garbage', () => {
    const dir = makeTempDir()
    const path = makeFilledCache(dir, 10)
    overwrite(path, 4096, statSync(path).size - 4096)
    const error = thrownBy(() => {
      const cache = openCache(dir)
      cache.get('key-1')
    })
    expect(error).toBeInstanceOf(CorruptCacheError)
    expect((error as CorruptCacheError).code).toBe('CORRUPT_CACHE')
  })

  it.each([
    ['in the middle', (size: number) => [Math.floor(size / 2 / 4096) * 4096, 4 * 4096]],
    ['right after the header', (size: number) => [4096, size - 4096]],
  ])('with { ifCorrupt: "rebuild" } starts empty when pages %s are garbage, and warns', (_, where) => {
    const dir = makeTempDir()
    const path = makeFilledCache(dir)
    writeFileSync(join(dir, 'keep-me.txt'), 'mine')
    const [offset, length] = where(statSync(path).size) as [number, number]
    overwrite(path, offset, length)
    const warn = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined)
    const cache = openCache(dir, { ifCorrupt: 'rebuild' })
    expect(cache.size).toBe(0)
    expect(cache.check()).toEqual({ ok: true, problems: [] })
    cache.set('after', 1)
    expect(cache.get('after')).toBe(1)
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('rebuilt'), expect.objectContaining({ code: 'DISKCACHE_REBUILT' }))
    expect(readFileSync(join(dir, 'keep-me.txt'), 'utf8')).toBe('mine')
  })

  it('with { ifCorrupt: "rebuild" } opens a sound cache as it is, without a warning', () => {
    const dir = makeTempDir()
    makeFilledCache(dir, 50)
    const warn = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined)
    const cache = openCache(dir, { ifCorrupt: 'rebuild' })
    expect(cache.size).toBe(50)
    expect(warn).not.toHaveBeenCalled()
  })
})

describe('Cache.destroy()', () => {
  it('removes the database, its WAL files and the value files, but not other files', () => {
    const dir = makeTempDir()
    const cache = new Cache(dir, { fileThreshold: 100 })
    cache.set('big', 'b'.repeat(1000))
    cache.set('small', 1)
    cache.close()
    writeFileSync(join(dir, 'notes.txt'), 'keep')
    mkdirSync(join(dir, 'mine'))
    Cache.destroy(dir)
    expect(readdirSync(dir).sort()).toEqual(['mine', 'notes.txt'])
  })

  it('removes the directory too when only cache files were in it', () => {
    const parent = makeTempDir()
    const dir = join(parent, 'cache')
    const cache = new Cache(dir, { fileThreshold: 100 })
    cache.set('big', 'b'.repeat(1000))
    cache.close()
    Cache.destroy(dir)
    expect(existsSync(dir)).toBe(false)
    expect(() => Cache.destroy(dir)).not.toThrow() // already gone
  })
})

describe('a directory this process cannot write', () => {
  if (isRoot) {
    // Root ignores permission bits, so the attempt runs in a child that drops to an unprivileged uid.
    // That child must be able to read the built package (not so when the checkout is under /root, say).
    const unprivilegedCanLoad =
      spawnSync(process.execPath, ['-e', `require(${JSON.stringify(BUILT_PACKAGE)})`], { uid: 65534, gid: 65534, stdio: 'ignore' })
        .status === 0
    const runAsNobody = unprivilegedCanLoad ? it : it.skip
    runAsNobody('throws NotWritableError (checked in a child running as uid 65534, since tests run as root; skipped only when that uid cannot read the package)', async () => {
      const parent = makeTempDir()
      chmodSync(parent, 0o755) // nobody may enter, not write
      mkdirSync(join(parent, 'existing'))
      for (const dir of [join(parent, 'existing'), join(parent, 'missing', 'sub')]) {
        const child = await ChildCache.start(dir, { uid: 65534, gid: 65534 })
        await expect(child.request('open')).rejects.toMatchObject({ name: 'NotWritableError', code: 'NOT_WRITABLE' })
      }
      expect(readdirSync(join(parent, 'existing'))).toEqual([])
    })
  } else {
    const posix = process.platform === 'win32' ? it.skip : it
    posix('throws NotWritableError', () => {
      const dir = makeTempDir()
      chmodSync(dir, 0o500)
      try {
        expect(() => openCache(dir)).toThrow(NotWritableError)
        expect(() => openCache(join(dir, 'sub'))).toThrow(NotWritableError)
      } finally {
        chmodSync(dir, 0o700)
      }
    })
  }
})

describe('{ readonly: true }', () => {
  function makeCache(dir: string): void {
    const cache = new Cache(dir, { fileThreshold: 100 })
    cache.set('inline', 'small')
    cache.set('file', 'f'.repeat(1000))
    cache.set('number', 5)
    cache.push('queued')
    cache.close()
  }

  it('reads an existing cache and never modifies its files', async () => {
    const dir = makeTempDir()
    makeCache(dir)
    const path = join(dir, 'cache.db')
    const before = snapshot(path)
    const cache = openCache(dir, { readonly: true })
    expect(cache.get('inline')).toBe('small')
    expect(cache.get('file')).toBe('f'.repeat(1000))
    expect(cache.size).toBe(4)
    expect([...cache.keys()]).toHaveLength(4)
    expect(cache.peek()).toEqual([expect.any(Number), 'queued'])
    expect(cache.check()).toEqual({ ok: true, problems: [] })
    expect(cache.stats()).toEqual({ hits: 0, misses: 0 })
    const chunks: Buffer[] = []
    for await (const chunk of cache.getStream('file')!) chunks.push(chunk as Buffer)
    expect(Buffer.concat(chunks).toString()).toBe('f'.repeat(1000))
    cache.close()
    expect(snapshot(path)).toEqual(before)
  })

  it('throws ReadOnlyCacheError from every write, and stores nothing', async () => {
    const dir = makeTempDir()
    makeCache(dir)
    const cache = openCache(dir, { readonly: true })
    const writes: [string, () => unknown][] = [
      ['set', () => cache.set('x', 1)],
      ['set (file-backed)', () => cache.set('x', 'y'.repeat(1000))],
      ['add', () => cache.add('x', 1)],
      ['setMany', () => cache.setMany([['x', 1]])],
      ['delete', () => cache.delete('inline')],
      ['deleteMany', () => cache.deleteMany(['inline'])],
      ['pop', () => cache.pop('inline')],
      ['touch', () => cache.touch('inline', 1000)],
      ['incr', () => cache.incr('number')],
      ['decr', () => cache.decr('number')],
      ['push', () => cache.push('v')],
      ['pull', () => cache.pull()],
      ['expire', () => cache.expire()],
      ['evict', () => cache.evict('tag')],
      ['cull', () => cache.cull()],
      ['clear', () => cache.clear()],
      ['transact', () => cache.transact(() => 1)],
      ['reset', () => cache.reset('cullLimit', 3)],
      ['stats({ reset })', () => cache.stats({ reset: true })],
      ['stats({ enable })', () => cache.stats({ enable: true })],
      ['check({ fix })', () => cache.check({ fix: true })],
      ['getOrSet on a miss', () => cache.getOrSet('missing', () => 1)],
    ]
    for (const [name, write] of writes) {
      const error = (() => {
        try {
          write()
        } catch (thrown) {
          return thrown
        }
        return `${name} did not throw`
      })()
      expect([name, error]).toEqual([name, expect.any(ReadOnlyCacheError)])
      expect([name, (error as ReadOnlyCacheError).code]).toEqual([name, 'READ_ONLY'])
    }
    await expect(cache.setStream('x', Readable.from([Buffer.from('abc')]))).rejects.toBeInstanceOf(ReadOnlyCacheError)
    expect(cache.size).toBe(4)
    expect(cache.get('inline')).toBe('small')
    expect(cache.get('number')).toBe(5)
    const valueFiles = readdirSync(join(dir, 'values'), { recursive: true }).filter((name) => String(name).endsWith('.val') || String(name).endsWith('.tmp'))
    expect(valueFiles).toHaveLength(1)
  })

  it('sees what a writer in the same directory stores later', () => {
    const dir = makeTempDir()
    makeCache(dir)
    const writer = openCache(dir)
    const reader = openCache(dir, { readonly: true })
    writer.set('later', 'seen')
    expect(reader.get('later')).toBe('seen')
  })

  it('throws a typed error, and creates nothing, when there is no cache to open', () => {
    const parent = makeTempDir()
    const missingDir = join(parent, 'missing')
    const error = thrownBy(() => openCache(missingDir, { readonly: true }))
    expect(error).toBeInstanceOf(NotACacheError)
    expect(existsSync(missingDir)).toBe(false)
    const emptyDir = makeTempDir()
    expect(() => openCache(emptyDir, { readonly: true })).toThrow(NotACacheError)
    expect(readdirSync(emptyDir)).toEqual([])
  })
})

describe('{ ownerOnly: true }', () => {
  const modeOf = (path: string) => statSync(path).mode & 0o777
  const posix = process.platform === 'win32' ? it.skip : it // Windows has no POSIX permission bits

  posix('creates the directory 0700 and the database, its WAL files and value files 0600', () => {
    const parent = makeTempDir()
    const dir = join(parent, 'private')
    const previous = process.umask(0o022)
    try {
      const cache = openCache(dir, { ownerOnly: true, fileThreshold: 100 })
      cache.set('big', 'b'.repeat(1000))
      expect(modeOf(dir)).toBe(0o700)
      for (const name of readdirSync(dir)) {
        if (name === 'values') continue
        expect([name, modeOf(join(dir, name))]).toEqual([name, 0o600])
      }
      expect(readdirSync(dir)).toEqual(expect.arrayContaining(['cache.db', 'cache.db-wal', 'cache.db-shm']))
      const filename = cache.store.db.prepare('SELECT filename FROM entries WHERE filename IS NOT NULL').pluck().get() as string
      expect(modeOf(join(dir, filename))).toBe(0o600)
      for (let sub = filename; sub.includes('/'); ) {
        sub = sub.slice(0, sub.lastIndexOf('/'))
        expect([sub, modeOf(join(dir, sub))]).toEqual([sub, 0o700])
      }
    } finally {
      process.umask(previous)
    }
  })

  posix('without it, leaves the files readable by others (0644, directories 0755)', () => {
    const parent = makeTempDir()
    const dir = join(parent, 'shared')
    const previous = process.umask(0o022)
    try {
      const cache = openCache(dir, { fileThreshold: 100 })
      cache.set('big', 'b'.repeat(1000))
      expect(modeOf(dir)).toBe(0o755)
      expect(modeOf(join(dir, 'cache.db'))).toBe(0o644)
    } finally {
      process.umask(previous)
    }
  })
})

it('every open-time error is a DiskCacheError', () => {
  const dir = makeTempDir()
  writeFileSync(join(dir, 'cache.db'), 'not sqlite at all, just long enough to have a header')
  expect(() => openCache(dir)).toThrow(DiskCacheError)
})
