import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Cache } from '@diskcache/core'
import { createCacheHandler } from './incremental-handler.js'
import type { NextCacheOptions } from './options.js'
import { appPage, fetchValue } from './test-support/sample-values.js'
import { makeTempDir, manualClock } from './test-support/temp-dir.js'
import { resetWarnings } from './warn-once.js'

/** A `.next/server` folder whose BUILD_ID is `buildId`. */
function distFor(buildId: string): string {
  const dist = makeTempDir('next-dist-')
  mkdirSync(join(dist, 'server'))
  writeFileSync(join(dist, 'BUILD_ID'), buildId)
  return join(dist, 'server')
}

function setup(options: NextCacheOptions = {}) {
  const clock = manualClock()
  const directory = makeTempDir()
  const Handler = createCacheHandler({ directory, now: clock.now, ...options })
  const serverDistDir = distFor('build-1')
  return { clock, directory, Handler, serverDistDir, handler: new Handler({ serverDistDir }) }
}

const PAGE_CTX = { kind: 'APP_PAGE', isRoutePPREnabled: false, isFallback: false }
const CACHE_CONTROL = { revalidate: 20, expire: 31536000 }

describe('incremental handler get() and set()', () => {
  it('round-trips an APP_PAGE entry exactly, Buffers and the segmentData Map included, with its cacheControl', async () => {
    const { handler, clock } = setup()
    await handler.set('/route-cache/APP_PAGE/abc/$/isr', appPage(), { cacheControl: CACHE_CONTROL })
    const found = await handler.get('/route-cache/APP_PAGE/abc/$/isr', PAGE_CTX)
    expect(found).toEqual({ lastModified: clock.now(), value: appPage(), cacheControl: CACHE_CONTROL })
    const value = found!.value as { rscData: Buffer; segmentData: Map<string, Buffer> }
    expect(Buffer.isBuffer(value.rscData)).toBe(true)
    // v8 deserializes in the outer realm: compare the tag, not jest's sandboxed Map.
    expect(Object.prototype.toString.call(value.segmentData)).toBe('[object Map]')
    expect(Buffer.isBuffer(value.segmentData.get('/isr/__PAGE__'))).toBe(true)
    expect([...value.segmentData.get('/isr/__PAGE__')!]).toEqual([0, 1, 2, 255])
  })

  it('keeps a typical page (about 85 KB) inside the database, with no value file to write or prune', async () => {
    const { handler, directory } = setup()
    const page = { ...appPage(), html: `<html>${'<div class="row">item</div>'.repeat(2000)}</html>`, rscData: Buffer.alloc(20 * 1024, 'r') }
    await handler.set('/route-cache/APP_PAGE/big/$/big', page, { cacheControl: CACHE_CONTROL })
    await handler.set('/route-cache/APP_PAGE/big/$/big', page, { cacheControl: CACHE_CONTROL })
    expect(existsSync(join(directory, 'entries', 'values'))).toBe(false)
    expect((await handler.get('/route-cache/APP_PAGE/big/$/big', PAGE_CTX))?.value).toEqual(page)
  })

  it.each([
    ['APP_ROUTE', { kind: 'APP_ROUTE', body: Buffer.from('{"time":1}'), status: 200, headers: { 'content-type': 'application/json' } }],
    ['PAGES', { kind: 'PAGES', html: '<p>x</p>', pageData: { props: { n: 1 } }, status: 200, headers: {} }],
    ['REDIRECT', { kind: 'REDIRECT', props: { __N_REDIRECT: '/to', __N_REDIRECT_STATUS: 307 } }],
  ])('round-trips a %s entry exactly', async (kind, value) => {
    const { handler } = setup()
    await handler.set(`/key/${kind}`, value, { cacheControl: CACHE_CONTROL })
    expect((await handler.get(`/key/${kind}`, { kind }))?.value).toEqual(value)
  })

  it('round-trips FETCH and unstable_cache entries', async () => {
    const { handler } = setup()
    await handler.set('f'.repeat(64), fetchValue(), { fetchCache: true, tags: ['data'], fetchUrl: 'http://127.0.0.1:1/data' })
    await handler.set('u'.repeat(64), fetchValue(['thing']), { fetchCache: true, tags: ['thing'], fetchUrl: 'unstable_cache /page' })
    expect((await handler.get('f'.repeat(64), { kind: 'FETCH', tags: ['data'], softTags: ['_N_T_/layout'] }))?.value).toEqual(fetchValue())
    expect((await handler.get('u'.repeat(64), { kind: 'FETCH', tags: ['thing'] }))?.value).toEqual(fetchValue(['thing']))
  })

  it('stores set(key, null) as a negative entry', async () => {
    const { handler, clock } = setup()
    await handler.set('/missing', null, { cacheControl: CACHE_CONTROL })
    expect(await handler.get('/missing', PAGE_CTX)).toEqual({ lastModified: clock.now(), value: null, cacheControl: CACHE_CONTROL })
  })

  it('returns null for a key never stored', async () => {
    const { handler } = setup()
    expect(await handler.get('/nothing', PAGE_CTX)).toBeNull()
  })

  it('is seen by every instance in the process: Next constructs the class once per request', async () => {
    const { Handler, serverDistDir } = setup()
    await new Handler({ serverDistDir }).set('/isr', appPage(), { cacheControl: CACHE_CONTROL })
    expect((await new Handler({ serverDistDir }).get('/isr', PAGE_CTX))?.value).toEqual(appPage())
  })

  it('removes an entry once its expire has passed', async () => {
    const { handler, clock } = setup()
    await handler.set('/short', appPage(), { cacheControl: { revalidate: 1, expire: 60 } })
    clock.advance(59_000)
    expect(await handler.get('/short', PAGE_CTX)).not.toBeNull()
    clock.advance(2_000)
    expect(await handler.get('/short', PAGE_CTX)).toBeNull()
  })
})

