import { join } from 'node:path'
import { ChildCache, killAllChildren } from '../../../core/src/test-support/child-cache.js'
import { send } from '../test-support/http-client.js'
import { makeTempDir } from '../test-support/temp-dir.js'
import { assertBuilt, startWorker as startWorkerScript, stopWorkers } from '../test-support/worker-processes.js'

// Process A (a core test child) takes the store's write lock with a connection of its own and
// keeps it; process B is an Express server with the built middleware over the same directory.
// The event-loop stall this causes in B is measured by bench/contention.mjs, not asserted here.

const WORKER = join(__dirname, '../test-support/contention-worker.cjs')

interface WorkerStats {
  errors: Record<string, number>
  calls: number
}

function startWorker(directory: string, storeTimeout = 'default'): Promise<string> {
  return startWorkerScript(WORKER, [directory, storeTimeout])
}

async function stats(base: string): Promise<WorkerStats> {
  return JSON.parse((await send(base, '/stats')).body) as WorkerStats
}

afterEach(async () => {
  await killAllChildren()
  await stopWorkers()
})

describe('the middleware while another process holds the store’s write lock', () => {
  beforeAll(() => {
    assertBuilt()
  })

  it('serves every request (cache misses from the handler, stored hits, other routes), drops its writes with CacheTimeoutError, and leaves a clean store', async () => {
    const directory = makeTempDir()
    const base = await startWorker(directory)
    expect((await send(base, '/cached/stored')).headers['x-cache']).toBe('MISS')
    expect((await send(base, '/cached/stored')).headers['x-cache']).toBe('HIT')

    const holder = await ChildCache.start(directory)
    expect(await holder.request('lock')).toBe('locked')
    const [miss, plain, hit] = await Promise.all([send(base, '/cached/new'), send(base, '/plain'), send(base, '/cached/stored')])
    expect([miss.status, miss.headers['x-cache'], miss.body]).toEqual([200, 'MISS', 'cached new'])
    expect([plain.status, plain.body]).toEqual([200, 'plain'])
    expect([hit.headers['x-cache'], hit.body]).toEqual(['HIT', 'cached stored'])
    // Nothing was stored: the next request for it goes to the handler again.
    const again = await send(base, '/cached/new')
    expect([again.status, again.headers['x-cache']]).toEqual([200, 'MISS'])
    const during = await stats(base)
    expect(during.calls).toBe(3)
    expect(Object.keys(during.errors)).toEqual(['CacheTimeoutError:CACHE_TIMEOUT'])
    expect(during.errors['CacheTimeoutError:CACHE_TIMEOUT']).toBeGreaterThanOrEqual(2)

    expect(await holder.request('unlock')).toBe('unlocked')
    expect((await send(base, '/cached/new')).headers['x-cache']).toBe('MISS')
    expect((await send(base, '/cached/new')).headers['x-cache']).toBe('HIT')
    expect(JSON.parse((await send(base, '/check')).body)).toMatchObject({ ok: true, problems: [] })
  })

  it('opens on an existing store while the lock is held (opening needs no lock)', async () => {
    const directory = makeTempDir()
    const first = await startWorker(directory)
    // Workers of one site answer to one Host (here each has its own port).
    const headers = { host: 'shop.example' }
    await send(first, '/cached/stored', { headers })
    const holder = await ChildCache.start(directory)
    expect(await holder.request('lock')).toBe('locked')
    const second = await startWorker(directory)
    const hit = await send(second, '/cached/stored', { headers })
    expect([hit.headers['x-cache'], hit.body]).toEqual(['HIT', 'cached stored'])
    expect(await holder.request('unlock')).toBe('unlocked')
  })
})
