import type { Cache, FanoutCache } from '@diskcache/core'
import { checkOptionNames, InvalidOptionError } from '@diskcache/core'
import { DEFAULT_KEY_HEADERS } from './cache-key.js'
import type { CacheRequest } from './cache-request.js'
import { type PurgeOptions, type ResolvedPurgeOptions, resolvePurgeOptions } from './purge-endpoint.js'

/** Options of the middleware, for Express and Hono alike; `Req` is the framework's request (Express `req`, Hono `Context`). */
export interface HttpCacheOptions<Req> {
  /** The store: a Cache or FanoutCache you opened (and close). @default a Cache in `directory` */
  cache?: Cache | FanoutCache
  /** Where to open a Cache when `cache` is not given; the middleware's close() closes it. @default '.cache/http' */
  directory?: string
  /** Lifetime in ms for responses that state none (no max-age, s-maxage or Expires); 0: such responses are not stored. @default 0 */
  ttl?: number
  /** Heuristic lifetime, as a fraction of the time since Last-Modified, for responses that state none and have no `ttl`; 0: off. @default 0 */
  heuristic?: number
  /** Ms past its freshness a stored response is kept: to be revalidated with its ETag or Last-Modified, or served to clients that send max-stale. @default 0 */
  keepStale?: number
  /** Largest body, in bytes, that is stored; larger ones stream through uncached. @default 1 MiB */
  maxBodySize?: number
  /**
   * Bytes of hot responses this process keeps decoded in memory, in front of
   * the store (least recently used out first); 0 turns it off. Before each use
   * a copy is checked against the store with one cheap query, so a write or
   * invalidation by any process is seen by the next request. @default 16 MiB
   */
  memorySize?: number
  /** Tags for every stored response, for invalidate({ tags }). @default [] */
  tags?: readonly string[] | ((request: Req) => readonly string[])
  /** Response headers whose values are tags; read, then removed before the response leaves. @default ['cache-tag', 'surrogate-key'] */
  tagHeaders?: readonly string[]
  /** Request headers that join the key whenever present (proxy rewrites). @default forwarded, x-forwarded-host, … (see README) */
  keyHeaders?: readonly string[]
  /** Sort query parameters by name in the key. @default false */
  sortQuery?: boolean
  /** Query parameters (names or patterns) left out of the key. @default [] */
  ignoreQuery?: readonly (string | RegExp)[]
  /** Builds the URL part of the key yourself (method, keyed headers and Vary are still added). */
  key?: (request: CacheRequest) => string
  /** Requests for which the cache is neither read nor written. */
  bypass?: (request: Req) => boolean
  /** Responses with Set-Cookie: 'skip' them, or 'strip' the cookie from the stored copy. @default 'skip' */
  setCookie?: 'skip' | 'strip'
  /** Name of the header telling HIT, MISS, STALE or BYPASS; false for none. @default 'x-cache' */
  statusHeader?: string | false
  /** Honour the request's Cache-Control and Pragma (no-cache, max-age, …); false ignores them. @default true */
  requestCacheControl?: boolean
  /** Concurrent misses for one URL run the handler once: per 'process', per 'host' (a lock in the store), or 'none'. @default 'process' */
  collapse?: 'process' | 'host' | 'none'
  /** Most ms a request waits for another process's identical request with collapse: 'host', before going to the handler itself. @default 10000 */
  collapseTimeout?: number
  /** Prefix of every key and internal tag, so several middlewares can share one store. @default 'http' */
  namespace?: string
  /**
   * Most ms a store write waits for another process's write lock before it is dropped (reported
   * to onError as a CacheTimeoutError; the request is served all the same). Core is synchronous,
   * so the wait blocks the event loop: keep it short. Only for the Cache opened from `directory`;
   * give a Cache you pass its own `timeout`. @default 100
   */
  storeTimeout?: number
  /** Clock in epoch ms; give the same one to the Cache in tests. @default Date.now */
  now?: () => number
  /** Called when the store fails (disk full, timeout); the request is then served by the handler. @default a process warning */
  onError?: (error: unknown) => void
  /** The purge endpoint, off unless given: `POST <path>?tag=…&url=…&prefix=…` with `Authorization: Bearer <secret>`. @default false */
  purge?: PurgeOptions | false
}

/** Per-route overrides: `middleware.route({ ttl, tags, bypass })`. */
export interface RouteOptions<Req> {
  ttl?: number
  tags?: readonly string[] | ((request: Req) => readonly string[])
  bypass?: (request: Req) => boolean
}

