export { Cache, DEFAULT_DIRECTORY } from './cache.js'
export type { CacheStats, ClearOptions, EntryWithMeta, GetOptions, GetOrSetOptions, IncrOptions } from './cache.js'
export type { CacheKey } from './cache-key.js'
export type { SetOptions } from './entry-options.js'
export type { IterateOptions } from './iterate.js'
export type { KeyPrefix } from './key-prefix.js'
export type { PushOptions, PullOptions } from './queue.js'
export type { CheckOptions, CheckProblem, CheckProblemKind, CheckReport } from './check.js'
export type { MemoizeOptions, MemoizedFunction, CacheInfo } from './memoize.js'
export { assertKnownOptions, DEFAULT_OPTIONS, DEFAULT_SETTINGS } from './options.js'
export type { CacheOptions, CacheSettings, SynchronousMode } from './options.js'
export { EVICTION_POLICIES } from './eviction-policy.js'
export type { EvictionPolicy, EvictionPolicyName } from './eviction-policy.js'
export { jsonSerializer, v8Serializer } from './serializer.js'
export type { Serializer, SerializerName } from './serializer.js'
export type { CompressionName } from './compression.js'
export {
  CacheClosedError,
  CacheIOError,
  CacheTimeoutError,
  CorruptCacheError,
  DiskCacheError,
  DiskFullError,
  InvalidKeyError,
  InvalidOptionError,
  InvalidTtlError,
  InvalidValueError,
  KeyNotFoundError,
  NotACacheError,
  NotANumberError,
  NotWritableError,
  ReadOnlyCacheError,
  SchemaVersionError,
  TransactionError,
  ValueTooLargeError,
} from './errors.js'
export type { DiskCacheErrorCode } from './errors.js'
