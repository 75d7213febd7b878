import { CACHE_MANAGER, CACHE_TTL_METADATA, CacheInterceptor } from '@nestjs/cache-manager'
import {
  type CallHandler,
  type ExecutionContext,
  Inject,
  Injectable,
  Logger,
  StreamableFile,
} from '@nestjs/common'
import { Reflector } from '@nestjs/core'
import { from, lastValueFrom, type Observable, of } from 'rxjs'
import { CACHE_TAGS_METADATA, type CacheTagsValue } from './cache-tags.js'
import { CACHE_VARY_METADATA, type CacheVaryOptions, varyKey } from './cache-vary.js'
import { DiskCacheService } from './disk-cache-service.js'

/**
 * Nest's CacheInterceptor (GET only, `@CacheKey`, `@CacheTTL`, `X-Cache`),
 * plus `@CacheVary` keys, `@CacheTags` records, and one handler run for
 * concurrent misses of a key in this process: the others wait and get its
 * response. The response is stored before it is sent, so the next request hits.
 */
@Injectable()
export class DiskCacheInterceptor extends CacheInterceptor {
  // Misses being computed, by key: what concurrent requests for the same key wait on.
  private readonly inFlight = new Map<string, Promise<unknown>>()

  constructor(
    @Inject(CACHE_MANAGER) cacheManager: any,
    reflector: Reflector,
    private readonly diskCache: DiskCacheService,
  ) {
    super(cacheManager, reflector)
  }

  protected override async trackBy(context: ExecutionContext): Promise<string | undefined | null> {
    const key = await super.trackBy(context)
    if (!key) return key
    const vary = this.metadata<CacheVaryOptions>(CACHE_VARY_METADATA, context)
    return vary === undefined || context.getType() !== 'http' ? key : varyKey(key, vary, context)
  }

  override async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<any>> {
    const key = await this.trackBy(context)
    if (!key) return next.handle()
    let cached: unknown
    try {
      cached = await this.cacheManager.get(key)
    } catch {
      // As Nest's interceptor does: a cache that fails must not fail the request.
      return next.handle()
    }
    this.setHeadersWhenHttp(context, cached)
    if (cached !== undefined && cached !== null) return of(cached)

    let flight = this.inFlight.get(key)
    if (flight === undefined) {
      flight = this.computeAndStore(key, context, next).finally(() => this.inFlight.delete(key))
      this.inFlight.set(key, flight)
    }
    return from(flight)
  }

  private async computeAndStore(key: string, context: ExecutionContext, next: CallHandler): Promise<unknown> {
    const response = await lastValueFrom(next.handle(), { defaultValue: undefined })
    if (response instanceof StreamableFile) return response
    try {
      const ttlOrFactory = this.metadata<number | ((ctx: ExecutionContext) => number | Promise<number>)>(CACHE_TTL_METADATA, context)
      const ttl = typeof ttlOrFactory === 'function' ? await ttlOrFactory(context) : ttlOrFactory
      const tagsOrFactory = this.metadata<CacheTagsValue>(CACHE_TAGS_METADATA, context)
      const tags = typeof tagsOrFactory === 'function' ? tagsOrFactory(context) : (tagsOrFactory ?? [])
      if (tags.length > 0) this.diskCache.tag(key, tags, ttl ?? undefined)
      await this.cacheManager.set(key, response, ttl ?? undefined)
    } catch (error) {
      Logger.error(`could not cache the response for "${key}": ${(error as Error).message}`, (error as Error).stack, 'DiskCacheInterceptor')
    }
    return response
  }

  /** The handler's metadata, else its controller's. */
  private metadata<T>(name: string, context: ExecutionContext): T | undefined {
    return this.reflector.get<T>(name, context.getHandler()) ?? this.reflector.get<T>(name, context.getClass()) ?? undefined
  }
}
