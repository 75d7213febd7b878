// The claims issue 7 asks the benchmark to defend, as data: each target names
// the figures it compares and the bound, and evaluatePeerTargets turns one
// run's results into PASS / MISS / SKIPPED with the numbers behind each.
// Verdicts use the mean latency (median across runs), the figure that
// carries the tail; each also says how p50 alone would judge.
import type { PeerResults } from './peer-results.js'
import { formatMicros, formatRatio, ratio } from './run-statistics.js'

export type Verdict = 'PASS' | 'MISS' | 'SKIPPED'

export interface TargetVerdict {
  id: string
  /** the claim, as a sentence */
  target: string
  /** the figures compared */
  measured: string
  verdict: Verdict
  /** the ratio tested against the bound; undefined when skipped */
  ratio?: number
  /** why it passed or missed, or why it was skipped */
  why: string
  /** what would close the gap (printed for a MISS) */
  closeGap: string
}

interface LatencyTarget {
  id: string
  target: string
  phase: 'get-hit' | 'set'
  /** ours / other must be ≤ bound (other = the floor or a peer) */
  other: string
  bound: number
  closeGap: string
}

export const LATENCY_TARGETS: readonly LatencyTarget[] = [
  {
    id: 'get-vs-floor',
    target: 'get-hit within 1.3× raw better-sqlite3',
    phase: 'get-hit',
    other: 'floor',
    bound: 1.3,
    closeGap:
      "The floor selects two columns by primary key; a Cache get selects five through its (kind, key) index, then lookup() checks expiry and the value's storage mode and decodes it. The profile section shows each share: what is left is JavaScript per call, so select fewer columns when the value is inline and unexpiring, and test expiry in the statement.",
  },
  {
    id: 'set-vs-floor',
    target: 'set within 1.5× raw better-sqlite3',
    phase: 'set',
    other: 'floor',
    bound: 1.5,
    closeGap:
      "A Cache set stores more per row than the floor (kind, timestamps, expiry, tags, size) and keeps the stored_at index that eviction reads; its cull check already runs rarely. What is left: fewer indexed columns per row, or no stored_at index when the eviction policy is 'none'.",
  },
  {
    id: 'get-vs-redis',
    target: 'get-hit at least 5× faster than Redis over loopback',
    phase: 'get-hit',
    other: 'redis',
    bound: 1 / 5,
    closeGap:
      'Compare the floor: when raw better-sqlite3 is itself less than 5× faster than the loopback round trip, no Cache code can close the gap, and the target needs a machine where a SELECT costs less than a context switch (an idle one); otherwise the profile shows what our JS adds.',
  },
  {
    id: 'get-vs-memcached',
    target: 'get-hit at least 5× faster than Memcached over loopback',
    phase: 'get-hit',
    other: 'memcached',
    bound: 1 / 5,
    closeGap: 'As for Redis: compare the floor first; if the floor clears 5× and we do not, the profile shows what our JS adds to each get.',
  },
  {
    id: 'get-vs-python',
    target: 'get-hit faster than Python DiskCache',
    phase: 'get-hit',
    other: 'python',
    bound: 1,
    closeGap: "Python DiskCache runs one SELECT through the sqlite3 module; compare the floor's margin over it and the profile's JS share.",
  },
  {
    id: 'set-vs-python',
    target: 'set faster than Python DiskCache',
    phase: 'set',
    other: 'python',
    bound: 1,
    closeGap: 'Python DiskCache commits one transaction per set with the same WAL settings; compare the statements each set runs, and the WAL checkpoints.',
  },
  {
    id: 'set-vs-keyv-sqlite',
    target: 'set faster than Keyv + @keyv/sqlite',
    phase: 'set',
    other: 'keyv-sqlite',
    bound: 1,
    closeGap: '@keyv/sqlite fsyncs every commit (rollback journal, synchronous FULL): a Cache set slower than that points at lock waits; look at the WAL checkpoints.',
  },
]

export const GROWTH_BOUND = 1.5
export const GROWTH_CLOSE_GAP =
  'A get walks one B-tree of depth log(n): the cost that grows is page cache misses. Raise cache_size or mmap_size to hold the index pages, or keep keys shorter so more fit a page.'

/**
 * The same test on p50, named when it disagrees with the mean's: on a busy
 * machine a few long stalls can carry a mean while the typical call says otherwise.
 */
