import { resolve } from 'node:path'
import type { Readable } from 'node:stream'
import { type CacheKey, encodeKey, KeyKind, keyIdentity } from './cache-key.js'
import { checkCache, type CheckOptions, type CheckReport } from './check.js'
import { DataVersion } from './data-version.js'
import { decodeTags, resolveEntryOptions, type SetOptions, expiryFromTtl } from './entry-options.js'
import { InvalidOptionError, KeyNotFoundError, NotANumberError, TransactionError } from './errors.js'
import { iterateEntries, type IterateOptions } from './iterate.js'
import { countQueue, iterateQueue, type QueueEntriesOptions } from './iterate-queue.js'
import { type KeyPrefix, prefixRange } from './key-prefix.js'
import { checkOptionNames, readOptions } from './option-names.js'
import { type MemoizedFunction, type MemoizeHost, type MemoizeOptions, memoize } from './memoize.js'
import { removeCacheFiles } from './open-database.js'
import { type CacheOptions, type CacheSettings, isSettingName, resolveOptions, unknownName, validateSetting } from './options.js'
import { type PullOptions, type PushOptions, peekQueue, pullQueue, pushQueue } from './queue.js'
import { Store, VANISHED } from './store.js'
import { readStream, writeStream } from './stream-values.js'
import { readOnlyError } from './translate-error.js'
import { ValueKind } from './value-codec.js'
import { isAsyncFunction, isPromiseLike } from './is-async-function.js'
import { rmdirSync } from 'node:fs'

/** Where `new Cache()` keeps its data when no directory is given: `.cache/diskcache` under the working directory. */
export const DEFAULT_DIRECTORY = '.cache/diskcache'

export interface GetOptions<D> {
  /** Returned on a miss instead of undefined. */
  default?: D
}

export interface IncrOptions extends SetOptions {
  /** Starting value for a missing key; `null` makes a missing key throw KeyNotFoundError. @default 0 */
  default?: number | bigint | null
}

export interface EntryWithMeta<V> {
  value: V
  /** Epoch milliseconds when the entry expires, or null. */
  expiresAt: number | null
  /** Epoch milliseconds when the entry was last written. */
  storedAt: number
  tags: string[]
}

export interface ClearOptions {
  /** Remove only the entries whose key starts with this (see IterateOptions.prefix). */
  prefix?: KeyPrefix
}

export interface CacheStats {
  hits: number
  misses: number
}

export interface GetOrSetOptions extends SetOptions {
  /** Treat `compute` as async (return a Promise, also on hits). @default true for `async` functions */
  async?: boolean
}

/** How readThrough treats one call. */
export interface ReadThrough<K, V> {
  /** Return promises, on hits too. */
  async: boolean
  /** Stores a computed (resolved) value. */
  store(key: K, value: V): void
  /** Told whether the lookup hit. */
  counted?(hit: boolean): void
  alwaysRecordRead?: boolean
}

const MISS: unique symbol = Symbol('miss')
const CULL_BATCH = 10

/**
 * A persistent, process-safe key-value cache in a SQLite file.
 * Synchronous, like better-sqlite3: every call finishes before it returns.
 */
export class Cache<K extends CacheKey = CacheKey, V = unknown> implements Iterable<[K, V]> {
  /** @internal */
  readonly store: Store
  readonly directory: string
  private readonly inflight = new Map<string, Promise<unknown>>()
  private readonly versions: DataVersion

  constructor(directory: string = DEFAULT_DIRECTORY, options?: CacheOptions) {
    if (typeof directory !== 'string' || directory.length === 0) {
      throw new InvalidOptionError(`the cache directory must be a non-empty path string; got ${String(directory)}`)
    }
    this.directory = resolve(directory)
    this.store = new Store(this.directory, resolveOptions(options))
    this.versions = new DataVersion(this.store)
  }

  /** Deletes the cache files in `directory` (database, WAL, value files) and, if then empty, the directory. */
  static destroy(directory: string): void {
    const path = resolve(directory)
    removeCacheFiles(path)
    try {
      rmdirSync(path)
    } catch {
      // Other files live there: leave them.
    }
  }

  /** The shared settings in force (read-only copy; change them with `reset`). */
  get settings(): Readonly<CacheSettings> {
    return { ...this.store.settings }
  }

