import { Cache, FanoutCache } from '@diskcache/core'
import { makeTempDir } from '../test-support/temp-dir.js'
import type { CacheRequest } from './cache-request.js'
import { HttpCacheEngine } from './http-cache-engine.js'
import { resolveHttpCacheOptions } from './http-cache-options.js'
import type { StoredResponse } from './stored-response.js'

const opened: { close(): void }[] = []
afterEach(() => {
  for (const item of opened.splice(0)) item.close()
})

function request(url: string, headers: Record<string, string> = {}): CacheRequest {
  return { method: 'GET', scheme: 'http', host: 'shop.example', url, header: (name) => headers[name] }
}

function response(body: string, headers: Record<string, string> = {}): StoredResponse {
  return {
    status: 200,
    headers: { 'cache-control': 'max-age=60', ...headers },
    requestTime: Date.now(),
    responseTime: Date.now(),
    initialAge: 0,
    lifetime: 60_000,
    staleWhileRevalidate: 0,
    staleIfError: 0,
    mustRevalidate: false,
    sharedMaxAge: false,
    allowsAuthorization: false,
    tags: [],
    body: Buffer.from(body),
  }
}

/** An engine over `store` (closed after the test, with the engine). */
function engineOver(store: Cache | FanoutCache, memorySize?: number): HttpCacheEngine {
  opened.push(store)
  const engine = new HttpCacheEngine(resolveHttpCacheOptions({ cache: store, ...(memorySize !== undefined && { memorySize }) }) as never)
  opened.push(engine)
  return engine
}

/** Stores `body` for `url` through `engine`, as a miss would. */
function store(engine: HttpCacheEngine, url: string, body: string, options: { vary?: string[]; headers?: Record<string, string>; tags?: string[] } = {}): void {
  const req = request(url, options.headers)
  engine.write(req, engine.keysFor(req), { ...response(body), tags: options.tags ?? [] }, options.vary ?? [], 60_000)
}

function bodyOf(engine: HttpCacheEngine, url: string, headers: Record<string, string> = {}): string | undefined {
  const req = request(url, headers)
  return engine.lookup(req, engine.keysFor(req)).entry?.body.toString()
}

describe('HttpCacheEngine memory front', () => {
  it('answers repeated lookups with the same decoded copy while the store is unchanged', () => {
    const engine = engineOver(new Cache(makeTempDir()))
    store(engine, '/a', 'first')
    const req = request('/a')
    const one = engine.lookup(req, engine.keysFor(req)).entry
    const two = engine.lookup(req, engine.keysFor(req)).entry
    expect(one?.body.toString()).toBe('first')
    expect(two).toBe(one)
    expect(engine.memory?.size).toBe(1)
  })

  it('keeps the copy when another connection changed other entries only', () => {
    const directory = makeTempDir()
    const engine = engineOver(new Cache(directory))
    const other = new Cache(directory)
    opened.push(other)
    store(engine, '/a', 'first')
    const req = request('/a')
    const one = engine.lookup(req, engine.keysFor(req)).entry
    other.set('unrelated', 1)
    expect(engine.lookup(req, engine.keysFor(req)).entry).toBe(one)
  })

  it('sees at once a response another connection stored over the one in memory', () => {
    const directory = makeTempDir()
    const engine = engineOver(new Cache(directory))
    const other = engineOver(new Cache(directory))
    store(engine, '/a', 'first')
    expect(bodyOf(engine, '/a')).toBe('first')
    store(other, '/a', 'second')
    expect(bodyOf(engine, '/a')).toBe('second')
  })

  it('sees at once an invalidation by another connection, by tag, URL or prefix', () => {
    const directory = makeTempDir()
    const engine = engineOver(new Cache(directory))
    const other = engineOver(new Cache(directory))
    for (const target of [{ tags: ['t'] }, { url: '/p/a' }, { prefix: '/p' }]) {
      store(engine, '/p/a', 'page', { tags: ['t'] })
      expect(bodyOf(engine, '/p/a')).toBe('page')
      expect(other.invalidate(target)).toBeGreaterThan(0)
      expect(bodyOf(engine, '/p/a')).toBeUndefined()
    }
  })

  it('sees a variant replaced by another connection, and a URL that stopped varying', () => {
    const directory = makeTempDir()
    const engine = engineOver(new Cache(directory))
    const other = engineOver(new Cache(directory))
    const french = { 'accept-language': 'fr' }
    store(engine, '/v', 'bonjour', { vary: ['accept-language'], headers: french })
    expect(bodyOf(engine, '/v', french)).toBe('bonjour')
    store(other, '/v', 'salut', { vary: ['accept-language'], headers: french })
    expect(bodyOf(engine, '/v', french)).toBe('salut')
    const third = new Cache(directory)
    opened.push(third)
    third.clear()
    expect(bodyOf(engine, '/v', french)).toBeUndefined()
  })

  it('works per shard on a FanoutCache', () => {
    const directory = makeTempDir()
    const engine = engineOver(new FanoutCache(directory, { shards: 3 }))
    const other = engineOver(new FanoutCache(directory, { shards: 3 }))
    store(engine, '/a', 'first')
    expect(bodyOf(engine, '/a')).toBe('first')
    store(other, '/a', 'second')
    expect(bodyOf(engine, '/a')).toBe('second')
  })

  it('is off with memorySize: 0, each lookup decoding the stored entry', () => {
    const engine = engineOver(new Cache(makeTempDir()), 0)
    store(engine, '/a', 'first')
    const req = request('/a')
    const one = engine.lookup(req, engine.keysFor(req)).entry
    expect(engine.lookup(req, engine.keysFor(req)).entry).not.toBe(one)
    expect(engine.memory).toBeUndefined()
  })
})
