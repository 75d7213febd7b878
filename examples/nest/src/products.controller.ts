import { CacheTags, CacheVary, DiskCacheService } from '@diskcache/nest'
import { CacheTTL } from '@nestjs/cache-manager'
import { Body, Controller, Get, NotFoundException, Param, Put } from '@nestjs/common'

// Stands in for a database. `computedBy` shows which process built a response
// and `computation` how many this process has built: a cache hit changes neither.
const prices: Record<string, number> = { apple: 120, pear: 95 }
let computations = 0

function served(body: object) {
  return { ...body, computedBy: process.pid, computation: ++computations }
}

@Controller()
export class ProductsController {
  constructor(private readonly cache: DiskCacheService) {}

  @Get('products')
  @CacheTags('product-list')
  list() {
    return served({ products: Object.keys(prices) })
  }

  @Get('products/:id')
  @CacheTags((context) => [`product:${context.switchToHttp().getRequest().params.id}`])
  product(@Param('id') id: string) {
    const price = prices[id]
    if (price === undefined) throw new NotFoundException(`no product "${id}"`)
    return served({ id, price })
  }

  // A write evicts what it made stale, in every process that shares the cache.
  @Put('products/:id/price')
  async setPrice(@Param('id') id: string, @Body() body: { price: number }) {
    prices[id] = body.price
    const evicted = await this.cache.evictTags([`product:${id}`, 'product-list'])
    return { id, price: body.price, evicted }
  }

  // A short-lived response: CLOCK_TTL_MS milliseconds (default 2 s).
  @Get('clock')
  @CacheTTL(() => Number(process.env.CLOCK_TTL_MS ?? 2_000))
  clock() {
    return served({ now: new Date().toISOString() })
  }

  // One entry per language the client asks for.
  @Get('greeting')
  @CacheVary({ headers: ['accept-language'] })
  greeting() {
    return served({ greeting: 'hello' })
  }
}
