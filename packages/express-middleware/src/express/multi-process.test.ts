import { join } from 'node:path'
import { setTimeout as delay } from 'node:timers/promises'
import { ChildCache, killAllChildren } from '../../../core/src/test-support/child-cache.js'
import { send } from '../test-support/http-client.js'
import { makeTempDir } from '../test-support/temp-dir.js'
import { assertBuilt, startWorker as startWorkerScript, stopWorkers } from '../test-support/worker-processes.js'

const WORKER = join(__dirname, '../test-support/express-worker.cjs')


/** A worker process serving the app over `directory`; resolves with its base URL. */
function startWorker(directory: string, collapse = 'process', storeTimeout = ''): Promise<string> {
  return startWorkerScript(WORKER, [directory, collapse, storeTimeout])
}

afterEach(async () => {
  await killAllChildren()
  await stopWorkers()
})

describe('two worker processes sharing one directory', () => {
  beforeAll(() => {
    assertBuilt()
  })

  it('serve each other’s stored responses and see each other’s invalidations', async () => {
    const directory = makeTempDir()
    const [a, b] = await Promise.all([startWorker(directory), startWorker(directory)])
    // Workers of one site answer to one Host (a cluster shares the port; here, each has its own).
    const headers = { host: 'shop.example' }
    const miss = await send(a, '/items/1', { headers })
    expect(miss.headers['x-cache']).toBe('MISS')
    const hit = await send(b, '/items/1', { headers })
    expect([hit.headers['x-cache'], hit.body]).toEqual(['HIT', miss.body])
    expect(JSON.parse((await send(b, '/calls')).body)).toEqual({ calls: 0 })

    // An unsafe request handled by B invalidates what A stored.
    expect((await send(b, '/items/1', { method: 'POST', headers })).status).toBe(204)
    const again = await send(a, '/items/1', { headers })
    expect(again.headers['x-cache']).toBe('MISS')
    expect(again.body).toContain('(call 2)')
  })

  it('store a response before the client has all of it, so the next request to another process is a hit', async () => {
    const directory = makeTempDir()
    const [a, b] = await Promise.all([startWorker(directory, 'process', '5000'), startWorker(directory)])
    const headers = { host: 'shop.example' }
    // A third process holds the write lock, so A's store of the miss waits until it lets go.
    const holder = await ChildCache.start(directory)
    expect(await holder.request('lock')).toBe('locked')
    const exchange = send(a, '/items/7', { headers }).then(async (miss) => ({ miss, next: await send(b, '/items/7', { headers }) }))
    await delay(200)
    expect(await holder.request('unlock')).toBe('unlocked')
    const { miss, next } = await exchange
    expect(miss.headers['x-cache']).toBe('MISS')
    expect([next.headers['x-cache'], next.body]).toEqual(['HIT', miss.body])
  })

  it('run the handler once for concurrent misses in both processes with collapse: host', async () => {
    const directory = makeTempDir()
    const [a, b] = await Promise.all([startWorker(directory, 'host'), startWorker(directory, 'host')])
    const headers = { host: 'shop.example' }
    const responses = await Promise.all([a, b, a, b].map((base) => send(base, '/slow', { headers })))
    expect(new Set(responses.map((response) => response.body)).size).toBe(1)
    const calls = await Promise.all([a, b].map(async (base) => (JSON.parse((await send(base, '/calls')).body) as { calls: number }).calls))
    expect(calls[0]! + calls[1]!).toBe(1)
  })
})
