import { CacheInterceptor, CacheKey, CacheModule, CacheTTL } from '@nestjs/cache-manager'
import { Controller, Get, Module } from '@nestjs/common'
import { APP_INTERCEPTOR } from '@nestjs/core'
import { diskCacheOptions } from './disk-cache-options.js'
import { request, startApp } from './test-support/nest-app.js'
import { makeTempDir } from './test-support/temp-dir.js'

// Nest's own CacheInterceptor, unchanged, on the disk store.
let runs = 0

@Controller()
class PagesController {
  @Get('page')
  page() {
    return { page: 'home', run: ++runs }
  }

  @Get('custom')
  @CacheKey('custom-key')
  @CacheTTL(30_000)
  custom() {
    return { run: ++runs }
  }
}

function appWith(directory: string) {
  @Module({
    imports: [CacheModule.register(diskCacheOptions({ directory, ttl: 60_000 }))],
    controllers: [PagesController],
    providers: [{ provide: APP_INTERCEPTOR, useClass: CacheInterceptor }],
  })
  class AppModule {}
  return AppModule
}

/** Nest's interceptor stores after it answers: wait until the entry is there. */
async function untilCached(read: () => Promise<unknown>): Promise<void> {
  for (let tries = 0; (await read()) === undefined; tries++) {
    if (tries > 100) throw new Error('the response was never cached')
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

describe("Nest's CacheInterceptor on diskCacheOptions()", () => {
  beforeEach(() => {
    runs = 0
  })

  it('caches GET responses with X-Cache, across a restart of the app', async () => {
    const directory = makeTempDir()
    const first = await startApp(appWith(directory))
    expect(await request(`${first.url}/page`)).toMatchObject({ body: { page: 'home', run: 1 }, cache: 'MISS' })
    await untilCached(() => first.app.get('CACHE_MANAGER').get('/page'))
    expect(await request(`${first.url}/page`)).toMatchObject({ body: { run: 1 }, cache: 'HIT' })
    await first.app.close()

    const second = await startApp(appWith(directory))
    expect(await request(`${second.url}/page`)).toMatchObject({ body: { run: 1 }, cache: 'HIT' })
  })

  it('honours @CacheKey and @CacheTTL in milliseconds', async () => {
    const { app, url } = await startApp(appWith(makeTempDir()))
    await request(`${url}/custom`)
    const cache = app.get('CACHE_MANAGER')
    await untilCached(() => cache.get('custom-key'))
    const remaining = (await cache.ttl('custom-key')) - Date.now()
    expect(remaining).toBeGreaterThan(20_000)
    expect(remaining).toBeLessThanOrEqual(30_000)
  })
})
