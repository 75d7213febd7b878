import { CacheKey, CacheTTL } from '@nestjs/cache-manager'
import {
  type CanActivate,
  Controller,
  Delete,
  type ExecutionContext,
  Get,
  Injectable,
  Module,
  Param,
  Post,
  UseGuards,
  UseInterceptors,
} from '@nestjs/common'
import { CacheTags } from './cache-tags.js'
import { CacheVary } from './cache-vary.js'
import { DiskCacheInterceptor } from './disk-cache-interceptor.js'
import { DiskCacheModule } from './disk-cache-module.js'
import { DiskCacheService } from './disk-cache-service.js'
import { request, startApp } from './test-support/nest-app.js'
import { makeTempDir } from './test-support/temp-dir.js'

// How many times each handler ran: a cached response does not run it.
const runs: Record<string, number> = {}
function run(name: string): number {
  runs[name] = (runs[name] ?? 0) + 1
  return runs[name]
}
beforeEach(() => {
  for (const name of Object.keys(runs)) delete runs[name]
})

/** Stands in for an auth guard: the user comes from the x-user header. */
@Injectable()
class FakeAuthGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest()
    const id = request.headers['x-user']
    if (id) request.user = { id }
    return true
  }
}

let releaseSlow: () => void = () => {}

@Controller('items')
@UseGuards(FakeAuthGuard)
@UseInterceptors(DiskCacheInterceptor)
class ItemsController {
  constructor(private readonly cache: DiskCacheService) {}

  @Get()
  list() {
    return { items: ['a', 'b'], run: run('list') }
  }

  @Post()
  create() {
    return { run: run('create') }
  }

  @Get('keyed')
  @CacheKey('the-key')
  keyed() {
    return { run: run('keyed') }
  }

  @Get('short')
  @CacheTTL(1_000)
  short() {
    return { run: run('short') }
  }

  @Get('greeting')
  @CacheVary({ headers: ['Accept-Language'] })
  greeting() {
    return { run: run('greeting') }
  }

  @Get('mine')
  @CacheVary({ user: true })
  mine() {
    return { run: run('mine') }
  }

  @Get('products/:id')
  @CacheTags((context) => ['products', `product:${context.switchToHttp().getRequest().params.id}`])
  product(@Param('id') id: string) {
    return { id, run: run(`product:${id}`) }
  }

  @Delete('products/:id')
  async deleteProduct(@Param('id') id: string) {
    return { evicted: await this.cache.evictTags(`product:${id}`) }
  }

  @Get('slow')
  async slow() {
    const count = run('slow')
    await new Promise<void>((resolve) => {
      releaseSlow = resolve
    })
    return { run: count }
  }
}

function appWith(directory: string) {
  @Module({ imports: [DiskCacheModule.forRoot({ directory, ttl: 60_000 })], controllers: [ItemsController], providers: [FakeAuthGuard] })
  class AppModule {}
  return AppModule
}

