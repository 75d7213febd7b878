import type { TwoServers } from './two-servers.js'
import { textOf } from './next-app.js'

// Cases every Next major must pass, written once for next-e2e.test.ts (16) and next15-e2e.test.ts.

/** Renders `path` on A, expects B to answer it as a HIT, and returns the `marker` text B served. */
export async function renderedOnAHitOnB(servers: TwoServers, path: string, marker: string): Promise<string> {
  await servers.a.get(path)
  const cached = await servers.b.get(path)
  expect(cached.cache).toBe('HIT')
  return textOf(cached.text, marker)
}

/** MISS then HIT on process A, a HIT on process B for what A rendered, for a page and a route handler. */
export function itSharesHitsAcrossProcesses(servers: () => TwoServers): void {
  it('answers an ISR page MISS then HIT, and process B serves what process A rendered', async () => {
    const { a, b } = servers()
    const first = await a.get('/isr')
    expect(first.cache).toBe('MISS')
    const second = await a.get('/isr')
    expect(second.cache).toBe('HIT')
    expect(textOf(second.text, 'rendered')).toBe(textOf(first.text, 'rendered'))
    const onB = await b.get('/isr')
    expect(onB.cache).toBe('HIT')
    expect(textOf(onB.text, 'rendered')).toBe(textOf(first.text, 'rendered'))
  })

  it('caches a route handler across processes', async () => {
    const { a, b } = servers()
    expect((await a.get('/api/time')).cache).toBe('MISS')
    const hit = await b.get('/api/time')
    expect(hit.cache).toBe('HIT')
  })
}

/** The store outlives the servers: after both restart, B serves what A had. */
export function itKeepsHitsAcrossRestart(servers: () => TwoServers): void {
  it('still serves hits after both servers restart (the store persists)', async () => {
    const before = await servers().a.get('/isr')
    await servers().stopBoth()
    await servers().startBoth()
    const after = await servers().b.get('/isr')
    expect(after.cache).toBe('HIT')
    expect(textOf(after.text, 'rendered')).toBe(textOf(before.text, 'rendered'))
  })
}
