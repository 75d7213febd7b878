// End to end with real Next 16: the example app built once, two `next start` processes on two
// loopback ports sharing one store, a loopback stub server for the pages' fetches (up during the
// build too). Slow (two builds, about a minute): one build per BUILD_ID, servers started once.
import { createServer, type Server } from 'node:http'
import { join } from 'node:path'
import { execFileSync } from 'node:child_process'
import { readFileSync, rmSync } from 'node:fs'
import { APP_DIR, NextServer, nextBuild } from './test-support/next-app.js'
import { makeTempDir } from './test-support/temp-dir.js'

jest.setTimeout(240_000)

const DIST_DIR = '.next-e2e'
let stub: Server
const counters = { data: 0, thing: 0 }
let env: Record<string, string>
let a: NextServer
let b: NextServer

/** The text of the element with this id in a page's HTML. */
function textOf(html: string, id: string): string {
  const match = new RegExp(`id="${id}">(.*?)</p>`).exec(html)
  if (!match) throw new Error(`no #${id} in:\n${html.slice(0, 500)}`)
  return match[1]!.replace(/<!-- -->/g, '')
}

async function startBoth(): Promise<void> {
  ;[a, b] = await Promise.all([NextServer.start(env), NextServer.start(env)])
}

async function stopBoth(): Promise<void> {
  await Promise.all([a?.stop(), b?.stop()])
}

async function revalidate(server: NextServer, query: string): Promise<void> {
  const { status } = await server.get(`/api/revalidate?${query}`)
  expect(status).toBe(200)
}

beforeAll(async () => {
  stub = createServer((request, response) => {
    const name = request.url === '/thing' ? 'thing' : 'data'
    counters[name]++
    response.setHeader('content-type', 'application/json')
    response.end(JSON.stringify({ n: counters[name] }))
  })
  await new Promise<void>((resolve) => stub.listen(0, '127.0.0.1', resolve))
  const { port } = stub.address() as { port: number }
  env = {
    NEXT_TELEMETRY_DISABLED: '1',
    NEXT_DIST_DIR: DIST_DIR,
    DISKCACHE_NEXT_DIR: makeTempDir('next-e2e-store-'),
    STUB_URL: `http://127.0.0.1:${port}`,
  }
  await nextBuild(env)
  await startBoth()
})

afterAll(async () => {
  await stopBoth()
  await new Promise((resolve) => stub?.close(resolve))
  rmSync(join(APP_DIR, DIST_DIR), { recursive: true, force: true })
})

describe('@diskcache/next under next start (two processes, one store)', () => {
  it('serves a prerendered page as a HIT on the first request after diskcache-next-prefill filled a fresh store', async () => {
    const fresh = { ...env, DISKCACHE_NEXT_DIR: makeTempDir('next-e2e-prefill-') }
    const cli = join(__dirname, '../dist/cjs/prefill-cli.js')
    const printed = execFileSync(process.execPath, [cli, DIST_DIR], { cwd: APP_DIR, env: { ...process.env, ...fresh }, encoding: 'utf8' })
    expect(printed).toMatch(/prefilled \d+ prerendered route/)
    const server = await NextServer.start(fresh)
    try {
      const page = await server.get('/isr')
      expect(page.cache).toBe('HIT')
      const prerendered = readFileSync(join(APP_DIR, DIST_DIR, 'server/app/isr.html'), 'utf8')
      expect(textOf(page.text, 'rendered')).toBe(textOf(prerendered, 'rendered'))
      expect((await server.get('/api/time')).cache).toBe('HIT')
    } finally {
      await server.stop()
    }
  })

  it('answers an ISR page MISS then HIT, and process B serves what process A rendered', async () => {
    const first = await a.get('/isr')
    expect(first.cache).toBe('MISS')
    const second = await a.get('/isr')
    expect(second.cache).toBe('HIT')
    expect(textOf(second.text, 'rendered')).toBe(textOf(first.text, 'rendered'))
    const onB = await b.get('/isr')
    expect(onB.cache).toBe('HIT')
    expect(textOf(onB.text, 'rendered')).toBe(textOf(first.text, 'rendered'))
  })

  it('caches a route handler across processes', async () => {
    expect((await a.get('/api/time')).cache).toBe('MISS')
    const hit = await b.get('/api/time')
    expect(hit.cache).toBe('HIT')
  })

  it('gives fresh content on B after revalidateTag(tag, { expire: 0 }) on A', async () => {
    await a.get('/fetch')
    const cached = await b.get('/fetch')
    expect(cached.cache).toBe('HIT')
    const before = textOf(cached.text, 'data')
    await revalidate(a, 'tag=data&profile=expire0')
    const after = await b.get('/fetch')
    expect(after.cache).not.toBe('HIT')
    expect(textOf(after.text, 'data')).not.toBe(before)
    expect((await a.get('/fetch')).cache).toBe('HIT')
  })

  it("serves STALE after revalidateTag(tag, 'max'), then fresh content", async () => {
    await a.get('/isr')
    const before = textOf((await b.get('/isr')).text, 'rendered')
    // The ISR page carries its implicit tags in x-next-cache-tags; '_N_T_/isr' is one of them.
    await revalidate(a, 'tag=_N_T_/isr&profile=max')
    const stale = await b.get('/isr')
    expect(stale.cache).toBe('STALE')
    expect(textOf(stale.text, 'rendered')).toBe(before)
    let fresh = before
    for (let i = 0; i < 50 && fresh === before; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100))
      fresh = textOf((await a.get('/isr')).text, 'rendered')
    }
    expect(fresh).not.toBe(before)
  })

  it('re-renders a page after revalidatePath', async () => {
    await a.get('/isr')
    const before = textOf((await a.get('/isr')).text, 'rendered')
    await revalidate(b, 'path=/isr')
    const after = await a.get('/isr')
    expect(after.cache).not.toBe('HIT')
    expect(textOf(after.text, 'rendered')).not.toBe(before)
  })

  it("re-runs a 'use cache' function on B after its cacheTag is revalidated on A", async () => {
    await a.get('/cached')
    const before = textOf((await b.get('/cached')).text, 'thing')
    await revalidate(a, 'tag=thing&profile=expire0')
    // The page entry carries 'thing' too, so both the page and the 'use cache' entry are re-made.
    const after = await b.get('/cached')
    expect(textOf(after.text, 'thing')).not.toBe(before)
  })

  it('still serves hits after both servers restart (the store persists)', async () => {
    const before = await a.get('/isr')
    await stopBoth()
    await startBoth()
    const after = await b.get('/isr')
    expect(after.cache).toBe('HIT')
    expect(textOf(after.text, 'rendered')).toBe(textOf(before.text, 'rendered'))
  })

  it("does not serve the old build's pages after a new build (new BUILD_ID) on the same store", async () => {
    const before = textOf((await a.get('/isr')).text, 'rendered')
    await stopBoth()
    await nextBuild(env)
    await startBoth()
    const after = await a.get('/isr')
    expect(after.cache).toBe('MISS')
    expect(textOf(after.text, 'rendered')).not.toBe(before)
  })
})
