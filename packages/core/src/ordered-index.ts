import { Cache, type GetOptions } from './cache.js'
import { type CacheKey, describeType } from './cache-key.js'
import { adoptCollectionCache, type CollectionCacheOptions, openCollectionCache, optionsObject } from './collection-cache.js'
import { InvalidKeyError, InvalidOptionError, KeyNotFoundError } from './errors.js'
import type { IterateOptions } from './iterate.js'
import type { MemoizedFunction, MemoizeOptions } from './memoize.js'
import { unknownName } from './options.js'
import type { PullOptions } from './queue.js'
import { isPlainObject, sameEntriesAsObject, sameEntriesInOrder } from './same-entries.js'

/** What `update()` (and the `entries` option) accept: [key, value] pairs, a Map, or a plain object. */
export type IndexEntries<K, V> = Iterable<readonly [K, V]> | Readonly<Record<string, V>>

export interface IndexOptions<K, V> extends CollectionCacheOptions {
  /** Stored (as by `update`) each time the index is opened. */
  entries?: IndexEntries<K, V>
}

export interface IndexPushOptions {
  prefix?: string
  /** @default 'back' */
  side?: 'back' | 'front'
}

const MISS: unique symbol = Symbol('miss')
const PUSH_OPTIONS = ['prefix', 'side']

/**
 * A persistent, process-safe mapping in insertion order, after DiskCache's
 * Index: a Cache with eviction policy 'none' and no expiry, where overwriting a
 * key keeps its place (as in a Map).
 */
export class Index<K extends CacheKey = CacheKey, V = unknown> implements Iterable<[K, V]> {
  readonly cache: Cache<K, V>

  constructor(directory: string, options?: IndexOptions<K, V>) {
    // fromCache passes the Cache in the directory's place: one constructor keeps both paths' fields in one spot.
    if ((directory as unknown) instanceof Cache) {
      this.cache = directory as unknown as Cache<K, V>
      return
    }
    const all = optionsObject('Index', options)
    this.cache = openCollectionCache('Index', directory, all, ['entries'])
    if (all.entries === undefined) return
    try {
      this.update(all.entries)
    } catch (error) {
      this.cache.close() // the caller never gets the object, so nobody else could close it
      throw error
    }
  }

  /** Wraps an existing Cache; its shared eviction policy is switched to 'none' (unless it is read-only). */
  static fromCache<K extends CacheKey = CacheKey, V = unknown>(cache: Cache<K, V>, entries?: IndexEntries<K, V>): Index<K, V> {
    const index = new Index<K, V>(adoptCollectionCache('Index', cache) as unknown as string)
    if (entries !== undefined) index.update(entries)
    return index
  }

  get directory(): string {
    return this.cache.directory
  }

  /** Number of entries (counted, so O(n): about 1 ms per million). */
  get size(): number {
    return this.cache.size
  }

  get(key: K): V | undefined
  get<D>(key: K, options: GetOptions<D>): V | D
  get<D>(key: K, options?: GetOptions<D>): V | D | undefined {
    return this.cache.get(key, { default: options?.default })
  }

  has(key: K): boolean {
    return this.cache.has(key)
  }

  /** Stores the value; a key already present keeps its place in the order. Returns the index, like Map#set. */
  set(key: K, value: V): this {
    this.cache.set(key, value) // an overwrite updates the row in place, keeping its id
    return this
  }

  /** Sets every entry in one transaction (all or nothing). */
  update(entries: IndexEntries<K, V>): void {
    const list = entriesOf(entries)
    this.cache.transact(() => {
      for (const [key, value] of list) this.set(key, value)
    })
  }

  delete(key: K): boolean {
    return this.cache.delete(key)
  }

  /**
   * The stored value, or, when the key is missing, stores `value` and returns
   * it. Atomic across processes: all of them get the one value that was stored.
   */
  setDefault(key: K, value: V): V {
    for (;;) {
      const found = this.cache.get<typeof MISS>(key, { default: MISS })
      if (found !== MISS) return found
      if (this.cache.add(key, value)) return value
      // Another process stored it between our get and add (and may delete it again): look again.
    }
  }

  /** Removes and returns the value; without a default, a missing key throws KeyNotFoundError. */
  pop(key: K): V
  pop<D>(key: K, options: GetOptions<D>): V | D
  pop<D>(key: K, options?: GetOptions<D>): V | D {
    const found = this.cache.pop<typeof MISS>(key, { default: MISS })
    if (found !== MISS) return found
    if (options !== undefined && 'default' in options) return options.default as D
    throw new KeyNotFoundError(`pop: the index has no key ${describeKey(key)}; pass { default } to get a value back instead`)
  }