export interface ResolvedHttpCacheOptions<Req> {
  readonly directory: string
  readonly cache: Cache | FanoutCache | undefined
  readonly ttl: number
  readonly heuristic: number
  readonly keepStale: number
  readonly maxBodySize: number
  readonly memorySize: number
  readonly tags: readonly string[] | ((request: Req) => readonly string[])
  readonly tagHeaders: readonly string[]
  readonly keyHeaders: readonly string[]
  readonly sortQuery: boolean
  readonly ignoreQuery: readonly (string | RegExp)[]
  readonly key: ((request: CacheRequest) => string) | undefined
  readonly bypass: ((request: Req) => boolean) | undefined
  readonly setCookie: 'skip' | 'strip'
  readonly statusHeader: string | false
  readonly requestCacheControl: boolean
  readonly collapse: 'process' | 'host' | 'none'
  readonly collapseTimeout: number
  readonly namespace: string
  readonly storeTimeout: number
  readonly now: () => number
  readonly onError: (error: unknown) => void
  readonly purge: ResolvedPurgeOptions | undefined
}

export const DEFAULT_HTTP_CACHE_OPTIONS = {
  directory: '.cache/http',
  ttl: 0,
  heuristic: 0,
  keepStale: 0,
  maxBodySize: 2 ** 20,
  memorySize: 16 * 2 ** 20,
  tags: [],
  tagHeaders: ['cache-tag', 'surrogate-key'],
  keyHeaders: DEFAULT_KEY_HEADERS,
  sortQuery: false,
  ignoreQuery: [],
  setCookie: 'skip',
  statusHeader: 'x-cache',
  requestCacheControl: true,
  collapse: 'process',
  collapseTimeout: 10_000,
  namespace: 'http',
  storeTimeout: 100,
  purge: false,
} as const

const OPTION_NAMES = [...Object.keys(DEFAULT_HTTP_CACHE_OPTIONS), 'cache', 'key', 'bypass', 'now', 'onError']
const ROUTE_OPTION_NAMES = ['ttl', 'tags', 'bypass']

let warned = false
function warnOnce(error: unknown): void {
  if (warned) return
  warned = true
  const message = error instanceof Error ? error.message : String(error)
  process.emitWarning(`the response cache failed and the request went to the handler: ${message}`, { code: 'DISKCACHE_HTTP_STORE_ERROR' })
}

/** Validates the options once, at construction, and fills in defaults. */
export function resolveHttpCacheOptions<Req>(input: HttpCacheOptions<Req> = {}): ResolvedHttpCacheOptions<Req> {
  checkOptionNames('diskCacheMiddleware option', input, OPTION_NAMES)
  const d = DEFAULT_HTTP_CACHE_OPTIONS
  if (input.cache !== undefined && input.directory !== undefined) {
    throw new InvalidOptionError('diskCacheMiddleware: pass "cache" or "directory", not both')
  }
  if (input.cache !== undefined && (typeof input.cache !== 'object' || typeof (input.cache as Cache).evict !== 'function')) {
    throw new InvalidOptionError('diskCacheMiddleware "cache" must be a Cache or FanoutCache from @diskcache/core')
  }
  if (input.cache !== undefined && input.storeTimeout !== undefined) {
    throw new InvalidOptionError('diskCacheMiddleware "storeTimeout" is for the Cache it opens from "directory"; give the Cache you pass its own { timeout }')
  }
  return {
    directory: checkString('directory', input.directory ?? d.directory),
    cache: input.cache,
    ttl: checkDuration('ttl', input.ttl ?? d.ttl),
    heuristic: checkFraction('heuristic', input.heuristic ?? d.heuristic),
    keepStale: checkDuration('keepStale', input.keepStale ?? d.keepStale),
    maxBodySize: checkDuration('maxBodySize', input.maxBodySize ?? d.maxBodySize, 'a number of bytes >= 0'),
    memorySize: checkDuration('memorySize', input.memorySize ?? d.memorySize, 'a number of bytes >= 0'),
    tags: checkTags('tags', input.tags ?? d.tags),
    tagHeaders: checkNames('tagHeaders', input.tagHeaders ?? d.tagHeaders),
    keyHeaders: checkNames('keyHeaders', input.keyHeaders ?? d.keyHeaders),
    sortQuery: checkBoolean('sortQuery', input.sortQuery ?? d.sortQuery),
    ignoreQuery: checkIgnoreQuery(input.ignoreQuery ?? d.ignoreQuery),
    key: checkOptionalFunction('key', input.key),
    bypass: checkOptionalFunction('bypass', input.bypass),
    setCookie: checkChoice('setCookie', input.setCookie ?? d.setCookie, ['skip', 'strip']),
    statusHeader: input.statusHeader === false ? false : checkString('statusHeader', input.statusHeader ?? d.statusHeader).toLowerCase(),
    requestCacheControl: checkBoolean('requestCacheControl', input.requestCacheControl ?? d.requestCacheControl),
    collapse: checkChoice('collapse', input.collapse ?? d.collapse, ['process', 'host', 'none']),
    collapseTimeout: checkDuration('collapseTimeout', input.collapseTimeout ?? d.collapseTimeout),
    namespace: checkString('namespace', input.namespace ?? d.namespace),
    storeTimeout: checkStoreTimeout(input.storeTimeout ?? d.storeTimeout),
    now: checkOptionalFunction('now', input.now) ?? Date.now,
    onError: checkOptionalFunction('onError', input.onError) ?? warnOnce,
    purge: resolvePurgeOptions(input.purge),
  }
}

