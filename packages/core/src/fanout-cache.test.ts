import { existsSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Cache } from './cache.js'
import { CacheClosedError, CacheTimeoutError, InvalidKeyError, InvalidOptionError, NotACacheError, TransactionError } from './errors.js'
import { FanoutCache } from './fanout-cache.js'
import { Lock } from './recipes/lock.js'
import { openNativeDatabase } from './native-handles.js'
import { shardOfKey } from './shard-of-key.js'
import { ChildCache, killAllChildren, runTogether } from './test-support/child-cache.js'
import { openCacheIn, openFanoutCache } from './test-support/open-cache.js'
import { makeTempDir, manualClock } from './test-support/temp-dir.js'

afterEach(killAllChildren)

describe('shardOfKey()', () => {
  it('places keys by a fixed hash, so a new version never moves existing keys', () => {
    // Changing these numbers would strand every key stored by an earlier version.
    expect(['a', 'user:1', '', 1, 1n, 2.5, Buffer.from('a'), ['a', 1]].map((key) => shardOfKey(key, 8))).toEqual([
      7, 2, 4, 4, 1, 4, 6, 7,
    ])
  })

  it('treats 1, 1n and "1" as three keys', () => {
    const shards = new Set(['1', 1, 1n].map((key) => shardOfKey(key, 997)))
    expect(shards.size).toBe(3)
  })

  it('spreads many keys evenly', () => {
    const counts = new Array<number>(8).fill(0)
    for (let i = 0; i < 8000; i++) counts[shardOfKey(`key-${i}`, 8)]!++
    for (const count of counts) expect(count).toBeGreaterThan(800)
  })

  it('rejects a key no cache can store', () => {
    expect(() => shardOfKey({}, 8)).toThrow(InvalidKeyError)
  })
})

describe('new FanoutCache()', () => {
  it('keeps each key in its shard directory, 000 to 00N', () => {
    const dir = makeTempDir()
    const cache = openFanoutCache({ shards: 4 }, dir)
    for (let i = 0; i < 40; i++) cache.set(`k${i}`, i)
    expect(readdirSync(dir).sort()).toEqual(['000', '001', '002', '003', 'fanout.json'])
    for (let i = 0; i < 40; i++) {
      const shard = openCacheIn(join(dir, String(shardOfKey(`k${i}`, 4)).padStart(3, '0')))
      expect(shard.get(`k${i}`)).toBe(i)
    }
    expect(cache.shards.map((shard) => shard.size).every((size) => size > 0)).toBe(true)
  })

  it('uses 8 shards by default, and the recorded count when reopened without one', () => {
    const dir = makeTempDir()
    openFanoutCache({ shards: undefined }, dir).close()
    expect(openFanoutCache({ shards: 5 }, makeTempDir()).shardCount).toBe(5)
    expect(new FanoutCache(dir).shardCount).toBe(8)
    const other = makeTempDir()
    openFanoutCache({ shards: 5 }, other).set('k', 'v')
    const reopened = new FanoutCache(other)
    expect(reopened.shardCount).toBe(5)
    expect(reopened.get('k')).toBe('v')
    reopened.close()
  })

  it('refuses to reopen a directory with another shard count, naming the right one', () => {
    const dir = makeTempDir()
    openFanoutCache({ shards: 4 }, dir).close()
    expect(() => new FanoutCache(dir, { shards: 8 })).toThrow(InvalidOptionError)
    expect(() => new FanoutCache(dir, { shards: 8 })).toThrow(/created with 4 shards.*\{ shards: 4 \}/)
  })

  it('refuses a layout file that is not ours and leaves it alone', () => {
    const dir = makeTempDir()
    writeFileSync(join(dir, 'fanout.json'), '{"something": "else"}')
    expect(() => new FanoutCache(dir)).toThrow(NotACacheError)
    expect(readdirSync(dir)).toEqual(['fanout.json'])
  })

  it('validates its own options and suggests the right spelling', () => {
    expect(() => new FanoutCache(makeTempDir(), { shard: 4 } as never)).toThrow(/did you mean "shards"/)
    expect(() => new FanoutCache(makeTempDir(), { shards: 0 })).toThrow(InvalidOptionError)
    expect(() => new FanoutCache(makeTempDir(), { shards: 2.5 })).toThrow(InvalidOptionError)
    expect(() => new FanoutCache(makeTempDir(), { onTimeout: 'ignore' as never })).toThrow(InvalidOptionError)
    expect(() => new FanoutCache(makeTempDir(), { sizeLimit: -1 })).toThrow(InvalidOptionError)
  })
})

