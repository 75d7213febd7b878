import type { CacheKey } from '../cache-key.js'
import { openCache } from '../test-support/open-cache.js'
import { Averager } from './averager.js'
import { barrier } from './barrier.js'
import { BoundedSemaphore } from './bounded-semaphore.js'
import { Lock } from './lock.js'
import { memoizeStampede } from './memoize-stampede.js'
import type { RecipeCache } from './recipe-cache.js'
import { RLock } from './rlock.js'
import { throttle } from './throttle.js'

/** A store with only RecipeCache's methods (as a sharded cache would have), recording which it is asked for. */
function narrowStore(): { store: RecipeCache; used: Set<string> } {
  const cache = openCache()
  const used = new Set<string>()
  const store: RecipeCache = {
    get: (key: CacheKey) => (used.add('get'), cache.get(key)),
    getWithMeta: (key) => (used.add('getWithMeta'), cache.getWithMeta(key)),
    set: (key, value, options) => (used.add('set'), cache.set(key, value, options)),
    add: (key, value, options) => (used.add('add'), cache.add(key, value, options)),
    delete: (key) => (used.add('delete'), cache.delete(key)),
    transact: (fn) => (used.add('transact'), cache.transact(fn)),
  }
  return { store: Object.freeze(store), used }
}

describe('RecipeCache', () => {
  it('is all the recipes need: each works on a store that has only its six methods', async () => {
    const { store, used } = narrowStore()
    await new Lock(store, 'lock').withLock(() => 'locked')
    await new RLock(store, 'rlock').withLock(() => 're-entered')
    await new BoundedSemaphore(store, 'pool', { value: 2 }).withLock(() => 'admitted')
    await expect(throttle(store, (n: number) => n + 1, { count: 5, per: 1_000, name: 'inc' })(1)).resolves.toBe(2)
    await expect(barrier(store, (n: number) => n * 2, Lock, { name: 'double' })(4)).resolves.toBe(8)
    const memo = memoizeStampede(store, (n: number) => n * 3, { ttl: 1_000, name: 'triple' })
    await expect(memo(3)).resolves.toBe(9)
    await expect(memo(3)).resolves.toBe(9)
    const averager = new Averager(store, 'mean')
    averager.add(1)
    averager.add(3)
    expect(averager.pop()).toBe(2)
    expect([...used].sort()).toEqual(['add', 'delete', 'get', 'getWithMeta', 'set', 'transact'])
  })
})