/** Validates per-route overrides when the route is declared. */
export function resolveRouteOptions<Req>(input: RouteOptions<Req>): RouteOptions<Req> {
  checkOptionNames('route option', input, ROUTE_OPTION_NAMES)
  return {
    ...(input.ttl !== undefined && { ttl: checkDuration('ttl', input.ttl) }),
    ...(input.tags !== undefined && { tags: checkTags('tags', input.tags) }),
    ...(input.bypass !== undefined && { bypass: checkOptionalFunction('bypass', input.bypass) }),
  }
}

function show(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : typeof value === 'number' ? String(value) : value === null ? 'null' : typeof value
}

function checkDuration(name: string, value: unknown, what = 'a number of milliseconds >= 0'): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new InvalidOptionError(`diskCacheMiddleware "${name}" must be ${what}, like 60_000; got ${show(value)}`)
  }
  return value
}

function checkStoreTimeout(value: unknown): number {
  // Core (SQLite) takes the lock timeout in whole milliseconds.
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 2 ** 31 - 1) {
    throw new InvalidOptionError(`diskCacheMiddleware "storeTimeout" must be a whole number of milliseconds >= 0, like 100; got ${show(value)}`)
  }
  return value
}

function checkFraction(name: string, value: unknown): number {
  if (typeof value !== 'number' || !(value >= 0 && value <= 1)) {
    throw new InvalidOptionError(`diskCacheMiddleware "${name}" must be a fraction between 0 and 1, like 0.1; got ${show(value)}`)
  }
  return value
}

function checkBoolean(name: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw new InvalidOptionError(`diskCacheMiddleware "${name}" must be true or false; got ${show(value)}`)
  return value
}

function checkString(name: string, value: unknown): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw new InvalidOptionError(`diskCacheMiddleware "${name}" must be a non-empty string; got ${show(value)}`)
  }
  return value
}

function checkChoice<T extends string>(name: string, value: unknown, choices: readonly T[]): T {
  if (choices.includes(value as T)) return value as T
  throw new InvalidOptionError(`diskCacheMiddleware "${name}" must be one of ${choices.map((c) => `'${c}'`).join(', ')}; got ${show(value)}`)
}

function checkOptionalFunction<F>(name: string, value: F | undefined): F | undefined {
  if (value !== undefined && typeof value !== 'function') {
    throw new InvalidOptionError(`diskCacheMiddleware "${name}" must be a function; got ${show(value)}`)
  }
  return value
}

function checkNames(name: string, value: unknown): readonly string[] {
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string' || item.length === 0)) {
    throw new InvalidOptionError(`diskCacheMiddleware "${name}" must be an array of header names; got ${show(value)}`)
  }
  return (value as string[]).map((item) => item.toLowerCase())
}

function checkTags<T>(name: string, value: T): T {
  if (typeof value === 'function') return value
  if (!Array.isArray(value) || value.some((tag) => typeof tag !== 'string' || tag.length === 0)) {
    throw new InvalidOptionError(`diskCacheMiddleware "${name}" must be an array of non-empty strings or a function of the request; got ${show(value)}`)
  }
  return [...value] as T
}

function checkIgnoreQuery(value: unknown): readonly (string | RegExp)[] {
  if (!Array.isArray(value) || value.some((rule) => typeof rule !== 'string' && !(rule instanceof RegExp))) {
    throw new InvalidOptionError(`diskCacheMiddleware "ignoreQuery" must be an array of names or RegExps, like ['utm_source', /^utm_/]; got ${show(value)}`)
  }
  return [...(value as (string | RegExp)[])]
}
