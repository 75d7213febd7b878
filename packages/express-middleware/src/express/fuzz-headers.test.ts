import { createServer, request as httpRequest, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import express from 'express'
import fc from 'fast-check'
import { makeTempDir } from '../test-support/temp-dir.js'
import { diskCacheMiddleware } from './disk-cache-middleware.js'

// Each property drives one real server with this many requests: enough to hit every parser
// path many times over, few enough for the suite's time budget.
const RUNS = Number(process.env.DISKCACHE_HTTP_FUZZ_RUNS ?? 200)
const VARIANTS = ['alpha', 'beta', 'gamma']

interface Answer {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: string
}

/** One request with raw header values; the client may refuse a value Node cannot send (undefined then). */
function send(port: number, path: string, headers: Record<string, string>, method = 'GET'): Promise<Answer | undefined> {
  return new Promise((resolve, reject) => {
    let req
    try {
      req = httpRequest({ host: '127.0.0.1', port, path, method, headers, agent: false, maxHeaderSize: 1 << 20 }, (res) => {
        const chunks: Buffer[] = []
        res.on('data', (chunk: Buffer) => chunks.push(chunk))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }))
        res.on('error', reject)
      })
    } catch {
      resolve(undefined)
      return
    }
    req.setTimeout(10_000, () => req.destroy(new Error(`${method} ${path.slice(0, 80)} took over 10 s`)))
    req.on('error', reject)
    req.end()
  })
}

// Printable ASCII, tab and Latin-1 letters: what a header value may hold on the wire.
const headerChar = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom(...' \t,;=*"\\/-_.:0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ()<>@?[]{}!#$%&\'+^`|~') },
  { weight: 1, arbitrary: fc.integer({ min: 0xa0, max: 0xff }).map((code) => String.fromCharCode(code)) },
)
const junk = (maxLength: number) => fc.string({ unit: headerChar, maxLength })
/** A list of tokens from `known`, with junk mixed in, joined with odd separators; now and then enormous. */
const listOf = (known: readonly string[]) =>
  fc.oneof(
    { weight: 6, arbitrary: fc.array(fc.oneof(fc.constantFrom(...known), junk(12)), { maxLength: 8 }).chain((items) => fc.constantFrom(', ', ',', ' ,  ', ',,').map((sep) => items.join(sep))) },
    { weight: 2, arbitrary: junk(200) },
    { weight: 1, arbitrary: fc.integer({ min: 1_000, max: 12_000 }).chain((n) => fc.constantFrom(...known).map((token) => `${token}, `.repeat(Math.ceil(n / (token.length + 2))))) },
  )

const CACHE_CONTROL = ['max-age=60', 'max-age=0', 'max-age=-1', 'max-age=99999999999999999999', 's-maxage=5', 'no-cache', 'no-store', 'private', 'public', 'must-revalidate', 'max-stale', 'max-stale=10', 'min-fresh=5', 'only-if-cached', 'stale-while-revalidate=30', 'stale-if-error=30', 'no-cache="set-cookie', 'max-age="60"', 'max-age=6 0', '=', '"']
const VARY = ['accept-language', 'Accept-Encoding', 'cookie', '*', 'x-nothing', 'a b', '', 'Host', 'x-variant']
const ETAGS = ['"alpha"', 'W/"beta"', '*', '"', 'W/', '"gamma', '""', 'alpha']
const ENCODINGS = ['gzip', 'br;q=0', 'deflate;q=0.5', '*', '*;q=0', 'identity', 'x-gzip', 'gzip;q=NaN', 'zstd;q=1.5']
const DATES = ['Tue, 14 Nov 2023 22:13:20 GMT', 'Thu, 01 Jan 1970 00:00:00 GMT', 'Fri, 31 Dec 9999 23:59:59 GMT', 'yesterday', '0', '-1', '']
const RANGES = ['bytes=0-0', 'bytes=-5', 'bytes=5-', 'bytes=0-1,3-4', 'bytes=9999999999999999999-', 'bytes=', 'lines=1-2', 'bytes=1-0']
const HOSTS = ['shop.example', 'SHOP.EXAMPLE', 'shop.example.', 'shop.example:80', 'shop.example:99999', '[::1]', '127.0.0.1:1', 'a..b', '']

const odd = <T>(known: readonly string[]) => fc.option(fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...known) }, { weight: 2, arbitrary: listOf(known) }), { nil: undefined }) as fc.Arbitrary<T>

const pathChar = fc.constantFrom(...'abc/._~-%25%2F%00%E0%zz?&=#;:@!$\'()*+,'.split(''), '%2e%2e', '..', '%', '%C3%A9', '%ff', '?a=1&a=2', '??')
const oddPath = fc.oneof(
  { weight: 4, arbitrary: fc.string({ unit: pathChar, maxLength: 40 }).map((rest) => `/fuzz/${rest}`) },
  { weight: 1, arbitrary: fc.integer({ min: 1_000, max: 8_000 }).map((n) => `/fuzz/${'a/'.repeat(n / 2)}`) },
  { weight: 1, arbitrary: fc.constantFrom('/fuzz', '//fuzz//a', '/fuzz/a?', '/fuzz/a?&&&', `/fuzz/?${'x=1&'.repeat(2000)}`, '/fuzz/%', '/fuzz/a?x=%zz', '/fuzz/../fuzz/a') },
)

