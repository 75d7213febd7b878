export { Cache, DEFAULT_DIRECTORY } from './cache.js'
export type { CacheStats, ClearOptions, EntryWithMeta, GetOptions, GetOrSetOptions, IncrOptions } from './cache.js'
export type { CacheKey } from './cache-key.js'
export { DEFAULT_SHARDS, FanoutCache } from './fanout-cache.js'
export type { FanoutCacheOptions } from './fanout-cache.js'
export type { SetOptions } from './entry-options.js'
export type { IterateOptions } from './iterate.js'
export type { KeyPrefix } from './key-prefix.js'
export type { PushOptions, PullOptions } from './queue.js'
export type { QueueEntriesOptions } from './iterate-queue.js'
export { Deque } from './deque.js'
export type { DequeOptions, DequeReadOptions } from './deque.js'
export { Index } from './ordered-index.js'
export type { IndexEntries, IndexOptions, IndexPushOptions } from './ordered-index.js'
export type { CollectionCacheOptions } from './collection-cache.js'
export type { CheckOptions, CheckProblem, CheckProblemKind, CheckReport } from './check.js'
export type { MemoizeOptions, MemoizedFunction, CacheInfo } from './memoize.js'
export { DEFAULT_OPTIONS, DEFAULT_SETTINGS } from './options.js'
export { checkOptionNames, unknownName } from './option-names.js'
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
  LockNotHeldError,
  LockTimeoutError,
  NotACacheError,
  NotANumberError,
  NotWritableError,
  ReadOnlyCacheError,
  SchemaVersionError,
  TransactionError,
  ValueTooLargeError,
} from './errors.js'
export type { DiskCacheErrorCode } from './errors.js'
export type { RecipeCache } from './recipes/recipe-cache.js'
export type { WaitOptions } from './recipes/poll-until.js'
export { Acquirable, DEFAULT_LOCK_OPTIONS } from './recipes/acquirable.js'
export type { AcquireOptions, LockOptions } from './recipes/acquirable.js'
export { Lock } from './recipes/lock.js'
export { RLock } from './recipes/rlock.js'
export { BoundedSemaphore } from './recipes/bounded-semaphore.js'
export type { BoundedSemaphoreOptions } from './recipes/bounded-semaphore.js'
export { throttle } from './recipes/throttle.js'
export type { ThrottleOptions, ThrottledFunction } from './recipes/throttle.js'
export { barrier } from './recipes/barrier.js'
export type { BarrierOptions, Holdable, HoldableClass, HoldableFactory } from './recipes/barrier.js'
export { memoizeStampede } from './recipes/memoize-stampede.js'
export type { MemoizeStampedeOptions, StampedeFunction } from './recipes/memoize-stampede.js'
export { Averager } from './recipes/averager.js'
export type { AveragerOptions } from './recipes/averager.js'