  // ----- reads -----

  get(key: K): V | undefined
  get<D>(key: K, options: GetOptions<D>): V | D
  get<D>(key: K, options?: GetOptions<D>): V | D | undefined {
    const found = this.lookup(key)
    return found === MISS ? options?.default : (found as V)
  }

  has(key: K): boolean {
    const [kind, stored] = encodeKey(key)
    return this.store.run(() => this.store.statements.has.get(kind, stored, this.store.now())) !== undefined
  }

  /** The value with its expiry, store time and tags, or undefined. */
  getWithMeta(key: K): EntryWithMeta<V> | undefined {
    const [kind, stored] = encodeKey(key)
    const { store } = this
    const row = store.run(() => store.statements.getWithMeta.get(kind, stored)) as
      | [number, number, unknown, string | null, number | null, number, string | null]
      | undefined
    if (row === undefined || (row[4] !== null && row[4] <= store.now())) return undefined
    const value = store.readValue(row[0], row[1], row[2], row[3])
    if (value === VANISHED) return undefined
    return { value: value as V, expiresAt: row[4], storedAt: row[5], tags: decodeTags(row[6]) }
  }

  /** getWithMeta for each key, in one read transaction (one snapshot, one lock round trip). */
  getManyWithMeta(keys: readonly K[]): (EntryWithMeta<V> | undefined)[] {
    return this.store.read(() => keys.map((key) => this.getWithMeta(key)))
  }

  /**
   * A number that stays the same for as long as nothing in the cache changes,
   * and grows once any entry may have been written, deleted, evicted or
   * cleared, by this Cache or by any other connection or process. One cheap
   * statement (no table is read): for keeping decoded copies of entries in
   * memory and knowing, on each use, whether they may still be served.
   * Expiry is not a change: check `expiresAt` yourself.
   */
  dataVersion(): number {
    return this.versions.read()
  }

  getMany(keys: readonly K[]): (V | undefined)[] {
    return this.store.read(() => keys.map((key) => this.get(key)))
  }

  /** Opens the value as a stream of bytes (strings as UTF-8); files are streamed, never loaded whole. */
  getStream(key: K): Readable | undefined {
    return readStream(this.store, key)
  }

  /** Number of entries that have not expired. */
  get size(): number {
    return this.store.run(() => this.store.statements.count.get(this.store.now())) as number
  }

  /** Alias of `size`, for readers coming from arrays and DiskCache's `len()`. */
  get length(): number {
    return this.size
  }

  /** Bytes the cache occupies: database pages in use plus value files. */
  volume(): number {
    return this.store.run(() => this.store.volume())
  }

  keys(options?: IterateOptions): IterableIterator<K> {
    return mapIterator(iterateEntries(this.store, readOptions('keys', options), false), ([key]) => key as K)
  }

  values(options?: IterateOptions): IterableIterator<V> {
    return mapIterator(iterateEntries(this.store, readOptions('values', options), true), ([, value]) => value as V)
  }

  entries(options?: IterateOptions): IterableIterator<[K, V]> {
    return iterateEntries(this.store, readOptions('entries', options), true) as IterableIterator<[K, V]>
  }

  [Symbol.iterator](): IterableIterator<[K, V]> {
    return this.entries()
  }

  /** First (`last: false`) or last entry in insertion order, or undefined when empty. */
  peekItem(options: { last?: boolean } = {}): [K, V] | undefined {
    const next = iterateEntries(this.store, { reverse: readOptions('peekItem', options).last ?? true }, true).next()
    return next.done ? undefined : (next.value as [K, V])
  }

  // ----- writes -----

  set(key: K, value: V, options?: SetOptions): void {
    this.writeEntry(key, value, options, false)
  }

  /** Stores only if the key is absent (or expired); true when it stored. Atomic across processes. */
  add(key: K, value: V, options?: SetOptions): boolean {
    return this.writeEntry(key, value, options, true)
  }

