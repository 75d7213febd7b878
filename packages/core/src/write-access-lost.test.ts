import { spawnSync } from 'node:child_process'
import { chmodSync, chownSync, mkdirSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { NotWritableError } from './errors.js'
import { BUILT_PACKAGE, ChildCache, killAllChildren } from './test-support/child-cache.js'
import { openCacheIn as openCache } from './test-support/open-cache.js'
import { makeTempDir } from './test-support/temp-dir.js'
import { mountTmpfs, remount, TMPFS_UNAVAILABLE } from './test-support/tmpfs.js'
import { thrownBy } from './test-support/thrown-by.js'

afterEach(killAllChildren)


const withTmpfs = TMPFS_UNAVAILABLE === null ? describe : describe.skip
if (TMPFS_UNAVAILABLE !== null) console.warn(`read-only filesystem tests skipped: ${TMPFS_UNAVAILABLE}`)

// Linux refuses to remount a filesystem read-only while a file on it is open for
// writing, so the cache is closed before the remount: what is tested is opening
// a cache that sits on a read-only filesystem.
withTmpfs('a cache on a read-only filesystem (a tmpfs remounted ro)', () => {
  function readOnlyCache(): string {
    const mount = mountTmpfs(4 * 1024 * 1024)
    const dir = join(mount, 'cache')
    const cache = openCache(dir, { fileThreshold: 1024 })
    cache.set('inline', 'kept')
    cache.set('file', 'F'.repeat(5000))
    cache.close()
    remount(mount, 'ro')
    return mount
  }

  it('refuses to open for writing with NotWritableError naming the fix, and writes nothing', () => {
    const mount = readOnlyCache()
    const error = thrownBy(() => openCache(join(mount, 'cache')))
    expect(error).toBeInstanceOf(NotWritableError)
    expect(error).toMatchObject({ code: 'NOT_WRITABLE' })
    expect((error as Error).message).toMatch(/read-write/)
    expect(readdirSync(join(mount, 'cache')).sort()).toEqual(['cache.db', 'values'])
  })

  it('refuses to create a new cache there with NotWritableError (not a misleading "not found")', () => {
    const mount = readOnlyCache()
    for (const dir of [join(mount, 'new'), join(mount, 'new', 'deeper')]) {
      const error = thrownBy(() => openCache(dir))
      expect(error).toBeInstanceOf(NotWritableError)
      expect(error).toMatchObject({ cause: { code: 'EROFS' } })
    }
  })

  it('cannot be read even with { readonly: true } (SQLite must create the -shm file), and the error says what to do', () => {
    const mount = readOnlyCache()
    const error = thrownBy(() => openCache(join(mount, 'cache'), { readonly: true }))
    expect(error).toBeInstanceOf(NotWritableError)
    expect((error as Error).message).toMatch(/even with \{ readonly: true \}.*copy the directory/s)
  })

  it('opens with every value intact once the filesystem is read-write again', () => {
    const mount = readOnlyCache()
    expect(thrownBy(() => openCache(join(mount, 'cache')))).toBeInstanceOf(NotWritableError)
    remount(mount, 'rw')
    const cache = openCache(join(mount, 'cache'))
    expect(cache.get('inline')).toBe('kept')
    expect(cache.get('file')).toBe('F'.repeat(5000))
    cache.set('after', 1)
    expect(cache.check()).toEqual({ ok: true, problems: [] })
  })
})

// Tests run as root, whom permissions do not stop: the writer is a child that
// drops to uid/gid 65534 (nobody) and owns its cache until the parent takes it away.
const NOBODY = 65534
const nobodyCanLoad =
  process.platform !== 'win32' &&
  process.getuid?.() === 0 &&
  spawnSync(process.execPath, ['-e', `require(${JSON.stringify(BUILT_PACKAGE)})`], { uid: NOBODY, gid: NOBODY, stdio: 'ignore' })
    .status === 0
const asNobody = nobodyCanLoad ? describe : describe.skip
if (!nobodyCanLoad) console.warn('permission tests skipped: they need root, POSIX, and a built package uid 65534 can read')

/** Sets the owner of a tree (root: revoke, nobody: give back). */
function chownTree(path: string, uid: number): void {
  chownSync(path, uid, uid)
  if (statSync(path).isDirectory()) for (const name of readdirSync(path)) chownTree(join(path, name), uid)
}

asNobody('write permission revoked while a process has the cache open', () => {
  async function ownedByNobody(): Promise<{ dir: string; child: ChildCache }> {
    const parent = makeTempDir()
    chmodSync(parent, 0o755)
    const dir = join(parent, 'cache')
    mkdirSync(dir)
    chownSync(dir, NOBODY, NOBODY)
    const child = await ChildCache.start(dir, { uid: NOBODY, gid: NOBODY })
    await child.request('open', { options: { fileThreshold: 1024 } })
    await child.request('set', { key: 'inline', value: 'old' })
    await child.request('set', { key: 'file', value: 'F'.repeat(5000) })
    chownTree(dir, 0) // now root's, 0755/0644: nobody may read, not write
    return { dir, child }
  }

  it('makes a file-backed set() throw NotWritableError and keeps the old value', async () => {
    const { child } = await ownedByNobody()
    await expect(child.request('set', { key: 'file', value: 'G'.repeat(5000) })).rejects.toMatchObject({
      name: 'NotWritableError',
      code: 'NOT_WRITABLE',
      cause: { code: 'EACCES' },
    })
    expect(await child.request('get', { key: 'file' })).toBe('F'.repeat(5000))
  })

  it('lets inline writes go on through the database file SQLite already holds open, and loses none of them', async () => {
    const { dir, child } = await ownedByNobody()
    expect(await child.request('set', { key: 'inline', value: 'new' })).toBe(true)
    await child.request('close')
    const cache = openCache(dir)
    expect(cache.get('inline')).toBe('new')
    expect(cache.get('file')).toBe('F'.repeat(5000))
  })

  it('makes opening it again throw NotWritableError, and works again once the permission is given back', async () => {
    const { dir, child } = await ownedByNobody()
    await child.request('close')
    await expect(child.request('open')).rejects.toMatchObject({ name: 'NotWritableError', code: 'NOT_WRITABLE' })
    chownTree(dir, NOBODY)
    await child.request('open', { options: { fileThreshold: 1024 } })
    expect(await child.request('set', { key: 'file', value: 'G'.repeat(5000) })).toBe(true)
    expect(await child.request('get', { key: 'inline' })).toBe('old')
    await child.request('close')
    expect(openCache(dir).check()).toEqual({ ok: true, problems: [] })
  })
})