describe('incremental handler build-id namespacing', () => {
  it('never serves a response entry of another build, but shares FETCH entries across builds', async () => {
    const { Handler, serverDistDir } = setup()
    const oldBuild = new Handler({ serverDistDir })
    await oldBuild.set('/isr', appPage(), { cacheControl: CACHE_CONTROL })
    await oldBuild.set('f'.repeat(64), fetchValue(), { fetchCache: true, tags: ['data'] })
    const newBuild = new Handler({ serverDistDir: distFor('build-2') })
    expect(await newBuild.get('/isr', PAGE_CTX)).toBeNull()
    expect((await newBuild.get('f'.repeat(64), { kind: 'FETCH', tags: ['data'] }))?.value).toEqual(fetchValue())
    expect((await new Handler({ serverDistDir }).get('/isr', PAGE_CTX))?.value).toEqual(appPage())
  })

  it('keeps apps with different key prefixes apart, entries and tags both', async () => {
    const { directory, clock, serverDistDir } = setup()
    const A = createCacheHandler({ directory, now: clock.now, keyPrefix: 'a' })
    const B = createCacheHandler({ directory, now: clock.now, keyPrefix: 'b' })
    await new A({ serverDistDir }).set('/isr', appPage(), { cacheControl: CACHE_CONTROL })
    await new B({ serverDistDir }).set('/isr', appPage('data'), { cacheControl: CACHE_CONTROL })
    clock.advance(1)
    await new A({ serverDistDir }).revalidateTag('data', { expire: 0 })
    expect(await new A({ serverDistDir }).get('/isr', PAGE_CTX)).toBeNull()
    expect((await new B({ serverDistDir }).get('/isr', PAGE_CTX))?.value).toEqual(appPage('data'))
  })
})

