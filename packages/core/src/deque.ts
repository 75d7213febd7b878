import { Cache } from './cache.js'
import type { CacheKey } from './cache-key.js'
import { adoptCollectionCache, type CollectionCacheOptions, openCollectionCache, optionsObject } from './collection-cache.js'
import { InvalidOptionError } from './errors.js'
import { unknownName } from './options.js'

export interface DequeOptions extends CollectionCacheOptions {
  /**
   * Most items the deque holds: a push past it drops items from the other end,
   * in the same transaction. Belongs to this Deque object, not to the directory.
   * @default Infinity
   */
  maxLength?: number
}

export interface DequeReadOptions<D> {
  /** Returned instead of undefined when there is no such item. */
  default?: D
}

/**
 * A persistent, process-safe double-ended queue in a cache directory, after
 * DiskCache's Deque. Items are the cache's integer-keyed queue (push/pull), so
 * key order is deque order; the policy is 'none', so items never expire or get
 * evicted. Method names follow JS arrays (push/pop at the back, unshift/shift
 * at the front).
 */
export class Deque<V = unknown> implements Iterable<V> {
  /** The Cache holding the items. The deque owns it: `clear()` empties all of it. */
  readonly cache: Cache<CacheKey, V>
  private limit: number

  constructor(directory: string, options?: DequeOptions) {
    // fromCache passes the Cache in the directory's place: one constructor keeps both paths' fields in one spot.
    if ((directory as unknown) instanceof Cache) {
      this.limit = checkMaxLength((options as DequeOptions).maxLength)
      this.cache = directory as unknown as Cache<CacheKey, V>
      return
    }
    const all = optionsObject('Deque', options)
    this.limit = checkMaxLength(all.maxLength)
    this.cache = openCollectionCache('Deque', directory, all, ['maxLength'])
  }

  /**
   * Wraps an existing Cache. Its shared eviction policy is switched to 'none'
   * (unless it is read-only), so no item is ever evicted.
   */
  static fromCache<V = unknown>(cache: Cache<CacheKey, V>, options?: { maxLength?: number }): Deque<V> {
    const { maxLength, ...rest } = optionsObject('Deque.fromCache', options)
    for (const name of Object.keys(rest)) throw unknownName('Deque.fromCache option', name, ['maxLength'])
    const limit = checkMaxLength(maxLength)
    return new Deque<V>(adoptCollectionCache('Deque', cache) as unknown as string, { maxLength: limit })
  }

  get directory(): string {
    return this.cache.directory
  }

  /**
   * Items in the deque: every entry of its cache, which the deque owns (as in
   * DiskCache). SQLite counts the whole table from its index, about 1 ms per
   * million rows, where counting only the queue's key range takes 100 times longer.
   */
  get length(): number {
    return this.cache.size
  }

  get maxLength(): number {
    return this.limit
  }

  /** Changing it trims the deque to the new length at once, dropping items from the front. */
  set maxLength(value: number) {
    const limit = checkMaxLength(value)
    this.cache.transact(() => this.trimTo(limit, 'front'))
    this.limit = limit
  }

  /** Adds items at the back, in order; with `maxLength`, drops as many from the front. */
  push(...items: V[]): void {
    if (items.length === 0) return
    this.cache.transact(() => {
      for (const item of items) this.cache.push(item)
      this.trimTo(this.limit, 'front')
    })
  }

  /** Adds items at the front, keeping their order (`unshift(a, b)` puts a first); with `maxLength`, drops as many from the back. */
  unshift(...items: V[]): void {
    if (items.length === 0) return
    this.cache.transact(() => {
      for (let i = items.length - 1; i >= 0; i--) this.cache.push(items[i]!, { side: 'front' })
      this.trimTo(this.limit, 'back')
    })
  }

  /** Removes and returns the back item; undefined (or `default`) when empty. Exactly once across processes. */
  pop(): V | undefined
  pop<D>(options: DequeReadOptions<D>): V | D
  pop<D>(options?: DequeReadOptions<D>): V | D | undefined {
    return valueOr(this.cache.pull({ side: 'back' }), options)
  }

