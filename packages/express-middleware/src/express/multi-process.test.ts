import { type ChildProcess, fork } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { send } from '../test-support/http-client.js'
import { makeTempDir } from '../test-support/temp-dir.js'

const WORKER = join(__dirname, '../test-support/express-worker.cjs')
const BUILT = join(__dirname, '../../dist/cjs/index.js')

const workers: ChildProcess[] = []

/** A worker process serving the app over `directory`; resolves with its base URL. */
function startWorker(directory: string, collapse = 'process'): Promise<string> {
  const child = fork(WORKER, [directory, collapse], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] })
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

describe('two worker processes sharing one directory', () => {
  beforeAll(() => {
    if (!existsSync(BUILT)) throw new Error(`${BUILT} is missing: run npm run build first`)
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
