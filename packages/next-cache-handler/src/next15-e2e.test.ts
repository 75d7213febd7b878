// End to end with real Next 15 (examples/next15-app, next@15.5.29 nested in its node_modules):
// the setup of next-e2e.test.ts (test-support/two-servers.ts), built once, two `next start`
// processes on two loopback ports sharing one store. What differs from 16, from 15.5.29's code:
// 'use cache' handlers sit under experimental.cacheHandlers and are called as CacheHandlerV2
// (`expireTags(...tags)`, `getExpiration(...tags)`), and revalidateTag(tag) takes no profile:
// every revalidation expires at once, so there is no STALE case. The new-BUILD_ID case is left
// to next-e2e.test.ts (the build-id namespacing does not depend on the Next major): a second
// Next 15 build would cost another ~40 s on 2 cores.
import { NextApp, type NextServer, textOf } from './test-support/next-app.js'
import { TwoServers } from './test-support/two-servers.js'

jest.setTimeout(180_000)

const app = new NextApp('next15-app', ['--no-lint'])
let servers: TwoServers
let a: NextServer
let b: NextServer

beforeAll(async () => {
  expect(app.nextVersion).toMatch(/^15\./)
  servers = await TwoServers.open(app, '.next-e2e')
  ;({ a, b } = servers)
})

afterAll(async () => {
  await servers?.close()
})

describe('@diskcache/next under Next 15 next start (two processes, one store)', () => {
  it('answers an ISR page MISS then HIT, and process B serves what process A rendered', async () => {
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
    expect((await a.get('/api/time')).cache).toBe('MISS')
    const hit = await b.get('/api/time')
    expect(hit.cache).toBe('HIT')
  })

  it('gives fresh content on B after revalidateTag(tag) on A, then hits again on both', async () => {
    await a.get('/fetch')
    const cached = await b.get('/fetch')
    expect(cached.cache).toBe('HIT')
    const before = textOf(cached.text, 'data')
    await servers.revalidate(a, 'tag=data')
    // Next 15 expires the tag at once: B re-renders before answering (a MISS, never a STALE copy).
    const after = await b.get('/fetch')
    expect(after.cache).toBe('MISS')
    expect(textOf(after.text, 'data')).not.toBe(before)
    const again = await a.get('/fetch')
    expect(again.cache).toBe('HIT')
    expect(textOf(again.text, 'data')).toBe(textOf(after.text, 'data'))
  })

  it("re-runs a 'use cache' function on B after its cacheTag is revalidated on A", async () => {
    await a.get('/cached')
    const cached = await b.get('/cached')
    expect(cached.cache).toBe('HIT')
    const before = textOf(cached.text, 'thing')
    await servers.revalidate(a, 'tag=thing')
    // expireTags('thing') on the 'use cache' handler, revalidateTag(['thing']) on the incremental
    // one: the page entry carries 'thing' too, so both the page and the function are re-made.
    const after = await b.get('/cached')
    expect(after.cache).toBe('MISS')
    expect(textOf(after.text, 'thing')).not.toBe(before)
    expect(textOf((await a.get('/cached')).text, 'thing')).toBe(textOf(after.text, 'thing'))
  })

  it('re-renders a page after revalidatePath', async () => {
    await a.get('/isr')
    const before = textOf((await a.get('/isr')).text, 'rendered')
    await servers.revalidate(b, 'path=/isr')
    const after = await a.get('/isr')
    expect(after.cache).toBe('MISS')
    expect(textOf(after.text, 'rendered')).not.toBe(before)
  })

  it('still serves hits after both servers restart (the store persists)', async () => {
    const before = await a.get('/isr')
    await servers.stopBoth()
    await servers.startBoth()
    ;({ a, b } = servers)
    const after = await b.get('/isr')
    expect(after.cache).toBe('HIT')
    expect(textOf(after.text, 'rendered')).toBe(textOf(before.text, 'rendered'))
  })
})