describe('FanoutCache sizeLimit', () => {
  it('is split evenly over the shards and reported whole', () => {
    const cache = openFanoutCache({ shards: 4, sizeLimit: 4000000 })
    expect(cache.shards.map((shard) => shard.settings.sizeLimit)).toEqual([1000000, 1000000, 1000000, 1000000])
    expect(cache.settings.sizeLimit).toBe(4000000)
  })

  it('gives a new cache each shard its share of the default, and keeps a reset across reopening', () => {
    const dir = makeTempDir()
    const cache = openFanoutCache({ shards: 4 }, dir)
    expect(cache.shards[0]!.settings.sizeLimit).toBe(2 ** 30 / 4)
    expect(cache.reset('sizeLimit', 8000000)).toBe(8000000)
    expect(cache.shards.map((shard) => shard.settings.sizeLimit)).toEqual([2000000, 2000000, 2000000, 2000000])
    cache.close()
    expect(openFanoutCache({ shards: undefined }, dir).reset('sizeLimit')).toBe(8000000)
  })

  it('is enforced per shard by eviction', () => {
    const cache = openFanoutCache({ shards: 2, sizeLimit: 2 * 200000, cullLimit: 100 })
    for (let i = 0; i < 200; i++) cache.set(`k${i}`, Buffer.alloc(4000, i))
    expect(cache.volume()).toBeLessThan(2 * 200000 + 2 * 64 * 1024)
    expect(cache.size).toBeLessThan(200)
  })

  it('evicts in each shard\'s own order: a busy shard drops entries newer than a quiet shard keeps', () => {
    const clock = manualClock()
    const cache = openFanoutCache({ shards: 2, sizeLimit: 2 * 100000, now: clock.now })
    const inShard = (shard: number, count: number) => {
      const keys: string[] = []
      for (let i = 0; keys.length < count; i++) if (shardOfKey(`s${shard}-${i}`, 2) === shard) keys.push(`s${shard}-${i}`)
      return keys
    }
    const quiet = inShard(1, 5)
    const busy = inShard(0, 60)
    for (const key of quiet) {
      cache.set(key, Buffer.alloc(1000, 1))
      clock.advance(1)
    }
    for (const key of busy) {
      cache.set(key, Buffer.alloc(4000, 2)) // 240 KB into a shard whose share is 100 KB
      clock.advance(1)
    }
    // The quiet shard keeps its entries, stored before any of the busy shard's...
    expect(quiet.filter((key) => !cache.has(key))).toEqual([])
    // ...while the busy shard has dropped its own oldest, and only those.
    const kept = busy.map((key) => cache.has(key))
    const firstKept = kept.indexOf(true)
    expect(firstKept).toBeGreaterThan(10)
    expect(kept.slice(firstKept).every(Boolean)).toBe(true)
    expect(cache.shards[0]!.volume()).toBeLessThanOrEqual(100000 + 64 * 1024)
  })
})

