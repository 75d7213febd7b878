import { join } from 'node:path'
import { send } from '../test-support/http-client.js'
import { makeTempDir } from '../test-support/temp-dir.js'
import { assertBuilt, startWorker as startWorkerScript, stopWorkers } from '../test-support/worker-processes.js'

// Two real worker processes over one directory, each with the memory front on
// (the default): what one of them changes must reach the other's next request,
// even when that request's answer sits decoded in the other's memory.

const WORKER = join(__dirname, '../test-support/express-worker.cjs')

function startWorker(directory: string): Promise<string> {
  return startWorkerScript(WORKER, [directory])
}

afterEach(async () => {
  await stopWorkers()
})

const headers = { host: 'shop.example' }

/** Worker A stores /items/1 and serves it twice more (from its memory); returns A, B and the body A holds. */
async function warmInA(): Promise<{ a: string; b: string; held: string }> {
  const directory = makeTempDir()
  const [a, b] = await Promise.all([startWorker(directory), startWorker(directory)])
  const miss = await send(a, '/items/1', { headers })
  expect(miss.headers['x-cache']).toBe('MISS')
  for (let i = 0; i < 2; i++) {
    const hit = await send(a, '/items/1', { headers })
    expect([hit.headers['x-cache'], hit.body]).toEqual(['HIT', miss.body])
  }
  return { a, b, held: miss.body }
}

describe('the memory front with two worker processes', () => {
  beforeAll(() => {
    assertBuilt()
  })

  it.each([
    ['tag', '/invalidate?tag=items'],
    ['url', '/invalidate?url=/items/1'],
    ['prefix', '/invalidate?prefix=/items'],
  ])('never serves from memory what the other process invalidated by %s', async (_, path) => {
    const { a, b, held } = await warmInA()
    const purge = await send(b, path, { method: 'POST', headers })
    expect(JSON.parse(purge.body).removed).toBeGreaterThan(0)
    const next = await send(a, '/items/1', { headers })
    expect(next.headers['x-cache']).toBe('MISS')
    expect(next.body).not.toBe(held)
  })

  it('never serves from memory what an unsafe request to the other process invalidated', async () => {
    const { a, b, held } = await warmInA()
    expect((await send(b, '/items/1', { method: 'POST', headers })).status).toBe(204)
    const next = await send(a, '/items/1', { headers })
    expect(next.headers['x-cache']).toBe('MISS')
    expect(next.body).not.toBe(held)
  })

  it('serves the response the other process stored over the one in memory', async () => {
    const { a, b, held } = await warmInA()
    // no-cache makes B go to its handler and store the new answer in place of A's.
    const replaced = await send(b, '/items/1', { headers: { ...headers, 'cache-control': 'no-cache' } })
    expect(replaced.body).not.toBe(held)
    // B stores a response right after sending it: once B has answered another request, the store has it.
    await send(b, '/calls')
    const next = await send(a, '/items/1', { headers })
    expect([next.headers['x-cache'], next.body]).toEqual(['HIT', replaced.body])
  })
})
