// The module `cacheHandler` points at: Next imports it and constructs its default export, a class.
// Options come from the environment (DISKCACHE_NEXT_DIR, ...); for options in code, write your own
// module exporting createCacheHandler({ ... }).
import { createCacheHandler } from './incremental-handler.js'

export { createCacheHandler } from './incremental-handler.js'
export type { IncrementalCacheHandler, IncrementalCacheHandlerClass } from './incremental-handler.js'
export { prefill } from './prefill.js'
export type { PrefillOptions, PrefillResult } from './prefill.js'
export { createUseCacheHandler } from './use-cache-handler.js'
export type { UseCacheHandler } from './use-cache-handler.js'
export { DEFAULT_DIRECTORY_NAME, DEFAULT_NEXT_CACHE_OPTIONS, OPTION_ENVIRONMENT } from './options.js'
export type { NextCacheOptions } from './options.js'
export type { TagDurations } from './tag-state.js'
export type {
  CacheControl,
  CacheHandlerContext,
  CacheHandlerValue,
  GetContext,
  IncrementalCacheValue,
  SetContext,
  UseCacheEntry,
} from './next-types.js'

const DiskCacheHandler = createCacheHandler()
export default DiskCacheHandler