  /**
   * Stores only when the key is live (memcached's `replace`, Redis's `SET XX`),
   * writing exactly as `set` does. False, with nothing written, when the key is
   * missing or expired.
   */
  replace(key: K, value: V, options?: SetOptions): boolean {
    const { store } = this
    const [kind, stored] = encodeKey(key)
    const meta = resolveEntryOptions(options, store.now())
    const staged = store.stageValue(value)
    try {
      return store.write('replace', () => {
        const now = store.now()
        if (store.statements.has.get(kind, stored, now) === undefined) return false
        store.putEntry(kind, stored, staged, meta, now) // the upsert updates the live row in place
        return true
      })
    } finally {
      store.discardStagedFile(staged)
    }
  }

  setMany(entries: Iterable<readonly [K, V]>, options?: SetOptions): void {
    const list = [...entries]
    this.transact(() => {
      for (const [key, value] of list) this.writeEntry(key, value, options, false)
    })
  }

  /** Writes a value from a stream straight to a file, so it never sits in memory whole. */
  setStream(key: K, source: Readable | AsyncIterable<Uint8Array>, options?: SetOptions): Promise<void> {
    return writeStream(this.store, key, source, options)
  }

  delete(key: K): boolean {
    const [kind, stored] = encodeKey(key)
    const { store } = this
    // .all(), not .get(): a RETURNING statement left after its first row commits
    // when it is reset, where SQLite never runs its automatic WAL checkpoint.
    const rows = store.writeOne('delete', () => store.statements.deleteByKey.all(kind, stored)) as [number | null][]
    const row = rows[0]
    return row !== undefined && (row[0] === null || row[0] > store.now())
  }

  /** Deletes the keys in one transaction; returns how many existed. */
  deleteMany(keys: readonly K[]): number {
    return this.transact(() => keys.reduce((count, key) => count + (this.delete(key) ? 1 : 0), 0))
  }

  /** Removes and returns the value (atomically), or the default. */
  pop(key: K): V | undefined
  pop<D>(key: K, options: GetOptions<D>): V | D
  pop<D>(key: K, options?: GetOptions<D>): V | D | undefined {
    const [kind, stored] = encodeKey(key)
    const { store } = this
    const found = store.write('pop', () => {
      const row = store.statements.get.get(kind, stored) as [number, number, unknown, string | null, number | null] | undefined
      if (row === undefined) return MISS
      if (row[4] !== null && row[4] <= store.now()) {
        store.statements.deleteById.run(row[0])
        return MISS
      }
      // Read before deleting: a file-backed value is checked against its row.
      const value = store.readValue(row[0], row[1], row[2], row[3])
      store.statements.deleteById.run(row[0])
      return value === VANISHED ? MISS : value
    })
    return found === MISS ? options?.default : (found as V)
  }

  /** Sets a new TTL (ms from now; null for none) on a live key; false when it is missing or expired. */
  touch(key: K, ttl: number | null = null): boolean {
    const [kind, stored] = encodeKey(key)
    const { store } = this
    const now = store.now()
    const expireAt = expiryFromTtl(ttl, now)
    return store.writeOne('touch', () => store.statements.touch.run(expireAt, kind, stored, now).changes > 0)
  }

  /**
   * Adds `delta` atomically and returns the new value. A missing key starts at
   * `default` (0) and takes the given ttl and tags; an existing key keeps its own.
   */
  incr(key: K, delta: number | bigint = 1, options: IncrOptions = {}): number | bigint {
    options = readOptions('incr', options)
    const [kind, stored] = encodeKey(key)
    const { store } = this
    return store.write('incr', () => {
      const now = store.now()
      const row = store.statements.get.get(kind, stored) as [number, number, unknown, string | null, number | null] | undefined
      if (row === undefined || (row[4] !== null && row[4] <= now)) {
        const start = options.default === undefined ? 0 : options.default
        if (start === null) throw new KeyNotFoundError(`incr: no entry for ${describeKey(key)} and no default was given`)
        const value = addNumbers(start, delta, key)
        const { default: _start, ...entryOptions } = options
        this.writeEntry(key, value as V, Object.keys(entryOptions).length === 0 ? undefined : entryOptions, false)
        return value
      }
      const current =
        row[3] !== null ? undefined
        : row[1] === ValueKind.Number ? (row[2] as number)
        : row[1] === ValueKind.BigInt ? BigInt(row[2] as string)
        : undefined
      if (current === undefined) {
        throw new NotANumberError(`incr: the value of ${describeKey(key)} is not a number or bigint, so it cannot be incremented`)
      }
      const value = addNumbers(current, delta, key)
      if (typeof value === 'bigint') store.statements.updateNumber.run(ValueKind.BigInt, value.toString(), now, row[0])
      else store.statements.updateNumber.run(ValueKind.Number, value, now, row[0])
      return value
    })
  }