const fuzzedRequest = fc.record({
  path: oddPath,
  variant: fc.constantFrom(...VARIANTS),
  requestCacheControl: odd<string | undefined>(CACHE_CONTROL),
  pragma: fc.option(fc.constantFrom('no-cache', 'no-cache, x', junk(20) as never), { nil: undefined }),
  responseCacheControl: odd<string | undefined>(CACHE_CONTROL),
  responseVary: odd<string | undefined>(VARY),
  ifNoneMatch: odd<string | undefined>(ETAGS),
  ifModifiedSince: odd<string | undefined>(DATES),
  range: odd<string | undefined>(RANGES),
  host: odd<string | undefined>(HOSTS),
  acceptEncoding: odd<string | undefined>(ENCODINGS),
  acceptLanguage: fc.option(fc.constantFrom('fr', 'en', 'fr, en;q=0.5'), { nil: undefined }),
})
type FuzzedRequest = typeof fuzzedRequest extends fc.Arbitrary<infer T> ? T : never

function headersOf(request: FuzzedRequest): Record<string, string> {
  const headers: Record<string, string> = { 'x-variant': request.variant }
  const put = (name: string, value: string | undefined) => {
    if (value !== undefined) headers[name] = value
  }
  put('cache-control', request.requestCacheControl)
  put('pragma', request.pragma)
  put('x-set-cache-control', request.responseCacheControl)
  put('x-set-vary', request.responseVary)
  put('if-none-match', request.ifNoneMatch)
  put('if-modified-since', request.ifModifiedSince)
  put('range', request.range)
  put('host', request.host)
  put('accept-encoding', request.acceptEncoding)
  put('accept-language', request.acceptLanguage)
  return headers
}

describe('diskCacheMiddleware() under fuzzed requests (Express 5, one real server)', () => {
  const storeErrors: unknown[] = []
  let server: Server
  let port = 0
  let cache: ReturnType<typeof diskCacheMiddleware>

  beforeAll(async () => {
    cache = diskCacheMiddleware({ directory: makeTempDir(), ttl: 60_000, keepStale: 60_000, heuristic: 0.1, onError: (error) => storeErrors.push(error) })
    const app = express()
    app.get('/health', (_req, res) => {
      res.setHeader('cache-control', 'no-store')
      res.end('ok')
    })
    app.use(cache)
    // Every answer names the variant it was made for (and varies on it), so a response given to
    // another variant shows in its body. Its Cache-Control and Vary are what the request asked for.
    app.use((req, res) => {
      const variant = String(req.headers['x-variant'])
      const setCacheControl = req.headers['x-set-cache-control']
      if (typeof setCacheControl === 'string') res.setHeader('cache-control', setCacheControl)
      const setVary = req.headers['x-set-vary']
      res.setHeader('vary', typeof setVary === 'string' ? `${setVary}, X-Variant` : 'X-Variant')
      res.setHeader('etag', `"${variant}"`)
      res.setHeader('last-modified', 'Tue, 14 Nov 2023 22:13:20 GMT')
      res.setHeader('content-type', 'text/plain')
      res.end(`variant=${variant}; url=${req.originalUrl.slice(0, 60)}`)
    })
    app.use((_error: unknown, _req: unknown, res: { status(code: number): { end(body: string): void } }, _next: unknown) => {
      res.status(500).end('internal error')
    })
    server = createServer({ maxHeaderSize: 256 * 1024 }, app)
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    port = (server.address() as AddressInfo).port
  })

  afterAll(async () => {
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
    cache.close()
  })

  async function expectHealthy(): Promise<void> {
    const health = await send(port, '/health', {})
    expect([health?.status, health?.body]).toEqual([200, 'ok'])
  }

  it('answers every malformed or enormous header combination normally or with a clean 4xx, never with another variant’s body', async () => {
    await fc.assert(
      fc.asyncProperty(fuzzedRequest, fc.constantFrom('GET', 'GET', 'GET', 'HEAD'), async (request, method) => {
        const answer = await send(port, request.path, headersOf(request), method)
        if (answer === undefined) return // the client itself refused to send it
        const onlyIfCached = /only-if-cached/i.test(request.requestCacheControl ?? '')
        if (answer.status >= 500) expect([answer.status, onlyIfCached]).toEqual([504, true])
        if (answer.status === 200 && method === 'GET') expect(answer.body.startsWith(`variant=${request.variant};`)).toBe(true)
        if (answer.status === 304) expect(answer.headers['etag']).toBe(`"${request.variant}"`)
        expect(answer.status === 200 || answer.status === 304 || (answer.status >= 400 && answer.status < 500) || answer.status === 504).toBe(true)
      }),
      { numRuns: RUNS },
    )
    await expectHealthy()
    expect(storeErrors).toEqual([])
  })

  it('keeps serving, and keeps variants apart, under sequences that store, then read with other headers', async () => {
    // Same few URLs over and over, so that entries stored by one fuzzed request are read by the next ones.
    // Under /seq/, which the first property never requests: it may have stored `/fuzz/0?`, which is the
    // same resource as `/fuzz/0` (an empty query is no query), with that spelling in its body.
    const sequence = fc.array(fuzzedRequest.map((request) => ({ ...request, path: `/seq/${request.path.length % 3}` })), { minLength: 5, maxLength: 20 })
    await fc.assert(
      fc.asyncProperty(sequence, async (requests) => {
        for (const request of requests) {
          const answer = await send(port, request.path, headersOf(request))
          if (answer === undefined) continue
          if (answer.status === 200) expect(answer.body).toBe(`variant=${request.variant}; url=${request.path}`)
          if (answer.status >= 500) expect(answer.status).toBe(504)
        }
      }),
      { numRuns: Math.ceil(RUNS / 10) },
    )
    await expectHealthy()
    expect(cache.cache.check().ok).toBe(true)
    expect(storeErrors).toEqual([])
  })
})
