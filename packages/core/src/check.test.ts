import { appendFileSync, existsSync, mkdirSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Cache } from './cache.js'
import { ReadOnlyCacheError } from './errors.js'
import { openCacheIn as openCache } from './test-support/open-cache.js'
import { makeTempDir, manualClock } from './test-support/temp-dir.js'

// The module object itself, so jest.spyOn reaches check.ts.
const fs: typeof import('node:fs') = require('node:fs')

afterEach(() => {
  jest.restoreAllMocks()
})

function filenameOf(cache: Cache, key: string): string {
  return cache.store.db.prepare('SELECT filename FROM entries WHERE kind = 1 AND key = ?').pluck().get(key) as string
}

function counter(cache: Cache, name: string): number {
  return cache.store.db.prepare('SELECT value FROM counters WHERE name = ?').pluck().get(name) as number
}

const ORPHAN = 'values/aa/bb/' + 'c'.repeat(28) + '.val'

/** A cache with two file-backed values and one inline value. */
function filledCache(): { dir: string; cache: Cache } {
  const dir = makeTempDir()
  const cache = openCache(dir, { fileThreshold: 100 })
  cache.set('one', '1'.repeat(1000))
  cache.set('two', '2'.repeat(1000))
  cache.set('inline', 'small')
  return { dir, cache }
}

