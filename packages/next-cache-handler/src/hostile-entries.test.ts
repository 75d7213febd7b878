import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Cache } from '@diskcache/core'
import { openNativeDatabase } from '../../core/src/native-handles.js'
import { createCacheHandler } from './incremental-handler.js'
import { closeAllStores } from './next-store.js'
import type { UseCacheEntry } from './next-types.js'
import { appPage, fetchValue } from './test-support/sample-values.js'
import { makeTempDir, manualClock } from './test-support/temp-dir.js'
import { createUseCacheHandler } from './use-cache-handler.js'
import { resetWarnings } from './warn-once.js'

// Rows written straight into the store the handlers read, the way another process, an older
// version of this package, or a person with sqlite3 could: each must read as a miss, with at
// most one warning, and never reach Next as a value of the wrong shape or kind.

const BUILD = 'build-1'
const PAGE_CTX = { kind: 'APP_PAGE', isRoutePPREnabled: false, isFallback: false }
const CACHE_CONTROL = { revalidate: 20, expire: 31536000 }

function setup() {
  const clock = manualClock()
  const directory = makeTempDir()
  const dist = makeTempDir('next-dist-')
  mkdirSync(join(dist, 'server'))
  writeFileSync(join(dist, 'BUILD_ID'), BUILD)
  const Handler = createCacheHandler({ directory, now: clock.now })
  const handler = new Handler({ serverDistDir: join(dist, 'server') })
  const useCache = createUseCacheHandler({ directory, now: clock.now })
  // A second connection on the same files, as another process would have.
  const now = () => Math.floor(clock.now())
  const entries = new Cache(join(directory, 'entries'), { now })
  const tags = new Cache(join(directory, 'tags'), { evictionPolicy: 'none', now })
  opened.push(entries, tags)
  return { clock, directory, handler, useCache, entries, tags }
}

const opened: Cache[] = []
let warnings: jest.SpyInstance
beforeEach(() => {
  resetWarnings()
  warnings = jest.spyOn(process, 'emitWarning').mockImplementation(() => {})
})
afterEach(() => {
  warnings.mockRestore()
  for (const cache of opened.splice(0)) cache.close()
  closeAllStores()
})

const pageKey = (key: string) => ['next', '', 'response', BUILD, key]
const fetchKey = (key: string) => ['next', '', 'fetch', key]
const useCacheKey = (key: string) => ['next', '', 'use-cache', key]

/** Rows that are not what the incremental handler's set() writes. */
const malformedRows: [string, unknown][] = [
  ['a string', 'garbage'],
  ['a number', 42],
  ['null', null],
  ['a Buffer', Buffer.from('{"lastModified":1}')],
  ['an array', [1, appPage()]],
  ['an empty object', {}],
  ['a Map', new Map([['value', appPage()]])],
  ['a truncated row (no value, no tags)', { lastModified: 1 }],
  ['a row whose lastModified is a string', { lastModified: 'yesterday', value: appPage(), tags: [] }],
  ['a row whose lastModified is NaN', { lastModified: NaN, value: appPage(), tags: [] }],
  ['a row whose tags are a string', { lastModified: 1, value: appPage(), tags: '_N_T_/' }],
  ['a row whose tags hold numbers', { lastModified: 1, value: appPage(), tags: [1, 2] }],
  ['a row whose value has no kind', { lastModified: 1, value: { html: '<p>' }, tags: [] }],
  ['a row whose value kind is a number', { lastModified: 1, value: { kind: 7 }, tags: [] }],
  ['a row whose value is a string', { lastModified: 1, value: '<html>', tags: [] }],
  ['a row whose cacheControl is a string', { lastModified: 1, value: appPage(), tags: [], cacheControl: 'max-age=1' }],
  ['a row whose cacheControl.revalidate is a string', { lastModified: 1, value: appPage(), tags: [], cacheControl: { revalidate: '20', expire: 1 } }],
  ['a row whose revalidate is an object', { lastModified: 1, value: appPage(), tags: [], revalidate: {} }],
  ['a huge string', 'x'.repeat(2 ** 20)],
]

async function expectSafeMiss(read: () => Promise<unknown>, miss: null | undefined): Promise<void> {
  await expect(read()).resolves.toBe(miss)
  await expect(read()).resolves.toBe(miss)
  expect(warnings.mock.calls.length).toBeLessThanOrEqual(1)
}

