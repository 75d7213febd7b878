// The charts of the benchmark page, one SVG per workload, from one run's results.
import { barChartSvg } from './bar-chart-svg.js'
import type { Bar, BarGroup, BarTone } from './bar-chart-svg.js'
import type { ContenderInfo, PeerResults } from './peer-results.js'

export interface Chart {
  /** file name, relative to the charts directory */
  file: string
  /** alt text for the page */
  alt: string
  svg: string
}

function toneOf(contender: ContenderInfo): BarTone {
  return contender.kind === 'ours' ? 'ours' : contender.kind === 'floor' ? 'floor' : contender.kind === 'memory' ? 'memory' : 'peer'
}

const count = (n: number) => n.toLocaleString('en-US')

/** Human size of a byte count: 100 B, 10 KB, 1 MB (powers of 1,024). */
export function bytesLabel(bytes: number): string {
  if (bytes >= 2 ** 20) return `${+(bytes / 2 ** 20).toFixed(1)} MB`
  if (bytes >= 2 ** 10) return `${+(bytes / 2 ** 10).toFixed(1)} KB`
  return `${bytes} B`
}

function groupsOf(ran: ContenderInfo[], titles: string[], value: (c: ContenderInfo, i: number) => number | undefined, note?: (c: ContenderInfo, i: number) => string | undefined): BarGroup[] {
  return titles.map((title, i) => ({
    title,
    bars: ran.map((c): Bar => {
      const n = note?.(c, i)
      return { label: c.label, value: value(c, i), tone: toneOf(c), ...(n === undefined ? {} : { note: n }) }
    }),
  }))
}

export function benchmarkCharts(results: PeerResults): Chart[] {
  const ran = results.contenders.filter((c) => !c.skipped)
  const charts: Chart[] = []
  const runs = `median of ${results.meta.runs} run${results.meta.runs === 1 ? '' : 's'}`
  const l = results.latency
  if (l) {
    charts.push({
      file: 'latency.svg',
      alt: 'Mean latency per operation and contender',
      svg: barChartSvg({
        title: 'Latency: mean µs per call (shorter is better)',
        subtitle: `${count(l.keys)} keys, ${bytesLabel(l.valueSize)} values, ${runs}`,
        unit: 'µs',
        groups: groupsOf(ran.filter((c) => l.stats[c.id]), l.phases, (c, i) => l.stats[c.id]?.[l.phases[i]!]?.mean),
      }),
    })
  }
  const t = results.throughput
  if (t) {
    const present = ran.filter((c) => t.stats[c.id])
    charts.push({
      file: 'throughput.svg',
      alt: 'Operations per second with 1, 2 and 4 processes on one store',
      svg: barChartSvg({
        title: 'Throughput: ops/s, all processes together (longer is better)',
        subtitle: `90% get / 9% set / 1% delete on ${count(t.keys)} keys, ${t.seconds} s per round, ${runs}`,
        unit: 'ops/s',
        format: (x) => count(Math.round(x)),
        groups: groupsOf(
          present,
          t.processes.map((p) => `P = ${p}`),
          (c, i) => t.stats[c.id]?.[t.processes[i]!]?.opsPerSecond,
          (c, i) => (t.stats[c.id]?.[t.processes[i]!] ? undefined : t.notes[c.id] ?? 'not run'),
        ),
      }),
    })
  }
  const g = results.growth
  if (g) {
    const present = ran.filter((c) => g.stats[c.id])
    charts.push({
      file: 'growth.svg',
      alt: 'get-hit latency at each store size',
      svg: barChartSvg({
        title: 'Growth: mean µs per get-hit as the store grows',
        subtitle: `random keys, ${bytesLabel(g.valueSize)} values, median of ${g.rounds} rounds`,
        unit: 'µs',
        groups: groupsOf(
          present,
          g.sizes.map((s) => `${count(s)} entries`),
          (c, i) => g.stats[c.id]?.[g.sizes[i]!]?.mean,
          (c, i) => (g.stats[c.id]?.[g.sizes[i]!] ? undefined : g.skipped[c.id]?.[g.sizes[i]!] ? 'skipped: fill cap' : 'not run'),
        ),
      }),
    })
  }
  const v = results.valueSizes
  if (v) {
    const present = ran.filter((c) => v.stats[c.id])
    const titles = v.sizes.flatMap((s) => [`set, ${bytesLabel(s)}`, `get-hit, ${bytesLabel(s)}`])
    charts.push({
      file: 'value-size.svg',
      alt: 'set and get-hit latency by value size',
      svg: barChartSvg({
        title: 'Value size: mean µs per call',
        subtitle: runs,
        unit: 'µs',
        groups: groupsOf(present, titles, (c, i) => {
          const cell = v.stats[c.id]?.[v.sizes[i >> 1]!]
          return i % 2 === 0 ? cell?.set.mean : cell?.get.mean
        }),
      }),
    })
  }
  if (results.durability && l) {
    const d = results.durability
    const bars: Bar[] = [
      { label: "Cache, synchronous 'normal'", value: d.stats.normal.mean, tone: 'ours' },
      { label: "Cache, synchronous 'full'", value: d.stats.full.mean, tone: 'ours' },
      ...ran.filter((c) => c.id !== 'cache' && l.stats[c.id]?.set).map((c): Bar => ({ label: c.label, value: l.stats[c.id]!.set!.mean, tone: toneOf(c) })),
    ]
    charts.push({
      file: 'durability.svg',
      alt: 'set latency by durability setting',
      svg: barChartSvg({
        title: 'Durability: mean µs per set of a new key',
        subtitle: 'Cache rows from the durability workload; the others are their latency-workload set, at their own durability (table)',
        unit: 'µs',
        groups: [{ bars }],
      }),
    })
  }
  return charts
}
