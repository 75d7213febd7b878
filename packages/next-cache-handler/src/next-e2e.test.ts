// End to end with real Next 16: examples/next-app built once, two `next start` processes on two
// loopback ports sharing one store, a loopback stub server for the pages' fetches (up during the
// build too). Slow (two builds, about a minute): one build per BUILD_ID, servers started once.
// next15-e2e.test.ts runs the same setup (test-support/two-servers.ts) on Next 15.
import { join } from 'node:path'
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { NextApp, textOf } from './test-support/next-app.js'
import { makeTempDir } from './test-support/temp-dir.js'
import { itKeepsHitsAcrossRestart, itSharesHitsAcrossProcesses, renderedOnAHitOnB } from './test-support/shared-e2e-cases.js'
import { TwoServers } from './test-support/two-servers.js'

jest.setTimeout(240_000)

const app = new NextApp('next-app')
const DIST_DIR = '.next-e2e'
let servers: TwoServers

beforeAll(async () => {
  servers = await TwoServers.open(app, DIST_DIR)
})

afterAll(async () => {
  await servers?.close()
})

describe('@diskcache/next under next start (two processes, one store)', () => {
  it('serves a prerendered page as a HIT on the first request after diskcache-next-prefill filled a fresh store', async () => {
    const fresh = { ...servers.env, DISKCACHE_NEXT_DIR: makeTempDir('next-e2e-prefill-') }
    const cli = join(__dirname, '../dist/cjs/prefill-cli.js')
    const printed = execFileSync(process.execPath, [cli, DIST_DIR], { cwd: app.dir, env: { ...process.env, ...fresh }, encoding: 'utf8' })
    expect(printed).toMatch(/prefilled \d+ prerendered route/)
    const server = await app.start(fresh)
    try {
      const page = await server.get('/isr')
      expect(page.cache).toBe('HIT')
      const prerendered = readFileSync(join(servers.distDir, 'server/app/isr.html'), 'utf8')
      expect(textOf(page.text, 'rendered')).toBe(textOf(prerendered, 'rendered'))
      expect((await server.get('/api/time')).cache).toBe('HIT')
    } finally {
      await server.stop()
    }
  })

  itSharesHitsAcrossProcesses(() => servers)

  it('gives fresh content on B after revalidateTag(tag, { expire: 0 }) on A', async () => {
    const before = await renderedOnAHitOnB(servers, '/fetch', 'data')
    await servers.revalidate(servers.a, 'tag=data&profile=expire0')
    const after = await servers.b.get('/fetch')
    expect(after.cache).not.toBe('HIT')
    expect(textOf(after.text, 'data')).not.toBe(before)
    expect((await servers.a.get('/fetch')).cache).toBe('HIT')
  })

  it("serves STALE after revalidateTag(tag, 'max'), then fresh content", async () => {
    await servers.a.get('/isr')
    const before = textOf((await servers.b.get('/isr')).text, 'rendered')
    // The ISR page carries its implicit tags in x-next-cache-tags; '_N_T_/isr' is one of them.
    await servers.revalidate(servers.a, 'tag=_N_T_/isr&profile=max')
    const stale = await servers.b.get('/isr')
    expect(stale.cache).toBe('STALE')
    expect(textOf(stale.text, 'rendered')).toBe(before)
    let fresh = before
    for (let i = 0; i < 50 && fresh === before; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100))
      fresh = textOf((await servers.a.get('/isr')).text, 'rendered')
    }
    expect(fresh).not.toBe(before)
  })

  it('re-renders a page after revalidatePath', async () => {
    await servers.a.get('/isr')
    const before = textOf((await servers.a.get('/isr')).text, 'rendered')
    await servers.revalidate(servers.b, 'path=/isr')
    const after = await servers.a.get('/isr')
    expect(after.cache).not.toBe('HIT')
    expect(textOf(after.text, 'rendered')).not.toBe(before)
  })

  it("re-runs a 'use cache' function on B after its cacheTag is revalidated on A", async () => {
    await servers.a.get('/cached')
    const before = textOf((await servers.b.get('/cached')).text, 'thing')
    await servers.revalidate(servers.a, 'tag=thing&profile=expire0')
    // The page entry carries 'thing' too, so both the page and the 'use cache' entry are re-made.
    const after = await servers.b.get('/cached')
    expect(textOf(after.text, 'thing')).not.toBe(before)
  })

  itKeepsHitsAcrossRestart(() => servers)

  it("does not serve the old build's pages after a new build (new BUILD_ID) on the same store", async () => {
    const before = textOf((await servers.a.get('/isr')).text, 'rendered')
    await servers.stopBoth()
    await app.build(servers.env)
    await servers.startBoth()
    const after = await servers.a.get('/isr')
    expect(after.cache).toBe('MISS')
    expect(textOf(after.text, 'rendered')).not.toBe(before)
  })
})
