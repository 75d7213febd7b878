import { evaluatePeerTargets } from './peer-targets.js'
import type { TargetVerdict } from './peer-targets.js'
import { fixtureResults } from './test-support/peer-results-fixture.js'

const byId = (verdicts: TargetVerdict[]) => Object.fromEntries(verdicts.map((v) => [v.id, v]))

describe('evaluatePeerTargets()', () => {
  it('passes get-hit at 1.3× the floor and misses it just past', () => {
    const at = byId(evaluatePeerTargets(fixtureResults({ cache: { set: 10, get: 13 }, floor: { set: 10, get: 10 } })))
    expect(at['get-vs-floor']).toMatchObject({ verdict: 'PASS' })
    expect(at['get-vs-floor']!.ratio).toBeCloseTo(1.3)
    const past = byId(evaluatePeerTargets(fixtureResults({ cache: { set: 10, get: 13.2 }, floor: { set: 10, get: 10 } })))
    expect(past['get-vs-floor']).toMatchObject({ verdict: 'MISS' })
  })

  it('holds set to 1.5× the floor', () => {
    const at = byId(evaluatePeerTargets(fixtureResults({ cache: { set: 16, get: 1 }, floor: { set: 10, get: 1 } })))
    expect(at['set-vs-floor']).toMatchObject({ verdict: 'MISS' })
    expect(at['set-vs-floor']!.closeGap).not.toBe('')
  })

  it('asks for a get-hit five times faster than Redis and Memcached', () => {
    const at = byId(evaluatePeerTargets(fixtureResults({ cache: { set: 10, get: 10 }, floor: { set: 10, get: 10 }, redis: { set: 50, get: 50 }, memcached: { set: 49, get: 49 } })))
    expect(at['get-vs-redis']).toMatchObject({ verdict: 'PASS' })
    expect(at['get-vs-memcached']).toMatchObject({ verdict: 'MISS' })
    expect(at['get-vs-memcached']!.why).toContain('5.00×')
  })

  it('asks to beat Python DiskCache on get and set, and @keyv/sqlite on set', () => {
    const at = byId(
      evaluatePeerTargets(fixtureResults({ cache: { set: 30, get: 5 }, floor: { set: 20, get: 4 }, python: { set: 60, get: 4 }, 'keyv-sqlite': { set: 3000, get: 50 } })),
    )
    expect(at['get-vs-python']).toMatchObject({ verdict: 'MISS' })
    expect(at['set-vs-python']).toMatchObject({ verdict: 'PASS' })
    expect(at['set-vs-keyv-sqlite']).toMatchObject({ verdict: 'PASS' })
  })

  it('skips a target whose peer did not run, and says why', () => {
    const at = byId(evaluatePeerTargets(fixtureResults({ cache: { set: 1, get: 1 }, floor: { set: 1, get: 1 } }, { skipped: { redis: '`redis-server` is not on PATH' } })))
    expect(at['get-vs-redis']).toMatchObject({ verdict: 'SKIPPED' })
    expect(at['get-vs-redis']!.why).toContain('redis-server')
    expect(at['get-vs-memcached']).toMatchObject({ verdict: 'SKIPPED' })
  })

  it('compares the largest growth size with the smallest', () => {
    const flat = byId(evaluatePeerTargets(fixtureResults({ cache: { set: 1, get: 1 } }, { growth: { 10_000: 10, 100_000: 30, 1_000_000: 14 } })))
    expect(flat.growth).toMatchObject({ verdict: 'PASS' })
    expect(flat.growth!.target).toContain('1,000,000')
    const steep = byId(evaluatePeerTargets(fixtureResults({ cache: { set: 1, get: 1 } }, { growth: { 10_000: 10, 1_000_000: 16 } })))
    expect(steep.growth).toMatchObject({ verdict: 'MISS' })
  })

  it('says how p50 alone would judge, for a mean carried by a few stalls', () => {
    const results = fixtureResults({ cache: { set: 10, get: 20 }, floor: { set: 10, get: 10 } })
    results.latency!.stats.cache!['get-hit']!.p50 = 5
    const verdict = byId(evaluatePeerTargets(results))['get-vs-floor']!
    expect(verdict.verdict).toBe('MISS')
    expect(verdict.why).toContain('on p50: 5.00 vs 9.00 µs, 0.56×, PASS')
  })

  it('skips growth when it did not run', () => {
    expect(byId(evaluatePeerTargets(fixtureResults({ cache: { set: 1, get: 1 } }))).growth).toMatchObject({ verdict: 'SKIPPED' })
  })
})
