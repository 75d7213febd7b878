import { parseCacheControl } from './cache-control.js'
import { currentAge, freshnessLifetime, initialAge } from './freshness.js'

const defaults = { ttl: 0, heuristic: 0 }

describe('freshnessLifetime()', () => {
  it('uses the heuristic only for heuristically cacheable statuses with Last-Modified', () => {
    const headers = { date: 'Tue, 14 Nov 2023 22:13:20 GMT', 'last-modified': 'Tue, 14 Nov 2023 12:13:20 GMT' }
    const responseTime = Date.parse(headers.date)
    expect(freshnessLifetime(200, headers, parseCacheControl(undefined), responseTime, { ttl: 0, heuristic: 0.1 })).toEqual({ lifetime: 3_600_000, explicit: false })
    expect(freshnessLifetime(302, headers, parseCacheControl(undefined), responseTime, { ttl: 0, heuristic: 0.1 }).lifetime).toBe(0)
    expect(freshnessLifetime(200, headers, parseCacheControl(undefined), responseTime, defaults).lifetime).toBe(0)
  })

  it('reads an invalid Expires as already expired', () => {
    expect(freshnessLifetime(200, { expires: '0' }, parseCacheControl(undefined), 0, { ttl: 60_000, heuristic: 0 })).toEqual({ lifetime: 0, explicit: true })
  })
})

describe('initialAge() and currentAge()', () => {
  it('adds the origin Age, the response delay and the time spent stored (RFC 9111 §4.2.3)', () => {
    const initial = initialAge({ age: '10' }, 1_000, 3_000)
    expect(initial).toBe(12_000)
    expect(currentAge({ initialAge: initial, responseTime: 3_000 }, 8_000)).toBe(17_000)
  })

  it('counts the gap between Date and the time of receipt', () => {
    expect(initialAge({ date: new Date(0).toUTCString() }, 60_000, 60_000)).toBe(60_000)
  })
})