describe('FanoutCache operations over every shard', () => {
  function filled(count = 30, options = {}) {
    const clock = manualClock()
    const cache = openFanoutCache({ shards: 3, now: clock.now, ...options })
    for (let i = 0; i < count; i++) cache.set(`k${i}`, i, { tags: i % 2 ? ['odd'] : [], ttl: i < 5 ? 1000 : null })
    return { cache, clock }
  }

  it('iterate and clear by key prefix in every shard', () => {
    const cache = openFanoutCache({ shards: 3 })
    for (let i = 0; i < 12; i++) cache.set(`user:${i}`, i)
    for (let i = 0; i < 5; i++) cache.set(`post:${i}`, i)
    expect([...cache.keys({ prefix: 'post:' })].sort()).toEqual(['post:0', 'post:1', 'post:2', 'post:3', 'post:4'])
    expect(cache.clear({ prefix: 'user:' })).toBe(12)
    expect(cache.size).toBe(5)
  })

  it('count, measure and clear every shard', () => {
    const { cache } = filled()
    expect(cache.size).toBe(30)
    expect(cache.volume()).toBe(cache.shards.reduce((sum, shard) => sum + shard.volume(), 0))
    expect(cache.clear()).toBe(30)
    expect(cache.shards.map((shard) => shard.size)).toEqual([0, 0, 0])
  })

  it('evict a tag and expire entries in every shard', () => {
    const { cache, clock } = filled()
    expect(cache.evict('odd')).toBe(15)
    clock.advance(1000)
    expect(cache.expire()).toBe(3) // k0, k2, k4 (k1 and k3 left with their tag)
    expect([...cache.keys()].sort()).toEqual(Array.from({ length: 12 }, (_, i) => `k${6 + i * 2}`).sort())
  })

  it('iterate every entry once, in both directions', () => {
    const { cache } = filled(50)
    const forward = [...cache.keys()]
    expect([...forward].sort()).toEqual(Array.from({ length: 50 }, (_, i) => `k${i}`).sort())
    expect([...cache.keys({ reverse: true })]).toEqual([...forward].reverse())
    expect(new Map(cache.entries()).get('k42')).toBe(42)
    expect([...cache.values()].length).toBe(50)
  })

  it('peekItem() finds the newest and oldest entry over all shards', () => {
    const clock = manualClock()
    const cache = openFanoutCache({ now: clock.now })
    for (let i = 0; i < 12; i++) {
      clock.advance(10)
      cache.set(`k${i}`, i)
    }
    expect(cache.peekItem()).toEqual(['k11', 11])
    expect(cache.peekItem({ last: false })).toEqual(['k0', 0])
    expect(openFanoutCache().peekItem()).toBeUndefined()
  })

  it('sum statistics over the shards, and enable or reset them everywhere', () => {
    const cache = openFanoutCache({ statistics: true })
    cache.set('a', 1)
    cache.set('b', 2)
    cache.get('a')
    cache.get('b')
    cache.get('missing')
    expect(cache.stats()).toEqual({ hits: 2, misses: 1 })
    expect(cache.stats({ reset: true, enable: false })).toEqual({ hits: 2, misses: 1 })
    cache.get('a')
    expect(cache.stats()).toEqual({ hits: 0, misses: 0 })
    expect(cache.shards.every((shard) => shard.settings.statistics === false)).toBe(true)
  })

  it('check() reports each problem with the shard it is in', () => {
    const dir = makeTempDir()
    const cache = openFanoutCache({ shards: 2, fileThreshold: 10 }, dir)
    cache.set('big', 'x'.repeat(100))
    const shard = shardOfKey('big', 2)
    const valueDir = join(dir, `00${shard}`, 'values')
    writeFileSync(join(valueDir, 'stray.val'), 'x')
    const report = cache.check()
    expect(report.ok).toBe(false)
    expect(report.problems).toEqual([expect.objectContaining({ kind: 'orphan-file', path: join(`00${shard}`, 'values', 'stray.val') })])
    expect(cache.check({ fix: true }).ok).toBe(true)
    expect(cache.check()).toEqual({ ok: true, problems: [] })
  })

  it('transact() holds every shard: all writes land together or none do', () => {
    const cache = openFanoutCache({ shards: 4 })
    const keys = Array.from({ length: 20 }, (_, i) => `k${i}`)
    expect(() =>
      cache.transact(() => {
        for (const key of keys) cache.set(key, 1)
        throw new Error('abort')
      }),
    ).toThrow('abort')
    expect(cache.getMany(keys)).toEqual(keys.map(() => undefined))
    cache.transact(() => keys.forEach((key) => cache.set(key, 2)))
    expect(cache.getMany(keys)).toEqual(keys.map(() => 2))
    expect(() => cache.transact((async () => undefined) as never)).toThrow(TransactionError)
  })

  it('getMany() returns values in the order asked, across shards', () => {
    const cache = openFanoutCache({ shards: 5 })
    cache.setMany(Array.from({ length: 25 }, (_, i) => [i, `v${i}`] as const))
    const asked = [24, 3, 99, 0, 17, 3]
    expect(cache.getMany(asked)).toEqual(['v24', 'v3', undefined, 'v0', 'v17', 'v3'])
    expect(cache.deleteMany([24, 3, 99])).toBe(2)
  })

  it('memoize() keeps each result in its key’s shard, and cacheClear() reaches them all', () => {
    const cache = openFanoutCache({ shards: 3 })
    let calls = 0
    const square = cache.memoize((n: number) => (calls++, n * n), { name: 'square' })
    for (let i = 0; i < 12; i++) square(i)
    for (let i = 0; i < 12; i++) expect(square(i)).toBe(i * i)
    expect(calls).toBe(12)
    expect(cache.get(square.cacheKey(5))).toBe(25)
    expect(cache.shards.filter((shard) => shard.size > 0).length).toBeGreaterThan(1)
    expect(square.cacheInfo()).toMatchObject({ hits: 12, misses: 12, currentSize: 12 })
    expect(square.cacheClear()).toBe(12)
    expect(cache.size).toBe(0)
  })

  it('memoize() refuses maxSize and says how to get it', () => {
    const cache = openFanoutCache()
    expect(() => cache.memoize((n: number) => n, { name: 'f', maxSize: 5 })).toThrow(/fanout\.cache\(name\)\.memoize/)
  })
})

