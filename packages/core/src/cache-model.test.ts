// Model-based tests: fast-check drives a Cache (and a FanoutCache) with random
// sequences of operations, including TTLs under a manual clock, tags,
// transactions that throw half-way and reopening the directory, and checks
// every answer against a plain in-memory model. Automatic culling is off
// (cullLimit 0) so that expired rows stay until expire() or a write removes
// them, as the model says; eviction by size is covered in eviction.test.ts.
import fc from 'fast-check'
import { Cache } from './cache.js'
import type { CacheKey } from './cache-key.js'
import { NotANumberError } from './errors.js'
import { FanoutCache } from './fanout-cache.js'
import { makeTempDir, manualClock } from './test-support/temp-dir.js'

type Value = number | string | { n: number }

interface ModelEntry {
  key: CacheKey
  value: Value
  expiresAt: number | null
  tags: string[]
}

/** What the cache should hold: rows in insertion order (a Map keeps it, and an overwrite keeps its place). */
interface Model {
  now: number
  rows: Map<string, ModelEntry>
}

interface Real {
  cache: Cache
  clock: ReturnType<typeof manualClock>
  reopen(): void
  ordered: boolean
}

const identity = (key: CacheKey): string => JSON.stringify([typeof key, Array.isArray(key) ? key : String(key)])
const isLive = (model: Model, entry: ModelEntry | undefined): entry is ModelEntry =>
  entry !== undefined && (entry.expiresAt === null || entry.expiresAt > model.now)
const liveEntries = (model: Model) => [...model.rows.values()].filter((entry) => isLive(model, entry))

// Few keys, so operations often meet the same entry; one of each key type.
const keyArb = fc.constantFrom<CacheKey>('a', 'b', 1, 2n, ['x', 1])
const valueArb: fc.Arbitrary<Value> = fc.oneof(
  fc.integer({ min: -1000, max: 1000 }),
  fc.string({ maxLength: 6 }),
  fc.record({ n: fc.integer() }),
)
const ttlArb = fc.option(fc.integer({ min: 0, max: 3000 }), { nil: undefined })
const tagsArb = fc.subarray(['t1', 't2'])

class SetCommand implements fc.Command<Model, Real> {
  constructor(readonly key: CacheKey, readonly value: Value, readonly ttl: number | undefined, readonly tags: string[]) {}
  check = () => true
  run(model: Model, real: Real): void {
    real.cache.set(this.key, this.value, { ttl: this.ttl, tags: this.tags })
    store(model, this.key, this.value, this.ttl, this.tags)
  }
  toString = () => `set(${String(this.key)}, ${JSON.stringify(this.value)}, ttl ${this.ttl}, [${this.tags}])`
}

function store(model: Model, key: CacheKey, value: Value, ttl: number | undefined, tags: string[]): void {
  const entry = { key, value, expiresAt: ttl === undefined ? null : model.now + ttl, tags }
  // An existing row (live or expired) is updated in place, keeping its position.
  model.rows.set(identity(key), entry)
}

class AddCommand implements fc.Command<Model, Real> {
  constructor(readonly key: CacheKey, readonly value: Value, readonly ttl: number | undefined) {}
  check = () => true
  run(model: Model, real: Real): void {
    const expected = !isLive(model, model.rows.get(identity(this.key)))
    expect(real.cache.add(this.key, this.value, { ttl: this.ttl })).toBe(expected)
    if (expected) store(model, this.key, this.value, this.ttl, [])
  }
  toString = () => `add(${String(this.key)}, ${JSON.stringify(this.value)}, ttl ${this.ttl})`
}

class GetCommand implements fc.Command<Model, Real> {
  constructor(readonly key: CacheKey) {}
  check = () => true
  run(model: Model, real: Real): void {
    const entry = model.rows.get(identity(this.key))
    expect(real.cache.get(this.key)).toEqual(isLive(model, entry) ? entry.value : undefined)
    expect(real.cache.has(this.key)).toBe(isLive(model, entry))
  }
  toString = () => `get(${String(this.key)})`
}

class DeleteCommand implements fc.Command<Model, Real> {
  constructor(readonly key: CacheKey, readonly pop: boolean) {}
  check = () => true
  run(model: Model, real: Real): void {
    const entry = model.rows.get(identity(this.key))
    if (this.pop) expect(real.cache.pop(this.key)).toEqual(isLive(model, entry) ? entry.value : undefined)
    else expect(real.cache.delete(this.key)).toBe(isLive(model, entry))
    model.rows.delete(identity(this.key)) // an expired row goes too
  }
  toString = () => `${this.pop ? 'pop' : 'delete'}(${String(this.key)})`
}

class TouchCommand implements fc.Command<Model, Real> {
  constructor(readonly key: CacheKey, readonly ttl: number | undefined) {}
  check = () => true
  run(model: Model, real: Real): void {
    const entry = model.rows.get(identity(this.key))
    const live = isLive(model, entry)
    expect(real.cache.touch(this.key, this.ttl ?? null)).toBe(live)
    if (live) entry.expiresAt = this.ttl === undefined ? null : model.now + this.ttl
  }
  toString = () => `touch(${String(this.key)}, ${this.ttl})`
}

class IncrCommand implements fc.Command<Model, Real> {
  constructor(readonly key: CacheKey, readonly delta: number) {}
  check = () => true
  run(model: Model, real: Real): void {
    const entry = model.rows.get(identity(this.key))
    if (!isLive(model, entry)) {
      expect(real.cache.incr(this.key, this.delta)).toBe(this.delta)
      store(model, this.key, this.delta, undefined, [])
    } else if (typeof entry.value === 'number') {
      expect(real.cache.incr(this.key, this.delta)).toBe(entry.value + this.delta)
      entry.value += this.delta // expiry and tags stay
    } else {
      expect(() => real.cache.incr(this.key, this.delta)).toThrow(NotANumberError)
    }
  }
  toString = () => `incr(${String(this.key)}, ${this.delta})`
}

