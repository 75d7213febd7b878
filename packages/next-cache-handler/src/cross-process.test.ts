import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { HandlerChild } from './test-support/handler-child.js'
import { appPage, fetchValue } from './test-support/sample-values.js'
import { makeTempDir } from './test-support/temp-dir.js'

const PAGE_CTX = { kind: 'APP_PAGE', isRoutePPREnabled: false, isFallback: false }
const CACHE_CONTROL = { revalidate: 20, expire: 31536000 }

async function twoServers(): Promise<[HandlerChild, HandlerChild]> {
  const dist = makeTempDir('next-dist-')
  mkdirSync(join(dist, 'server'))
  writeFileSync(join(dist, 'BUILD_ID'), 'build-1')
  const env = { DISKCACHE_NEXT_DIR: makeTempDir(), TEST_SERVER_DIST_DIR: join(dist, 'server') }
  return Promise.all([HandlerChild.start(env), HandlerChild.start(env)])
}

describe('two processes sharing one store (the built package, loaded as Next loads it)', () => {
  it('serve in one process the page another rendered, Buffers and segmentData intact', async () => {
    const [a, b] = await twoServers()
    await a.request('set', { key: '/route-cache/APP_PAGE/x/$/isr', data: appPage(), ctx: { cacheControl: CACHE_CONTROL } })
    const found = await b.request<{ value: unknown; cacheControl: unknown }>('get', { key: '/route-cache/APP_PAGE/x/$/isr', ctx: PAGE_CTX })
    expect(found.value).toEqual(appPage())
    expect(found.cacheControl).toEqual(CACHE_CONTROL)
  })

  it('see a revalidateTag in one process in the other: pages and fetches become misses', async () => {
    const [a, b] = await twoServers()
    await a.request('set', { key: '/isr', data: appPage(), ctx: { cacheControl: CACHE_CONTROL } })
    await a.request('set', { key: 'f'.repeat(64), data: fetchValue(), ctx: { fetchCache: true, tags: ['data'] } })
    await new Promise((resolve) => setTimeout(resolve, 5)) // the tag must be revalidated after the entries were written
    await b.request('revalidateTag', { tags: ['data'], durations: { expire: 0 } })
    expect(await a.request('get', { key: '/isr', ctx: PAGE_CTX })).toBeNull()
    expect(await a.request('get', { key: 'f'.repeat(64), ctx: { kind: 'FETCH', tags: ['data'] } })).toBeNull()
  })

  it("share 'use cache' entries and tag updates", async () => {
    const [a, b] = await twoServers()
    const entry = { tags: ['thing'], stale: 300, timestamp: Date.now() + 0.5, expire: 86400, revalidate: 3600 }
    await a.request('useCacheSet', { key: '["b","f",[]]', entry, body: 'payload' })
    expect(await b.request('useCacheGet', { key: '["b","f",[]]', softTags: [] })).toMatchObject({ ...entry, value: 'payload' })
    await new Promise((resolve) => setTimeout(resolve, 5))
    await b.request('updateTags', { tags: ['thing'], durations: { expire: 0 } })
    expect(await a.request('useCacheGet', { key: '["b","f",[]]', softTags: [] })).toBeUndefined()
  })

  it('see a revalidation in another process on the very next get, though the page was served from memory', async () => {
    const [a, b] = await twoServers()
    await a.request('set', { key: '/isr', data: appPage(), ctx: { cacheControl: CACHE_CONTROL } })
    // Two reads: the second is served from A's memory of the decoded entry and its tag states.
    await a.request('get', { key: '/isr', ctx: PAGE_CTX })
    expect(await a.request('get', { key: '/isr', ctx: PAGE_CTX })).toMatchObject({ value: appPage() })
    await new Promise((resolve) => setTimeout(resolve, 5))
    await b.request('revalidateTag', { tags: ['data'] })
    expect(await a.request('get', { key: '/isr', ctx: PAGE_CTX })).toBeNull()
  })

  it('see a render stored by another process on the next get, not the one held in memory', async () => {
    const [a, b] = await twoServers()
    await a.request('set', { key: '/isr', data: { ...appPage(), html: '<p>first</p>' }, ctx: { cacheControl: CACHE_CONTROL } })
    await a.request('get', { key: '/isr', ctx: PAGE_CTX })
    await b.request('set', { key: '/isr', data: { ...appPage(), html: '<p>second</p>' }, ctx: { cacheControl: CACHE_CONTROL } })
    expect(await a.request('get', { key: '/isr', ctx: PAGE_CTX })).toMatchObject({ value: { html: '<p>second</p>' } })
  })

  it("see an updateTags in another process on the next 'use cache' get and getExpiration", async () => {
    const [a, b] = await twoServers()
    const entry = { tags: ['thing'], stale: 300, timestamp: Date.now() + 0.5, expire: 86400, revalidate: 3600 }
    await a.request('useCacheSet', { key: 'k', entry, body: 'payload' })
    await a.request('useCacheGet', { key: 'k', softTags: [] })
    expect(await a.request('useCacheGet', { key: 'k', softTags: [] })).toMatchObject({ value: 'payload' })
    expect(await a.request('getExpiration', { tags: ['thing'] })).toBe(0)
    await new Promise((resolve) => setTimeout(resolve, 5))
    await b.request('updateTags', { tags: ['thing'] })
    expect(await a.request('useCacheGet', { key: 'k', softTags: [] })).toBeUndefined()
    expect(await a.request('getExpiration', { tags: ['thing'] })).toBeGreaterThan(entry.timestamp)
  })

  it("see Next 15's expireTags(...tags) from one process in the other's 'use cache' get and getExpiration(...tags)", async () => {
    const [a, b] = await twoServers()
    const entry = { tags: ['thing'], stale: 300, timestamp: Date.now() + 0.5, expire: 86400, revalidate: 3600 }
    await a.request('useCacheSet', { key: 'k', entry, body: 'payload' })
    expect(await a.request('getExpirationSpread', { tags: ['_N_T_/layout', '_N_T_/cached'] })).toBe(0)
    await new Promise((resolve) => setTimeout(resolve, 5))
    await b.request('expireTags', { tags: ['thing', '_N_T_/cached'] })
    expect(await a.request('useCacheGet', { key: 'k', softTags: [] })).toBeUndefined()
    expect(await a.request('getExpirationSpread', { tags: ['_N_T_/layout', '_N_T_/cached'] })).toBeGreaterThan(entry.timestamp)
  })
})