describe('cache.check()', () => {
  it('finds nothing wrong with a sound cache, empty or not', () => {
    expect(openCache(makeTempDir()).check()).toEqual({ ok: true, problems: [] })
    const { cache } = filledCache()
    expect(cache.check()).toEqual({ ok: true, problems: [] })
    expect(cache.check({ fix: true })).toEqual({ ok: true, problems: [] })
  })

  it('reports an orphan value file, and removes it (and its emptied directories) with fix', () => {
    const { dir, cache } = filledCache()
    // A first-level folder no real value file uses (names are random), so that emptying it is the orphan's doing.
    const used = new Set(readdirSync(join(dir, 'values')))
    const top = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0')).find((name) => !used.has(name))!
    const orphan = `values/${top}/bb/` + 'c'.repeat(28) + '.val'
    mkdirSync(join(dir, `values/${top}/bb`), { recursive: true })
    writeFileSync(join(dir, orphan), 'nobody references me')
    const report = cache.check()
    expect(report.ok).toBe(false)
    expect(report.problems).toEqual([expect.objectContaining({ kind: 'orphan-file', path: orphan, fixed: false })])
    expect(existsSync(join(dir, orphan))).toBe(true) // reporting changes nothing
    const fixed = cache.check({ fix: true })
    expect(fixed.ok).toBe(true)
    expect(fixed.problems.map((problem) => [problem.kind, problem.path, problem.fixed])).toEqual([
      ['orphan-file', orphan, true],
      ['empty-directory', `values/${top}/bb`, true],
      ['empty-directory', `values/${top}`, true],
    ])
    expect(existsSync(join(dir, `values/${top}`))).toBe(false)
    expect(cache.check()).toEqual({ ok: true, problems: [] })
    expect(cache.get('one')).toBe('1'.repeat(1000))
  })

  it('reports an entry whose file is missing, and removes the row with fix', () => {
    const { dir, cache } = filledCache()
    const missing = filenameOf(cache, 'one')
    rmSync(join(dir, missing))
    const report = cache.check()
    expect(report.problems).toContainEqual(expect.objectContaining({ kind: 'missing-file', path: missing, fixed: false }))
    expect(cache.store.db.prepare('SELECT count(*) FROM entries').pluck().get()).toBe(3)
    const fixed = cache.check({ fix: true })
    expect(fixed.ok).toBe(true)
    expect(fixed.problems).toContainEqual(expect.objectContaining({ kind: 'missing-file', path: missing, fixed: true }))
    expect(cache.store.db.prepare('SELECT count(*) FROM entries').pluck().get()).toBe(2)
    expect(counter(cache, 'file_bytes')).toBe(1000) // only 'two' is left in a file
    expect(cache.check()).toEqual({ ok: true, problems: [] })
    expect(cache.get('two')).toBe('2'.repeat(1000))
  })

  it('reports a value file whose size differs from the row, and with fix drops that entry and its file', () => {
    const { dir, cache } = filledCache()
    const file = filenameOf(cache, 'one')
    appendFileSync(join(dir, file), 'extra bytes')
    const report = cache.check()
    expect(report.problems).toEqual([expect.objectContaining({ kind: 'size-mismatch', path: file, fixed: false })])
    expect(cache.check({ fix: true }).ok).toBe(true)
    expect(cache.has('one')).toBe(false)
    expect(existsSync(join(dir, file))).toBe(false)
    expect(counter(cache, 'file_bytes')).toBe(1000)
    expect(cache.get('two')).toBe('2'.repeat(1000))
    expect(cache.check()).toEqual({ ok: true, problems: [] })
  })

  it('reports empty value directories and prunes them with fix, keeping values/ itself', () => {
    const { dir, cache } = filledCache()
    mkdirSync(join(dir, 'values/zz/yy'), { recursive: true })
    mkdirSync(join(dir, 'values/xx'), { recursive: true })
    const report = cache.check()
    expect(report.ok).toBe(false)
    expect(report.problems.map((problem) => problem.path).sort()).toEqual(['values/xx', 'values/zz/yy'])
    expect(cache.check({ fix: true }).ok).toBe(true)
    expect(existsSync(join(dir, 'values/zz'))).toBe(false)
    expect(existsSync(join(dir, 'values/xx'))).toBe(false)
    expect(existsSync(join(dir, 'values'))).toBe(true)
    expect(cache.check()).toEqual({ ok: true, problems: [] })
  })

  it('reports a wrong file-bytes counter and recounts it with fix', () => {
    const { cache } = filledCache()
    cache.store.db.prepare("UPDATE counters SET value = 12345 WHERE name = 'file_bytes'").run()
    expect(cache.check().problems).toEqual([expect.objectContaining({ kind: 'counter-mismatch', fixed: false })])
    expect(cache.check({ fix: true }).ok).toBe(true)
    expect(counter(cache, 'file_bytes')).toBe(2000)
    expect(cache.check()).toEqual({ ok: true, problems: [] })
  })

  it('spares a fresh temp file (a writer may be filling it) and removes one older than an hour', () => {
    const { dir, cache } = filledCache()
    const fresh = 'values/aa/bb/' + 'f'.repeat(28) + '.val.tmp'
    const old = 'values/aa/cc/' + 'e'.repeat(28) + '.val.tmp'
    for (const name of [fresh, old]) {
      mkdirSync(join(dir, name, '..'), { recursive: true })
      writeFileSync(join(dir, name), 'partial')
    }
    const longAgo = new Date(Date.now() - 61 * 60 * 1000)
    utimesSync(join(dir, old), longAgo, longAgo)
    expect(cache.check().problems).toEqual([expect.objectContaining({ kind: 'stale-temp-file', path: old, fixed: false })])
    expect(cache.check({ fix: true }).ok).toBe(true)
    expect(existsSync(join(dir, old))).toBe(false)
    expect(existsSync(join(dir, fresh))).toBe(true)
    expect(cache.check()).toEqual({ ok: true, problems: [] })
  })

  it('judges a temp file’s age by the wall clock, not by an injected `now`', () => {
    const dir = makeTempDir()
    const clock = manualClock(Date.now())
    const cache = openCache(dir, { now: clock.now })
    const fresh = 'values/aa/bb/' + 'f'.repeat(28) + '.val.tmp'
    mkdirSync(join(dir, 'values/aa/bb'), { recursive: true })
    writeFileSync(join(dir, fresh), 'a writer in another process is filling me')
    clock.advance(3 * 60 * 60 * 1000) // a test moves its clock on; the writer's file is still fresh
    expect(cache.check({ fix: true })).toEqual({ ok: true, problems: [] })
    expect(existsSync(join(dir, fresh))).toBe(true)
  })

  it('does not fail when a file disappears while it scans (another process deleting after its commit)', () => {
    const { dir, cache } = filledCache()
    mkdirSync(join(dir, 'values/aa/bb'), { recursive: true })
    writeFileSync(join(dir, ORPHAN), 'about to go')
    const realLstatSync = fs.lstatSync
    jest.spyOn(fs, 'lstatSync').mockImplementation(((path: string, ...rest: unknown[]) => {
      if (String(path).endsWith(ORPHAN) && existsSync(path)) fs.unlinkSync(path) // the other process wins the race
      return (realLstatSync as (...args: unknown[]) => unknown)(path, ...rest)
    }) as typeof fs.lstatSync)
    const report = cache.check({ fix: true })
    jest.restoreAllMocks()
    expect(report.problems.filter((problem) => problem.kind !== 'empty-directory')).toEqual([])
    expect(cache.check()).toEqual({ ok: true, problems: [] })
  })

  it('with readonly reports problems but refuses to fix them', () => {
    const { dir, cache } = filledCache()
    cache.close()
    mkdirSync(join(dir, 'values/aa/bb'), { recursive: true })
    writeFileSync(join(dir, ORPHAN), 'orphan')
    const reader = openCache(dir, { readonly: true })
    expect(reader.check().problems).toEqual([expect.objectContaining({ kind: 'orphan-file', fixed: false })])
    expect(() => reader.check({ fix: true })).toThrow(ReadOnlyCacheError)
    expect(existsSync(join(dir, ORPHAN))).toBe(true)
  })
})
