import { readdirSync, rmdirSync, rmSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { Cache, type CacheStats, type ClearOptions, DEFAULT_DIRECTORY, type EntryWithMeta } from './cache.js'
import type { CacheKey } from './cache-key.js'
import { readOptions } from './option-names.js'
import type { CheckOptions, CheckReport } from './check.js'
import { Deque, type DequeOptions } from './deque.js'
import { Index, type IndexOptions } from './ordered-index.js'
import type { SetOptions } from './entry-options.js'
import { CacheClosedError, CacheTimeoutError, DiskCacheError, InvalidOptionError, TransactionError } from './errors.js'
import { isAsyncFunction } from './is-async-function.js'
import {
  isShardCount,
  LAYOUT_FILENAME,
  MAX_SHARDS,
  namedDirectory,
  readShardCount,
  settleShardCount,
  shardDirectory,
} from './fanout-layout.js'
import type { IterateOptions } from './iterate.js'
import { type MemoizedFunction, type MemoizeHost, type MemoizeOptions, memoize } from './memoize.js'
import { type CacheOptions, type CacheSettings, DEFAULT_SETTINGS, OPTION_NAMES, unknownName } from './options.js'
import { shardOfKey } from './shard-of-key.js'
import { translateError } from './translate-error.js'

export interface FanoutCacheOptions extends CacheOptions {
  /** How many shard databases keys are spread over. @default 8, or the count the directory was created with */
  shards?: number
  /**
   * What a single-key write (`set`, `add`, `replace`, `touch`, `delete`) does when its
   * shard stays locked past `timeout`: `'throw'` a CacheTimeoutError, or
   * `'return-false'` (the write did not happen; counted in `timeouts`).
   * @default 'throw'
   */
  onTimeout?: 'throw' | 'return-false'
}

export const DEFAULT_SHARDS = 8

const FANOUT_OPTION_NAMES = [...OPTION_NAMES, 'shards', 'onTimeout']

// Single-key methods that only need the right shard: installed on the prototype from this list.
const ROUTED = ['get', 'has', 'getWithMeta', 'getStream', 'pop', 'incr', 'decr', 'getOrSet', 'setStream'] as const
// Single-key writes whose result says whether they happened: they follow `onTimeout`.
const REPORTING_WRITES = ['add', 'replace', 'touch', 'delete'] as const

type RoutedName = (typeof ROUTED)[number] | (typeof REPORTING_WRITES)[number]

// The routed methods have exactly Cache's signatures, so the types come from Cache too.
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export interface FanoutCache<K extends CacheKey = CacheKey, V = unknown> extends Pick<Cache<K, V>, RoutedName> {}

/**
 * A Cache split over several SQLite databases ("shards"), each with its own
 * write lock, so writers in different processes rarely wait for each other.
 * A key always lives in the same shard (a stable hash of the key), so reads
 * and writes of one key behave exactly as on a Cache; operations over the
 * whole cache combine every shard.
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export class FanoutCache<K extends CacheKey = CacheKey, V = unknown> implements Iterable<[K, V]> {
  readonly directory: string
  /** The shard caches, in order (directories 000, 001, …). */
  readonly shards: readonly Cache<K, V>[]
  /** Writes that returned false because their shard stayed locked past `timeout` (with onTimeout 'return-false'). */
  timeouts = 0
  private readonly onTimeout: 'throw' | 'return-false'
  private readonly childOptions: CacheOptions
  private readonly children = new Map<string, { close(): void }>()
  private isClosed = false

  constructor(directory: string = DEFAULT_DIRECTORY, options: FanoutCacheOptions = {}) {
    if (typeof directory !== 'string' || directory.length === 0) {
      throw new InvalidOptionError(`the cache directory must be a non-empty path string; got ${String(directory)}`)
    }
    if (typeof options !== 'object' || options === null) {
      throw new InvalidOptionError(`FanoutCache options must be an object; got ${options === null ? 'null' : typeof options}`)
    }
    for (const name of Object.keys(options)) {
      if (!FANOUT_OPTION_NAMES.includes(name)) throw unknownName('option', name, FANOUT_OPTION_NAMES)
    }
    const { shards: wanted, onTimeout = 'throw', ...cacheOptions } = options
    if (wanted !== undefined && !isShardCount(wanted)) {
      throw new InvalidOptionError(`"shards" must be a whole number from 1 to ${MAX_SHARDS}; got ${String(wanted)}`)
    }
    if (onTimeout !== 'throw' && onTimeout !== 'return-false') {
      throw new InvalidOptionError(`"onTimeout" must be 'throw' or 'return-false'; got ${String(onTimeout)}`)
    }
    this.directory = resolve(directory)
    this.onTimeout = onTimeout
    const { shards, created } = this.settleLayout(wanted, cacheOptions)
    // sizeLimit is the whole cache's: each shard gets its share. A new cache gets
    // the default's share too; an existing one keeps what its shards store.
    const { sizeLimit } = cacheOptions
    const shardOptions =
      sizeLimit !== undefined || created
        ? { ...cacheOptions, sizeLimit: Math.floor((sizeLimit ?? DEFAULT_SETTINGS.sizeLimit) / shards) }
        : cacheOptions
    const opened: Cache<K, V>[] = []
    try {
      for (let i = 0; i < shards; i++) opened.push(new Cache<K, V>(shardDirectory(this.directory, i), shardOptions))
    } catch (error) {
      for (const shard of opened) shard.close()
      throw error
    }
    this.shards = opened
    const { timeout, readonly, ownerOnly, now, serializer, ifCorrupt } = cacheOptions
    this.childOptions = Object.fromEntries(
      Object.entries({ timeout, readonly, ownerOnly, now, serializer, ifCorrupt }).filter(([, value]) => value !== undefined),
    )
  }

  /** Deletes a FanoutCache's files: every shard, every named sub-collection, the layout file. */
  static destroy(directory: string): void {
    const root = resolve(directory)
    const shards = readShardCount(root) ?? 0
    for (let i = 0; i < shards; i++) Cache.destroy(shardDirectory(root, i))
    for (const kind of ['cache', 'deque', 'index']) destroyTree(join(root, kind))
    rmSync(join(root, LAYOUT_FILENAME), { force: true })
    try {
      rmdirSync(root)
    } catch {
      // Other files live there: leave them.
    }
  }

  /** The number of shards. */
  get shardCount(): number {
    return this.shards.length
  }

  /** The shard that holds `key` (throws InvalidKeyError for a key no cache can store). */
  shardFor(key: K): Cache<K, V> {
    return this.shards[shardOfKey(key, this.shards.length)]!
  }

  /** Shared settings as the whole cache sees them: shard 0's, with sizeLimit summed over the shards. */
  get settings(): Readonly<CacheSettings> {
    const settings = this.shards[0]!.settings
    return { ...settings, sizeLimit: settings.sizeLimit * this.shards.length }
  }

  // ----- single-key writes -----

  /** Stores `value`; returns true, or false when the shard stayed locked and onTimeout is 'return-false'. */
  set(key: K, value: V, options?: SetOptions): boolean {
    const shard = this.shardFor(key)
    return this.reportingTimeout(() => {
      shard.set(key, value, options)
      return true
    })
  }

  // ----- several keys -----

  /** Values in the order of `keys`; each shard is read once. */
  getMany(keys: readonly K[]): (V | undefined)[] {
    return this.readEachShard(keys, (shard, shardKeys) => shard.getMany(shardKeys))
  }

  /** getWithMeta for each key, in the order of `keys`; each shard is read once, in one read transaction. */
  getManyWithMeta(keys: readonly K[]): (EntryWithMeta<V> | undefined)[] {
    return this.readEachShard(keys, (shard, shardKeys) => shard.getManyWithMeta(shardKeys))
  }

  private readEachShard<R>(keys: readonly K[], read: (shard: Cache<K, V>, keys: K[]) => R[]): R[] {
    const results = new Array<R>(keys.length)
    for (const [shard, positions] of this.groupByShard(keys, (key) => key)) {
      const found = read(shard, positions.map((i) => keys[i]!))
      positions.forEach((position, i) => (results[position] = found[i]!))
    }
    return results
  }

  /** Stores every entry, atomically: it holds the write locks of the shards involved, taken in shard order. */
  setMany(entries: Iterable<readonly [K, V]>, options?: SetOptions): void {
    const list = [...entries]
    const groups = this.groupByShard(list, ([key]) => key)
    this.transactOn([...groups.keys()], () => {
      for (const [shard, positions] of groups) shard.setMany(positions.map((i) => list[i]!), options)
    })
  }

  /** Deletes the keys, atomically like setMany; returns how many existed. */
  deleteMany(keys: readonly K[]): number {
    const groups = this.groupByShard(keys, (key) => key)
    return this.transactOn([...groups.keys()], () => {
      let deleted = 0
      for (const [shard, positions] of groups) deleted += shard.deleteMany(positions.map((i) => keys[i]!))
      return deleted
    })
  }

  // ----- the whole cache -----

  /** Live entries in all shards. */
  get size(): number {
    return this.sum((shard) => shard.size)
  }

  get length(): number {
    return this.size
  }

  volume(): number {
    return this.sum((shard) => shard.volume())
  }

  /**
   * Cache.dataVersion() over the shards: with `key`, that of the shard
   * holding it (it moves whenever that key may have changed, and reads one
   * shard only); without, the sum over every shard.
   */
  dataVersion(key?: K): number {
    return key === undefined ? this.sum((shard) => shard.dataVersion()) : this.shardFor(key).dataVersion()
  }

  /** Keys shard by shard (storage order within each shard). */
  keys(options?: IterateOptions): IterableIterator<K> {
    return this.chain((shard) => shard.keys(options), readOptions('keys', options))
  }

  values(options?: IterateOptions): IterableIterator<V> {
    return this.chain((shard) => shard.values(options), readOptions('values', options))
  }

  entries(options?: IterateOptions): IterableIterator<[K, V]> {
    return this.chain((shard) => shard.entries(options), readOptions('entries', options))
  }

  [Symbol.iterator](): IterableIterator<[K, V]> {
    return this.entries()
  }

  /** The most (or least, with `last: false`) recently stored entry across all shards. */
  peekItem(options: { last?: boolean } = {}): [K, V] | undefined {
    const last = readOptions('peekItem', options).last ?? true
    let best: [K, V] | undefined
    let bestAt = last ? -Infinity : Infinity
    for (const shard of this.shards) {
      const item = shard.peekItem({ last })
      if (item === undefined) continue
      const storedAt = shard.getWithMeta(item[0])?.storedAt ?? (last ? -Infinity : Infinity)
      if (best === undefined || (last ? storedAt > bestAt : storedAt < bestAt)) {
        best = item
        bestAt = storedAt
      }
    }
    return best
  }

  expire(): number {
    return this.sum((shard) => shard.expire())
  }

  evict(tag: string): number {
    return this.sum((shard) => shard.evict(tag))
  }

  cull(): number {
    return this.sum((shard) => shard.cull())
  }

  /** Removes every entry (or, with `prefix`, those whose key starts with it) from every shard. */
  clear(options?: ClearOptions): number {
    return this.sum((shard) => shard.clear(options))
  }

  /** Hits and misses summed over the shards; `enable` and `reset` apply to every shard. */
  stats(options?: { enable?: boolean; reset?: boolean }): CacheStats {
    const total = { hits: 0, misses: 0 }
    for (const shard of this.shards) {
      const { hits, misses } = shard.stats(options)
      total.hits += hits
      total.misses += misses
    }
    return total
  }

  /** Checks every shard; each problem's path is relative to this directory (it starts with the shard's 000/…). */
  check(options?: CheckOptions): CheckReport {
    const problems = this.shards.flatMap((shard, i) => {
      const prefix = shardDirectory('', i)
      return shard.check(options).problems.map((problem) => ({
        ...problem,
        path: problem.path === undefined ? prefix : join(prefix, problem.path),
      }))
    })
    return { ok: problems.every((problem) => problem.fixed), problems }
  }

  /** Reads a setting, or changes it on every shard (a sizeLimit is the whole cache's, split evenly). */
  reset<N extends keyof CacheSettings>(name: N, value?: CacheSettings[N]): CacheSettings[N] {
    const count = this.shards.length
    if (value === undefined) {
      const current = this.shards[0]!.reset(name)
      return (name === 'sizeLimit' ? (current as number) * count : current) as CacheSettings[N]
    }
    const perShard = (name === 'sizeLimit' && typeof value === 'number' ? Math.floor(value / count) : value) as CacheSettings[N]
    for (const shard of this.shards) shard.reset(name, perShard)
    return name === 'sizeLimit' ? ((perShard as number) * count as CacheSettings[N]) : perShard
  }

  /**
   * Runs `fn` holding every shard's write lock (taken in shard order, so two
   * callers cannot deadlock): atomic across the whole cache, and it stops
   * every other writer meanwhile. For frequent transactions over related
   * keys, use a named `cache(name)`, which is a single database.
   */
  transact<T>(fn: () => T): T {
    if (isAsyncFunction(fn)) {
      throw new TransactionError(
        'transact() needs a synchronous function, not an async one: a transaction cannot stay open across an await. ' +
          'Do the async work first, then write inside transact()',
      )
    }
    return this.transactOn(this.shards, fn)
  }

  /** Runs `fn` holding the write locks of `shards` (in shard order, so two callers cannot deadlock). */
  private transactOn<T>(shards: readonly Cache<K, V>[], fn: () => T): T {
    const enter = (i: number): T => (i === shards.length ? fn() : shards[i]!.transact(() => enter(i + 1)))
    return enter(0)
  }

  /** Wraps `fn` so its results are cached by arguments, each in its key's shard. `maxSize` needs a single database. */
  memoize<A extends unknown[], R>(fn: (...args: A) => R, options: MemoizeOptions = {}): MemoizedFunction<A, R> {
    if (options?.maxSize !== undefined) {
      throw new InvalidOptionError(
        'memoize "maxSize" keeps one LRU order, which needs one database: use fanout.cache(name).memoize(fn, { maxSize })',
      )
    }
    const host: MemoizeHost = {
      readThrough: (key, compute, how) => this.shardFor(key as K).readThrough(key as K, compute, how as never),
      storeMemoized: (key, value, entry) => this.shardFor(key as K).storeMemoized(key as K, value as V, entry),
      countTagged: (tag) => this.sum((shard) => shard.countTagged(tag)),
      evict: (tag) => this.evict(tag),
    }
    return memoize(host, fn, options)
  }

  // ----- named sub-collections -----

  /**
   * A Cache of its own in `cache/<name>` under this directory (one database, so
   * it supports transactions across its keys). The same object is returned for
   * the same name; `options` apply when it is first opened.
   */
  cache<CK extends CacheKey = CacheKey, CV = unknown>(name: string, options?: CacheOptions): Cache<CK, CV> {
    return this.child('cache', name, (directory) => new Cache<CK, CV>(directory, { ...this.childOptions, ...options }))
  }

  /** True once `close()` has run. */
  get closed(): boolean {
    return this.isClosed
  }

  /**
   * A Deque of its own in `deque/<name>` (a single database, eviction policy
   * 'none'). The same object is returned for the same name; `options` apply
   * when it is first opened.
   */
  deque<DV = unknown>(name: string, options?: DequeOptions): Deque<DV> {
    return this.child('deque', name, (directory) => new Deque<DV>(directory, { ...this.childOptions, ...options }))
  }

  /** An Index of its own in `index/<name>`, like `deque(name)`. */
  index<IK extends CacheKey = CacheKey, IV = unknown>(name: string, options?: IndexOptions<IK, IV>): Index<IK, IV> {
    return this.child('index', name, (directory) => new Index<IK, IV>(directory, { ...this.childOptions, ...options }))
  }

  /** Closes every shard and sub-collection. Later calls throw CacheClosedError. */
  close(): void {
    this.isClosed = true
    for (const child of this.children.values()) child.close()
    this.children.clear()
    for (const shard of this.shards) shard.close()
  }

  // ----- internals -----

  private settleLayout(wanted: number | undefined, options: CacheOptions): { shards: number; created: boolean } {
    try {
      return settleShardCount(this.directory, wanted, DEFAULT_SHARDS, {
        readonly: options.readonly === true,
        ownerOnly: options.ownerOnly === true,
      })
    } catch (error) {
      throw error instanceof DiskCacheError ? error : translateError(error, { directory: this.directory })
    }
  }

  /** @internal Opens (once) a named sub-collection of `kind`. */
  child<T extends { close(): void }>(kind: 'cache' | 'deque' | 'index', name: string, open: (directory: string) => T): T {
    if (this.isClosed) throw new CacheClosedError(`the FanoutCache in ${this.directory} is closed; open a new one to use it again`)
    const directory = namedDirectory(this.directory, kind, name)
    const id = `${kind}/${name}`
    let found = this.children.get(id) as T | undefined
    if (found === undefined) this.children.set(id, (found = open(directory)))
    return found
  }

  /** @internal Applies the onTimeout policy to one write. */
  reportingTimeout(write: () => boolean): boolean {
    if (this.onTimeout === 'throw') return write()
    try {
      return write()
    } catch (error) {
      if (!(error instanceof CacheTimeoutError)) throw error
      this.timeouts++
      return false
    }
  }

  private sum(measure: (shard: Cache<K, V>) => number): number {
    let total = 0
    for (const shard of this.shards) total += measure(shard)
    return total
  }

  /** Positions of `items` by shard, shards in shard order (the order their locks must be taken in). */
  private groupByShard<T>(items: readonly T[], keyOf: (item: T) => K): Map<Cache<K, V>, number[]> {
    const byIndex: number[][] = []
    items.forEach((item, position) => (byIndex[shardOfKey(keyOf(item), this.shards.length)] ??= []).push(position))
    const groups = new Map<Cache<K, V>, number[]>()
    byIndex.forEach((positions, index) => positions && groups.set(this.shards[index]!, positions))
    return groups
  }

  private *chain<T>(walk: (shard: Cache<K, V>) => Iterable<T>, options?: IterateOptions): IterableIterator<T> {
    const shards = options?.reverse ? [...this.shards].reverse() : this.shards
    for (const shard of shards) yield* walk(shard)
  }
}

type ShardMethod = (this: Cache, key: CacheKey, ...rest: unknown[]) => unknown

function install(name: string, method: (this: FanoutCache, key: CacheKey, ...rest: unknown[]) => unknown): void {
  Object.defineProperty(method, 'name', { value: name })
  Object.defineProperty(FanoutCache.prototype, name, { value: method, writable: true, configurable: true })
}

for (const name of ROUTED) {
  const method = Cache.prototype[name] as ShardMethod
  install(name, function (key, ...rest) {
    return method.call(this.shardFor(key), key, ...rest)
  })
}

for (const name of REPORTING_WRITES) {
  const method = Cache.prototype[name] as ShardMethod
  install(name, function (key, ...rest) {
    const shard = this.shardFor(key)
    return this.reportingTimeout(() => method.call(shard, key, ...rest) as boolean)
  })
}

/** Removes every cache (a directory holding cache.db) under `directory`, then the emptied directories. */
function destroyTree(directory: string): void {
  let entries
  try {
    entries = readdirSync(directory, { withFileTypes: true })
  } catch {
    return
  }
  for (const entry of entries) if (entry.isDirectory()) destroyTree(join(directory, entry.name))
  Cache.destroy(directory)
}
