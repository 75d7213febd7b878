import { ChildCache, killAllChildren } from './test-support/child-cache.js'
import { CACHE_IMPLEMENTATIONS, openCacheIn, openFanoutCache } from './test-support/open-cache.js'
import { makeTempDir, manualClock } from './test-support/temp-dir.js'

afterEach(killAllChildren)

describe.each(CACHE_IMPLEMENTATIONS)('dataVersion() of a $name', ({ open: openCache }) => {
  it('stays the same while nothing changes, reads included', () => {
    const cache = openCache()
    cache.set('a', 1)
    const version = cache.dataVersion()
    expect(cache.get('a')).toBe(1)
    expect(cache.has('a')).toBe(true)
    expect(cache.dataVersion()).toBe(version)
  })

  it('moves after each write, delete, evict and clear by the same cache', () => {
    const cache = openCache()
    const seen = [cache.dataVersion()]
    cache.set('a', 1, { tags: ['t'] })
    seen.push(cache.dataVersion())
    cache.set('a', 1, { tags: ['t'] }) // the same value again is still a write
    seen.push(cache.dataVersion())
    cache.evict('t')
    seen.push(cache.dataVersion())
    cache.set('b', 2)
    seen.push(cache.dataVersion())
    cache.delete('b')
    seen.push(cache.dataVersion())
    cache.set('c', 3)
    seen.push(cache.dataVersion())
    cache.clear()
    seen.push(cache.dataVersion())
    expect(new Set(seen).size).toBe(seen.length)
  })

  it('moves after another connection to the same directory writes or deletes', () => {
    const directory = makeTempDir()
    const reader = openCache(undefined, directory)
    const writer = openCache(undefined, directory)
    const before = reader.dataVersion()
    writer.set('a', 1)
    const afterSet = reader.dataVersion()
    expect(afterSet).not.toBe(before)
    writer.delete('a')
    expect(reader.dataVersion()).not.toBe(afterSet)
  })

  it('does not move when an entry merely expires', () => {
    const clock = manualClock()
    const cache = openCache({ now: clock.now })
    cache.set('a', 1, { ttl: 1000 })
    const version = cache.dataVersion()
    clock.advance(2000)
    expect(cache.get('a')).toBeUndefined()
    expect(cache.dataVersion()).toBe(version)
  })
})

describe('Cache.dataVersion() across processes', () => {
  it('moves as soon as another process has stored a value', async () => {
    const directory = makeTempDir()
    const cache = openCacheIn(directory)
    const child = await ChildCache.start(directory)
    await child.request('open', {})
    const before = cache.dataVersion()
    await child.request('set', { key: 'a', value: 1 })
    expect(cache.dataVersion()).not.toBe(before)
  })
})

describe('FanoutCache.dataVersion(key)', () => {
  it('moves when that key changes, and reads only its shard', () => {
    const cache = openFanoutCache({ shards: 3 })
    const key = 'a'
    const shard = cache.shardFor(key)
    const other = cache.shards.find((candidate) => candidate !== shard)!
    const keyOnOther = Array.from({ length: 100 }, (_, i) => `k${i}`).find((candidate) => cache.shardFor(candidate) === other)!
    const before = cache.dataVersion(key)
    cache.set(keyOnOther, 1)
    expect(cache.dataVersion(key)).toBe(before) // another shard's write leaves this key's version alone
    cache.set(key, 1)
    expect(cache.dataVersion(key)).not.toBe(before)
  })
})
