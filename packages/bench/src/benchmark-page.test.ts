import { benchmarkCharts } from './benchmark-charts.js'
import { benchmarkPage, markdownTable } from './benchmark-page.js'
import { evaluatePeerTargets } from './peer-targets.js'
import { fixtureResults } from './test-support/peer-results-fixture.js'

function page(results = fixtureResults({ cache: { set: 20, get: 5 }, floor: { set: 10, get: 4 }, lru: { set: 1, get: 0.5 } }, { growth: { 10_000: 5, 1_000_000: 6 } })) {
  const charts = benchmarkCharts(results)
  return { charts, text: benchmarkPage(results, evaluatePeerTargets(results), charts, { chartsPath: 'benchmarks' }) }
}

describe('benchmarkPage()', () => {
  it('gives every latency figure its ratio to the floor', () => {
    const { text } = page()
    const row = text.split('\n').find((line) => line.startsWith('| @diskcache/core Cache | 20.0'))
    expect(row).toContain('2.00×') // set 20 vs 10
    expect(row).toContain('1.25×') // get-hit 5 vs 4
  })

  it('links each chart it writes, relative to the page', () => {
    const { text, charts } = page()
    expect(charts.map((c) => c.file)).toEqual(expect.arrayContaining(['latency.svg', 'growth.svg']))
    for (const chart of charts) expect(text).toContain(`](benchmarks/${chart.file})`)
  })

  it('lists the verdicts, and what would close the gap for each miss', () => {
    const { text } = page()
    expect(text).toContain('| set within 1.5× raw better-sqlite3 |')
    expect(text).toMatch(/\*\*MISS\*\*/)
    expect(text).toContain('What would close each gap')
  })

  it('names a skipped contender and the reason in the contenders table', () => {
    const results = fixtureResults({ cache: { set: 1, get: 1 }, floor: { set: 1, get: 1 } }, { skipped: { memcached: 'install the Debian package memcached' } })
    expect(page(results).text).toContain('**skipped**: install the Debian package memcached')
  })
})

describe('markdownTable()', () => {
  it('escapes pipes inside cells', () => {
    expect(markdownTable(['a', 'b'], [['x|y', '1']])).toContain('x\\|y')
  })
})
