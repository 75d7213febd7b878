import { execFileSync } from 'node:child_process'
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { Cache } from './cache.js'
import type { CacheKey } from './cache-key.js'
import { CorruptCacheError } from './errors.js'
import { openCacheIn as openCache } from './test-support/open-cache.js'
import { makeTempDir } from './test-support/temp-dir.js'

afterEach(() => {
  jest.restoreAllMocks()
})

/** Every path under `root` (relative, '/'-separated), links listed, never followed. */
function walk(root: string, dir = root): string[] {
  const found: string[] = []
  for (const name of readdirSync(dir)) {
    const path = join(dir, name)
    found.push(relative(root, path).split('\\').join('/'))
    if (lstatSync(path).isDirectory()) found.push(...walk(root, path))
  }
  return found.sort()
}

function filenameOf(cache: Cache, key: string): string {
  return cache.store.db.prepare('SELECT filename FROM entries WHERE kind = 1 AND key = ?').pluck().get(key) as string
}

const CACHE_FILE = /^cache(\/(cache\.db(-wal|-shm)?|values(\/[0-9a-f]{2}(\/[0-9a-f]{2}(\/[0-9a-f]{28}\.val)?)?)?))?$/

describe('value file names', () => {
  const HOSTILE_KEYS: CacheKey[] = [
    '../../etc/passwd',
    '../../../../../../tmp/escaped',
    '/abs/path',
    'C:\\Windows\\system32',
    'a\0b',
    '..',
    '.',
    'k'.repeat(10_000),
    ['..', '..', 'etc'],
    Buffer.from('../../x'),
    -1,
  ]

  it('never come from keys: hostile keys land only in cache.db and values/xx/yy/<generated>.val', () => {
    const parent = makeTempDir()
    const cache = openCache(join(parent, 'cache'), { fileThreshold: 100 })
    HOSTILE_KEYS.forEach((key, i) => cache.set(key, `value ${i} `.repeat(50)))
    HOSTILE_KEYS.forEach((key, i) => expect(cache.get(key)).toBe(`value ${i} `.repeat(50)))
    const paths = walk(parent)
    for (const path of paths) expect(path).toMatch(CACHE_FILE)
    expect(paths.filter((path) => path.endsWith('.val'))).toHaveLength(HOSTILE_KEYS.length)
    expect(existsSync('/tmp/escaped')).toBe(false)
  })

  it('read from the database are refused unless diskcache could have made them (a tampered row reads as a miss)', () => {
    const parent = makeTempDir()
    writeFileSync(join(parent, 'secret'), 's'.repeat(5000))
    const cache = openCache(join(parent, 'cache'), { fileThreshold: 100 })
    cache.set('key', 'v'.repeat(5000))
    jest.spyOn(process, 'emitWarning').mockImplementation(() => {})
    cache.store.db.prepare("UPDATE entries SET filename = '../secret'").run()
    expect(cache.get('key')).toBeUndefined()
    expect(readFileSync(join(parent, 'secret'), 'utf8')).toBe('s'.repeat(5000))
  })
})

const posix = process.platform === 'win32' ? describe.skip : describe // creating symlinks needs privileges on Windows