describe('incremental handler get() on hostile stored rows', () => {
  it.each(malformedRows)('is a miss for %s under a page key, with at most one warning', async (_name, row) => {
    const { handler, entries } = setup()
    entries.set(pageKey('/isr'), row)
    await expectSafeMiss(() => handler.get('/isr', PAGE_CTX), null)
  })

  it.each(malformedRows)('is a miss for %s under a fetch key', async (_name, row) => {
    const { handler, entries } = setup()
    entries.set(fetchKey('f'.repeat(64)), row)
    await expectSafeMiss(() => handler.get('f'.repeat(64), { kind: 'FETCH', tags: ['data'] }), null)
  })

  it.each([
    ['a FETCH value under a page key', pageKey('/isr'), fetchValue(), '/isr', PAGE_CTX],
    ['an APP_ROUTE value for an APP_PAGE request', pageKey('/isr'), { kind: 'APP_ROUTE', body: Buffer.from('{}'), status: 200, headers: {} }, '/isr', PAGE_CTX],
    ['a page value under a fetch key', fetchKey('k'), appPage(), 'k', { kind: 'FETCH' }],
    ['a page value for a Next 14 fetch (kindHint only)', fetchKey('k'), appPage(), 'k', { kindHint: 'fetch' }],
    ['a FETCH value for a Next 14 page (no kind)', pageKey('/isr'), fetchValue(), '/isr', {}],
  ])('is a miss for %s: never a value of another kind than Next asked for', async (_name, key, value, asked, ctx) => {
    const { handler, entries } = setup()
    entries.set(key, { lastModified: 1, value, tags: [], cacheControl: CACHE_CONTROL })
    await expectSafeMiss(() => handler.get(asked, ctx), null)
  })

  it('still serves a REDIRECT stored for a page, and well-formed rows written by another connection', async () => {
    const { handler, entries, clock } = setup()
    const redirect = { kind: 'REDIRECT', props: { __N_REDIRECT: '/to', __N_REDIRECT_STATUS: 307 } }
    entries.set(pageKey('/old'), { lastModified: clock.now(), value: redirect, tags: [] })
    entries.set(pageKey('/isr'), { lastModified: clock.now(), value: appPage(), tags: [], cacheControl: CACHE_CONTROL })
    expect((await handler.get('/old', { kind: 'PAGES' }))?.value).toEqual(redirect)
    expect((await handler.get('/isr', PAGE_CTX))?.value).toEqual(appPage())
    expect(warnings).not.toHaveBeenCalled()
  })

  it('is a miss, with one warning, for a row whose stored bytes were cut in half', async () => {
    const { handler, directory, entries } = setup()
    await handler.set('/isr', appPage(), { cacheControl: CACHE_CONTROL })
    entries.close()
    const db = openNativeDatabase(join(directory, 'entries', 'cache.db'), {})
    try {
      expect(db.prepare('UPDATE entries SET value = substr(value, 1, length(value) / 2) WHERE value IS NOT NULL').run().changes).toBe(1)
    } finally {
      db.close()
    }
    await expectSafeMiss(() => handler.get('/isr', PAGE_CTX), null)
    expect(warnings).toHaveBeenCalledTimes(1)
    // The store keeps working: a new set replaces the damaged row.
    await handler.set('/isr', appPage(), { cacheControl: CACHE_CONTROL })
    expect((await handler.get('/isr', PAGE_CTX))?.value).toEqual(appPage())
  })
})

describe("'use cache' handler get() on hostile stored rows", () => {
  const good = { bytes: Buffer.from('["rsc"]'), tags: ['thing'], stale: 300, timestamp: 1_700_000_000_000, expire: 86400, revalidate: 3600 }

  it.each([
    ...malformedRows,
    ['a row whose bytes are a string', { ...good, bytes: '["rsc"]' }],
    ['a row without bytes', { ...good, bytes: undefined }],
    ['a row whose expire is a string', { ...good, expire: '86400' }],
    ['a row whose timestamp is NaN', { ...good, timestamp: NaN }],
    ['a row whose tags are missing', { ...good, tags: undefined }],
    ['an incremental row', { lastModified: 1, value: appPage(), tags: [] }],
  ] as [string, unknown][])('is a miss for %s, with at most one warning', async (_name, row) => {
    const { useCache, entries } = setup()
    entries.set(useCacheKey('k'), row)
    await expectSafeMiss(() => useCache.get('k', []), undefined)
  })

  it('serves a well-formed row another connection wrote', async () => {
    const { useCache, entries } = setup()
    entries.set(useCacheKey('k'), good)
    const found = (await useCache.get('k', [])) as UseCacheEntry
    expect(await new Response(found.value).text()).toBe('["rsc"]')
    expect(warnings).not.toHaveBeenCalled()
  })
})

describe('hostile rows in the tag-state database', () => {
  const malformedTagRows: [string, unknown][] = [
    ['a string', 'stale'],
    ['null', null],
    ['a number', 1],
    ['an array', [1, 2]],
    ['a row whose expired is a string', { expired: 'now' }],
    ['a row whose stale is NaN', { stale: NaN }],
  ]

  it.each(malformedTagRows)('turn entries carrying the tag into misses (never fresh, never a throw) for %s', async (_name, row) => {
    const { handler, useCache, tags, clock } = setup()
    await handler.set('/isr', appPage('data'), { cacheControl: CACHE_CONTROL })
    await useCache.set('k', Promise.resolve({ value: new Response('x').body!, tags: ['data'], stale: 300, timestamp: clock.now(), expire: 86400, revalidate: 3600 }))
    await handler.set('/other', appPage('other'), { cacheControl: CACHE_CONTROL })
    clock.advance(1_000)
    tags.set('data', row)
    await expectSafeMiss(() => handler.get('/isr', PAGE_CTX), null)
    await expectSafeMiss(() => useCache.get('k', []), undefined)
    // getExpiration reads it as expired now: Next drops what was written before.
    expect(await useCache.getExpiration(['data'])).toBe(clock.now())
    // Entries without the tag are untouched.
    expect((await handler.get('/other', PAGE_CTX))?.value).toEqual(appPage('other'))
  })

  it('are replaced by the next revalidation of the tag, which then counts as usual', async () => {
    const { handler, tags, clock } = setup()
    tags.set('data', 'garbage')
    await handler.revalidateTag('data', { expire: 0 })
    const at = Math.round(clock.now())
    expect(tags.get('data')).toEqual({ stale: at, expired: at })
    clock.advance(1_000)
    await handler.set('/isr', appPage('data'), { cacheControl: CACHE_CONTROL })
    expect((await handler.get('/isr', PAGE_CTX))?.value).toEqual(appPage('data'))
  })
})
