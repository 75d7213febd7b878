import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { InvalidOptionError } from '@diskcache/core'
import { createCacheHandler } from './incremental-handler.js'
import { prefill } from './prefill.js'
import { makeTempDir, manualClock } from './test-support/temp-dir.js'

const PAGE_KEY = '/route-cache/APP_PAGE/c385/$/isr'
const ROUTE_KEY = '/route-cache/APP_ROUTE/3885/$/api/time'
const PAGE_TAGS = '_N_T_/layout,_N_T_/isr/layout,_N_T_/isr/page,_N_T_/isr'

function write(file: string, content: string | Buffer): void {
  mkdirSync(dirname(file), { recursive: true })
  writeFileSync(file, content)
}

/** A distDir laid out as `next build` (16.4) leaves it: an ISR page, a route handler, the home page without a routeCache key. */
function fakeBuild(buildId = 'build-1'): string {
  const dist = makeTempDir('next-prefill-dist-')
  const app = join(dist, 'server', 'app')
  write(join(dist, 'BUILD_ID'), buildId)
  write(
    join(dist, 'prerender-manifest.json'),
    JSON.stringify({
      routes: {
        '/isr': { dataRoute: '/isr.rsc', initialRevalidateSeconds: 20, initialExpireSeconds: 31536000, srcRoute: '/isr' },
        '/api/time': { dataRoute: null, initialRevalidateSeconds: 15, initialExpireSeconds: 31536000, srcRoute: '/api/time' },
        '/': { dataRoute: '/index.rsc', initialRevalidateSeconds: false, srcRoute: '/' },
      },
    }),
  )
  write(join(app, 'isr.html'), '<html>prerendered isr</html>')
  write(join(app, 'isr.rsc'), Buffer.from('0:{"rsc":1}\n'))
  write(join(app, 'isr.segments', '_tree.segment.rsc'), Buffer.from('tree'))
  write(join(app, 'isr.segments', 'isr', '__PAGE__.segment.rsc'), Buffer.from([0, 1, 255]))
  write(
    join(app, 'isr.meta'),
    JSON.stringify({
      headers: { 'x-nextjs-prerender': '1', 'x-next-cache-tags': PAGE_TAGS },
      segmentPaths: ['/_tree', '/isr/__PAGE__'],
      routeCache: { key: PAGE_KEY },
    }),
  )
  write(join(app, 'api', 'time.body'), Buffer.from('{"time":1}'))
  write(join(app, 'api', 'time.meta'), JSON.stringify({ status: 200, headers: { 'content-type': 'application/json' }, routeCache: { key: ROUTE_KEY } }))
  write(join(app, 'index.html'), '<html>home</html>')
  write(join(app, 'index.rsc'), Buffer.from('home rsc'))
  write(join(app, 'index.meta'), JSON.stringify({ status: 200, headers: {} }))
  return dist
}

function setup() {
  const clock = manualClock()
  const directory = makeTempDir('next-prefill-store-')
  const distDir = fakeBuild()
  const Handler = createCacheHandler({ directory, now: clock.now })
  return { clock, directory, distDir, handler: new Handler({ serverDistDir: join(distDir, 'server') }) }
}

describe('prefill()', () => {
  it('stores a prerendered page with html, rscData, every segment, headers and the manifest cacheControl under its route-cache key', async () => {
    const { clock, directory, distDir, handler } = setup()
    const result = prefill({ distDir, directory, now: clock.now })
    expect(result).toEqual({ buildId: 'build-1', stored: ['/isr', '/api/time', '/'], kept: [] })
    const found = await handler.get(PAGE_KEY, { kind: 'APP_PAGE' })
    expect(found?.lastModified).toBe(clock.now())
    expect(found?.cacheControl).toEqual({ revalidate: 20, expire: 31536000 })
    const value = found!.value as Record<string, unknown> & { rscData: Buffer; segmentData: Map<string, Buffer> }
    expect(value.kind).toBe('APP_PAGE')
    expect(value.html).toBe('<html>prerendered isr</html>')
    expect(value.rscData.toString()).toBe('0:{"rsc":1}\n')
    expect(value.headers).toEqual({ 'x-nextjs-prerender': '1', 'x-next-cache-tags': PAGE_TAGS })
    expect([...value.segmentData.keys()]).toEqual(['/_tree', '/isr/__PAGE__'])
    expect([...value.segmentData.get('/isr/__PAGE__')!]).toEqual([0, 1, 255])
  })

  it('stores a route handler body with its status and headers, and keys pages without a routeCache key by pathname', async () => {
    const { clock, directory, distDir, handler } = setup()
    prefill({ distDir, directory, now: clock.now })
    const route = await handler.get(ROUTE_KEY, { kind: 'APP_ROUTE' })
    expect(route?.value).toMatchObject({ kind: 'APP_ROUTE', status: 200, headers: { 'content-type': 'application/json' } })
    expect((route!.value!.body as Buffer).toString()).toBe('{"time":1}')
    expect(route?.cacheControl).toEqual({ revalidate: 15, expire: 31536000 })
    const home = await handler.get('/', { kind: 'APP_PAGE' })
    expect(home?.value?.html).toBe('<html>home</html>')
    expect(home?.cacheControl).toEqual({ revalidate: false, expire: undefined })
  })

  it('files prefilled pages under their tags, so revalidatePath removes them', async () => {
    const { clock, directory, distDir, handler } = setup()
    prefill({ distDir, directory, now: clock.now })
    clock.advance(1)
    await handler.revalidateTag('_N_T_/isr')
    expect(await handler.get(PAGE_KEY, { kind: 'APP_PAGE' })).toBeNull()
  })

  it('keeps entries already stored (newer renders) unless overwrite is set', async () => {
    const { clock, directory, distDir, handler } = setup()
    await handler.set(PAGE_KEY, { kind: 'APP_PAGE', html: 'rendered later' }, { cacheControl: { revalidate: 20, expire: 60 } })
    const first = prefill({ distDir, directory, now: clock.now })
    expect(first.kept).toEqual(['/isr'])
    expect((await handler.get(PAGE_KEY, { kind: 'APP_PAGE' }))?.value?.html).toBe('rendered later')
    const second = prefill({ distDir, directory, now: clock.now, overwrite: true })
    expect(second.stored).toEqual(['/isr', '/api/time', '/'])
    expect((await handler.get(PAGE_KEY, { kind: 'APP_PAGE' }))?.value?.html).toBe('<html>prerendered isr</html>')
  })

  it("is invisible to another build's handler (entries go under the build id)", async () => {
    const { clock, directory, distDir } = setup()
    prefill({ distDir, directory, now: clock.now })
    const other = fakeBuild('build-2')
    const Handler = createCacheHandler({ directory, now: clock.now })
    expect(await new Handler({ serverDistDir: join(other, 'server') }).get(PAGE_KEY, { kind: 'APP_PAGE' })).toBeNull()
  })

  it('throws InvalidOptionError naming next build when distDir holds no build', () => {
    const directory = makeTempDir()
    expect(() => prefill({ distDir: makeTempDir(), directory })).toThrow(InvalidOptionError)
    expect(() => prefill({ distDir: makeTempDir(), directory })).toThrow(/run next build first/)
  })

  it('throws InvalidOptionError with a suggestion for a misspelt option', () => {
    expect(() => prefill({ distdir: '.next' } as never)).toThrow(/did you mean "distDir"/)
  })
})