  decr(key: K, delta: number | bigint = 1, options?: IncrOptions): number | bigint {
    return this.incr(key, -delta as number | bigint, options)
  }

  // ----- read-through and memoize -----

  /**
   * Returns the cached value, or computes, stores and returns it. With an async
   * `compute`, concurrent misses in this process share one computation and the
   * resolved value (never the promise) is stored.
   */
  getOrSet(key: K, compute: (key: K) => Promise<V>, options?: GetOrSetOptions): Promise<V>
  getOrSet(key: K, compute: (key: K) => V, options?: GetOrSetOptions): V
  getOrSet(key: K, compute: (key: K) => V | Promise<V>, options: GetOrSetOptions = {}): V | Promise<V> {
    const { async = isAsyncFunction(compute), ...setOptions } = readOptions('getOrSet', options)
    return this.readThrough(key, () => compute(key), { async, store: (k, value) => this.set(k, value, setOptions) }) as
      | V
      | Promise<V>
  }

  /**
   * @internal The engine of getOrSet and memoize: the cached value, or
   * `compute()`'s result handed to `how.store`. Concurrent misses on one key in
   * this process share one computation; a promise is stored once resolved.
   */
  readThrough(key: K, compute: () => unknown, how: ReadThrough<K, V>): unknown {
    const found = this.lookup(key, how.alwaysRecordRead)
    how.counted?.(found !== MISS)
    if (found !== MISS) return how.async ? Promise.resolve(found) : found
    const identity = keyIdentity(...encodeKey(key))
    const pending = this.inflight.get(identity)
    if (pending) return pending
    const result = compute()
    if (!isPromiseLike(result)) {
      how.store(key, result as V)
      return how.async ? Promise.resolve(result) : result
    }
    const promise = Promise.resolve(result)
      .then((value) => {
        how.store(key, value as V)
        return value
      })
      .finally(() => this.inflight.delete(identity))
    this.inflight.set(identity, promise)
    return promise
  }

  /** Wraps `fn` so its results are cached by arguments; see MemoizeOptions. */
  memoize<A extends unknown[], R>(fn: (...args: A) => R, options?: MemoizeOptions): MemoizedFunction<A, R> {
    return memoize(this as unknown as MemoizeHost, fn, readOptions('memoize', options))
  }

  /** @internal memoize's write: the result, then its function trimmed to maxSize, in one transaction. */
  storeMemoized(key: K, value: V, entry: { ttl?: number | null; tags: string[] }, trim?: { tag: string; maxSize: number }): void {
    this.transact(() => {
      this.set(key, value, entry)
      if (trim === undefined) return
      const excess = this.store.countTagged(trim.tag) - trim.maxSize
      if (excess > 0) this.store.evictOldestTagged(trim.tag, excess)
    })
  }

  /** @internal How many live entries carry `tag`. */
  countTagged(tag: string): number {
    return this.store.countTagged(tag)
  }

  // ----- queues -----

  /** Appends a value under a new integer key (or `prefix-000…` string key) and returns the key. */
  push(value: V, options?: PushOptions): K {
    return pushQueue(this.store, value, readOptions('push', options)) as K
  }

  /** Removes and returns the first (or last) queued [key, value], or undefined when the queue is empty. */
  pull(options?: PullOptions): [K, V] | undefined {
    return pullQueue(this.store, readOptions('pull', options)) as [K, V] | undefined
  }

  /** Like pull, without removing. */
  peek(options?: PullOptions): [K, V] | undefined {
    return peekQueue(this.store, readOptions('peek', options)) as [K, V] | undefined
  }

  /**
   * The queue's live [key, value] pairs in queue order (the order `pull` takes
   * them), front to back or, with `reverse`, back to front, skipping `offset`
   * items first. Pages through the keys, so a long queue walks in constant memory.
   */
  queueEntries(options?: QueueEntriesOptions): IterableIterator<[K, V]> {
    return iterateQueue(this.store, readOptions('queueEntries', options)) as IterableIterator<[K, V]>
  }

