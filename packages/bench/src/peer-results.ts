// The shape of one run's figures: what the runner (bench/peers.mjs) collects
// and the page, charts and target verdicts are computed from.

export interface LatencyStat {
  /** µs per call */
  mean: number
  p50: number
  p99: number
  /** calls timed (median across runs) */
  n: number
}

export type ContenderKind = 'ours' | 'floor' | 'embedded' | 'server' | 'memory' | 'python'

export interface ContenderInfo {
  id: string
  label: string
  kind: ContenderKind
  version: string
  settings: string
  durability: string
  /** Why the contender did not run (missing package, server or module). */
  skipped?: string
}

export interface ThroughputStat {
  opsPerSecond: number
  p99: number
  errors: number
}

export interface PeerResults {
  meta: {
    quick: boolean
    runs: number
    date: string
    seconds: number
    command: string
    /** machine, runtime and build, one line each */
    machine: string[]
    /** what went wrong or was left out during the run (a contender that failed a workload, say) */
    notes: string[]
  }
  contenders: ContenderInfo[]
  latency?: {
    keys: number
    valueSize: number
    readPasses: number
    budgetMs: number
    phases: string[]
    stats: Record<string, Record<string, LatencyStat>>
    /** keys each contender stored within the time budget (the reads go over these); fewest across runs */
    keysStored: Record<string, number>
  }
  throughput?: {
    processes: number[]
    seconds: number
    keys: number
    valueSize: number
    stats: Record<string, Record<string, ThroughputStat>>
    /** why a contender ran at some P only */
    notes: Record<string, string>
  }
  growth?: {
    sizes: number[]
    valueSize: number
    samples: number
    rounds: number
    fillCapSeconds: number
    stats: Record<string, Record<string, LatencyStat>>
    skipped: Record<string, Record<string, string>>
    fillSeconds: Record<string, Record<string, number>>
  }
  valueSizes?: {
    sizes: number[]
    counts: number[]
    stats: Record<string, Record<string, { set: LatencyStat; get: LatencyStat }>>
  }
  durability?: {
    keys: number
    valueSize: number
    runs: number
    stats: { normal: LatencyStat; full: LatencyStat }
  }
  /** CPU profile of a get, taken when a target is missed */
  profile?: { command: string; text: string }
}
