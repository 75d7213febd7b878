import { openNativeDatabase } from './native-handles.js'
import { ChildCache, killAllChildren } from './test-support/child-cache.js'
import { openCacheIn } from './test-support/open-cache.js'
import { makeTempDir } from './test-support/temp-dir.js'
import { join } from 'node:path'

afterEach(() => killAllChildren())

describe('opening a cache while another process holds its write lock', () => {
  it('succeeds at once on an existing cache, even with timeout 0, and reads what is stored', async () => {
    const dir = makeTempDir()
    openCacheIn(dir).set('kept', 'value')
    const holder = await ChildCache.start(dir)
    expect(await holder.request('lock')).toBe('locked')
    // With timeout 0 any wait for the lock would throw CacheTimeoutError at once.
    const second = openCacheIn(dir, { timeout: 0 })
    expect(second.get('kept')).toBe('value')
    expect(await holder.request('unlock')).toBe('unlocked')
  })

  it('still creates new caches in incremental auto-vacuum mode', () => {
    const dir = makeTempDir()
    openCacheIn(dir).close()
    const db = openNativeDatabase(join(dir, 'cache.db'), { readonly: true })
    try {
      expect(db.prepare('PRAGMA auto_vacuum').pluck().get()).toBe(2)
    } finally {
      db.close()
    }
  })
})
