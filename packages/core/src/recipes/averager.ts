import type { CacheKey } from '../cache-key.js'
import { InvalidValueError } from '../errors.js'
import { describeKey } from './acquirable.js'
import type { RecipeCache } from './recipe-cache.js'
import { checkOptionNames, checkTags, checkTtl } from './recipe-options.js'

export interface AveragerOptions {
  /** Milliseconds the running total lives after its last `add`. @default no expiry */
  ttl?: number
  /** Tags on the entry, for `cache.evict(tag)`. */
  tags?: readonly string[]
}

/** The entry: running total and number of values. */
type Tally = readonly [total: number, count: number]

/**
 * A running average shared by every process using the cache, such as the
 * mean latency of a job over all workers. The entry at `key` holds
 * `[total, count]`; each `add` updates it in one transaction, so concurrent
 * adds from several processes are never lost.
 */
export class Averager {
  private readonly ttl: number | undefined
  private readonly tags: readonly string[] | undefined

  constructor(
    readonly cache: RecipeCache,
    readonly key: CacheKey,
    options?: AveragerOptions,
  ) {
    checkOptionNames('Averager', options, ['ttl', 'tags'])
    this.ttl = options?.ttl === undefined ? undefined : checkTtl('Averager', 'ttl', options.ttl)
    this.tags = checkTags('Averager', options?.tags)
  }

  /** Adds one value to the average. */
  add(value: number): void {
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new InvalidValueError(`Averager.add needs a finite number; got ${String(value)}`)
    }
    this.cache.transact(() => {
      const [total, count] = this.read() ?? [0, 0]
      this.cache.set(this.key, [total + value, count + 1] satisfies Tally, { ttl: this.ttl, tags: this.tags })
    })
  }

  /** The average of the values added so far, or undefined when there are none. */
  get(): number | undefined {
    const tally = this.read()
    return tally === undefined ? undefined : tally[0] / tally[1]
  }

  /** The average, as `get()`, and then deletes it, in one transaction: the next `add` starts afresh. */
  pop(): number | undefined {
    return this.cache.transact(() => {
      const average = this.get()
      this.cache.delete(this.key)
      return average
    })
  }

  private read(): Tally | undefined {
    const stored = this.cache.get(this.key)
    if (stored === undefined) return undefined
    if (!Array.isArray(stored) || stored.length !== 2 || typeof stored[0] !== 'number' || typeof stored[1] !== 'number' || stored[1] < 1) {
      throw new InvalidValueError(`the Averager entry at ${describeKey(this.key)} holds something else; give the Averager a key of its own`)
    }
    return stored as unknown as Tally
  }
}
