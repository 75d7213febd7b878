import { InvalidOptionError } from '@diskcache/core'
import { CACHE_MANAGER, Cache as NestCache } from '@nestjs/cache-manager'
import { Injectable, Module } from '@nestjs/common'
import { ConfigModule, ConfigService } from '@nestjs/config'
import type { Cache as CacheManager } from 'cache-manager'
import { DiskCacheModule } from './disk-cache-module.js'
import { DiskCacheService } from './disk-cache-service.js'
import { startApp } from './test-support/nest-app.js'
import { makeTempDir, openFilesUnder } from './test-support/temp-dir.js'

@Injectable()
class Greeter {
  constructor(readonly cache: NestCache) {}
}

describe('DiskCacheModule.forRoot()', () => {
  it('provides the cache-manager, Nest\'s Cache token and DiskCacheService on one disk store', async () => {
    const directory = makeTempDir()
    @Module({ imports: [DiskCacheModule.forRoot({ directory, ttl: 60_000 })], providers: [Greeter] })
    class AppModule {}
    const { app } = await startApp(AppModule)

    const service = app.get(DiskCacheService)
    expect(service.store.cache.directory).toBe(directory)
    await app.get(Greeter).cache.set('k', 'v')
    expect(await app.get<CacheManager>(CACHE_MANAGER).get('k')).toBe('v')
    expect(service.cacheManager).toBe(app.get(CACHE_MANAGER))
  })

  it('opens a connection per app, so one module class serves app after app', async () => {
    const directory = makeTempDir()
    @Module({ imports: [DiskCacheModule.forRoot({ directory })] })
    class AppModule {}

    const first = await startApp(AppModule)
    await first.app.get<CacheManager>(CACHE_MANAGER).set('k', 'from the first app')
    await first.app.close()
    const second = await startApp(AppModule)
    expect(await second.app.get<CacheManager>(CACHE_MANAGER).get('k')).toBe('from the first app')
  })

  it('closes the database when the app closes', async () => {
    const directory = makeTempDir()
    @Module({ imports: [DiskCacheModule.forRoot({ directory })] })
    class AppModule {}
    const { app } = await startApp(AppModule)
    const store = app.get(DiskCacheService).store
    await app.get<CacheManager>(CACHE_MANAGER).set('k', 'v')

    await app.close()
    expect(store.cache.closed).toBe(true)
    expect(openFilesUnder(directory)).toEqual([])
  })

  it('makes the cache injectable in every module with isGlobal', async () => {
    @Module({ providers: [Greeter], exports: [Greeter] })
    class FeatureModule {}
    @Module({ imports: [DiskCacheModule.forRoot({ directory: makeTempDir(), isGlobal: true }), FeatureModule] })
    class AppModule {}
    const { app } = await startApp(AppModule)
    await app.get(Greeter).cache.set('k', 1)
    expect(await app.get(DiskCacheService).cacheManager.get('k')).toBe(1)
  })

  it('refuses a misspelt option where it is written', () => {
    expect(() => DiskCacheModule.forRoot({ size_limit: 5 } as never)).toThrow(InvalidOptionError)
    expect(() => DiskCacheModule.forRoot({ size_limit: 5 } as never)).toThrow('did you mean "sizeLimit"?')
  })
})

describe('DiskCacheModule.forRootAsync()', () => {
  it('takes its options from ConfigService', async () => {
    const directory = makeTempDir()
    @Module({
      imports: [
        DiskCacheModule.forRootAsync({
          imports: [ConfigModule.forRoot({ ignoreEnvFile: true, load: [() => ({ CACHE_DIR: directory, CACHE_TTL: '90000' })] })],
          inject: [ConfigService],
          useFactory: (config: ConfigService) => ({
            directory: config.getOrThrow<string>('CACHE_DIR'),
            ttl: Number(config.getOrThrow<string>('CACHE_TTL')),
          }),
        }),
      ],
    })
    class AppModule {}
    const { app } = await startApp(AppModule)

    const service = app.get(DiskCacheService)
    expect(service.store.cache.directory).toBe(directory)
    await service.cacheManager.set('k', 'v')
    const expires = (await service.cacheManager.ttl('k'))!
    expect(expires - Date.now()).toBeGreaterThan(80_000)
    expect(expires - Date.now()).toBeLessThanOrEqual(90_000)
  })

  it('fails the app start when the factory returns a misspelt option', async () => {
    @Module({ imports: [DiskCacheModule.forRootAsync({ useFactory: () => ({ directory: makeTempDir(), tll: 5 }) as never })] })
    class AppModule {}
    await expect(startApp(AppModule)).rejects.toThrow('did you mean "ttl"?')
  })
})