class AdvanceClockCommand implements fc.Command<Model, Real> {
  constructor(readonly ms: number) {}
  check = () => true
  run(model: Model, real: Real): void {
    real.clock.advance(this.ms)
    model.now += this.ms
  }
  toString = () => `advance(${this.ms})`
}

class SweepCommand implements fc.Command<Model, Real> {
  constructor(readonly kind: 'expire' | 'evict' | 'clear', readonly tag: string) {}
  check = () => true
  run(model: Model, real: Real): void {
    const doomed = [...model.rows].filter(([, entry]) =>
      this.kind === 'clear' ? true : this.kind === 'evict' ? entry.tags.includes(this.tag) : !isLive(model, entry),
    )
    const removed = this.kind === 'clear' ? real.cache.clear() : this.kind === 'evict' ? real.cache.evict(this.tag) : real.cache.expire()
    expect(removed).toBe(doomed.length)
    for (const [id] of doomed) model.rows.delete(id)
  }
  toString = () => (this.kind === 'evict' ? `evict(${this.tag})` : `${this.kind}()`)
}

class ThrowingTransactionCommand implements fc.Command<Model, Real> {
  constructor(readonly writes: [CacheKey, Value][]) {}
  check = () => true
  run(_model: Model, real: Real): void {
    const failure = new Error('half-way')
    expect(() =>
      real.cache.transact(() => {
        for (const [key, value] of this.writes) {
          real.cache.set(key, value)
          real.cache.delete(['x', 1])
        }
        throw failure
      }),
    ).toThrow(failure)
    // The model is unchanged: the next checks prove the cache is too.
  }
  toString = () => `transact(throws after ${this.writes.length} sets)`
}

class ReopenCommand implements fc.Command<Model, Real> {
  check = () => true
  run(_model: Model, real: Real): void {
    real.reopen()
  }
  toString = () => 'reopen()'
}

class ContentsCommand implements fc.Command<Model, Real> {
  check = () => true
  run(model: Model, real: Real): void {
    const live = liveEntries(model)
    expect(real.cache.size).toBe(live.length)
    const expected = live.map((entry) => [entry.key, entry.value])
    const actual = [...real.cache.entries()]
    if (real.ordered) expect(actual).toEqual(expected)
    else expect(sortById(actual)).toEqual(sortById(expected))
  }
  toString = () => 'contents()'
}

function sortById(entries: unknown[][]): unknown[][] {
  return [...entries].sort((a, b) => (identity(a[0] as CacheKey) < identity(b[0] as CacheKey) ? -1 : 1))
}

const commands = [
  fc.tuple(keyArb, valueArb, ttlArb, tagsArb).map(([k, v, ttl, tags]) => new SetCommand(k, v, ttl, tags)),
  fc.tuple(keyArb, valueArb, ttlArb).map(([k, v, ttl]) => new AddCommand(k, v, ttl)),
  keyArb.map((k) => new GetCommand(k)),
  fc.tuple(keyArb, fc.boolean()).map(([k, pop]) => new DeleteCommand(k, pop)),
  fc.tuple(keyArb, ttlArb).map(([k, ttl]) => new TouchCommand(k, ttl)),
  fc.tuple(keyArb, fc.integer({ min: 1, max: 3000 })).map(([k, ttl]) => new TouchCommand(k, ttl)),
  fc.tuple(keyArb, fc.integer({ min: -5, max: 5 })).map(([k, d]) => new IncrCommand(k, d)),
  fc.integer({ min: 1, max: 2000 }).map((ms) => new AdvanceClockCommand(ms)),
  fc.tuple(fc.constantFrom<'expire' | 'evict' | 'clear'>('expire', 'evict', 'evict', 'clear'), fc.constantFrom('t1', 't2')).map(
    ([kind, tag]) => new SweepCommand(kind, tag),
  ),
  fc.array(fc.tuple(keyArb, valueArb), { minLength: 1, maxLength: 3 }).map((writes) => new ThrowingTransactionCommand(writes)),
  fc.constant(new ReopenCommand()),
  fc.constant(new ContentsCommand()),
]

// DISKCACHE_MODEL_RUNS raises the number of random sequences for a long run.
const RUNS = Number(process.env.DISKCACHE_MODEL_RUNS ?? 0) || undefined

const IMPLEMENTATIONS = [
  { name: 'Cache', ordered: true, runs: RUNS ?? 100, open: (dir: string, now: () => number) => new Cache(dir, { now, cullLimit: 0 }) },
  {
    name: 'FanoutCache',
    ordered: false, // insertion order holds within a shard only
    runs: RUNS ?? 50, // each run opens three databases
    open: (dir: string, now: () => number) => new FanoutCache(dir, { shards: 3, now, cullLimit: 0 }) as unknown as Cache,
  },
]

describe.each(IMPLEMENTATIONS)('$name against an in-memory model', ({ ordered, runs, open }) => {
  it('answers every random sequence of operations as the model does', () => {
    fc.assert(
      fc.property(fc.commands(commands, { maxCommands: 50, size: 'large' }), (sequence) => {
        const dir = makeTempDir()
        const clock = manualClock()
        const real: Real = {
          cache: open(dir, clock.now),
          clock,
          ordered,
          reopen() {
            this.cache.close()
            this.cache = open(dir, clock.now)
          },
        }
        try {
          fc.modelRun(() => ({ model: { now: clock.now(), rows: new Map() }, real }), [...sequence, new ContentsCommand()])
        } finally {
          real.cache.close()
        }
      }),
      { numRuns: runs },
    )
  }, 120_000)
})
