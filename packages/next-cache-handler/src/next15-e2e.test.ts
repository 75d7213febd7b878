// End to end with real Next 15 (examples/next15-app, next@15.5.29 nested in its node_modules):
// the setup of next-e2e.test.ts (test-support/two-servers.ts), built once, two `next start`
// processes on two loopback ports sharing one store. What differs from 16, from 15.5.29's code:
// 'use cache' handlers sit under experimental.cacheHandlers and are called as CacheHandlerV2
// (`expireTags(...tags)`, `getExpiration(...tags)`), and revalidateTag(tag) takes no profile:
// every revalidation expires at once, so there is no STALE case. The new-BUILD_ID case is left
// to next-e2e.test.ts (the build-id namespacing does not depend on the Next major): a second
// Next 15 build would cost another ~40 s on 2 cores.
import { NextApp, textOf } from './test-support/next-app.js'
import { itKeepsHitsAcrossRestart, itSharesHitsAcrossProcesses, renderedOnAHitOnB } from './test-support/shared-e2e-cases.js'
import { TwoServers } from './test-support/two-servers.js'

jest.setTimeout(180_000)

const app = new NextApp('next15-app', ['--no-lint'])
let servers: TwoServers

beforeAll(async () => {
  expect(app.nextVersion).toMatch(/^15\./)
  servers = await TwoServers.open(app, '.next-e2e')
})

afterAll(async () => {
  await servers?.close()
})

describe('@diskcache/next under Next 15 next start (two processes, one store)', () => {
  itSharesHitsAcrossProcesses(() => servers)

  it('gives fresh content on B after revalidateTag(tag) on A, then hits again on both', async () => {
    const before = await renderedOnAHitOnB(servers, '/fetch', 'data')
    await servers.revalidate(servers.a, 'tag=data')
    // Next 15 expires the tag at once: B re-renders before answering (a MISS, never a STALE copy).
    const after = await servers.b.get('/fetch')
    expect(after.cache).toBe('MISS')
    expect(textOf(after.text, 'data')).not.toBe(before)
    const again = await servers.a.get('/fetch')
    expect(again.cache).toBe('HIT')
    expect(textOf(again.text, 'data')).toBe(textOf(after.text, 'data'))
  })

  it("re-runs a 'use cache' function on B after its cacheTag is revalidated on A", async () => {
    const before = await renderedOnAHitOnB(servers, '/cached', 'thing')
    await servers.revalidate(servers.a, 'tag=thing')
    // expireTags('thing') on the 'use cache' handler, revalidateTag(['thing']) on the incremental
    // one: the page entry carries 'thing' too, so both the page and the function are re-made.
    const after = await servers.b.get('/cached')
    expect(after.cache).toBe('MISS')
    expect(textOf(after.text, 'thing')).not.toBe(before)
    expect(textOf((await servers.a.get('/cached')).text, 'thing')).toBe(textOf(after.text, 'thing'))
  })

  it('re-renders a page after revalidatePath', async () => {
    await servers.a.get('/isr')
    const before = textOf((await servers.a.get('/isr')).text, 'rendered')
    await servers.revalidate(servers.b, 'path=/isr')
    const after = await servers.a.get('/isr')
    expect(after.cache).toBe('MISS')
    expect(textOf(after.text, 'rendered')).not.toBe(before)
  })

  itKeepsHitsAcrossRestart(() => servers)
})
