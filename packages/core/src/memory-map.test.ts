import type Database from 'better-sqlite3'
import { Cache } from './cache.js'
import { FanoutCache } from './fanout-cache.js'
import { CacheClosedError } from './errors.js'
import { MMAP_SIZE } from './memory-map.js'
import { ChildCache, killAllChildren } from './test-support/child-cache.js'
import { makeTempDir } from './test-support/temp-dir.js'

afterEach(killAllChildren)

/** What the connection itself says its map size is: the setting SQLite reads, not our flag. */
function mapSize(cache: Cache): number {
  const { db } = (cache as unknown as { store: { db: Database.Database } }).store
  return db.prepare('PRAGMA mmap_size').pluck().get() as number
}

/** Runs `body` on a Cache opened here while a child process has a Cache open on the same directory. */
async function besideChildWriter(body: (cache: Cache, writer: ChildCache) => Promise<void>): Promise<void> {
  const directory = makeTempDir()
  const cache = new Cache(directory)
  try {
    const writer = await ChildCache.start(directory)
    await writer.request('open')
    await body(cache, writer)
  } finally {
    cache.close()
  }
}

describe('the memory map of a connection', () => {
  it('stays on for a cache that only meets its own writes', () => {
    const cache = new Cache(makeTempDir())
    try {
      expect(mapSize(cache)).toBe(MMAP_SIZE)
      for (let i = 0; i < 3000; i++) {
        cache.set(`k${i % 100}`, i)
        cache.get(`k${(i * 7) % 100}`)
      }
      expect(mapSize(cache)).toBe(MMAP_SIZE)
    } finally {
      cache.close()
    }
  })

  it('goes while another process keeps committing, and comes back once it stops', () =>
    besideChildWriter(async (cache, writer) => {
      // Every read of ours finds a commit of the other process's since the one before.
      for (let i = 0; i < 600; i++) {
        await writer.request('set', { key: `k${i}`, value: i })
        expect(cache.get(`k${i}`)).toBe(i)
      }
      expect(mapSize(cache)).toBe(0)
      // Reads still see every write, now through read() instead of the map.
      await writer.request('set', { key: 'late', value: 'seen' })
      expect(cache.get('late')).toBe('seen')
      // Quiet: no commit but our own.
      for (let i = 0; i < 3000; i++) cache.get(`k${i % 600}`)
      expect(mapSize(cache)).toBe(MMAP_SIZE)
      expect(cache.get('k599')).toBe(599)
    }))

  it('goes too for a cache that reads only in batches, inside read transactions', () =>
    besideChildWriter(async (cache, writer) => {
      const keys = Array.from({ length: 100 }, (_, i) => `k${i}`)
      for (let i = 0; i < 40; i++) {
        await writer.request('set', { key: `k${i}`, value: i })
        expect(cache.getMany(keys)[i]).toBe(i)
      }
      expect(mapSize(cache)).toBe(0)
    }))

  it('goes shard by shard in a FanoutCache', async () => {
    const directory = makeTempDir()
    const fanout = new FanoutCache(directory, { shards: 4 })
    const writer = await ChildCache.start(directory)
    try {
      expect(await writer.request('openFanout')).toBe(4)
      for (let round = 0; round < 400; round++) {
        await writer.request('setRange', { from: round * 4, to: round * 4 + 4 })
        for (let i = round * 4; i < round * 4 + 4; i++) expect(fanout.get(`key-${i}`)).toBe(i)
      }
      expect(fanout.shards.map(mapSize)).toEqual([0, 0, 0, 0])
    } finally {
      fanout.close()
    }
  })

  it('never turns the error of a closed cache into its own, whichever operation is the one that looks', () => {
    // Opening counts a few operations of its own: try every position in a round of looks.
    for (let before = 0; before <= 130; before++) {
      const cache = new Cache(makeTempDir(), { checkpoint: 'inline' })
      for (let i = 0; i < before; i++) cache.get('k')
      cache.close()
      expect(() => cache.get('k')).toThrow(CacheClosedError)
      expect(() => cache.set('k', 1)).toThrow(CacheClosedError)
      expect(() => cache.has('k')).toThrow(CacheClosedError)
    }
  })

  it('stays on when another process commits only now and then', () =>
    besideChildWriter(async (cache, writer) => {
      for (let i = 0; i < 20; i++) {
        await writer.request('set', { key: `k${i}`, value: i })
        for (let j = 0; j < 1000; j++) cache.get(`k${i}`)
      }
      expect(mapSize(cache)).toBe(MMAP_SIZE)
    }))
})