function medianCheck(ours: number, other: number, bound: number): string {
  const r = ratio(ours, other)
  if (r === undefined) return ''
  return `; on p50: ${formatMicros(ours)} vs ${formatMicros(other)} µs, ${formatRatio(r)}, ${r <= bound ? 'PASS' : 'MISS'}`
}

const labelOf = (results: PeerResults, id: string) => results.contenders.find((c) => c.id === id)?.label ?? id

export function evaluatePeerTargets(results: PeerResults): TargetVerdict[] {
  const verdicts: TargetVerdict[] = LATENCY_TARGETS.map((t) => {
    const base = { id: t.id, target: t.target, closeGap: t.closeGap }
    const stats = results.latency?.stats
    const ours = stats?.cache?.[t.phase]
    const other = stats?.[t.other]?.[t.phase]
    if (!ours || !other) {
      const skipped = results.contenders.find((c) => c.id === (ours ? t.other : 'cache'))?.skipped
      const missing = ours ? labelOf(results, t.other) : labelOf(results, 'cache')
      return { ...base, measured: '–', verdict: 'SKIPPED', why: `${missing} did not run${skipped ? `: ${skipped}` : ' (latency workload or contender not selected)'}` }
    }
    const r = ratio(ours.mean, other.mean)!
    const pass = r <= t.bound
    const measured = `${t.phase} ${formatMicros(ours.mean)} µs vs ${formatMicros(other.mean)} µs (${labelOf(results, t.other)}): ${formatRatio(r)}`
    const faster = other.mean / ours.mean
    const floorMean = stats?.floor?.[t.phase]?.mean
    const floorNote = t.other !== 'floor' && floorMean !== undefined ? `; the floor is ${formatRatio(other.mean / floorMean)} faster than ${labelOf(results, t.other)}` : ''
    const why =
      t.bound < 1
        ? `ours is ${formatRatio(faster)} faster; the target asks for ${formatRatio(1 / t.bound)}`
        : t.bound === 1
          ? pass
            ? `ours is ${formatRatio(faster)} faster`
            : `ours is ${formatRatio(1 / faster)} slower`
          : `ours costs ${formatRatio(r)} the ${labelOf(results, t.other)} figure; the bound is ${formatRatio(t.bound)}`
    return { ...base, measured, verdict: pass ? 'PASS' : 'MISS', ratio: r, why: why + floorNote + medianCheck(ours.p50, other.p50, t.bound) }
  })
  verdicts.push(growthVerdict(results))
  return verdicts
}

function floorGrowth(g: NonNullable<PeerResults['growth']>, small: number, large: number): string {
  const r = ratio(g.stats.floor?.[large]?.mean, g.stats.floor?.[small]?.mean)
  return r === undefined ? '' : `; the floor grows ${formatRatio(r)}`
}

function growthVerdict(results: PeerResults): TargetVerdict {
  const g = results.growth
  const base = { id: 'growth', closeGap: GROWTH_CLOSE_GAP }
  if (!g || !g.stats.cache) {
    return { ...base, target: `get-hit at 1,000,000 entries within ${GROWTH_BOUND}× the 10,000-entry figure`, measured: '–', verdict: 'SKIPPED', why: 'the growth workload did not run for Cache' }
  }
  const small = g.sizes[0]!
  const large = g.sizes[g.sizes.length - 1]!
  const target = `get-hit at ${large.toLocaleString('en-US')} entries within ${GROWTH_BOUND}× the ${small.toLocaleString('en-US')}-entry figure`
  const a = g.stats.cache[small]
  const b = g.stats.cache[large]
  if (!a || !b) {
    return { ...base, target, measured: '–', verdict: 'SKIPPED', why: g.skipped.cache?.[large] ?? `no figure at ${large.toLocaleString('en-US')} entries` }
  }
  const r = ratio(b.mean, a.mean)!
  const pass = r <= GROWTH_BOUND
  return {
    ...base,
    target,
    measured: `${formatMicros(b.mean)} µs vs ${formatMicros(a.mean)} µs: ${formatRatio(r)}`,
    verdict: pass ? 'PASS' : 'MISS',
    ratio: r,
    why: `a get at ${large.toLocaleString('en-US')} entries costs ${formatRatio(r)} the one at ${small.toLocaleString('en-US')}; the bound is ${formatRatio(GROWTH_BOUND)}${floorGrowth(g, small, large)}${medianCheck(b.p50, a.p50, GROWTH_BOUND)}`,
  }
}
