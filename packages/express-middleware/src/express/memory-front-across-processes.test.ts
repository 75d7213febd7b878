import { type ChildProcess, fork } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { send } from '../test-support/http-client.js'
import { makeTempDir } from '../test-support/temp-dir.js'

// Two real worker processes over one directory, each with the memory front on
// (the default): what one of them changes must reach the other's next request,
// even when that request's answer sits decoded in the other's memory.

const WORKER = join(__dirname, '../test-support/express-worker.cjs')
const BUILT = join(__dirname, '../../dist/cjs/index.js')
const workers: ChildProcess[] = []

function startWorker(directory: string): Promise<string> {
  const child = fork(WORKER, [directory], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] })
  workers.push(child)
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('worker did not start within 10 s')), 10_000)
    child.once('message', (message: { port: number }) => {
      clearTimeout(timer)
      resolve(`http://127.0.0.1:${message.port}`)
    })
    child.once('exit', (code) => reject(new Error(`worker exited with ${code}`)))
  })
}

afterEach(async () => {
  await Promise.all(
    workers.splice(0).map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null) return resolve()
          child.once('exit', () => resolve())
          child.disconnect()
          setTimeout(() => child.kill('SIGKILL'), 5_000).unref()
        }),
    ),
  )
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
    if (!existsSync(BUILT)) throw new Error(`${BUILT} is missing: run npm run build first`)
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
