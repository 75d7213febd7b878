// A small PeerResults for the tests: latency figures per contender, given as
// mean µs per phase (p50 and p99 derived), plus optional growth figures.
import type { ContenderInfo, LatencyStat, PeerResults } from '../peer-results.js'

const stat = (mean: number): LatencyStat => ({ mean, p50: mean * 0.9, p99: mean * 3, n: 1000 })

const LABELS: Record<string, string> = {
  cache: '@diskcache/core Cache',
  floor: 'better-sqlite3 (floor)',
  redis: 'Redis (ioredis)',
  memcached: 'Memcached (memjs)',
  python: 'Python DiskCache',
  'keyv-sqlite': 'Keyv + @keyv/sqlite',
  lru: 'lru-cache (in memory)',
}

export function fixtureResults(
  latency: Record<string, { set: number; get: number }>,
  { growth, skipped = {} }: { growth?: Record<number, number>; skipped?: Record<string, string> } = {},
): PeerResults {
  const ids = [...new Set([...Object.keys(latency), ...Object.keys(skipped)])]
  const contenders: ContenderInfo[] = ids.map((id) => ({
    id,
    label: LABELS[id] ?? id,
    kind: id === 'cache' ? 'ours' : id === 'floor' ? 'floor' : 'embedded',
    version: '1.0.0',
    settings: 'defaults',
    durability: 'none',
    ...(skipped[id] ? { skipped: skipped[id] } : {}),
  }))
  const stats = Object.fromEntries(
    Object.entries(latency).map(([id, { set, get }]) => [id, { set: stat(set), 'get-hit': stat(get), 'get-miss': stat(get / 2), delete: stat(set) }]),
  )
  return {
    meta: { quick: false, runs: 3, date: '2026-01-01 00:00 UTC', seconds: 600, command: 'npm run bench:peers', machine: ['machine: test'], notes: [] },
    contenders,
    latency: { keys: 10_000, valueSize: 1024, readPasses: 3, budgetMs: 3000, phases: ['set', 'get-hit', 'get-miss', 'delete'], stats, keysStored: Object.fromEntries(Object.keys(latency).map((id) => [id, 10_000])) },
    ...(growth
      ? {
          growth: {
            sizes: Object.keys(growth).map(Number),
            valueSize: 100,
            samples: 1000,
            rounds: 3,
            fillCapSeconds: 60,
            stats: { cache: Object.fromEntries(Object.entries(growth).map(([size, mean]) => [size, stat(mean)])) },
            skipped: {},
            fillSeconds: { cache: { [Object.keys(growth).at(-1)!]: 12 } },
          },
        }
      : {}),
  }
}