  /** Live items in the queue named by `prefix` (the integer-keyed queue without one). */
  queueSize(options: { prefix?: string } = {}): number {
    return countQueue(this.store, readOptions('queueSize', options).prefix)
  }

  // ----- maintenance -----

  /**
   * Removes every expired entry now; returns how many. Also removes the value
   * files that writers killed mid-write left (as opening does; cull() too).
   */
  expire(): number {
    const expired = this.deleteInBatches('expire', (batch) => this.store.statements.deleteExpired.run(this.store.now(), batch).changes)
    this.store.recoverPendingFiles()
    return expired
  }

  /** Removes every entry carrying `tag`; returns how many. */
  evict(tag: string): number {
    if (typeof tag !== 'string') throw new InvalidOptionError(`evict(tag) needs a string tag; got ${typeof tag}`)
    return this.deleteInBatches('evict', (batch) => this.store.statements.deleteTagged.run(tag, batch).changes)
  }

  /** Removes expired entries, then evicts by policy until the cache is within sizeLimit; returns how many. */
  cull(): number {
    const expired = this.expire()
    const { store } = this
    let evicted = 0
    for (;;) {
      // Small batches, as DiskCache does: the volume is re-measured after each, so cull stops close to the limit.
      const removed = store.write('cull', () =>
        store.volume() > store.settings.sizeLimit ? store.evictByPolicy(CULL_BATCH) : 0,
      )
      if (removed === 0) break
      evicted += removed
    }
    if (evicted > 0) store.vacuumFreePages()
    return expired + evicted
  }

  /**
   * Removes every entry, or with `prefix` every entry whose key starts with it
   * (as for `keys({ prefix })`); returns how many.
   */
  clear(options: ClearOptions = {}): number {
    checkOptionNames('clear option', options, ['prefix'])
    if (options.prefix === undefined) {
      return this.deleteInBatches('clear', (batch) => this.store.statements.deleteAny.run(batch).changes)
    }
    const { kind, lower, upper } = prefixRange(options.prefix)
    const sql = 'DELETE FROM entries WHERE id IN (SELECT id FROM entries WHERE kind = ? AND key >= ? AND key < ? LIMIT ?)'
    return this.deleteInBatches('clear', (batch) => this.store.prepare(sql).run(kind, lower, upper, batch).changes)
  }

  /**
   * Hit and miss counts, shared by every process (each flushes its own within
   * about a second). `enable` turns counting on or off for all; `reset` zeroes
   * them after reading.
   */
  stats(options: { enable?: boolean; reset?: boolean } = {}): CacheStats {
    options = readOptions('stats', options)
    const { store } = this
    if (store.options.readonly) {
      if (options.reset || options.enable !== undefined) throw readOnlyError(this.directory, 'reset or enable statistics')
      const pending = store.accessLog.pendingStats()
      const read = (name: string) => (store.statements.counter.get(name) as number) + pending[name as keyof CacheStats]
      return { hits: read('hits'), misses: read('misses') }
    }
    return store.write('read statistics', () => {
      store.accessLog.flushInTransaction()
      const result = {
        hits: store.statements.counter.get('hits') as number,
        misses: store.statements.counter.get('misses') as number,
      }
      if (options.reset) {
        store.statements.setCounter.run(0, 'hits')
        store.statements.setCounter.run(0, 'misses')
      }
      if (options.enable !== undefined) store.writeSettings({ statistics: validateSetting('statistics', options.enable) })
      return result
    })
  }

  /** Runs `fn` atomically (one write transaction, across processes); nested calls join the outer one. */
  transact<T>(fn: () => T): T {
    // Refused before it runs: the part after its first await would otherwise write outside the transaction.
    if (isAsyncFunction(fn)) {
      throw new TransactionError(
        'transact() needs a synchronous function, not an async one: a transaction cannot stay open across an await. ' +
          'Do the async work first, then write inside transact()',
      )
    }
    this.store.prepareForFilesInTransaction()
    return this.store.write('transact', fn)
  }

  /** Checks the database and value files; with `fix`, repairs what it finds. */
  check(options?: CheckOptions): CheckReport {
    return checkCache(this.store, readOptions('check', options))
  }