describe('incremental handler revalidateTag()', () => {
  it('with { expire: 0 } makes entries carrying the tag (from x-next-cache-tags) misses', async () => {
    const { handler, clock } = setup()
    await handler.set('/isr', appPage(), { cacheControl: CACHE_CONTROL })
    await handler.set('/other', appPage('_N_T_/other'), { cacheControl: CACHE_CONTROL })
    clock.advance(1000)
    await handler.revalidateTag(['data'], { expire: 0 })
    expect(await handler.get('/isr', PAGE_CTX)).toBeNull()
    expect(await handler.get('/other', PAGE_CTX)).not.toBeNull()
  })

  it('without durations (revalidatePath, Next 15) expires the implicit _N_T_ tag at once', async () => {
    const { handler, clock } = setup()
    await handler.set('/isr', appPage(), { cacheControl: CACHE_CONTROL })
    clock.advance(1000)
    await handler.revalidateTag('_N_T_/isr')
    expect(await handler.get('/isr', PAGE_CTX)).toBeNull()
  })

  it("with 'max' serves a page as stale (past its revalidate window) until it is written again", async () => {
    const { handler, clock } = setup()
    await handler.set('/isr', appPage(), { cacheControl: CACHE_CONTROL })
    clock.advance(1000)
    await handler.revalidateTag(['data'], { expire: 31536000 })
    const stale = await handler.get('/isr', PAGE_CTX)
    expect(stale?.value).toEqual(appPage())
    // Next treats lastModified + revalidate < now as stale: STALE served, regenerated in the background.
    expect(stale!.lastModified + CACHE_CONTROL.revalidate * 1000).toBeLessThan(clock.now())
    expect(stale!.lastModified + CACHE_CONTROL.expire * 1000).toBeGreaterThan(clock.now())
    clock.advance(1000)
    await handler.set('/isr', appPage(), { cacheControl: CACHE_CONTROL })
    expect((await handler.get('/isr', PAGE_CTX))?.lastModified).toBe(clock.now())
  })

  it("with 'max' asks for a blocking refresh (-1) of a page that has no revalidate window", async () => {
    const { handler, clock } = setup()
    await handler.set('/static', appPage(), { cacheControl: { revalidate: false, expire: undefined } })
    clock.advance(1000)
    await handler.revalidateTag('data', { expire: 31536000 })
    expect((await handler.get('/static', PAGE_CTX))?.lastModified).toBe(-1)
  })

  it("with 'max' makes a fetch entry older than its revalidate window, so Next refetches in the background", async () => {
    const { handler, clock } = setup()
    await handler.set('k'.repeat(64), fetchValue(), { fetchCache: true, tags: ['data'] })
    clock.advance(1000)
    await handler.revalidateTag('data', { expire: 31536000 })
    const found = await handler.get('k'.repeat(64), { kind: 'FETCH', revalidate: 3600, tags: ['data'] })
    expect((clock.now() - found!.lastModified) / 1000).toBeGreaterThan(3600)
  })

  it('expires a fetch entry through its implicit soft tags, which Next passes only when reading', async () => {
    const { handler, clock } = setup()
    await handler.set('k'.repeat(64), fetchValue(), { fetchCache: true, tags: ['data'] })
    clock.advance(1000)
    await handler.revalidateTag('_N_T_/isr')
    expect(await handler.get('k'.repeat(64), { kind: 'FETCH', tags: ['data'], softTags: ['_N_T_/other'] })).not.toBeNull()
    expect(await handler.get('k'.repeat(64), { kind: 'FETCH', tags: ['data'], softTags: ['_N_T_/layout', '_N_T_/isr'] })).toBeNull()
  })

  it('leaves entries written after the revalidation alone', async () => {
    const { handler, clock } = setup()
    await handler.revalidateTag('data', { expire: 0 })
    clock.advance(1)
    await handler.set('/isr', appPage(), { cacheControl: CACHE_CONTROL })
    expect((await handler.get('/isr', PAGE_CTX))?.lastModified).toBe(clock.now())
  })

  it("expires with 'hours' only once the hour has passed, stale until then", async () => {
    const { handler, clock } = setup()
    await handler.set('/isr', appPage(), { cacheControl: CACHE_CONTROL })
    clock.advance(1000)
    await handler.revalidateTag('data', { expire: 3600 })
    expect((await handler.get('/isr', PAGE_CTX))?.value).toEqual(appPage())
    clock.advance(3600_000)
    expect(await handler.get('/isr', PAGE_CTX)).toBeNull()
  })

  it('deletes tag rows maxAge after their last revalidation, so the tag table never grows without bound', async () => {
    const { handler, clock, directory } = setup({ maxAge: 60_000 })
    await handler.revalidateTag(['a', 'b'], { expire: 0 })
    const tags = new Cache(join(directory, 'tags'), { now: () => Math.floor(clock.now()) })
    // The table also holds the store's write generation, one row that never grows.
    const tagRows = () => [...tags.keys()].filter((key) => typeof key === 'string').length
    try {
      expect(tagRows()).toBe(2)
      clock.advance(60_001)
      expect(tagRows()).toBe(0)
      expect(tags.size).toBe(1)
    } finally {
      tags.close()
    }
  })
})

describe('incremental handler store faults', () => {
  it('serves a miss and drops writes, logging one warning, when the store cannot be opened', async () => {
    resetWarnings()
    const parent = makeTempDir()
    const notADirectory = join(parent, 'file')
    writeFileSync(notADirectory, 'not a directory')
    const emitWarning = jest.spyOn(process, 'emitWarning').mockImplementation(() => {})
    try {
      const Handler = createCacheHandler({ directory: notADirectory })
      const handler = new Handler({})
      await expect(handler.set('/isr', appPage(), { cacheControl: CACHE_CONTROL })).resolves.toBeUndefined()
      await expect(handler.get('/isr', PAGE_CTX)).resolves.toBeNull()
      await expect(handler.revalidateTag('data')).resolves.toBeUndefined()
      expect(emitWarning).toHaveBeenCalledTimes(1)
      expect(emitWarning.mock.calls[0]![1]).toEqual({ code: 'DISKCACHE_NEXT_OPEN_FAILED' })
    } finally {
      emitWarning.mockRestore()
    }
  })
})

describe('incremental handler resetRequestCache()', () => {
  it('is synchronous and changes nothing stored', async () => {
    const { handler } = setup()
    await handler.set('/isr', appPage(), { cacheControl: CACHE_CONTROL })
    expect(handler.resetRequestCache()).toBeUndefined()
    expect(await handler.get('/isr', PAGE_CTX)).not.toBeNull()
  })
})
