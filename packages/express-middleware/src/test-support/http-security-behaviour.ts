import type { HttpCacheOptions } from '../engine/http-cache-options.js'
import { send } from './http-client.js'
import type { AppFactory, RouteReply, RouteRequest, TestApp, TestRoute } from './test-app.js'
import { makeTempDir, manualClock } from './temp-dir.js'

/** A GET route that numbers its calls, so a body tells which call (and so which client) made it. */
function numbered(path: string, reply: (call: number, request: RouteRequest) => RouteReply) {
  let calls = 0
  const route: TestRoute = { method: 'GET', path, handler: (request) => reply(++calls, request) }
  return { route, get calls() { return calls } }
}

const text = (body: string, headers: Record<string, string | string[]> = {}): RouteReply => ({
  status: 200,
  body,
  headers: { 'content-type': 'text/plain', ...headers },
})

/**
 * The security guarantees every binding must keep, pinned: what one client
 * caused to be stored never reaches another client it was not meant for.
 * Each test stores a response through a first ("attacker" or "owner")
 * request and checks what a second, different client gets.
 */
export function describeHttpSecurityBehaviour(factory: AppFactory): void {
  let apps: TestApp[] = []
  const clock = manualClock()

  async function start(routes: TestRoute[], options: HttpCacheOptions<never> = {}): Promise<TestApp> {
    const app = await factory(routes, { directory: makeTempDir(), now: clock.now, ...options })
    apps.push(app)
    return app
  }

  afterEach(async () => {
    await Promise.all(apps.map((app) => app.close()))
    apps = []
  })

  describe('responses to requests with Authorization', () => {
    it.each(['max-age=60', 'max-age=60, stale-while-revalidate=60', 'max-age=60, proxy-revalidate'])(
      'are never served to another client when the response says only %s',
      async (cacheControl) => {
        const account = numbered('/account', (n, request) => text(`for ${request.headers['authorization']} #${n}`, { 'cache-control': cacheControl }))
        const app = await start([account.route], { keepStale: 60_000 })
        await send(app.baseUrl, '/account', { headers: { authorization: 'Bearer alice' } })
        const bob = await send(app.baseUrl, '/account', { headers: { authorization: 'Bearer bob' } })
        expect([bob.headers['x-cache'], bob.body]).toEqual(['MISS', 'for Bearer bob #2'])
        const anonymous = await send(app.baseUrl, '/account')
        expect(anonymous.body).toBe('for undefined #3')
        // Not even as a stale answer the client asked for.
        clock.advance(70_000)
        const stale = await send(app.baseUrl, '/account', { headers: { authorization: 'Bearer carol', 'cache-control': 'max-stale' } })
        expect(stale.body).toBe('for Bearer carol #4')
      },
    )

    it.each(['public, max-age=60', 's-maxage=60', 'max-age=60, must-revalidate'])('are shared when the response says %s (RFC 9111 §3.5)', async (cacheControl) => {
      const news = numbered('/news', (n) => text(`news #${n}`, { 'cache-control': cacheControl }))
      const app = await start([news.route])
      await send(app.baseUrl, '/news', { headers: { authorization: 'Bearer alice' } })
      const bob = await send(app.baseUrl, '/news', { headers: { authorization: 'Bearer bob' } })
      expect([bob.headers['x-cache'], bob.body]).toEqual(['HIT', 'news #1'])
      expect((await send(app.baseUrl, '/news')).body).toBe('news #1')
    })
  })

  describe('cookie-dependent responses', () => {
    it('keep one variant per Cookie when the response says Vary: Cookie, and never give one to another cookie or to no cookie', async () => {
      const cart = numbered('/cart', (n, request) => text(`cart of ${request.headers['cookie'] ?? 'nobody'} #${n}`, { 'cache-control': 'max-age=60', vary: 'Cookie' }))
      const app = await start([cart.route])
      expect((await send(app.baseUrl, '/cart', { headers: { cookie: 'session=alice' } })).body).toBe('cart of session=alice #1')
      const bob = await send(app.baseUrl, '/cart', { headers: { cookie: 'session=bob' } })
      expect([bob.headers['x-cache'], bob.body]).toEqual(['MISS', 'cart of session=bob #2'])
      expect((await send(app.baseUrl, '/cart')).body).toBe('cart of nobody #3')
      const alice = await send(app.baseUrl, '/cart', { headers: { cookie: 'session=alice' } })
      expect([alice.headers['x-cache'], alice.body]).toEqual(['HIT', 'cart of session=alice #1'])
    })

    it('never store a response that sets a cookie, even one that varies on Cookie', async () => {
      const login = numbered('/login', (n) => text(`welcome #${n}`, { 'cache-control': 'public, max-age=60', vary: 'Cookie', 'set-cookie': `session=${n}` }))
      const app = await start([login.route])
      await send(app.baseUrl, '/login')
      const other = await send(app.baseUrl, '/login')
      expect([other.headers['x-cache'], other.headers['set-cookie'], other.body]).toEqual(['MISS', ['session=2'], 'welcome #2'])
    })

    it('never hand the cookie of a stored response to another client with setCookie: strip', async () => {
      const page = numbered('/page', (n) => text(`page #${n}`, { 'cache-control': 'max-age=60', 'set-cookie': `session=secret-${n}` }))
      const app = await start([page.route], { setCookie: 'strip' })
      expect((await send(app.baseUrl, '/page')).headers['set-cookie']).toEqual(['session=secret-1'])
      const other = await send(app.baseUrl, '/page', { headers: { cookie: 'session=other' } })
      expect([other.headers['x-cache'], other.headers['set-cookie'], other.body]).toEqual(['HIT', undefined, 'page #1'])
    })

    it('are shared between cookies when the response neither varies on Cookie nor sets one (as documented: send Vary: Cookie or private)', async () => {
      const home = numbered('/home', (n) => text(`home #${n}`, { 'cache-control': 'max-age=60' }))
      const app = await start([home.route])
      await send(app.baseUrl, '/home', { headers: { cookie: 'session=alice' } })
      expect((await send(app.baseUrl, '/home', { headers: { cookie: 'session=bob' } })).body).toBe('home #1')
    })
  })

  describe('unkeyed request headers', () => {
    // Each stands for a proxy or framework rewrite of host, scheme, port, path or method: an app
    // that trusts it renders something else, which must never become what a plain request gets.
    it.each([
      ['x-forwarded-host', 'evil.example'],
      ['x-forwarded-proto', 'http'],
      ['x-forwarded-port', '8443'],
      ['x-forwarded-scheme', 'javascript'],
      ['forwarded', 'host=evil.example;proto=http'],
      ['x-host', 'evil.example'],
      ['x-original-url', '/admin'],
      ['x-rewrite-url', '/admin'],
      ['x-http-method-override', 'DELETE'],
      ['x-method-override', 'PUT'],
    ])('cannot poison the entry of a plain request with %s', async (name, value) => {
      const page = numbered('/landing', (n, request) =>
        text(request.headers[name] === undefined ? `normal #${n}` : `poisoned by ${name}: ${request.headers[name]} #${n}`, { 'cache-control': 'max-age=60' }),
      )
      const app = await start([page.route])
      const attack = await send(app.baseUrl, '/landing', { headers: { [name]: value } })
      expect(attack.body).toBe(`poisoned by ${name}: ${value} #1`)
      const victim = await send(app.baseUrl, '/landing')
      expect([victim.headers['x-cache'], victim.body]).toEqual(['MISS', 'normal #2'])
      expect((await send(app.baseUrl, '/landing')).body).toBe('normal #2')
      // And the other way round: a stored plain response is not what a rewritten request gets either.
      expect((await send(app.baseUrl, '/landing', { headers: { [name]: value } })).body).toBe(`poisoned by ${name}: ${value} #1`)
    })

    it('cannot poison a plain request when the attacker also sends the header with odd case or spacing', async () => {
      const page = numbered('/landing', (n, request) => text(`${request.headers['x-forwarded-host'] ?? 'normal'} #${n}`, { 'cache-control': 'max-age=60' }))
      const app = await start([page.route])
      await send(app.baseUrl, '/landing', { headers: { 'X-Forwarded-Host': ' evil.example ' } })
      expect((await send(app.baseUrl, '/landing')).body).toBe('normal #2')
    })
  })

  describe('the Host header', () => {
    const hostPage = () => numbered('/where', (n, request) => text(`${request.headers['host']} #${n}`, { 'cache-control': 'max-age=60' }))

    it('is compared without case: SHOP.example and shop.example share entries', async () => {
      const page = hostPage()
      const app = await start([page.route])
      await send(app.baseUrl, '/where', { headers: { host: 'SHOP.example' } })
      const lower = await send(app.baseUrl, '/where', { headers: { host: 'shop.example' } })
      expect([lower.headers['x-cache'], lower.body]).toEqual(['HIT', 'SHOP.example #1'])
    })

    it.each([
      ['a trailing dot', 'shop.example.'],
      ['an explicit port', 'shop.example:80'],
      ['another port', 'shop.example:8080'],
      ['another host', 'evil.example'],
    ])('keys a Host with %s apart: what it stored never answers the plain host', async (_name, variant) => {
      const page = hostPage()
      const app = await start([page.route])
      expect((await send(app.baseUrl, '/where', { headers: { host: variant } })).body).toBe(`${variant} #1`)
      const plain = await send(app.baseUrl, '/where', { headers: { host: 'shop.example' } })
      expect([plain.headers['x-cache'], plain.body]).toEqual(['MISS', 'shop.example #2'])
    })
  })

  describe('the purge endpoint', () => {
    const secret = 'correct horse battery staple'

    it('refuses secrets of every length, empty and 10 kB ones included, with 401 or 403 and never a 5xx, removing nothing', async () => {
      const page = numbered('/kept', (n) => text(`kept #${n}`, { 'cache-control': 'max-age=60', 'cache-tag': 'all' }))
      const app = await start([page.route], { purge: { secret } })
      await send(app.baseUrl, '/kept')
      const offers = ['', ' ', 'c', secret.slice(0, 16), `${secret} `.repeat(2), 'x'.repeat(10_000), '\u00e9'.repeat(50), secret.toUpperCase()]
      for (const offer of offers) {
        const response = await send(app.baseUrl, '/__cache/purge?tag=all', { method: 'POST', headers: { authorization: `Bearer ${offer}` } })
        expect([401, 403]).toContain(response.status)
        expect(response.headers['cache-control']).toBe('no-store')
      }
      for (const authorization of ['Bearer', 'bearer', secret, `Token ${secret}`, `Bearer${secret}`]) {
        const response = await send(app.baseUrl, '/__cache/purge?tag=all', { method: 'POST', headers: { authorization } })
        expect([401, 403]).toContain(response.status)
      }
      expect((await send(app.baseUrl, '/kept')).headers['x-cache']).toBe('HIT')
      expect(page.calls).toBe(1)
    })
  })
}
