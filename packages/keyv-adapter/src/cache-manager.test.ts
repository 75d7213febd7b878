import { createCache } from 'cache-manager'
import { Keyv } from 'keyv'
import { createKeyv } from './create-keyv.js'
import type { KeyvDiskCache } from './keyv-disk-cache.js'
import { closeAfterTest, makeTempDir } from './test-support/open-store.js'

const START = 1_700_000_000_000

// cache-manager, Keyv and core all read the clock: fake Date (only), and give core the same clock.
beforeEach(() => {
  jest.useFakeTimers({ now: START, doNotFake: ['nextTick', 'queueMicrotask', 'setImmediate', 'setTimeout', 'setInterval'] })
})
afterEach(() => {
  jest.useRealTimers()
})

function diskKeyv(directory = makeTempDir()): Keyv {
  const keyv = createKeyv({ directory, now: () => Date.now() })
  closeAfterTest(keyv.store as KeyvDiskCache)
  return keyv
}

function advance(ms: number): void {
  jest.setSystemTime(Date.now() + ms)
}

describe('cache-manager 7 with createKeyv() as its store', () => {
  it('gets, sets, deletes and clears', async () => {
    const cache = createCache({ stores: [diskKeyv()] })
    expect(await cache.set('user:1', { name: 'Ada' })).toEqual({ name: 'Ada' })
    expect(await cache.get('user:1')).toEqual({ name: 'Ada' })
    expect(await cache.get('missing')).toBeUndefined()
    expect(await cache.del('user:1')).toBe(true)
    expect(await cache.get('user:1')).toBeUndefined()
    await cache.set('a', 1)
    expect(await cache.clear()).toBe(true)
    expect(await cache.get('a')).toBeUndefined()
  })

  it('mget, mset and mdel line up with the keys', async () => {
    const cache = createCache({ stores: [diskKeyv()] })
    await cache.mset([
      { key: 'a', value: 1 },
      { key: 'b', value: Buffer.from('bee'), ttl: 5_000 },
    ])
    expect(await cache.mget(['b', 'x', 'a'])).toEqual([Buffer.from('bee'), undefined, 1])
    expect(await cache.mdel(['a', 'b'])).toBe(true)
    expect(await cache.mget(['a', 'b'])).toEqual([undefined, undefined])
  })

  it('reads TTLs as milliseconds, and ttl(key) gives the absolute expiry', async () => {
    const cache = createCache({ stores: [diskKeyv()], ttl: 10_000 })
    await cache.set('default', 'd')
    await cache.set('short', 's', 1_500)
    expect(await cache.ttl('default')).toBe(START + 10_000)
    expect(await cache.ttl('short')).toBe(START + 1_500)
    advance(1_499)
    expect(await cache.get('short')).toBe('s')
    advance(1)
    expect(await cache.get('short')).toBeUndefined()
    expect(await cache.get('default')).toBe('d')
    advance(8_500)
    expect(await cache.get('default')).toBeUndefined()
  })

  it('keeps values across a restart: a new cache on the same directory reads them', async () => {
    const directory = makeTempDir()
    await createCache({ stores: [diskKeyv(directory)] }).set('k', { saved: true }, 60_000)
    const restarted = createCache({ stores: [diskKeyv(directory)] })
    expect(await restarted.get('k')).toEqual({ saved: true })
    expect(await restarted.ttl('k')).toBe(START + 60_000)
  })
})

describe('cache-manager wrap()', () => {
  it('computes once and serves the stored result until it expires', async () => {
    const cache = createCache({ stores: [diskKeyv()] })
    let calls = 0
    const compute = async () => ++calls
    expect(await cache.wrap('k', compute, 1_000)).toBe(1)
    expect(await cache.wrap('k', compute, 1_000)).toBe(1)
    advance(1_000)
    expect(await cache.wrap('k', compute, 1_000)).toBe(2)
    expect(calls).toBe(2)
  })

  it('refreshes in the background once the remaining ttl falls below refreshThreshold', async () => {
    const cache = createCache({ stores: [diskKeyv()] })
    let version = 0
    const compute = async () => `v${++version}`
    expect(await cache.wrap('k', compute, { ttl: 10_000, refreshThreshold: 3_000 })).toBe('v1')
    advance(6_000) // 4 s left: no refresh
    expect(await cache.wrap('k', compute, { ttl: 10_000, refreshThreshold: 3_000 })).toBe('v1')
    expect(version).toBe(1)
    advance(2_000) // 2 s left: the stale value now, a fresh one stored behind it
    const refreshed = new Promise((resolve) => cache.on('refresh', resolve))
    expect(await cache.wrap('k', compute, { ttl: 10_000, refreshThreshold: 3_000 })).toBe('v1')
    expect(await refreshed).toMatchObject({ key: 'k', value: 'v2' })
    expect(await cache.get('k')).toBe('v2')
    expect(await cache.ttl('k')).toBe(Date.now() + 10_000)
  })
})

describe('cache-manager with an in-memory L1 in front of the disk L2', () => {
  it('writes both tiers, and refills a cold L1 from disk', async () => {
    const directory = makeTempDir()
    const l1 = new Keyv()
    const cache = createCache({ stores: [l1, diskKeyv(directory)] })
    await cache.set('k', { v: 1 }, 60_000)
    expect(await l1.get('k')).toEqual({ v: 1 })

    // A new process: empty memory, same disk.
    const coldL1 = new Keyv()
    const restarted = createCache({ stores: [coldL1, diskKeyv(directory)] })
    expect(await coldL1.get('k')).toBeUndefined()
    expect(await restarted.get('k')).toEqual({ v: 1 })
    expect(await restarted.wrap('k', async () => ({ v: 'recomputed' }), 60_000)).toEqual({ v: 1 })
    expect(await coldL1.get('k')).toEqual({ v: 1 }) // wrap back-filled L1 from L2
  })

  it('deletes and clears in both tiers', async () => {
    const l1 = new Keyv()
    const l2 = diskKeyv()
    const cache = createCache({ stores: [l1, l2] })
    await cache.mset([
      { key: 'a', value: 1 },
      { key: 'b', value: 2 },
    ])
    await cache.del('a')
    expect([await l1.get('a'), await l2.get('a')]).toEqual([undefined, undefined])
    await cache.clear()
    expect([await l1.get('b'), await l2.get('b')]).toEqual([undefined, undefined])
  })
})