describe('FanoutCache when a shard stays locked past timeout', () => {
  function lockShardOf(dir: string, key: string, shards: number) {
    const db = openNativeDatabase(join(dir, String(shardOfKey(key, shards)).padStart(3, '0'), 'cache.db'))
    db.exec('BEGIN IMMEDIATE')
    db.prepare("UPDATE counters SET value = value WHERE name = 'hits'").run()
    return () => {
      db.exec('COMMIT')
      db.close()
    }
  }

  it("throws CacheTimeoutError by default, and stores nothing", () => {
    const dir = makeTempDir()
    const cache = openFanoutCache({ shards: 2, timeout: 50 }, dir)
    cache.set('k', 'before')
    const unlock = lockShardOf(dir, 'k', 2)
    try {
      expect(() => cache.set('k', 'after')).toThrow(CacheTimeoutError)
      expect(cache.get('k')).toBe('before') // readers never wait for the write lock
    } finally {
      unlock()
    }
    expect(cache.get('k')).toBe('before')
  })

  it("returns false with onTimeout 'return-false', counts it, and still throws where false could not be told from an answer", () => {
    const dir = makeTempDir()
    const cache = openFanoutCache({ shards: 2, timeout: 50, onTimeout: 'return-false' }, dir)
    cache.set('k', 'before')
    const unlock = lockShardOf(dir, 'k', 2)
    const neighbour = Array.from({ length: 20 }, (_, i) => `n${i}`).find((key) => shardOfKey(key, 2) === shardOfKey('k', 2))!
    try {
      expect(cache.set('k', 'after')).toBe(false)
      expect(cache.add(neighbour, 'v')).toBe(false)
      expect(cache.delete('k')).toBe(false)
      expect(cache.touch('k', 1000)).toBe(false)
      expect(cache.replace('k', 'after')).toBe(false)
      expect(cache.timeouts).toBe(5)
      expect(() => cache.incr('k')).toThrow(CacheTimeoutError)
      expect(() => cache.pop('k')).toThrow(CacheTimeoutError)
    } finally {
      unlock()
    }
    expect(cache.get('k')).toBe('before')
    expect(cache.has(neighbour)).toBe(false)
    expect(cache.set('k', 'after')).toBe(true)
    expect(cache.get('k')).toBe('after')
  })
})

