// Model-based test of eviction under a tiny sizeLimit: fast-check writes and
// reads a few keys with file-backed values of random sizes, under each policy.
// Sizes are database pages plus value files, so the oracle is not an exact
// model of which entries remain but two properties: after every write and
// cull() the volume is within sizeLimit, and the entries evicted were the
// policy's first victims (no entry the policy ranks as more worth keeping is
// gone while a lower-ranked one stays). The only exception is the entry a
// write stored, which the cull after that write spares.
import fc from 'fast-check'
import { Cache } from './cache.js'
import type { EvictionPolicyName } from './eviction-policy.js'
import { openCacheIn as openCache } from './test-support/open-cache.js'
import { makeTempDir, manualClock } from './test-support/temp-dir.js'

type Policy = Exclude<EvictionPolicyName, 'none'>

interface ModelEntry {
  fill: string
  size: number
  storedAt: number
  accessedAt: number
  reads: number
}

type Op = { kind: 'set'; key: number; size: number; fill: string } | { kind: 'get'; key: number }

const KEYS = 6
const ROOM = 16 * 1024 // bytes of value files that fit above an empty cache's own pages

const opArbitrary: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    kind: fc.constant('set' as const),
    key: fc.nat(KEYS - 1),
    size: fc.integer({ min: 1000, max: 6000 }),
    fill: fc.constantFrom('a', 'b', 'c'),
  }),
  fc.record({ kind: fc.constant('get' as const), key: fc.nat(KEYS - 1) }),
)

/** The policy's order as a sortable tuple: lower goes first. */
function rankOf(policy: Policy, entry: ModelEntry): [number, number] {
  switch (policy) {
    case 'least-recently-stored':
      return [entry.storedAt, 0]
    case 'least-recently-used':
      return [entry.accessedAt, 0]
    case 'least-frequently-used':
      return [entry.reads, entry.accessedAt]
  }
}

const before = (a: [number, number], b: [number, number]) => a[0] < b[0] || (a[0] === b[0] && a[1] < b[1])

function run(policy: Policy, ops: Op[]): void {
  const clock = manualClock()
  const dir = makeTempDir()
  const probe = new Cache(dir)
  const emptyVolume = probe.volume()
  probe.close()
  const sizeLimit = emptyVolume + ROOM
  const cache = openCache(dir, { sizeLimit, evictionPolicy: policy, cullLimit: 1, fileThreshold: 512, now: clock.now })
  const model = new Map<string, ModelEntry>()
  for (const op of ops) {
    clock.advance(1)
    const now = clock.now()
    const key = `k${op.key}`
    if (op.kind === 'get') {
      const entry = model.get(key)
      expect(cache.get(key)).toBe(entry === undefined ? undefined : entry.fill.repeat(entry.size))
      if (entry !== undefined) {
        entry.accessedAt = now
        entry.reads++
      }
      continue
    }
    cache.set(key, op.fill.repeat(op.size))
    model.set(key, { fill: op.fill, size: op.size, storedAt: now, accessedAt: now, reads: 0 })
    checkEvictions(policy, cache, model, key)
    cache.cull()
    expect(cache.volume()).toBeLessThanOrEqual(sizeLimit)
    checkEvictions(policy, cache, model, null)
  }
}

/** Removes what the cache evicted from the model, checking that it was the policy's choice. */
function checkEvictions(policy: Policy, cache: Cache, model: Map<string, ModelEntry>, spared: string | null): void {
  const evicted = [...model.keys()].filter((key) => !cache.has(key))
  if (evicted.length === 0) return
  const kept = [...model.keys()].filter((key) => !evicted.includes(key) && key !== spared)
  for (const gone of evicted) {
    for (const stays of kept) {
      const keptBeforeVictim = before(rankOf(policy, model.get(stays)!), rankOf(policy, model.get(gone)!))
      expect({ policy, evicted: gone, whileKeeping: stays, keptBeforeVictim }).toEqual({
        policy,
        evicted: gone,
        whileKeeping: stays,
        keptBeforeVictim: false,
      })
    }
  }
  expect(spared === null || !evicted.includes(spared)).toBe(true)
  for (const key of evicted) model.delete(key)
}

describe.each(['least-recently-stored', 'least-recently-used', 'least-frequently-used'] as const)(
  'eviction under a tiny sizeLimit, %s',
  (policy) => {
    it('keeps the volume within sizeLimit after every write and cull, and evicts only the policy’s first victims', () => {
      fc.assert(
        fc.property(fc.array(opArbitrary, { minLength: 5, maxLength: 40 }), (ops) => run(policy, ops)),
        { numRuns: Number(process.env.DISKCACHE_MODEL_RUNS ?? 25) },
      )
    })
  },
)
