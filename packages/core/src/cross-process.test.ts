import { createHash } from 'node:crypto'
import { readdirSync, statSync, utimesSync } from 'node:fs'
import { join } from 'node:path'
import { Cache } from './cache.js'
import { CacheTimeoutError, DiskFullError } from './errors.js'
import { ChildCache, killAllChildren, runTogether } from './test-support/child-cache.js'
import { openCacheIn as openCache } from './test-support/open-cache.js'
import { makeTempDir } from './test-support/temp-dir.js'

afterEach(killAllChildren)


function startChildren(directory: string, count: number): Promise<ChildCache[]> {
  return Promise.all(Array.from({ length: count }, () => ChildCache.start(directory)))
}

function sha256(buffer: Buffer): string {
  return createHash('sha256').update(buffer).digest('hex')
}

/** Every file under `directory`, relative to it. */
function listFiles(directory: string, prefix = ''): string[] {
  return readdirSync(join(directory, prefix), { withFileTypes: true }).flatMap((entry) => {
    const relative = prefix ? `${prefix}/${entry.name}` : entry.name
    return entry.isDirectory() ? listFiles(directory, relative) : [relative]
  })
}

const INTEGRITY_KINDS = ['integrity', 'missing-file', 'size-mismatch', 'counter-mismatch']

describe('several processes on one directory', () => {
  it('lose no increment when 4 processes incr() one key 500 times each at once', async () => {
    const dir = makeTempDir()
    const children = await startChildren(dir, 4)
    // They open the fresh directory together too: the schema must be created exactly once.
    await runTogether(children, 'open', {})
    const results = await runTogether(children, 'incrLoop', { key: 'counter', count: 500 })
    expect(results).toEqual([expect.any(Number), expect.any(Number), expect.any(Number), expect.any(Number)])
    expect(Math.max(...(results as number[]))).toBe(2000)
    expect(openCache(dir).get('counter')).toBe(2000)
  })

  it('let exactly one of 4 simultaneous add() calls store, and keep the winner’s value', async () => {
    const children = await startChildren(makeTempDir(), 4)
    for (let round = 0; round < 5; round++) {
      const dir = makeTempDir()
      openCache(dir).close() // create the cache first, so the race is on add() alone
      await Promise.all(children.map((child) => child.request('open', { at: dir })))
      await Promise.all(children.map((child) => child.request('arm', { op: 'add', args: { key: 'k', value: `from ${child.pid}` } })))
      const startAt = Date.now() + 50
      const results = await Promise.all(children.map((child) => child.request('go', { startAt })))
      expect(results.filter((stored) => stored === true)).toHaveLength(1)
      expect(results.filter((stored) => stored === false)).toHaveLength(3)
      const winner = children[results.indexOf(true)]!
      expect(openCache(dir).get('k')).toBe(`from ${winner.pid}`)
    }
  })

  it('see each other’s writes, and every Cache object sees them too', async () => {
    const dir = makeTempDir()
    const [a, b] = await startChildren(dir, 2)
    await a!.request('open', { options: { fileThreshold: 100 } })
    await b!.request('open')
    const here1 = openCache(dir)
    const here2 = openCache(dir)
    await a!.request('set', { key: 'from-a', value: 'a'.repeat(500) }) // file-backed
    await b!.request('set', { key: 'from-b', value: 42 })
    here1.set('from-here', 'parent')
    expect(await b!.request('get', { key: 'from-a' })).toBe('a'.repeat(500))
    expect(await a!.request('get', { key: 'from-b' })).toBe(42)
    expect(await a!.request('get', { key: 'from-here' })).toBe('parent')
    expect(here2.get('from-a')).toBe('a'.repeat(500))
    expect(here2.get('from-b')).toBe(42)
    await b!.request('set', { key: 'from-a', value: 'replaced' })
    expect(here1.get('from-a')).toBe('replaced')
    expect(await a!.request('get', { key: 'from-a' })).toBe('replaced')
    expect(listFiles(dir).filter((name) => name.startsWith('values/'))).toEqual([]) // the old file went with its row
  })

  it('share settings: what one opener passed is what the next one gets', async () => {
    const dir = makeTempDir()
    const [first, second] = await startChildren(dir, 2)
    await first!.request('open', { options: { fileThreshold: 1000, cullLimit: 3, compression: 'gzip' } })
    const seen = await second!.request<Record<string, unknown>>('open')
    expect(seen).toMatchObject({ fileThreshold: 1000, cullLimit: 3, compression: 'gzip' })
    expect(openCache(dir).settings).toMatchObject({ fileThreshold: 1000, cullLimit: 3, compression: 'gzip' })
    openCache(dir).reset('cullLimit', 7)
    expect(await first!.request('settings')).toMatchObject({ cullLimit: 7, fileThreshold: 1000 })
  })

  it('create a new directory together: every open succeeds and the one explicit setting is kept', async () => {
    // Both races seen here were found by this test: an opener reading the
    // half-created schema as a foreign database, and a default-settings opener
    // overwriting another's explicit setting.
    const children = await startChildren(makeTempDir(), 4)
    for (let round = 0; round < 12; round++) {
      const dir = makeTempDir()
      const explicit = round % 4
      await Promise.all(
        children.map((child, i) => child.request('arm', { op: 'open', args: { at: dir, options: i === explicit ? { cullLimit: 3 } : {} } })),
      )
      const startAt = Date.now() + 50
      const opened = await Promise.all(children.map((child) => child.request('go', { startAt }).catch((error: unknown) => error)))
      expect(opened.filter((result) => result instanceof Error)).toEqual([])
      expect(await runTogether(children, 'incrLoop', { key: 'n', count: 10 })).toContain(40)
      const cache = openCache(dir)
      expect([round, cache.settings.cullLimit]).toEqual([round, 3])
      expect(cache.get('n')).toBe(40)
    }
  })
})