describe('FanoutCache named sub-collections', () => {
  it('cache(name) is a Cache of its own under cache/<name>, the same object each time', () => {
    const dir = makeTempDir()
    const fanout = openFanoutCache({}, dir)
    const users = fanout.cache('users')
    expect(users).toBeInstanceOf(Cache)
    expect(fanout.cache('users')).toBe(users)
    users.set('k', 'user value')
    fanout.set('k', 'fanout value')
    expect(users.get('k')).toBe('user value')
    expect(fanout.get('k')).toBe('fanout value')
    expect(existsSync(join(dir, 'cache', 'users', 'cache.db'))).toBe(true)
    fanout.cache('jobs/high').set('a', 1)
    expect(existsSync(join(dir, 'cache', 'jobs', 'high', 'cache.db'))).toBe(true)
    // One database: transactions across its keys, and maxSize memoize, work.
    users.transact(() => users.set('x', 1))
    expect(users.memoize((n: number) => n, { name: 'f', maxSize: 2 })(1)).toBe(1)
  })

  it('deque(name) and index(name) are collections of their own under deque/<name> and index/<name>', () => {
    const dir = makeTempDir()
    const fanout = openFanoutCache({}, dir)
    const jobs = fanout.deque<string>('jobs', { maxLength: 2 })
    expect(fanout.deque('jobs')).toBe(jobs)
    jobs.push('a', 'b', 'c')
    expect(jobs.toArray()).toEqual(['b', 'c'])
    const users = fanout.index<string, number>('users')
    expect(fanout.index('users')).toBe(users)
    users.set('x', 1).set('y', 2).set('x', 3)
    expect([...users.entries()]).toEqual([['x', 3], ['y', 2]])
    expect(existsSync(join(dir, 'deque', 'jobs', 'cache.db'))).toBe(true)
    expect(existsSync(join(dir, 'index', 'users', 'cache.db'))).toBe(true)
    expect(fanout.size).toBe(0) // none of it is in the shards
    fanout.close()
    const again = openFanoutCache({}, dir)
    expect(again.deque('jobs').toArray()).toEqual(['b', 'c'])
    expect(again.index('users').get('x')).toBe(3)
    expect(() => again.deque('../jobs')).toThrow(InvalidOptionError)
  })

  it('refuses names that would leave the directory', () => {
    const fanout = openFanoutCache()
    for (const name of ['', '../x', '/abs', 'a//b', 'a/./b', 'a\\b', 5]) {
      expect(() => fanout.cache(name as string)).toThrow(InvalidOptionError)
    }
  })

  it('are closed with the FanoutCache', () => {
    const fanout = openFanoutCache()
    const users = fanout.cache('users')
    fanout.close()
    expect(users.closed).toBe(true)
    expect(fanout.closed).toBe(true)
    expect(() => fanout.get('k')).toThrow(CacheClosedError)
    expect(() => fanout.cache('users')).toThrow(CacheClosedError)
  })
})

describe('FanoutCache.destroy()', () => {
  it('removes the shards, the sub-collections and the layout file', () => {
    const dir = makeTempDir()
    const fanout = new FanoutCache(dir, { shards: 3, fileThreshold: 10 })
    fanout.set('big', 'x'.repeat(100))
    fanout.cache('users/eu').set('k', 'v')
    fanout.close()
    FanoutCache.destroy(dir)
    expect(existsSync(dir)).toBe(false)
  })

  it('leaves files that are not the cache’s', () => {
    const dir = makeTempDir()
    new FanoutCache(dir, { shards: 2 }).close()
    writeFileSync(join(dir, 'notes.txt'), 'mine')
    FanoutCache.destroy(dir)
    expect(readdirSync(dir)).toEqual(['notes.txt'])
  })
})

describe('FanoutCache across processes', () => {
  it('sends a key to the same shard in every process', async () => {
    const dir = makeTempDir()
    const children = await Promise.all([0, 1].map(() => ChildCache.start(dir)))
    await Promise.all(children.map((child) => child.request('openFanout', { options: { shards: 4 } })))
    await Promise.all(children.map((child, i) => child.request('setRange', { from: i * 100, to: (i + 1) * 100 })))
    const cache = openFanoutCache({ shards: 4 }, dir)
    expect(cache.getMany(Array.from({ length: 200 }, (_, i) => `key-${i}`))).toEqual(Array.from({ length: 200 }, (_, i) => i))
    expect(cache.size).toBe(200)
  })

  it('lose no increment when 4 processes incr() one key 300 times each', async () => {
    const dir = makeTempDir()
    const children = await Promise.all([0, 1, 2, 3].map(() => ChildCache.start(dir)))
    // Opening together also races the creation of the layout file: all must agree.
    const counts = await runTogether(children, 'openFanout', { options: { shards: 4 } })
    expect(counts).toEqual([4, 4, 4, 4])
    await runTogether(children, 'incrLoop', { key: 'counter', count: 300 })
    expect(openFanoutCache({ shards: 4 }, dir).get('counter')).toBe(1200)
  })
})

describe('FanoutCache with the recipes', () => {
  it('serves as a RecipeCache: a Lock on it excludes a second holder', async () => {
    const dir = makeTempDir()
    const one = openFanoutCache({ shards: 4 }, dir)
    const two = openFanoutCache({ shards: 4 }, dir)
    const first = new Lock(one, 'job', { ttl: 10_000 })
    const second = new Lock(two, 'job', { ttl: 10_000 })
    await first.acquire()
    expect(second.tryAcquire()).toBe(false)
    first.release()
    expect(second.tryAcquire()).toBe(true)
    expect(one.has('job')).toBe(true)
  })
})