posix('symbolic links planted in the cache directory', () => {
  /** A cache in parent/cache, and an outside directory parent/outside. */
  function setup(): { parent: string; dir: string; outside: string; cache: Cache } {
    const parent = makeTempDir()
    const dir = join(parent, 'cache')
    const outside = join(parent, 'outside')
    mkdirSync(outside)
    const cache = openCache(dir, { fileThreshold: 100 })
    jest.spyOn(process, 'emitWarning').mockImplementation(() => {})
    return { parent, dir, outside, cache }
  }

  it('in place of a value file are not read: the outside file’s content never comes back, even at the recorded size', () => {
    const { dir, outside, cache } = setup()
    cache.set('key', 'v'.repeat(5000))
    const file = join(dir, filenameOf(cache, 'key'))
    writeFileSync(join(outside, 'target'), 'o'.repeat(5000)) // same size, so only the link gives it away
    rmSync(file)
    symlinkSync(join(outside, 'target'), file)
    expect(cache.get('key')).toBeUndefined()
    expect(cache.getStream('key')).toBeUndefined()
    expect(readFileSync(join(outside, 'target'), 'utf8')).toBe('o'.repeat(5000)) // dropping the entry removed the link only
    expect(existsSync(file)).toBe(false)
  })

  it('pointing at a system file (/etc/hostname) are not read', () => {
    const target = ['/etc/hostname', '/etc/hosts', '/etc/passwd'].find((path) => existsSync(path))!
    const { dir, cache } = setup()
    cache.set('key', 'v'.repeat(5000))
    const file = join(dir, filenameOf(cache, 'key'))
    rmSync(file)
    symlinkSync(target, file)
    const before = readFileSync(target)
    expect(cache.get('key')).toBeUndefined()
    expect(readFileSync(target)).toEqual(before)
  })

  it('in place of a value-file folder are not followed by reads, deletes or check({ fix: true })', () => {
    const { dir, outside, cache } = setup()
    cache.set('key', 'v'.repeat(5000))
    const name = filenameOf(cache, 'key')
    const folder = join(dir, name.slice(0, 'values/ab'.length))
    // The attacker's copy of the folder, outside, holds a file at the same name with other content.
    renameSync(folder, join(outside, 'ab'))
    writeFileSync(join(outside, 'ab', name.slice('values/ab/'.length)), 'o'.repeat(5000))
    symlinkSync(join(outside, 'ab'), folder)
    const outsideBefore = walk(outside)
    expect(cache.get('key')).toBeUndefined()
    expect(cache.delete('key')).toBe(false)
    const report = cache.check({ fix: true })
    expect(report.problems).toContainEqual(expect.objectContaining({ kind: 'symlink', fixed: true }))
    expect(walk(outside)).toEqual(outsideBefore)
    expect(readFileSync(join(outside, 'ab', name.slice('values/ab/'.length)), 'utf8')).toBe('o'.repeat(5000))
    expect(existsSync(folder)).toBe(false)
    expect(cache.check()).toEqual({ ok: true, problems: [] })
  })

  it('in place of every value-file folder make file-backed writes throw CorruptCacheError and create nothing outside', async () => {
    const { dir, outside, cache } = setup()
    mkdirSync(join(dir, 'values'), { recursive: true })
    for (let i = 0; i < 256; i++) symlinkSync(outside, join(dir, 'values', i.toString(16).padStart(2, '0')))
    expect(() => cache.set('key', 'v'.repeat(5000))).toThrow(CorruptCacheError)
    await expect(cache.setStream('streamed', [Buffer.alloc(5000)])).rejects.toBeInstanceOf(CorruptCacheError)
    expect(readdirSync(outside)).toEqual([])
    cache.set('inline', 'small') // inline values need no folder
    expect(cache.get('inline')).toBe('small')
  })

  it('in place of values/ itself make file-backed writes throw CorruptCacheError, and check({ fix: true }) removes the link', () => {
    const { dir, outside, cache } = setup()
    symlinkSync(outside, join(dir, 'values'))
    expect(() => cache.set('key', 'v'.repeat(5000))).toThrow(CorruptCacheError)
    expect(readdirSync(outside)).toEqual([])
    expect(cache.check({ fix: true }).problems).toEqual([expect.objectContaining({ kind: 'symlink', path: 'values', fixed: true })])
    cache.set('key', 'v'.repeat(5000))
    expect(cache.get('key')).toBe('v'.repeat(5000))
    expect(readdirSync(outside)).toEqual([])
  })

  it('of other kinds (a FIFO in place of a value file) do not hang a read', () => {
    const { dir, cache } = setup()
    cache.set('key', 'v'.repeat(5000))
    const file = join(dir, filenameOf(cache, 'key'))
    rmSync(file)
    execFileSync('mkfifo', [file])
    expect(cache.get('key')).toBeUndefined()
  })
})
