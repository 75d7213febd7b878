import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { ChildCache, killAllChildren } from '../../core/src/test-support/child-cache.js'
import { createCacheHandler } from './incremental-handler.js'
import type { UseCacheEntry } from './next-types.js'
import { DEFAULT_NEXT_CACHE_OPTIONS } from './options.js'
import { appPage } from './test-support/sample-values.js'
import { makeTempDir } from './test-support/temp-dir.js'
import { createUseCacheHandler } from './use-cache-handler.js'
import { resetWarnings } from './warn-once.js'

// Process B (a core test child) takes the entries database's write lock with a connection of its
// own and keeps it, as a long transaction, a big clear() or a backup would. The handlers here run
// with the default timeout. Core is synchronous, so whatever a write waits stalls Next's event loop.

const PAGE_CTX = { kind: 'APP_PAGE', isRoutePPREnabled: false, isFallback: false }
const CACHE_CONTROL = { revalidate: 20, expire: 31536000 }
/** Far above the 100 ms default plus a loaded machine's noise, far below the old default (1000 ms). */
const BOUND_MS = 900

let warnings: jest.SpyInstance

beforeEach(() => {
  resetWarnings()
  warnings = jest.spyOn(process, 'emitWarning').mockImplementation(() => {})
})

afterEach(async () => {
  warnings.mockRestore()
  await killAllChildren()
})

/** A server's handlers, their store already open (as after its first request). */
async function setup() {
  const directory = makeTempDir()
  const dist = makeTempDir('next-dist-')
  mkdirSync(join(dist, 'server'))
  writeFileSync(join(dist, 'BUILD_ID'), 'build-1')
  const Handler = createCacheHandler({ directory })
  const handler = new Handler({ serverDistDir: join(dist, 'server') })
  expect(await handler.get('/', PAGE_CTX)).toBeNull()
  return { directory, handler, useCache: createUseCacheHandler({ directory }) }
}

/** Another process holding the entries database's write lock until `unlock`. */
async function holdEntriesLock(directory: string): Promise<ChildCache> {
  const holder = await ChildCache.start(join(directory, 'entries'))
  expect(await holder.request('lock')).toBe('locked')
  return holder
}

async function elapsed(fn: () => Promise<unknown>): Promise<number> {
  const started = performance.now()
  await fn()
  return performance.now() - started
}

function timeoutWarnings(): unknown[] {
  return warnings.mock.calls.filter((call) => (call[1] as { code?: string } | undefined)?.code === 'DISKCACHE_NEXT_WRITE_TIMEOUT')
}

describe('the handlers while another process holds the store’s write lock', () => {
  it('default to a 100 ms lock timeout', () => {
    expect(DEFAULT_NEXT_CACHE_OPTIONS.timeout).toBe(100)
  })

  it('return from set well within the old 1000 ms, store nothing, and warn once for all the dropped writes', async () => {
    const { directory, handler } = await setup()
    const holder = await holdEntriesLock(directory)
    expect(await elapsed(() => handler.set('/new', appPage(), { cacheControl: CACHE_CONTROL }))).toBeLessThan(BOUND_MS)
    expect(await elapsed(() => handler.set('/other', appPage(), { cacheControl: CACHE_CONTROL }))).toBeLessThan(BOUND_MS)
    expect(await handler.get('/new', PAGE_CTX)).toBeNull()
    expect(timeoutWarnings()).toHaveLength(1)
    expect(warnings).toHaveBeenCalledTimes(1)
    expect(await holder.request('unlock')).toBe('unlocked')
    // The lock gone, the next render is stored as usual.
    await handler.set('/new', appPage(), { cacheControl: CACHE_CONTROL })
    expect(await handler.get('/new', PAGE_CTX)).toMatchObject({ value: appPage() })
  })

  it('keep serving stored entries (reads never wait for a writer)', async () => {
    const { directory, handler } = await setup()
    await handler.set('/stored', appPage(), { cacheControl: CACHE_CONTROL })
    await holdEntriesLock(directory)
    await handler.set('/new', appPage(), { cacheControl: CACHE_CONTROL })
    expect(await handler.get('/stored', PAGE_CTX)).toMatchObject({ value: appPage(), cacheControl: CACHE_CONTROL })
  })

  it('still record a revalidation (tag state lives in another database), so stored entries carrying the tag become misses', async () => {
    const { directory, handler } = await setup()
    await handler.set('/stored', appPage(), { cacheControl: CACHE_CONTROL })
    await new Promise((resolve) => setTimeout(resolve, 5)) // the tag must be revalidated after the entry was written
    await holdEntriesLock(directory)
    await handler.revalidateTag('data')
    expect(await handler.get('/stored', PAGE_CTX)).toBeNull()
    expect(warnings).not.toHaveBeenCalled()
  })

  it("return from a 'use cache' set well within the old 1000 ms, storing nothing", async () => {
    const { directory, useCache } = await setup()
    await holdEntriesLock(directory)
    const entry: UseCacheEntry = { value: new Response('payload').body!, tags: ['thing'], stale: 300, timestamp: Date.now(), expire: 86400, revalidate: 3600 }
    expect(await elapsed(() => useCache.set('["b","f",[]]', Promise.resolve(entry)))).toBeLessThan(BOUND_MS)
    expect(await useCache.get('["b","f",[]]', [])).toBeUndefined()
    expect(timeoutWarnings()).toHaveLength(1)
  })
})
