import { Cache as CoreCache, InvalidOptionError, InvalidTtlError } from '@diskcache/core'
import { KeyvDiskCache } from '@diskcache/keyv'
import { CACHE_MANAGER, CacheModule } from '@nestjs/cache-manager'
import { Module } from '@nestjs/common'
import type { Cache as CacheManager } from 'cache-manager'
import type { Keyv } from 'keyv'
import { diskCacheOptions } from './disk-cache-options.js'
import { startApp } from './test-support/nest-app.js'
import { makeTempDir, openFilesUnder } from './test-support/temp-dir.js'

function appWith(options: ReturnType<typeof diskCacheOptions>) {
  @Module({ imports: [CacheModule.register(options)] })
  class AppModule {}
  return AppModule
}

describe('diskCacheOptions()', () => {
  it('gives CacheModule.register() a Keyv on a KeyvDiskCache in the directory, with the ttl', () => {
    const directory = makeTempDir()
    const options = diskCacheOptions({ directory, ttl: 60_000, namespace: 'api' })
    const [keyv] = options.stores as Keyv[]
    expect(keyv!.store).toBeInstanceOf(KeyvDiskCache)
    expect((keyv!.store as KeyvDiskCache).cache.directory).toBe(directory)
    expect(keyv!.namespace).toBe('api')
    expect(options.ttl).toBe(60_000)
    void keyv!.disconnect()
  })

  it('passes core options to the cache', () => {
    const options = diskCacheOptions({ directory: makeTempDir(), sizeLimit: 2 ** 20, evictionPolicy: 'least-recently-used' })
    const store = (options.stores as Keyv[])[0]!.store as KeyvDiskCache
    expect(store.cache.settings.sizeLimit).toBe(2 ** 20)
    expect(store.cache.settings.evictionPolicy).toBe('least-recently-used')
    store.cache.close()
  })

  it('refuses a misspelt option and names the right one', () => {
    expect(() => diskCacheOptions({ directroy: makeTempDir() } as never)).toThrow(InvalidOptionError)
    expect(() => diskCacheOptions({ ttlMs: 5 } as never)).toThrow('did you mean "ttl"?')
  })

  it('refuses a ttl that is not a number of milliseconds', () => {
    expect(() => diskCacheOptions({ directory: makeTempDir(), ttl: -1 })).toThrow(InvalidTtlError)
    expect(() => diskCacheOptions({ directory: makeTempDir(), ttl: '60s' as never })).toThrow('milliseconds')
  })
})

describe('CacheModule.register(diskCacheOptions(...))', () => {
  it('injects a cache-manager that stores on disk, where another connection reads it', async () => {
    const directory = makeTempDir()
    const { app } = await startApp(appWith(diskCacheOptions({ directory, ttl: 60_000 })))
    const cache = app.get<CacheManager>(CACHE_MANAGER)
    await cache.set('greeting', { hello: 'world' })
    expect(await cache.get('greeting')).toEqual({ hello: 'world' })
    const expires = await cache.ttl('greeting')
    expect(expires! - Date.now()).toBeGreaterThan(50_000)

    const other = new CoreCache(directory)
    // createKeyv stores the value itself (the envelope unwrapped) with its expiry in core's column.
    expect(other.getWithMeta(['keyv', 'greeting'])).toMatchObject({ value: { hello: 'world' }, expiresAt: expect.any(Number) })
    other.close()
  })

  it('closes the database when the app closes, leaving no file open', async () => {
    const directory = makeTempDir()
    const options = diskCacheOptions({ directory })
    const store = (options.stores as Keyv[])[0]!.store as KeyvDiskCache
    const { app } = await startApp(appWith(options))
    await app.get<CacheManager>(CACHE_MANAGER).set('k', 'v')
    expect(openFilesUnder(directory)).not.toEqual([])

    await app.close()
    expect(store.cache.closed).toBe(true)
    expect(openFilesUnder(directory)).toEqual([])
  })
})
