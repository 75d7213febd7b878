import { InvalidOptionError, InvalidTtlError } from '@diskcache/core'
import { createKeyv } from '@diskcache/keyv'
import { CacheModule } from '@nestjs/cache-manager'
import { Module } from '@nestjs/common'
import { Keyv } from 'keyv'
import { DiskCacheModule } from './disk-cache-module.js'
import type { DiskCacheOptions } from './disk-cache-options.js'
import { DiskCacheService } from './disk-cache-service.js'
import { startApp } from './test-support/nest-app.js'
import { makeTempDir } from './test-support/temp-dir.js'

async function serviceIn(directory: string, options: DiskCacheOptions = {}): Promise<DiskCacheService> {
  @Module({ imports: [DiskCacheModule.forRoot({ directory, ...options })] })
  class AppModule {}
  const { app } = await startApp(AppModule)
  return app.get(DiskCacheService)
}

describe('DiskCacheService.wrap()', () => {
  it('computes once for concurrent misses of a key and gives every caller the value', async () => {
    const service = await serviceIn(makeTempDir())
    let calls = 0
    const compute = async () => {
      calls++
      await new Promise((resolve) => setTimeout(resolve, 20))
      return { report: calls }
    }
    const values = await Promise.all(Array.from({ length: 10 }, () => service.wrap('report', compute, { ttl: 60_000 })))
    expect(calls).toBe(1)
    expect(values).toEqual(Array.from({ length: 10 }, () => ({ report: 1 })))
    expect(await service.wrap('report', compute)).toEqual({ report: 1 })
    expect(calls).toBe(1)
  })

  it('rejects every waiting caller when fn throws, and stores nothing', async () => {
    const service = await serviceIn(makeTempDir())
    const failing = async () => {
      await new Promise((resolve) => setTimeout(resolve, 10))
      throw new Error('upstream down')
    }
    const results = await Promise.allSettled([service.wrap('k', failing), service.wrap('k', failing)])
    expect(results.map((result) => result.status)).toEqual(['rejected', 'rejected'])
    expect(await service.cacheManager.get('k')).toBeUndefined()
  })

  it('stores with the ttl given', async () => {
    const service = await serviceIn(makeTempDir(), { ttl: 60_000 })
    await service.wrap('k', () => 'v', { ttl: 5_000 })
    const remaining = (await service.cacheManager.ttl('k'))! - Date.now()
    expect(remaining).toBeGreaterThan(4_000)
    expect(remaining).toBeLessThanOrEqual(5_000)
  })

  it('tags what it computes, so evictTags() makes the next call compute again', async () => {
    const service = await serviceIn(makeTempDir())
    let calls = 0
    const compute = () => ++calls
    await service.wrap('user:1', compute, { tags: ['users'] })
    expect(await service.evictTags('users')).toBe(1)
    expect(await service.wrap('user:1', compute, { tags: ['users'] })).toBe(2)
  })
})

describe('DiskCacheService.evictTags()', () => {
  it('deletes every entry with any of the tags and leaves the rest', async () => {
    const service = await serviceIn(makeTempDir())
    await service.set('a', 1, { tags: ['x'] })
    await service.set('b', 2, { tags: ['x', 'y'] })
    await service.set('c', 3, { tags: ['y'] })
    await service.set('d', 4, { tags: ['z'] })
    await service.set('e', 5)

    expect(await service.evictTags(['x', 'y'])).toBe(3)
    expect(await service.cacheManager.mget(['a', 'b', 'c', 'd', 'e'])).toEqual([undefined, undefined, undefined, 4, 5])
    expect(await service.evictTags('x')).toBe(0)
  })

  it('reaches entries another app stored in the same directory', async () => {
    const directory = makeTempDir()
    const writer = await serviceIn(directory)
    const evictor = await serviceIn(directory)
    await writer.set('shared', 'value', { tags: ['t'] })
    expect(await evictor.evictTags('t')).toBe(1)
    expect(await writer.cacheManager.get('shared')).toBeUndefined()
  })

  it('counts only live entries, and leaves no tag records behind', async () => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'clearImmediate', 'setTimeout', 'clearTimeout', 'queueMicrotask'] })
    try {
      // Core reads the (fake) clock too, as cache-manager and Keyv do.
      const service = await serviceIn(makeTempDir(), { now: () => Date.now() })
      await service.set('brief', 1, { ttl: 1_000, tags: ['t'] })
      await service.set('lasting', 2, { tags: ['t'] })
      jest.setSystemTime(Date.now() + 1_001)
      expect(await service.evictTags('t')).toBe(1)
      expect([...service.store.cache.keys({ prefix: ['@diskcache/nest:tags'] })]).toEqual([])
    } finally {
      jest.useRealTimers()
    }
  })

  it('clears the in-memory tier in front of the disk too', async () => {
    const directory = makeTempDir()
    @Module({ imports: [CacheModule.register({ stores: [new Keyv(), createKeyv(directory)] })], providers: [DiskCacheService] })
    class AppModule {}
    const { app } = await startApp(AppModule)
    const service = app.get(DiskCacheService)
    await service.set('k', 'v', { tags: ['t'] })
    expect(await service.cacheManager.stores[0]!.get('k')).toBe('v')
    await service.evictTags('t')
    expect(await service.cacheManager.stores[0]!.get('k')).toBeUndefined()
    expect(await service.cacheManager.get('k')).toBeUndefined()
  })

  it('refuses a ttl that is not a number of milliseconds, storing nothing', async () => {
    const service = await serviceIn(makeTempDir())
    await expect(service.set('k', 1, { ttl: -5, tags: ['t'] })).rejects.toThrow(InvalidTtlError)
    await expect(service.wrap('k', () => 1, { ttl: '1m' as never })).rejects.toThrow('milliseconds')
    expect(await service.cacheManager.get('k')).toBeUndefined()
    expect(await service.evictTags('t')).toBe(0)
  })

  it('explains how to fix a cache without a disk store', async () => {
    @Module({ imports: [CacheModule.register()], providers: [DiskCacheService] })
    class AppModule {}
    const { app } = await startApp(AppModule)
    const service = app.get(DiskCacheService)
    await expect(service.evictTags('t')).rejects.toThrow(InvalidOptionError)
    await expect(service.set('k', 1, { tags: ['t'] })).rejects.toThrow('diskCacheOptions')
  })
})
