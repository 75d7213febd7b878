import { ValueTooLargeError } from './errors.js'
import { join } from 'node:path'
import { openNativeDatabase } from './native-handles.js'
import { openCache, openCacheIn } from './test-support/open-cache.js'
import { makeTempDir, manualClock } from './test-support/temp-dir.js'

/*
 * How these tests pick victims exactly: the cache starts with `sizeLimit: 4096`,
 * below even an empty database (so it is always over the limit) but above
 * every value (a value bigger than the whole limit is refused), and `cullLimit: 0` (so nothing is culled
 * while it is filled). Raising cullLimit to 1 then makes every following write
 * evict exactly one entry, the first in the policy's victim order.
 *
 * LRU and LFU need reads recorded. A get() does not write: it notes the access
 * in the process's AccessLog (access-log.ts), which writes its batch at the
 * start of the next write transaction this process makes (or after 256 reads,
 * or a second). So the write that culls sees every read made before it; and
 * cache.stats() or reset() flush the batch too, because they are writes.
 */

function keysOf(cache: { keys(): Iterable<unknown> }): unknown[] {
  return [...cache.keys()]
}

describe("eviction policy 'least-recently-stored'", () => {
  it('evicts the oldest write first, counting an overwrite as a new write and ignoring reads', () => {
    const clock = manualClock()
    const cache = openCache({ now: clock.now, sizeLimit: 4096, cullLimit: 0 })
    for (const key of ['a', 'b', 'c', 'd']) {
      clock.advance(1)
      cache.set(key, key)
    }
    clock.advance(1)
    cache.set('b', 'b2') // b is now stored after d (iteration keeps it in its first place)
    cache.get('a') // reads do not matter to this policy
    cache.reset('cullLimit', 1)
    clock.advance(1)
    cache.set('e', 'e')
    expect(keysOf(cache)).toEqual(['b', 'c', 'd', 'e'])
    cache.set('f', 'f')
    expect(keysOf(cache)).toEqual(['b', 'd', 'e', 'f'])
    cache.set('g', 'g')
    expect(keysOf(cache)).toEqual(['b', 'e', 'f', 'g'])
    expect(cache.get('b')).toBe('b2')
    cache.set('h', 'h')
    expect(keysOf(cache)).toEqual(['e', 'f', 'g', 'h'])
  })

  it('gets its index back on open when the file lacks it (files written before the index existed)', () => {
    const dir = makeTempDir()
    openCacheIn(dir).close()
    const indexes = () => {
      const db = openNativeDatabase(join(dir, 'cache.db'), {})
      try {
        return (db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'entries'").raw().all() as string[][]).flat()
      } finally {
        db.close()
      }
    }
    const db = openNativeDatabase(join(dir, 'cache.db'), {})
    db.exec('DROP INDEX entries_stored_at')
    db.close()
    expect(indexes()).not.toContain('entries_stored_at')
    openCacheIn(dir)
    expect(indexes()).toContain('entries_stored_at')
  })

  it('is the default policy', () => {
    const cache = openCache()
    expect(cache.settings.evictionPolicy).toBe('least-recently-stored')
  })
})

describe("eviction policy 'least-recently-used'", () => {
  it('evicts the entry read (or written) longest ago first', () => {
    const clock = manualClock()
    const cache = openCache({ now: clock.now, sizeLimit: 4096, cullLimit: 0, evictionPolicy: 'least-recently-used' })
    for (const key of ['a', 'b', 'c', 'd']) {
      clock.advance(1)
      cache.set(key, key)
    }
    clock.advance(1)
    cache.get('c')
    clock.advance(1)
    cache.get('a')
    // Last use now: b (written), d (written), c (read), a (read). The reset is
    // a write, so it also records the two reads.
    cache.reset('cullLimit', 1)
    clock.advance(1)
    cache.set('e', 'e')
    expect(keysOf(cache)).toEqual(['a', 'c', 'd', 'e'])
    clock.advance(1)
    cache.get('d') // recorded by the next write, before it culls
    clock.advance(1)
    cache.set('f', 'f')
    expect(keysOf(cache)).toEqual(['a', 'd', 'e', 'f'])
    clock.advance(1)
    cache.set('g', 'g')
    expect(keysOf(cache)).toEqual(['d', 'e', 'f', 'g'])
    clock.advance(1)
    cache.set('h', 'h')
    expect(keysOf(cache)).toEqual(['d', 'f', 'g', 'h'])
  })

  it('orders reads recorded in one batch by when each happened', () => {
    const clock = manualClock()
    const cache = openCache({ now: clock.now, sizeLimit: 4096, cullLimit: 0, evictionPolicy: 'least-recently-used' })
    clock.advance(1)
    cache.set('a', 'a')
    clock.advance(1)
    cache.set('b', 'b')
    clock.advance(1)
    cache.get('b')
    clock.advance(1)
    cache.get('a')
    cache.stats() // a write: flushes both reads in one batch
    cache.reset('cullLimit', 1)
    clock.advance(1)
    cache.set('c', 'c')
    // b was used before a, so b goes first.
    expect(keysOf(cache)).toEqual(['a', 'c'])
  })
})

describe("eviction policy 'least-frequently-used'", () => {
  it('keeps entries read often and evicts unread ones, oldest first', () => {
    const clock = manualClock()
    const cache = openCache({ now: clock.now, sizeLimit: 4096, cullLimit: 0, evictionPolicy: 'least-frequently-used' })
    for (const key of ['a', 'b', 'c', 'd']) {
      clock.advance(1)
      cache.set(key, key)
    }
    for (const key of ['a', 'a', 'a', 'b', 'd']) {
      clock.advance(1)
      cache.get(key)
    }
    cache.reset('cullLimit', 1)
    clock.advance(1)
    cache.set('e', 'e')
    expect(keysOf(cache)).toEqual(['a', 'b', 'd', 'e'])
    clock.advance(1)
    cache.set('f', 'f')
    expect(keysOf(cache)).toEqual(['a', 'b', 'd', 'f'])
  })

  it('evicts by read count, then least recent read, sparing the entry just written', () => {
    const clock = manualClock()
    const cache = openCache({ now: clock.now, sizeLimit: 4096, cullLimit: 0, evictionPolicy: 'least-frequently-used' })
    for (const key of ['a', 'b', 'c', 'd']) {
      clock.advance(1)
      cache.set(key, key)
    }
    // Reads: a 3 times, c twice, d once, b once but before d.
    for (const key of ['a', 'b', 'c', 'd', 'a', 'c', 'a']) {
      clock.advance(1)
      cache.get(key)
    }
    cache.reset('cullLimit', 2)
    clock.advance(1)
    cache.set('e', 'e') // unread, so first in line, but never the victim of its own write
    expect(keysOf(cache)).toEqual(['a', 'c', 'e'])
  })
})

describe("eviction policy 'none'", () => {
  it('never evicts, however far over sizeLimit the cache is', () => {
    const cache = openCache({ sizeLimit: 4096, evictionPolicy: 'none' })
    for (let i = 0; i < 50; i++) cache.set(i, 'x'.repeat(1000))
    expect(cache.size).toBe(50)
    expect(cache.cull()).toBe(0)
    expect(cache.size).toBe(50)
    expect(cache.volume()).toBeGreaterThan(50_000)
  })

  it('still removes expired entries', () => {
    const clock = manualClock()
    const cache = openCache({ now: clock.now, sizeLimit: 4096, evictionPolicy: 'none' })
    cache.set('old', 1, { ttl: 5 })
    cache.set('keep', 2)
    clock.advance(5)
    expect(cache.cull()).toBe(1)
    expect(keysOf(cache)).toEqual(['keep'])
  })
})

describe('cullLimit', () => {
  it('set to 0 turns automatic culling off', () => {
    const cache = openCache({ sizeLimit: 4096, cullLimit: 0 })
    for (let i = 0; i < 30; i++) cache.set(i, 'x'.repeat(1000))
    expect(cache.size).toBe(30)
  })

  it('bounds how many entries one write evicts', () => {
    const cache = openCache({ sizeLimit: 4096, cullLimit: 0 })
    for (let i = 0; i < 30; i++) cache.set(i, i)
    cache.reset('cullLimit', 5)
    cache.set('new', 1)
    expect(cache.size).toBe(26)
    expect(keysOf(cache).slice(0, 2)).toEqual([5, 6])
  })
})

describe('automatic culling', () => {
  it('keeps the cache close to sizeLimit, dropping the oldest entries', () => {
    const cache = openCache()
    const base = cache.volume()
    const sizeLimit = base + 300_000
    cache.reset('sizeLimit', sizeLimit)
    for (let i = 0; i < 300; i++) cache.set(i, 'x'.repeat(3000))
    expect(cache.volume()).toBeLessThanOrEqual(sizeLimit * 1.05)
    const keys = keysOf(cache) as number[]
    expect(keys.length).toBeGreaterThan(40)
    expect(keys.length).toBeLessThan(150)
    expect(keys).toEqual(Array.from({ length: keys.length }, (_, i) => 300 - keys.length + i))
  })
})

describe('cache.cull()', () => {
  it('brings the volume under sizeLimit without emptying the cache, keeping the newest entries', () => {
    const cache = openCache({ cullLimit: 0 })
    for (let i = 0; i < 200; i++) cache.set(i, 'x'.repeat(3000))
    const full = cache.volume()
    const sizeLimit = Math.floor(full * 0.9)
    cache.reset('sizeLimit', sizeLimit)
    const removed = cache.cull()
    expect(cache.volume()).toBeLessThanOrEqual(sizeLimit)
    expect(removed).toBe(200 - cache.size)
    expect(removed).toBeGreaterThan(0)
    // About 10% had to go; evicting far more than that would be a bug.
    expect(cache.size).toBeGreaterThanOrEqual(150)
    const keys = keysOf(cache) as number[]
    expect(keys).toEqual(Array.from({ length: keys.length }, (_, i) => 200 - keys.length + i))
  })

  it('removes expired entries first and counts them', () => {
    const clock = manualClock()
    const cache = openCache({ now: clock.now, cullLimit: 0 })
    for (let i = 0; i < 5; i++) cache.set(`t${i}`, i, { ttl: 10 })
    cache.set('keep', 1)
    clock.advance(10)
    expect(cache.cull()).toBe(5)
    expect(keysOf(cache)).toEqual(['keep'])
  })

  it('does nothing when the cache is under sizeLimit', () => {
    const cache = openCache({ cullLimit: 0 })
    for (let i = 0; i < 20; i++) cache.set(i, i)
    expect(cache.cull()).toBe(0)
    expect(cache.size).toBe(20)
  })

  it('empties the cache when even an empty database exceeds sizeLimit', () => {
    const cache = openCache({ sizeLimit: 4096, cullLimit: 0 })
    for (let i = 0; i < 25; i++) cache.set(i, i)
    expect(cache.cull()).toBe(25)
    expect(cache.size).toBe(0)
  })

  it('follows the policy in force: LRU keeps what was read', () => {
    const clock = manualClock()
    const cache = openCache({ now: clock.now, cullLimit: 0, evictionPolicy: 'least-recently-used' })
    for (let i = 0; i < 100; i++) {
      clock.advance(1)
      cache.set(i, 'x'.repeat(3000))
    }
    clock.advance(1)
    for (let i = 0; i < 20; i++) cache.get(i)
    const full = cache.volume()
    cache.reset('sizeLimit', Math.floor(full * 0.5))
    cache.cull()
    const kept = keysOf(cache) as number[]
    expect(kept.slice(0, 20)).toEqual(Array.from({ length: 20 }, (_, i) => i))
    expect(kept.length).toBeLessThan(80)
  })
})

describe('a value larger than the whole sizeLimit', () => {
  it('is refused with ValueTooLargeError, keeping the old value', () => {
    const cache = openCache({ sizeLimit: 50_000 })
    cache.set('k', 'small')
    const error = (() => {
      try {
        cache.set('k', 'x'.repeat(60_000))
      } catch (caught) {
        return caught
      }
    })()
    expect(error).toBeInstanceOf(ValueTooLargeError)
    expect((error as ValueTooLargeError).code).toBe('VALUE_TOO_LARGE')
    expect(cache.get('k')).toBe('small')
  })

  it('is stored when the policy is none, which never evicts', () => {
    const cache = openCache({ sizeLimit: 50_000, evictionPolicy: 'none' })
    cache.set('k', 'x'.repeat(60_000))
    expect(cache.get('k')).toHaveLength(60_000)
  })
})

describe('a write that brings the cache over sizeLimit', () => {
  it('evicts older entries, never the one it stored, even when that one alone is most of the limit', () => {
    const cache = openCache()
    cache.reset('sizeLimit', cache.volume() + 100_000)
    for (let i = 0; i < 5; i++) cache.set(`old-${i}`, 'o'.repeat(10_000))
    cache.set('big', 'b'.repeat(95_000))
    expect(cache.get('big')).toHaveLength(95_000)
    expect(cache.has('old-0')).toBe(false)
  })
})