  /** Removes and returns the last (or, `last: false`, the first) entry; undefined when empty. Exactly once across processes. */
  popItem(options: { last?: boolean } = {}): [K, V] | undefined {
    return this.cache.transact(() => {
      const item = this.cache.peekItem({ last: options.last ?? true })
      if (item !== undefined) this.cache.delete(item[0])
      return item
    })
  }

  /** The last (or, `last: false`, the first) entry, left in place. */
  peekItem(options: { last?: boolean } = {}): [K, V] | undefined {
    return this.cache.peekItem({ last: options.last ?? true })
  }

  /** Queue semantics, as Cache#push with no ttl or tags: stores `value` under a new key and returns the key. */
  push(value: V, options: IndexPushOptions = {}): K {
    for (const name of Object.keys(optionsObject('push', options))) {
      if (!PUSH_OPTIONS.includes(name)) throw foreverOption(name, 'push') ?? unknownName('push option', name, PUSH_OPTIONS)
    }
    return this.cache.push(value, options)
  }

  /** Removes and returns the first (or last) queued [key, value]; undefined when the queue is empty. */
  pull(options?: PullOptions): [K, V] | undefined {
    return this.cache.pull(options)
  }

  /** Like pull, without removing. */
  peek(options?: PullOptions): [K, V] | undefined {
    return this.cache.peek(options)
  }

  keys(options?: IterateOptions): IterableIterator<K> {
    return this.cache.keys(options)
  }

  values(options?: IterateOptions): IterableIterator<V> {
    return this.cache.values(options)
  }

  /** [key, value] pairs in insertion order (or newest first with `reverse: true`), a page at a time. */
  entries(options?: IterateOptions): IterableIterator<[K, V]> {
    return this.cache.entries(options)
  }

  [Symbol.iterator](): IterableIterator<[K, V]> {
    return this.cache.entries()
  }

  /** Removes every entry; returns how many. */
  clear(): number {
    return this.cache.clear()
  }

  /** Runs `fn` in one write transaction (see Cache#transact). */
  transact<T>(fn: () => T): T {
    return this.cache.transact(fn)
  }

  /** Cache#memoize, keeping results for good: there is no `ttl`. */
  memoize<A extends unknown[], R>(fn: (...args: A) => R, options: Omit<MemoizeOptions, 'ttl'> = {}): MemoizedFunction<A, R> {
    if (options !== null && typeof options === 'object' && 'ttl' in options) throw foreverOption('ttl', 'memoize')!
    return this.cache.memoize(fn, options)
  }

  /**
   * Whether both hold the same entries. Against another Index or a Map the order
   * must match too; against a plain object it does not (its key order is not
   * insertion order for integer-like keys). Keys compare as cache keys (`1` and
   * `'1'` differ), values with util.isDeepStrictEqual.
   */
  equals(other: Index<CacheKey, unknown> | ReadonlyMap<unknown, unknown> | Readonly<Record<string, unknown>>): boolean {
    if (other instanceof Index || other instanceof Map) return sameEntriesInOrder(this, other)
    return isPlainObject(other) && sameEntriesAsObject(this, other)
  }

  /** The entries in a Map, in order. */
  toMap(): Map<K, V> {
    return new Map(this.entries())
  }

  /** The entries in a plain object; keys must be strings, numbers or bigints (use toMap for others). */
  toObject(): Record<string, V> {
    const result: Record<string, V> = {}
    for (const [key, value] of this.entries()) {
      if (typeof key !== 'string' && typeof key !== 'number' && typeof key !== 'bigint') {
        throw new InvalidKeyError(`toObject() cannot use a key of type ${describeType(key)} as a property name; use toMap()`)
      }
      result[String(key)] = value
    }
    return result
  }

  /** Closes the underlying cache. */
  close(): void {
    this.cache.close()
  }
}

function entriesOf<K, V>(entries: IndexEntries<K, V>): (readonly [K, V])[] {
  if (entries !== null && typeof entries === 'object' && Symbol.iterator in entries) return [...(entries as Iterable<readonly [K, V]>)]
  if (isPlainObject(entries)) return Object.entries(entries) as unknown as [K, V][]
  throw new InvalidOptionError(`Index entries must be [key, value] pairs, a Map or a plain object; got ${describeType(entries)}`)
}

function foreverOption(name: string, method: string): InvalidOptionError | undefined {
  if (name !== 'ttl' && name !== 'tags') return undefined
  return new InvalidOptionError(
    `an Index keeps its entries for good, so ${method}() takes no "${name}": remove it, or use a Cache for entries that expire or are evicted by tag`,
  )
}

function describeKey(key: unknown): string {
  return typeof key === 'string' ? JSON.stringify(key) : typeof key === 'bigint' ? `${key}n` : describeType(key)
}