  /** Removes and returns the front item; undefined (or `default`) when empty. Exactly once across processes. */
  shift(): V | undefined
  shift<D>(options: DequeReadOptions<D>): V | D
  shift<D>(options?: DequeReadOptions<D>): V | D | undefined {
    return valueOr(this.cache.pull({ side: 'front' }), options)
  }

  /** The back item, left in place. */
  peekBack(): V | undefined
  peekBack<D>(options: DequeReadOptions<D>): V | D
  peekBack<D>(options?: DequeReadOptions<D>): V | D | undefined {
    return valueOr(this.cache.peek({ side: 'back' }), options)
  }

  /** The front item, left in place. */
  peekFront(): V | undefined
  peekFront<D>(options: DequeReadOptions<D>): V | D
  peekFront<D>(options?: DequeReadOptions<D>): V | D | undefined {
    return valueOr(this.cache.peek({ side: 'front' }), options)
  }

  /** The item at `index` from the front; a negative index counts from the back (-1 is the last). O(index). */
  at(index: number): V | undefined
  at<D>(index: number, options: DequeReadOptions<D>): V | D
  at<D>(index: number, options?: DequeReadOptions<D>): V | D | undefined {
    if (!Number.isSafeInteger(index)) throw new InvalidOptionError(`at(index) needs a whole number; got ${String(index)}`)
    const walk = index >= 0 ? this.cache.queueEntries({ offset: index }) : this.cache.queueEntries({ reverse: true, offset: -index - 1 })
    const next = walk.next()
    return valueOr(next.done ? undefined : next.value, options)
  }

  /**
   * Rotates `steps` places in one transaction: a positive count moves items from
   * the back to the front (as Python's deque.rotate), a negative one the other way.
   */
  rotate(steps = 1): void {
    if (!Number.isSafeInteger(steps)) throw new InvalidOptionError(`rotate(steps) needs a whole number; got ${String(steps)}`)
    this.cache.transact(() => {
      const length = this.length
      if (length < 2) return
      // Never more than half a turn: the shorter way round moves fewer items.
      let moves = steps % length
      if (moves > length / 2) moves -= length
      else if (moves < -length / 2) moves += length
      const [from, to] = moves > 0 ? (['back', 'front'] as const) : (['front', 'back'] as const)
      for (let i = Math.abs(moves); i > 0; i--) {
        const item = this.cache.pull({ side: from })
        if (item !== undefined) this.cache.push(item[1], { side: to })
      }
    })
  }

  /** Removes every item (every entry of the underlying cache). */
  clear(): void {
    this.cache.clear()
  }

  /** The items, front to back, copied into an array. */
  toArray(): V[] {
    return [...this]
  }

  /** Front to back, a page at a time; items removed meanwhile (by any process) are skipped. */
  [Symbol.iterator](): IterableIterator<V> {
    return valuesOf(this.cache.queueEntries())
  }

  /** Back to front, like the iterator. */
  reversed(): IterableIterator<V> {
    return valuesOf(this.cache.queueEntries({ reverse: true }))
  }

  /** Runs `fn` in one write transaction (see Cache#transact): other processes see all of its changes or none. */
  transact<T>(fn: () => T): T {
    return this.cache.transact(fn)
  }

  /** Closes the underlying cache. */
  close(): void {
    this.cache.close()
  }

  private trimTo(limit: number, side: 'front' | 'back'): void {
    if (limit === Infinity) return
    for (let excess = this.length - limit; excess > 0; excess--) this.cache.pull({ side })
  }
}

function checkMaxLength(value: unknown): number {
  if (value === undefined || value === Infinity) return Infinity
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new InvalidOptionError(`"maxLength" must be a whole number >= 0, or Infinity for no limit; got ${String(value)}`)
  }
  return value
}

function valueOr<V, D>(entry: [CacheKey, V] | undefined, options: DequeReadOptions<D> | undefined): V | D | undefined {
  return entry === undefined ? options?.default : entry[1]
}

function* valuesOf<V>(entries: Iterator<[CacheKey, V]>): IterableIterator<V> {
  for (let next = entries.next(); !next.done; next = entries.next()) yield next.value[1]
}