describe('a write lock held by another process', () => {
  it('makes set() throw CacheTimeoutError after `timeout` ms, loses nothing, and lets reads go on', async () => {
    const dir = makeTempDir()
    const cache = openCache(dir, { timeout: 200, fileThreshold: 100 })
    cache.set('kept', 'old')
    cache.set('kept-file', 'f'.repeat(1000))
    const filesBefore = listFiles(dir).filter((name) => name.startsWith('values/'))
    const holder = await ChildCache.start(dir)
    expect(await holder.request('lock')).toBe('locked')

    const started = performance.now()
    let thrown: unknown
    try {
      cache.set('kept-file', 'n'.repeat(1000))
    } catch (error) {
      thrown = error
    }
    const waited = performance.now() - started
    expect(thrown).toBeInstanceOf(CacheTimeoutError)
    expect((thrown as CacheTimeoutError).code).toBe('CACHE_TIMEOUT')
    expect(waited).toBeGreaterThanOrEqual(150)
    expect(waited).toBeLessThan(3000)
    expect(() => cache.set('kept', 'new')).toThrow(CacheTimeoutError)
    expect(() => cache.delete('kept')).toThrow(CacheTimeoutError)
    // WAL: readers never wait for the writer.
    expect(cache.get('kept')).toBe('old')
    expect(cache.get('kept-file')).toBe('f'.repeat(1000))
    expect(listFiles(dir).filter((name) => name.startsWith('values/'))).toEqual(filesBefore) // the staged file is gone

    expect(await holder.request('unlock')).toBe('unlocked')
    cache.set('kept', 'new')
    expect(cache.get('kept')).toBe('new')
    expect(cache.get('kept-file')).toBe('f'.repeat(1000))
  })

  it('also times out a transact() and rolls nothing half-way', async () => {
    const dir = makeTempDir()
    const cache = openCache(dir, { timeout: 100 })
    cache.set('a', 1)
    const holder = await ChildCache.start(dir)
    await holder.request('lock')
    let ran = false
    expect(() =>
      cache.transact(() => {
        ran = true
        cache.set('a', 2)
      }),
    ).toThrow(CacheTimeoutError)
    expect(ran).toBe(false)
    await holder.request('unlock')
    expect(cache.get('a')).toBe(1)
  })
})