describe('DiskCacheInterceptor', () => {
  it('caches a GET: the handler runs once, X-Cache says MISS then HIT', async () => {
    const { url } = await startApp(appWith(makeTempDir()))
    const first = await request(`${url}/items`)
    const second = await request(`${url}/items`)
    expect(first).toEqual({ status: 200, body: { items: ['a', 'b'], run: 1 }, cache: 'MISS' })
    expect(second).toEqual({ status: 200, body: { items: ['a', 'b'], run: 1 }, cache: 'HIT' })
    expect((await request(`${url}/items?page=2`)).body.run).toBe(2)
  })

  it('does not cache other methods', async () => {
    const { url } = await startApp(appWith(makeTempDir()))
    await request(`${url}/items`, { method: 'POST' })
    expect((await request(`${url}/items`, { method: 'POST' })).body.run).toBe(2)
  })

  it('keeps the response across restarts of the app', async () => {
    const directory = makeTempDir()
    const first = await startApp(appWith(directory))
    await request(`${first.url}/items`)
    await first.app.close()
    const second = await startApp(appWith(directory))
    expect(await request(`${second.url}/items`)).toMatchObject({ body: { run: 1 }, cache: 'HIT' })
  })

  it('uses @CacheKey as the key', async () => {
    const { app, url } = await startApp(appWith(makeTempDir()))
    await request(`${url}/items/keyed?ignored=1`)
    expect(await app.get(DiskCacheService).cacheManager.get('the-key')).toEqual({ run: 1 })
    expect((await request(`${url}/items/keyed?ignored=2`)).cache).toBe('HIT')
  })

  it('expires a response after its @CacheTTL', async () => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'clearImmediate', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'queueMicrotask', 'hrtime', 'performance'] })
    try {
      const { app, url } = await startApp(appWith(makeTempDir()))
      await request(`${url}/items/short`)
      const expires = (await app.get(DiskCacheService).cacheManager.ttl('/items/short'))!
      expect(expires - Date.now()).toBe(1_000)
      jest.setSystemTime(Date.now() + 999)
      expect((await request(`${url}/items/short`)).body.run).toBe(1)
      jest.setSystemTime(Date.now() + 2)
      expect(await request(`${url}/items/short`)).toMatchObject({ body: { run: 2 }, cache: 'MISS' })
    } finally {
      jest.useRealTimers()
    }
  })

  it('varies the key by the headers @CacheVary names', async () => {
    const { url } = await startApp(appWith(makeTempDir()))
    const en = { headers: { 'accept-language': 'en' } }
    const fr = { headers: { 'accept-language': 'fr' } }
    expect((await request(`${url}/items/greeting`, en)).body.run).toBe(1)
    expect((await request(`${url}/items/greeting`, fr)).body.run).toBe(2)
    expect(await request(`${url}/items/greeting`, en)).toMatchObject({ body: { run: 1 }, cache: 'HIT' })
    expect(await request(`${url}/items/greeting`, fr)).toMatchObject({ body: { run: 2 }, cache: 'HIT' })
  })

  it('varies the key by the user with @CacheVary({ user: true })', async () => {
    const { url } = await startApp(appWith(makeTempDir()))
    const ada = { headers: { 'x-user': 'ada' } }
    const bob = { headers: { 'x-user': 'bob' } }
    expect((await request(`${url}/items/mine`, ada)).body.run).toBe(1)
    expect((await request(`${url}/items/mine`, bob)).body.run).toBe(2)
    expect((await request(`${url}/items/mine`)).body.run).toBe(3)
    expect((await request(`${url}/items/mine`, ada)).body.run).toBe(1)
    expect((await request(`${url}/items/mine`, bob)).body.run).toBe(2)
  })

  it('evicts the responses tagged by @CacheTags, and only those', async () => {
    const { app, url } = await startApp(appWith(makeTempDir()))
    await request(`${url}/items/products/1`)
    await request(`${url}/items/products/2`)
    await request(`${url}/items`)

    expect((await request(`${url}/items/products/1`, { method: 'DELETE' })).body).toEqual({ evicted: 1 })
    expect(await request(`${url}/items/products/1`)).toMatchObject({ body: { run: 2 }, cache: 'MISS' })
    expect(await request(`${url}/items/products/2`)).toMatchObject({ body: { run: 1 }, cache: 'HIT' })

    expect(await app.get(DiskCacheService).evictTags('products')).toBe(2)
    expect((await request(`${url}/items/products/1`)).body.run).toBe(3)
    expect((await request(`${url}/items/products/2`)).body.run).toBe(2)
    expect((await request(`${url}/items`)).cache).toBe('HIT')
  })

  it('runs the handler once for concurrent misses of one key, and answers them all', async () => {
    const { url } = await startApp(appWith(makeTempDir()))
    const responses = Promise.all(Array.from({ length: 5 }, () => request(`${url}/items/slow`)))
    // Wait for the first run to start, then give the other four requests time to join it.
    while (runs.slow === undefined) await new Promise((resolve) => setTimeout(resolve, 5))
    await new Promise((resolve) => setTimeout(resolve, 100))
    releaseSlow()
    const bodies = (await responses).map((response) => response.body)
    expect(bodies).toEqual(Array.from({ length: 5 }, () => ({ run: 1 })))
    expect(runs.slow).toBe(1)
  })
})
