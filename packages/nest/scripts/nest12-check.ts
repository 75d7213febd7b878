// Nest 12 (ESM-only) check, run by check-nest12.sh in a scratch ES module project
// with Nest 12 installed: both registrations, the interceptors, tags, vary and shutdown.
import 'reflect-metadata'
import { CacheTags, CacheVary, DiskCacheInterceptor, DiskCacheModule, DiskCacheService, diskCacheOptions } from '@diskcache/nest'
import { CacheInterceptor, CacheModule } from '@nestjs/cache-manager'
import { Controller, Get, Module, Param } from '@nestjs/common'
import { APP_INTERCEPTOR, NestFactory } from '@nestjs/core'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import assert from 'node:assert/strict'

let runs = 0

@Controller()
class ItemsController {
  constructor(private readonly cache: DiskCacheService) {}
  @Get('items/:id')
  @CacheTags((ctx) => [`item:${ctx.switchToHttp().getRequest().params.id}`])
  @CacheVary({ headers: ['accept-language'] })
  item(@Param('id') id: string) {
    return { id, run: ++runs }
  }
  @Get('evict/:id')
  async evict(@Param('id') id: string) {
    return { evicted: await this.cache.evictTags(`item:${id}`) }
  }
}

@Controller()
class PlainController {
  @Get('plain')
  plain() {
    return { run: ++runs }
  }
}

async function get(url: string, headers: Record<string, string> = {}) {
  const response = await fetch(url, { headers, signal: AbortSignal.timeout(5000) })
  return { body: await response.json(), cache: response.headers.get('x-cache') }
}

// 1. DiskCacheModule.forRoot + DiskCacheInterceptor
{
  const directory = mkdtempSync(join(tmpdir(), 'nest12-'))
  @Module({
    imports: [DiskCacheModule.forRoot({ directory, ttl: 60_000 })],
    controllers: [ItemsController],
    providers: [{ provide: APP_INTERCEPTOR, useClass: DiskCacheInterceptor }],
  })
  class AppModule {}
  const app = await NestFactory.create(AppModule, { logger: false })
  await app.listen(0, '127.0.0.1')
  const url = await app.getUrl()
  assert.deepEqual(await get(`${url}/items/1`), { body: { id: '1', run: 1 }, cache: 'MISS' })
  assert.deepEqual(await get(`${url}/items/1`), { body: { id: '1', run: 1 }, cache: 'HIT' })
  assert.deepEqual((await get(`${url}/items/1`, { 'accept-language': 'fr' })).body.run, 2)
  assert.deepEqual((await get(`${url}/evict/1`)).body, { evicted: 2 })
  assert.deepEqual(await get(`${url}/items/1`), { body: { id: '1', run: 3 }, cache: 'MISS' })
  const store = app.get(DiskCacheService).store
  await app.close()
  assert.equal(store.cache.closed, true)
  console.log('forRoot + DiskCacheInterceptor: ok')
}

// 2. CacheModule.register(diskCacheOptions()) + Nest's CacheInterceptor
{
  const directory = mkdtempSync(join(tmpdir(), 'nest12-'))
  const options = diskCacheOptions({ directory, ttl: 60_000 })
  @Module({
    imports: [CacheModule.register(options)],
    controllers: [PlainController],
    providers: [{ provide: APP_INTERCEPTOR, useClass: CacheInterceptor }],
  })
  class AppModule {}
  const app = await NestFactory.create(AppModule, { logger: false })
  await app.listen(0, '127.0.0.1')
  const url = await app.getUrl()
  const first = await get(`${url}/plain`)
  assert.equal(first.cache, 'MISS')
  await new Promise((resolve) => setTimeout(resolve, 50))
  assert.deepEqual(await get(`${url}/plain`), { body: first.body, cache: 'HIT' })
  await app.close()
  assert.equal(((options.stores as any)[0].store as any).cache.closed, true)
  console.log('CacheModule.register(diskCacheOptions()) + CacheInterceptor: ok')
}