describe('a writer killed with SIGKILL', () => {
  it('in a set() loop of file-backed values leaves a sound cache holding every acknowledged write', async () => {
    const dir = makeTempDir()
    openCache(dir, { fileThreshold: 1024 }).close()
    const writer = await ChildCache.start(dir)
    await writer.request('open')
    void writer.request('setLoop', { size: 200_000 }).catch(() => undefined)
    await writer.waitForEvent('acked', (event) => event.key === 'k40')
    await writer.kill('SIGKILL')
    const acked = writer.events.filter((event) => event.event === 'acked')
    expect(acked.length).toBeGreaterThanOrEqual(41)

    const cache = openCache(dir)
    const report = cache.check()
    expect(report.problems.filter((problem) => INTEGRITY_KINDS.includes(problem.kind))).toEqual([])
    for (const { key, sha256: expected } of acked) {
      const value = cache.get(key as string) as Buffer | undefined
      expect(value && sha256(value)).toBe(expected)
    }
    // Reopening recovered what the kill left: nothing to report, nothing to fix.
    expect(report).toEqual({ ok: true, problems: [] })
    // Every value file left is referenced by a row: no orphans, no stale pieces.
    const referenced = new Set(
      cache.store.db.prepare('SELECT filename FROM entries WHERE filename IS NOT NULL').pluck().all() as string[],
    )
    const left = listFiles(dir).filter((name) => name.startsWith('values/') && !name.endsWith('.tmp'))
    expect(left.filter((name) => !referenced.has(name))).toEqual([])
  })

  it('in the middle of setStream() leaves a fresh temp file that recovery spares until it is an hour old, then removes', async () => {
    const dir = makeTempDir()
    const writer = await ChildCache.start(dir)
    await writer.request('open')
    void writer.request('streamForever', { chunk: 64 * 1024, reportAfter: 4 * 1024 * 1024 }).catch(() => undefined)
    const acked = await writer.waitForEvent('acked')
    await writer.waitForEvent('streaming')
    await writer.kill('SIGKILL')

    const cache = openCache(dir)
    expect(cache.has('endless')).toBe(false)
    expect(sha256(cache.get('complete') as Buffer)).toBe(acked.sha256)
    const temps = listFiles(dir).filter((name) => name.endsWith('.val.tmp'))
    expect(temps).toHaveLength(1)
    const temp = temps[0]!
    expect(statSync(join(dir, temp)).size).toBeGreaterThan(0)

    // A fresh temp file may belong to a live writer: check() leaves it alone.
    expect(cache.check()).toEqual({ ok: true, problems: [] })
    expect(cache.check({ fix: true })).toEqual({ ok: true, problems: [] })
    expect(listFiles(dir)).toContain(temp)

    // Once stale it is the dead writer's for sure: its name was recorded as pending, so recovery
    // (here the one check() runs first) removes it, and nothing is left to report or to fix.
    const twoHoursAgo = new Date(Date.now() - 2 * 60 * 60 * 1000)
    utimesSync(join(dir, temp), twoHoursAgo, twoHoursAgo)
    expect(cache.check()).toEqual({ ok: true, problems: [] })
    expect(listFiles(dir).filter((name) => name.endsWith('.tmp'))).toEqual([])
    expect(cache.check()).toEqual({ ok: true, problems: [] })
    expect(sha256(cache.get('complete') as Buffer)).toBe(acked.sha256)
  })
})

describe('a full disk (emulated with ulimit -f)', () => {
  // SQLite reports a file-size limit as SQLITE_IOERR_WRITE (it keeps SQLITE_FULL for ENOSPC), so
  // the limit emulates a full disk for value files only; translate-error.test.ts covers SQLITE_FULL.
  const withUlimit = process.platform === 'win32' ? it.skip : it
  withUlimit('makes a value-file write throw DiskFullError and keeps what was stored before', async () => {
    const dir = makeTempDir()
    openCache(dir, { fileThreshold: 1024 }).close()
    // 2 MiB per file: the database stays below it, the growing values do not.
    const writer = await ChildCache.start(dir, { fileSizeLimitKiB: 2048 })
    await writer.request('open')
    const { stored, error } = await writer.request<{
      stored: { key: string; sha256: string }[]
      error: { name: string; code: string; cause: string } | null
    }>('fillUntilFull', { size: 300_000 })
    expect(error).toEqual({ name: DiskFullError.name, code: 'DISK_FULL', cause: 'EFBIG' })
    expect(stored.length).toBeGreaterThan(0)
    // The writer is still usable after the failure.
    expect(await writer.request('set', { key: 'after', value: 'small' })).toBe(true)
    await writer.request('close')

    const cache = openCache(dir)
    for (const { key, sha256: expected } of stored) expect(sha256(cache.get(key) as Buffer)).toBe(expected)
    expect(cache.get('after')).toBe('small')
    expect(cache.check()).toEqual({ ok: true, problems: [] }) // no partial file, no empty directory left
  })
})
