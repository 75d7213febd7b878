export { KeyvDiskCache } from './keyv-disk-cache.js'
export type { KeyvDiskCacheOptions } from './keyv-disk-cache-options.js'
export { createKeyv } from './create-keyv.js'
export type { CreateKeyvOptions } from './create-keyv.js'
