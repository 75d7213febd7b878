import type { HttpCacheOptions } from '../engine/http-cache-options.js'
import { send } from './http-client.js'
import type { AppFactory, RouteReply, RouteRequest, TestApp, TestRoute } from './test-app.js'
import { makeTempDir, manualClock } from './temp-dir.js'

/** A GET route that counts its calls and remembers the requests it saw. */
function counted(path: string, reply: (call: number, request: RouteRequest) => RouteReply | Promise<RouteReply>, method: TestRoute['method'] = 'GET') {
  const seen: RouteRequest[] = []
  const route: TestRoute = {
    method,
    path,
    handler(request) {
      seen.push(request)
      return reply(seen.length, request)
    },
  }
  return { route, seen, get calls() { return seen.length } }
}

const text = (body: string, headers: Record<string, string | string[]> = {}, status = 200): RouteReply => ({
  status,
  body,
  headers: { 'content-type': 'text/plain', ...headers },
})

/**
 * The HTTP caching rules every binding must follow, written once and run
 * against each framework through its AppFactory: real servers on
 * 127.0.0.1, a manual clock shared by the middleware and its store.
 */
export function describeHttpCacheBehaviour(factory: AppFactory): void {
  let apps: TestApp[] = []
  let clock = manualClock()

  async function start(routes: TestRoute[], options: HttpCacheOptions<never> = {}): Promise<TestApp> {
    const app = await factory(routes, { directory: makeTempDir(), now: clock.now, ...options })
    apps.push(app)
    return app
  }

  beforeEach(() => {
    clock = manualClock()
  })
  afterEach(async () => {
    await Promise.all(apps.map((app) => app.close()))
    apps = []
  })

  describe('storing and freshness', () => {
    it('serves a response with max-age from the cache until it is stale, with X-Cache and Age', async () => {
      const page = counted('/page', (n) => text(`page ${n}`, { 'cache-control': 'max-age=60' }))
      const app = await start([page.route])
      const first = await send(app.baseUrl, '/page')
      expect([first.status, first.headers['x-cache'], first.headers['age'], first.body]).toEqual([200, 'MISS', '0', 'page 1'])
      clock.advance(30_000)
      const second = await send(app.baseUrl, '/page')
      expect([second.headers['x-cache'], second.headers['age'], second.body]).toEqual(['HIT', '30', 'page 1'])
      expect(second.headers['content-type']).toBe('text/plain')
      clock.advance(31_000)
      const third = await send(app.baseUrl, '/page')
      expect([third.headers['x-cache'], third.body]).toEqual(['MISS', 'page 2'])
      expect(page.calls).toBe(2)
    })

    it('prefers s-maxage to max-age, and reads Expires against Date', async () => {
      const shared = counted('/shared', (n) => text(`s ${n}`, { 'cache-control': 'max-age=1000, s-maxage=10' }))
      const expiring = counted('/expires', (n) => {
        const now = clock.now()
        return text(`e ${n}`, { date: new Date(now).toUTCString(), expires: new Date(now + 20_000).toUTCString() })
      })
      const app = await start([shared.route, expiring.route])
      await send(app.baseUrl, '/shared')
      await send(app.baseUrl, '/expires')
      clock.advance(15_000)
      expect((await send(app.baseUrl, '/shared')).headers['x-cache']).toBe('MISS')
      expect((await send(app.baseUrl, '/expires')).headers['x-cache']).toBe('HIT')
      clock.advance(10_000)
      expect((await send(app.baseUrl, '/expires')).headers['x-cache']).toBe('MISS')
    })

    it('stores a response without explicit freshness only when a ttl is configured', async () => {
      const plain = counted('/plain', (n) => text(`p ${n}`))
      const app = await start([plain.route])
      await send(app.baseUrl, '/plain')
      expect((await send(app.baseUrl, '/plain')).body).toBe('p 2')
      const withTtl = await start([counted('/plain', (n) => text(`t ${n}`)).route], { ttl: 5_000 })
      await send(withTtl.baseUrl, '/plain')
      expect((await send(withTtl.baseUrl, '/plain')).headers['x-cache']).toBe('HIT')
      clock.advance(6_000)
      expect((await send(withTtl.baseUrl, '/plain')).headers['x-cache']).toBe('MISS')
    })

    it.each(['no-store', 'private', 'no-cache', 'max-age=60, private'])('never stores a response with Cache-Control: %s', async (cacheControl) => {
      const route = counted('/x', (n) => text(`x ${n}`, { 'cache-control': cacheControl }))
      const app = await start([route.route], { ttl: 60_000 })
      await send(app.baseUrl, '/x')
      const second = await send(app.baseUrl, '/x')
      expect([second.headers['x-cache'], second.body]).toEqual(['MISS', 'x 2'])
    })

    it('stores only GET: POST and other unsafe methods are BYPASS', async () => {
      const post = counted('/form', (n) => text(`f ${n}`, { 'cache-control': 'max-age=60' }), 'POST')
      const app = await start([post.route])
      await send(app.baseUrl, '/form', { method: 'POST' })
      const second = await send(app.baseUrl, '/form', { method: 'POST' })
      expect([second.headers['x-cache'], second.body]).toEqual(['BYPASS', 'f 2'])
    })

    it('answers HEAD from the stored GET response, with its length and no body', async () => {
      const page = counted('/page', (n) => text(`page ${n}`, { 'cache-control': 'max-age=60' }))
      const app = await start([page.route])
      await send(app.baseUrl, '/page')
      const head = await send(app.baseUrl, '/page', { method: 'HEAD' })
      expect([head.status, head.headers['x-cache'], head.headers['content-length'], head.body]).toEqual([200, 'HIT', '6', ''])
      expect(page.calls).toBe(1)
    })
  })

  describe('private responses', () => {
    it('never stores the answer to a request with Authorization unless the response is public', async () => {
      const account = counted('/account', (n, request) => text(`account of ${request.headers['authorization']} #${n}`, { 'cache-control': 'max-age=60' }))
      const app = await start([account.route])
      await send(app.baseUrl, '/account', { headers: { authorization: 'Bearer alice' } })
      const anonymous = await send(app.baseUrl, '/account')
      expect(anonymous.body).toBe('account of undefined #2')
      const bob = await send(app.baseUrl, '/account', { headers: { authorization: 'Bearer bob' } })
      // The anonymous response is stored, but may not answer an authorized request either.
      expect([bob.headers['x-cache'], bob.body]).toEqual(['MISS', 'account of Bearer bob #3'])
    })

    it('shares an authorized response that says public', async () => {
      const news = counted('/news', (n) => text(`news ${n}`, { 'cache-control': 'public, max-age=60' }))
      const app = await start([news.route])
      await send(app.baseUrl, '/news', { headers: { authorization: 'Bearer alice' } })
      expect((await send(app.baseUrl, '/news', { headers: { authorization: 'Bearer bob' } })).body).toBe('news 1')
    })

    it('never stores a response that sets a cookie, unless told to strip the cookie', async () => {
      const login = counted('/hello', (n) => text(`hello ${n}`, { 'cache-control': 'max-age=60', 'set-cookie': [`session=${n}`, 'theme=dark'] }))
      const app = await start([login.route])
      await send(app.baseUrl, '/hello')
      const other = await send(app.baseUrl, '/hello')
      expect([other.headers['x-cache'], other.headers['set-cookie']]).toEqual(['MISS', ['session=2', 'theme=dark']])
      const stripping = await start([counted('/hello', (n) => text(`hi ${n}`, { 'cache-control': 'max-age=60', 'set-cookie': `session=${n}` })).route], {
        setCookie: 'strip',
      })
      const miss = await send(stripping.baseUrl, '/hello')
      expect(miss.headers['set-cookie']).toEqual(['session=1'])
      const hit = await send(stripping.baseUrl, '/hello')
      expect([hit.headers['x-cache'], hit.headers['set-cookie'], hit.body]).toEqual(['HIT', undefined, 'hi 1'])
    })
  })

  describe('Vary and keys', () => {
    it('keeps one variant per value of the request headers the response varies on', async () => {
      const greeting = counted('/greeting', (n, request) =>
        text(`${request.headers['accept-language'] === 'fr' ? 'bonjour' : 'hello'} ${n}`, { 'cache-control': 'max-age=60', vary: 'Accept-Language' }),
      )
      const app = await start([greeting.route])
      expect((await send(app.baseUrl, '/greeting', { headers: { 'accept-language': 'fr' } })).body).toBe('bonjour 1')
      expect((await send(app.baseUrl, '/greeting', { headers: { 'accept-language': 'en' } })).body).toBe('hello 2')
      expect((await send(app.baseUrl, '/greeting', { headers: { 'accept-language': 'fr' } })).body).toBe('bonjour 1')
      expect((await send(app.baseUrl, '/greeting', { headers: { 'accept-language': 'en' } })).body).toBe('hello 2')
    })

    it('never serves a response with Vary: * from the cache', async () => {
      const route = counted('/star', (n) => text(`s ${n}`, { 'cache-control': 'max-age=60', vary: '*' }))
      const app = await start([route.route])
      await send(app.baseUrl, '/star')
      expect((await send(app.baseUrl, '/star')).body).toBe('s 2')
    })

    it('keeps compressed and plain bodies apart, by the codings each client accepts', async () => {
      const route = counted('/zipped', (n, request) =>
        (request.headers['accept-encoding'] ?? '').includes('gzip')
          ? { status: 200, headers: { 'content-type': 'text/plain', 'content-encoding': 'gzip', 'cache-control': 'max-age=60' }, body: '' }
          : text(`plain ${n}`, { 'cache-control': 'max-age=60' }),
      )
      const app = await start([route.route])
      await send(app.baseUrl, '/zipped', { headers: { 'accept-encoding': 'gzip, deflate' } })
      const plain = await send(app.baseUrl, '/zipped')
      expect([plain.headers['content-encoding'], plain.body]).toEqual([undefined, 'plain 2'])
      const again = await send(app.baseUrl, '/zipped', { headers: { 'accept-encoding': 'deflate,gzip' } })
      expect([again.headers['x-cache'], again.headers['content-encoding']]).toEqual(['HIT', 'gzip'])
    })

    it('keys X-Forwarded-Host, so a request carrying it cannot poison what others get', async () => {
      const page = counted('/link', (n, request) => text(`https://${request.headers['x-forwarded-host'] ?? 'example.com'}/ #${n}`, { 'cache-control': 'max-age=60' }))
      const app = await start([page.route])
      expect((await send(app.baseUrl, '/link', { headers: { 'x-forwarded-host': 'evil.example' } })).body).toBe('https://evil.example/ #1')
      const victim = await send(app.baseUrl, '/link')
      expect([victim.headers['x-cache'], victim.body]).toEqual(['MISS', 'https://example.com/ #2'])
      expect((await send(app.baseUrl, '/link')).body).toBe('https://example.com/ #2')
    })

    it('normalises the query: sorted and filtered when asked', async () => {
      const search = counted('/search', (n) => text(`results ${n}`, { 'cache-control': 'max-age=60' }))
      const app = await start([search.route], { sortQuery: true, ignoreQuery: [/^utm_/] })
      await send(app.baseUrl, '/search?b=2&a=1&utm_source=mail')
      expect((await send(app.baseUrl, '/search?a=1&b=2')).headers['x-cache']).toBe('HIT')
      expect((await send(app.baseUrl, '/search?a=1&b=3')).headers['x-cache']).toBe('MISS')
    })
  })

  describe('conditional requests', () => {
    it('answers 304 from the cache when the client already holds the stored response', async () => {
      const page = counted('/doc', () => text('doc', { 'cache-control': 'max-age=60', etag: '"v1"', 'last-modified': 'Tue, 14 Nov 2023 22:13:20 GMT' }))
      const app = await start([page.route])
      await send(app.baseUrl, '/doc')
      const byTag = await send(app.baseUrl, '/doc', { headers: { 'if-none-match': 'W/"v1"' } })
      expect([byTag.status, byTag.headers['x-cache'], byTag.headers['etag'], byTag.body]).toEqual([304, 'HIT', '"v1"', ''])
      const byDate = await send(app.baseUrl, '/doc', { headers: { 'if-modified-since': 'Wed, 15 Nov 2023 00:00:00 GMT' } })
      expect(byDate.status).toBe(304)
      expect((await send(app.baseUrl, '/doc', { headers: { 'if-none-match': '"v0"' } })).status).toBe(200)
      expect(page.calls).toBe(1)
    })

    it('fills the cache on a conditional miss, and still answers the client 304', async () => {
      const page = counted('/doc', (_n, request) =>
        request.headers['if-none-match'] === '"v1"' ? { status: 304, headers: { etag: '"v1"' } } : text('doc', { 'cache-control': 'max-age=60', etag: '"v1"' }),
      )
      const app = await start([page.route])
      const first = await send(app.baseUrl, '/doc', { headers: { 'if-none-match': '"v1"' } })
      expect([first.status, first.headers['x-cache']]).toEqual([304, 'MISS'])
      expect(page.seen[0]!.headers['if-none-match']).toBeUndefined()
      expect((await send(app.baseUrl, '/doc')).body).toBe('doc')
      expect(page.calls).toBe(1)
    })

    it('revalidates a stale response with its validators, and turns a 304 from the handler into a refreshed hit', async () => {
      const page = counted('/doc', (n, request) =>
        request.headers['if-none-match'] === '"v1"'
          ? { status: 304, headers: { etag: '"v1"', 'cache-control': 'max-age=60' } }
          : text(`doc ${n}`, { 'cache-control': 'max-age=60', etag: '"v1"' }),
      )
      const app = await start([page.route], { keepStale: 600_000 })
      await send(app.baseUrl, '/doc')
      clock.advance(90_000)
      const refreshed = await send(app.baseUrl, '/doc')
      expect([refreshed.status, refreshed.headers['x-cache'], refreshed.headers['age'], refreshed.body]).toEqual([200, 'HIT', '0', 'doc 1'])
      expect(page.seen[1]!.headers['if-none-match']).toBe('"v1"')
      clock.advance(30_000)
      expect((await send(app.baseUrl, '/doc')).headers['x-cache']).toBe('HIT')
      expect(page.calls).toBe(2)
    })
  })

  describe('serving stale', () => {
    it('serves stale within stale-while-revalidate and refreshes in the background', async () => {
      let refreshed!: () => void
      const done = new Promise<void>((resolve) => (refreshed = resolve))
      const page = counted('/feed', (n) => {
        if (n === 2) setTimeout(refreshed, 20)
        return text(`feed ${n}`, { 'cache-control': 'max-age=10, stale-while-revalidate=60' })
      })
      const app = await start([page.route])
      await send(app.baseUrl, '/feed')
      clock.advance(20_000)
      const stale = await send(app.baseUrl, '/feed')
      expect([stale.headers['x-cache'], stale.headers['age'], stale.body]).toEqual(['STALE', '20', 'feed 1'])
      await done
      const fresh = await send(app.baseUrl, '/feed')
      expect([fresh.headers['x-cache'], fresh.body]).toEqual(['HIT', 'feed 2'])
      expect(page.calls).toBe(2)
    })

    it('serves stale within stale-if-error when the handler fails or answers 5xx', async () => {
      const page = counted('/status', (n) => (n === 1 ? text('ok', { 'cache-control': 'max-age=10, stale-if-error=60' }) : n === 2 ? { throws: true } : text('down', {}, 503)))
      const app = await start([page.route])
      await send(app.baseUrl, '/status')
      clock.advance(20_000)
      const thrown = await send(app.baseUrl, '/status')
      expect([thrown.status, thrown.headers['x-cache'], thrown.body]).toEqual([200, 'STALE', 'ok'])
      const unavailable = await send(app.baseUrl, '/status')
      expect([unavailable.status, unavailable.body]).toEqual([200, 'ok'])
      clock.advance(60_000)
      expect((await send(app.baseUrl, '/status')).status).toBe(503)
    })

    it('never serves stale a response that says must-revalidate', async () => {
      const page = counted('/strict', (n) => (n === 1 ? text('ok', { 'cache-control': 'max-age=10, must-revalidate, stale-if-error=60' }) : text('down', {}, 503)))
      const app = await start([page.route])
      await send(app.baseUrl, '/strict')
      clock.advance(20_000)
      expect((await send(app.baseUrl, '/strict')).status).toBe(503)
    })
  })

  describe('request Cache-Control', () => {
    it('honours no-cache, max-age, max-stale and only-if-cached', async () => {
      const page = counted('/p', (n) => text(`p ${n}`, { 'cache-control': 'max-age=60' }))
      const app = await start([page.route], { keepStale: 120_000 })
      expect((await send(app.baseUrl, '/p', { headers: { 'cache-control': 'only-if-cached' } })).status).toBe(504)
      await send(app.baseUrl, '/p')
      expect((await send(app.baseUrl, '/p', { headers: { 'cache-control': 'no-cache' } })).body).toBe('p 2')
      clock.advance(30_000)
      expect((await send(app.baseUrl, '/p', { headers: { 'cache-control': 'max-age=10' } })).body).toBe('p 3')
      clock.advance(90_000)
      const stale = await send(app.baseUrl, '/p', { headers: { 'cache-control': 'max-stale=60' } })
      expect([stale.headers['x-cache'], stale.body]).toEqual(['STALE', 'p 3'])
      expect((await send(app.baseUrl, '/p', { headers: { pragma: 'no-cache' } })).body).toBe('p 4')
    })
  })

  describe('invalidation', () => {
    it('drops the stored responses for a URL, and for its Location, after a successful unsafe request', async () => {
      const item = counted('/items/1', (n) => text(`item ${n}`, { 'cache-control': 'max-age=60' }))
      const other = counted('/items/2', (n) => text(`other ${n}`, { 'cache-control': 'max-age=60' }))
      const update: TestRoute = { method: 'POST', path: '/items/1', handler: () => ({ status: 303, headers: { location: '/items/2' } }) }
      const failed: TestRoute = { method: 'PUT', path: '/items/1', handler: () => text('no', {}, 409) }
      const app = await start([item.route, other.route, update, failed])
      await send(app.baseUrl, '/items/1')
      await send(app.baseUrl, '/items/2')
      await send(app.baseUrl, '/items/1', { method: 'PUT' })
      expect((await send(app.baseUrl, '/items/1')).headers['x-cache']).toBe('HIT')
      await send(app.baseUrl, '/items/1', { method: 'POST' })
      expect((await send(app.baseUrl, '/items/1')).body).toBe('item 2')
      expect((await send(app.baseUrl, '/items/2')).body).toBe('other 2')
    })

    it('reads tags from Cache-Tag and Surrogate-Key, strips them, and invalidates by tag, URL and prefix', async () => {
      const a = counted('/shop/a', (n) => text(`a ${n}`, { 'cache-control': 'max-age=60', 'cache-tag': 'product-1, shop' }))
      const b = counted('/shop/b', (n) => text(`b ${n}`, { 'cache-control': 'max-age=60', 'surrogate-key': 'product-2 shop' }))
      const c = counted('/blog/c', (n) => text(`c ${n}`, { 'cache-control': 'max-age=60' }))
      const app = await start([a.route, b.route, c.route])
      const first = await send(app.baseUrl, '/shop/a')
      expect(first.headers['cache-tag']).toBeUndefined()
      await send(app.baseUrl, '/shop/b')
      await send(app.baseUrl, '/blog/c')
      expect(app.invalidate({ tags: ['product-1'] })).toBe(1)
      expect((await send(app.baseUrl, '/shop/a')).body).toBe('a 2')
      expect((await send(app.baseUrl, '/shop/b')).body).toBe('b 1')
      app.invalidate({ url: '/shop/b' })
      expect((await send(app.baseUrl, '/shop/b')).body).toBe('b 2')
      app.invalidate({ prefix: '/shop/' })
      expect((await send(app.baseUrl, '/shop/a')).body).toBe('a 3')
      expect((await send(app.baseUrl, '/shop/b')).body).toBe('b 3')
      expect((await send(app.baseUrl, '/blog/c')).body).toBe('c 1')
    })
  })

  describe('purge endpoint', () => {
    const secret = 'correct horse battery staple'
    const purge = { path: '/__cache/purge', secret }
    const bearer = (value: string) => ({ authorization: `Bearer ${value}` })

    async function shop(options: HttpCacheOptions<never>, extra: TestRoute[] = []) {
      const a = counted('/shop/a', (n) => text(`a ${n}`, { 'cache-control': 'max-age=60', 'cache-tag': 'product-1, shop' }))
      const b = counted('/shop/b', (n) => text(`b ${n}`, { 'cache-control': 'max-age=60', 'cache-tag': 'product-2, shop' }))
      const c = counted('/blog/c', (n) => text(`c ${n}`, { 'cache-control': 'max-age=60' }))
      const app = await start([a.route, b.route, c.route, ...extra], options)
      for (const path of ['/shop/a', '/shop/b', '/blog/c']) await send(app.baseUrl, path)
      return { app, a, b, c }
    }

    it('removes entries by tag, url and prefix, answering how many went', async () => {
      const { app } = await shop({ purge })
      const byTag = await send(app.baseUrl, '/__cache/purge?tag=product-1', { method: 'POST', headers: bearer(secret) })
      expect([byTag.status, JSON.parse(byTag.body)]).toEqual([200, { removed: 1 }])
      expect((await send(app.baseUrl, '/shop/a')).body).toBe('a 2')
      expect((await send(app.baseUrl, '/shop/b')).headers['x-cache']).toBe('HIT')
      const byUrlAndPrefix = await send(app.baseUrl, '/__cache/purge?url=%2Fblog%2Fc&prefix=%2Fshop%2F', { method: 'POST', headers: bearer(secret) })
      expect(JSON.parse(byUrlAndPrefix.body)).toEqual({ removed: 3 })
      for (const path of ['/shop/a', '/shop/b', '/blog/c']) expect((await send(app.baseUrl, path)).headers['x-cache']).toBe('MISS')
      const twoTags = await send(app.baseUrl, '/__cache/purge?tag=product-1&tag=product-2', { method: 'POST', headers: bearer(secret) })
      expect(JSON.parse(twoTags.body)).toEqual({ removed: 2 })
    })

    it('refuses a request without the secret (401) or with a wrong one of any length (403), removing nothing', async () => {
      const { app } = await shop({ purge })
      const anonymous = await send(app.baseUrl, '/__cache/purge?tag=shop', { method: 'POST' })
      expect([anonymous.status, anonymous.headers['www-authenticate']]).toEqual([401, 'Bearer realm="cache purge"'])
      for (const wrong of ['x', secret.slice(0, -1), `${secret}!`, secret.toUpperCase()]) {
        expect((await send(app.baseUrl, '/__cache/purge?tag=shop', { method: 'POST', headers: bearer(wrong) })).status).toBe(403)
      }
      expect((await send(app.baseUrl, '/__cache/purge?tag=shop', { method: 'POST', headers: { authorization: `Basic ${secret}` } })).status).toBe(401)
      for (const path of ['/shop/a', '/shop/b']) expect((await send(app.baseUrl, path)).headers['x-cache']).toBe('HIT')
    })

    it('answers 405 to other methods and 400 to a request naming nothing or an unknown parameter, and is never stored', async () => {
      const { app } = await shop({ purge, ttl: 60_000 })
      for (let i = 0; i < 2; i++) {
        const get = await send(app.baseUrl, '/__cache/purge?tag=shop', { headers: bearer(secret) })
        expect([get.status, get.headers['allow'], get.headers['cache-control'], get.headers['x-cache']]).toEqual([405, 'POST', 'no-store', 'BYPASS'])
      }
      const empty = await send(app.baseUrl, '/__cache/purge', { method: 'POST', headers: bearer(secret) })
      expect(empty.status).toBe(400)
      const misspelt = await send(app.baseUrl, '/__cache/purge?tags=shop', { method: 'POST', headers: bearer(secret) })
      expect([misspelt.status, JSON.parse(misspelt.body).error]).toEqual([400, 'unknown purge parameter "tags"; did you mean "tag"?'])
      const badPrefix = await send(app.baseUrl, '/__cache/purge?prefix=shop', { method: 'POST', headers: bearer(secret) })
      expect(badPrefix.status).toBe(400)
      expect((await send(app.baseUrl, '/shop/a')).headers['x-cache']).toBe('HIT')
    })

    it('does not exist unless configured: the path is the app’s, and nothing is removed', async () => {
      const appRoute = counted('/__cache/purge', () => text('the app’s own route'), 'POST')
      const { app } = await shop({}, [appRoute.route])
      const response = await send(app.baseUrl, '/__cache/purge?tag=shop', { method: 'POST', headers: bearer(secret) })
      expect([response.status, response.body]).toEqual([200, 'the app’s own route'])
      expect(appRoute.calls).toBe(1)
      for (const path of ['/shop/a', '/shop/b', '/blog/c']) expect((await send(app.baseUrl, path)).headers['x-cache']).toBe('HIT')
    })

    it('answers on the configured path only', async () => {
      const { app } = await shop({ purge: { path: '/ops/purge', secret } })
      expect((await send(app.baseUrl, '/__cache/purge?tag=shop', { method: 'POST', headers: bearer(secret) })).status).toBe(404)
      const response = await send(app.baseUrl, '/ops/purge?tag=shop', { method: 'POST', headers: bearer(secret) })
      expect(JSON.parse(response.body)).toEqual({ removed: 2 })
    })
  })

  describe('routes, limits and concurrency', () => {
    it('applies per-route ttl, tags and bypass', async () => {
      const report = counted('/report', (n) => text(`report ${n}`))
      report.route.cache = { ttl: 30_000, tags: ['reports'] }
      const admin = counted('/admin', (n) => text(`admin ${n}`, { 'cache-control': 'max-age=60' }))
      admin.route.cache = { bypass: () => true }
      const app = await start([report.route, admin.route])
      await send(app.baseUrl, '/report')
      expect((await send(app.baseUrl, '/report')).headers['x-cache']).toBe('HIT')
      app.invalidate({ tags: ['reports'] })
      expect((await send(app.baseUrl, '/report')).body).toBe('report 2')
      await send(app.baseUrl, '/admin')
      expect((await send(app.baseUrl, '/admin')).body).toBe('admin 2')
    })

    it('streams a body larger than maxBodySize through without storing it, and stores a small streamed one', async () => {
      const big = counted('/big', (n) => ({ headers: { 'cache-control': 'max-age=60' }, chunks: ['x'.repeat(600), 'y'.repeat(600), `${n}`] }))
      const small = counted('/small', (n) => ({ headers: { 'cache-control': 'max-age=60' }, chunks: ['a', 'b', `${n}`] }))
      const app = await start([big.route, small.route], { maxBodySize: 1000 })
      expect((await send(app.baseUrl, '/big')).body).toHaveLength(1201)
      expect((await send(app.baseUrl, '/big')).body.endsWith('2')).toBe(true)
      await send(app.baseUrl, '/small')
      const hit = await send(app.baseUrl, '/small')
      expect([hit.headers['x-cache'], hit.body]).toEqual(['HIT', 'ab1'])
    })

    it('runs the handler once for concurrent misses on one URL', async () => {
      let release!: () => void
      const gate = new Promise<void>((resolve) => (release = resolve))
      const slow = counted('/slow', async (n) => {
        await gate
        return text(`slow ${n}`, { 'cache-control': 'max-age=60' })
      })
      const app = await start([slow.route])
      const responses = Promise.all(Array.from({ length: 5 }, () => send(app.baseUrl, '/slow')))
      await new Promise((resolve) => setTimeout(resolve, 100))
      release()
      const bodies = (await responses).map((response) => response.body)
      expect(bodies).toEqual(Array(5).fill('slow 1'))
      expect(slow.calls).toBe(1)
    })
  })

  describe('memory front', () => {
    it('serves the same bytes and headers on every hit from memory, whatever the requests before asked', async () => {
      const page = counted('/page', (n) => text(`page ${n}`, { 'cache-control': 'max-age=60', etag: '"v1"' }))
      const app = await start([page.route])
      await send(app.baseUrl, '/page')
      // A HEAD and a 304 in between must not change what the shared copy gives the next client.
      expect((await send(app.baseUrl, '/page', { method: 'HEAD' })).body).toBe('')
      expect((await send(app.baseUrl, '/page', { headers: { 'if-none-match': '"v1"' } })).status).toBe(304)
      clock.advance(5_000)
      for (let i = 0; i < 3; i++) {
        const hit = await send(app.baseUrl, '/page')
        expect([hit.status, hit.headers['x-cache'], hit.headers['age'], hit.headers['content-length'], hit.body]).toEqual([200, 'HIT', '5', '6', 'page 1'])
      }
      expect(page.calls).toBe(1)
    })

    it('is not served once invalidated, nor after the store entry expired', async () => {
      const page = counted('/page', (n) => text(`page ${n}`, { 'cache-control': 'max-age=60' }))
      const app = await start([page.route])
      await send(app.baseUrl, '/page')
      expect((await send(app.baseUrl, '/page')).headers['x-cache']).toBe('HIT')
      app.invalidate({ url: '/page' })
      expect((await send(app.baseUrl, '/page')).body).toBe('page 2')
      expect((await send(app.baseUrl, '/page')).headers['x-cache']).toBe('HIT')
      clock.advance(61_000)
      expect((await send(app.baseUrl, '/page')).body).toBe('page 3')
    })

    it('can be turned off with memorySize: 0, hits then read the store', async () => {
      const page = counted('/page', (n) => text(`page ${n}`, { 'cache-control': 'max-age=60' }))
      const app = await start([page.route], { memorySize: 0 })
      await send(app.baseUrl, '/page')
      for (let i = 0; i < 2; i++) expect((await send(app.baseUrl, '/page')).headers['x-cache']).toBe('HIT')
      expect(page.calls).toBe(1)
    })
  })
}
