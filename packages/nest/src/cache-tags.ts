import type { ExecutionContext } from '@nestjs/common'
import { SetMetadata } from '@nestjs/common'

export const CACHE_TAGS_METADATA = 'diskcache:cache_tags'

/** Tags, or a function of the request's context that returns them. */
export type CacheTagsValue = readonly string[] | ((context: ExecutionContext) => readonly string[])

/**
 * Tags the responses DiskCacheInterceptor caches for this handler (or every
 * handler of this controller), so `DiskCacheService.evictTags(tag)` removes
 * them: `@CacheTags('products')`, or `@CacheTags((ctx) => [...])` for tags
 * that depend on the request.
 */
export function CacheTags(...tags: string[]): MethodDecorator & ClassDecorator
export function CacheTags(tags: (context: ExecutionContext) => readonly string[]): MethodDecorator & ClassDecorator
export function CacheTags(...args: unknown[]): MethodDecorator & ClassDecorator {
  const value: CacheTagsValue = typeof args[0] === 'function' ? (args[0] as CacheTagsValue) : (args as string[])
  return SetMetadata(CACHE_TAGS_METADATA, value)
}