  /**
   * Reads one shared setting, or changes it for every process using the directory.
   */
  reset<N extends keyof CacheSettings>(name: N, value?: CacheSettings[N]): CacheSettings[N] {
    if (!isSettingName(name)) throw unknownName('setting', String(name), Object.keys(this.store.settings))
    if (value === undefined) {
      this.store.run(() => this.store.refreshSettings())
      return this.store.settings[name]
    }
    if (name === 'serializer') {
      throw new InvalidOptionError('the serializer cannot change on an existing cache: values already stored need the old one')
    }
    this.store.writeSettings({ [name]: validateSetting(name, value) })
    return this.store.settings[name]
  }

  /** True once `close()` has run. */
  get closed(): boolean {
    return !this.store.isOpen
  }

  /** Flushes pending statistics and closes the database. Later calls throw CacheClosedError. */
  close(): void {
    this.store.close()
  }

  // ----- internals -----

  // The hot path: one indexed SELECT, no closure, no object per call.
  // `alwaysRecordRead`: note the read even under a policy that ignores reads (memoize's maxSize needs it).
  private lookup(key: K, alwaysRecordRead = false): unknown {
    const { store } = this
    const { statistics } = store.settings
    let row: [number, number, unknown, string | null, number | null] | undefined
    store.memoryMap.tick()
    try {
      row = (typeof key === 'string' ? store.statements.get.get(KeyKind.String, key) : store.statements.get.get(...encodeKey(key))) as typeof row
    } catch (error) {
      throw store.translate(error)
    }
    if (row === undefined || (row[4] !== null && row[4] <= store.now())) {
      if (statistics) store.accessLog.recordMiss()
      return MISS
    }
    const [id, mode, stored, filename] = row
    // Inline strings, numbers and bytes are returned as SQLite gave them.
    const value = filename === null && (mode === ValueKind.String || mode === ValueKind.Number || mode === ValueKind.Bytes)
      ? stored
      : store.readValue(id, mode, stored, filename)
    if (value === VANISHED) {
      if (statistics) store.accessLog.recordMiss()
      return MISS
    }
    if (statistics) store.accessLog.recordHit()
    if (alwaysRecordRead || store.policy.tracksAccess) store.accessLog.recordAccess(id, store.now())
    return value
  }

  private writeEntry(key: K, value: V, options: SetOptions | undefined, onlyIfAbsent: boolean): boolean {
    const { store } = this
    const [kind, stored] = encodeKey(key)
    const now = store.now()
    const meta = resolveEntryOptions(options, now)
    const staged = store.stageValue(value)
    if (!onlyIfAbsent && store.putEntryAlone(kind, stored, staged, meta, now)) return true
    try {
      return store.write(onlyIfAbsent ? 'add' : 'set', () => {
        const now = store.now()
        if (onlyIfAbsent && store.statements.has.get(kind, stored, now) !== undefined) return false
        store.putEntry(kind, stored, staged, meta, now)
        return true
      })
    } finally {
      store.discardStagedFile(staged)
    }
  }

  private deleteInBatches(operation: string, deleteBatch: (batch: number) => number): number {
    let total = 0
    for (;;) {
      const removed = this.store.write(operation, () => deleteBatch(1000))
      total += removed
      if (removed < 1000) break
    }
    if (total > 0) this.store.vacuumFreePages()
    return total
  }
}

function addNumbers(current: number | bigint, delta: number | bigint, key: unknown): number | bigint {
  if (typeof current === 'bigint') {
    if (typeof delta === 'bigint') return current + delta
    if (Number.isInteger(delta)) return current + BigInt(delta)
  } else if (typeof delta === 'number') {
    return current + delta
  } else if (Number.isInteger(current)) {
    return BigInt(current) + delta
  }
  throw new NotANumberError(`incr: cannot add ${String(delta)} to the value of ${describeKey(key)}`)
}

function describeKey(key: unknown): string {
  return typeof key === 'string' ? JSON.stringify(key) : typeof key === 'bigint' ? `${key}n` : String(key)
}

function* mapIterator<T, U>(source: Iterator<T>, map: (item: T) => U): IterableIterator<U> {
  for (let next = source.next(); !next.done; next = source.next()) yield map(next.value)
}
