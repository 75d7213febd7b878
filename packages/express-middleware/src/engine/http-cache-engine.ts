import { type Cache, checkOptionNames, FanoutCache, InvalidOptionError } from '@diskcache/core'
import { createCacheKey } from './cache-key.js'
import type { CacheRequest } from './cache-request.js'
import { formatHttpDate } from './http-date.js'
import type { ResolvedHttpCacheOptions } from './http-cache-options.js'
import { prefixTag, prefixTags, targetTag } from './invalidation-tags.js'
import { type DecodedValue, MemoryFront } from './memory-front.js'
import { openHttpStore } from './open-http-store.js'
import type { OutgoingResponse } from './outgoing-response.js'
import { answerPurge } from './purge-endpoint.js'
import { normaliseTarget, type RequestTarget } from './request-target.js'
import { type HeaderRecord, headerValue } from './response-headers.js'
import { decodeStoredResponse, encodeStoredResponse, type StoredResponse } from './stored-response.js'
import { readVaryMarker, variantSuffix, varyMarker } from './vary.js'

/** What invalidate() removes: responses carrying any of `tags`, stored for `url`, or under the path `prefix`. */
export interface InvalidateTarget {
  tags?: readonly string[]
  url?: string
  prefix?: string
}

/** Where a request's responses live: the key of its URL and, once looked up, of its variant. */
export interface RequestKeys {
  target: RequestTarget
  /** The key for the URL: holds the response, or a vary marker when responses vary. */
  base: string
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE'])
/** Normalised targets remembered by request URL: a hot URL is parsed once, not on every hit. */
const MAX_REMEMBERED_TARGETS = 1024

/** A store value as ours: a vary marker's fields, a stored response, or undefined for anything else. */
function decodeValue(value: unknown): DecodedValue {
  return readVaryMarker(value) ?? decodeStoredResponse(value)
}

function sameRaw(a: Buffer | string, b: unknown): boolean {
  return typeof a === 'string' ? a === b : Buffer.isBuffer(b) && a.equals(b)
}

/**
 * The framework-neutral half of the middleware: keys, reads and writes of
 * stored responses, invalidation, and the table of requests in flight.
 * Every store call is guarded: a failing store turns into a miss, never into
 * a failed request.
 */
export class HttpCacheEngine {
  readonly store: Cache | FanoutCache
  /** Promises of the requests now forwarded to the handler, by entry key (in-process collapsed forwarding). */
  readonly inflight = new Map<string, Promise<void>>()
  /** Decoded copies of hot entries; undefined when memorySize is 0. */
  readonly memory: MemoryFront | undefined
  private readonly ownsStore: boolean
  private readonly targets = new Map<string, RequestTarget>()

  constructor(readonly options: ResolvedHttpCacheOptions<never>) {
    this.ownsStore = options.cache === undefined
    this.store = options.cache ?? openHttpStore(options.directory, options.now, options.storeTimeout)
    this.memory = options.memorySize > 0 ? new MemoryFront(options.memorySize) : undefined
  }

  now(): number {
    return this.options.now()
  }

  keysFor(request: CacheRequest): RequestKeys {
    let target = this.targets.get(request.url)
    if (target === undefined) {
      target = normaliseTarget(request.url, this.options)
      if (this.targets.size >= MAX_REMEMBERED_TARGETS) this.targets.clear()
      this.targets.set(request.url, target)
    }
    const urlKey = createCacheKey(request, target, this.options.keyHeaders, this.options.key)
    return { target, base: `${this.options.namespace}|GET|${urlKey}` }
  }

  /** The stored response for the request, and the key it lives under (the variant's when responses vary). */
  lookup(request: CacheRequest, keys: RequestKeys): { key: string; entry: StoredResponse | undefined } {
    const value = this.guard(() => this.read(keys.base))
    if (!Array.isArray(value)) return { key: keys.base, entry: value as StoredResponse | undefined }
    const key = `${keys.base}\n\n${variantSuffix(value, (name) => request.header(name))}`
    const entry = this.guard(() => this.read(key))
    return { key, entry: Array.isArray(entry) ? undefined : (entry as StoredResponse | undefined) }
  }

  /**
   * The decoded value under `key`. With the memory front, a copy in memory is
   * used only while the store's dataVersion (two statements that read no
   * table) says nothing has changed since it was checked, so a write, invalidation
   * or purge by any process is seen by the next request. After a change, the
   * entry is read again; when its bytes are still the same, the decoded copy
   * is kept, so only a changed entry is decoded anew.
   */
  private read(key: string): DecodedValue {
    const memory = this.memory
    if (memory === undefined) return decodeValue(this.store.get(key))
    // Read before the entry: a change landing between the two moves the version again, so the copy is checked next time.
    const version = this.store instanceof FanoutCache ? this.store.dataVersion(key) : this.store.dataVersion()
    const record = memory.get(key)
    if (record !== undefined && record.version === version && (record.expiresAt === null || record.expiresAt > this.now())) return record.decoded
    const found = this.store.getWithMeta(key)
    if (found === undefined) {
      memory.delete(key)
      return undefined
    }
    if (record !== undefined && record.expiresAt === found.expiresAt && sameRaw(record.raw, found.value)) {
      record.version = version
      return record.decoded
    }
    const decoded = decodeValue(found.value)
    const raw = found.value
    if (decoded === undefined || !(typeof raw === 'string' || Buffer.isBuffer(raw))) memory.delete(key)
    else memory.set(key, { raw, decoded, expiresAt: found.expiresAt, version, size: MemoryFront.sizeOf(raw) })
    return decoded
  }

  /** Stores a response under its variant key (writing the vary marker when it varies); returns the key. */
  write(request: CacheRequest, keys: RequestKeys, response: StoredResponse, vary: readonly string[], retention: number): string | undefined {
    const headers: HeaderRecord = { ...response.headers }
    // The Date a hit repeats is when the response was made, so Age and Date agree.
    if (headers['date'] === undefined) headers['date'] = formatHttpDate(response.responseTime)
    const tags = [...new Set([...response.tags, targetTag(this.options.namespace, keys.target), ...prefixTags(this.options.namespace, keys.target.path)])]
    const ttl = Math.max(1, Math.ceil(retention))
    // Once a URL's responses vary, they keep varying on those fields too: a response that forgot its
    // Vary (a plain body beside a gzip one) must not take the place of the marker and reach every client.
    const current = readVaryMarker(this.guard(() => this.store.get(keys.base)))
    // Our own writes are seen through dataVersion too; dropping the copies at once just saves the comparison.
    this.memory?.delete(keys.base)
    if (current) vary = [...new Set([...vary, ...current])].sort()
    const key = vary.length === 0 ? keys.base : `${keys.base}\n\n${variantSuffix(vary, (name) => request.header(name))}`
    this.memory?.delete(key)
    const stored = this.guard(() => {
      this.store.set(key, encodeStoredResponse({ ...response, headers, tags }), { ttl, tags })
      // Variant first, marker second: a reader that sees the marker finds the variant (or a plain miss).
      if (vary.length > 0) this.store.set(keys.base, varyMarker(vary), { ttl, tags })
      return true
    })
    return stored ? key : undefined
  }

  /** Replaces a stored response in place (after a 304 refreshed it). */
  rewrite(key: string, response: StoredResponse, retention: number): void {
    this.memory?.delete(key)
    this.guard(() => this.store.set(key, encodeStoredResponse(response), { ttl: Math.max(1, Math.ceil(retention)), tags: response.tags }))
  }

  /** Removes what `target` names; returns how many entries went. */
  invalidate(target: InvalidateTarget): number {
    checkOptionNames('invalidate option', target, ['tags', 'url', 'prefix'])
    const { tags = [], url, prefix } = target
    if (!Array.isArray(tags) || tags.some((tag) => typeof tag !== 'string')) {
      throw new InvalidOptionError(`invalidate "tags" must be an array of strings, like ['products']`)
    }
    if (url !== undefined && typeof url !== 'string') throw new InvalidOptionError(`invalidate "url" must be a string, like '/products/1'`)
    if (prefix !== undefined && (typeof prefix !== 'string' || !prefix.startsWith('/'))) {
      throw new InvalidOptionError(`invalidate "prefix" must be a path starting with '/', like '/products/'`)
    }
    const evicting = [...tags]
    if (url !== undefined) evicting.push(targetTag(this.options.namespace, normaliseTarget(url, this.options)))
    if (prefix !== undefined) evicting.push(prefixTag(this.options.namespace, prefix))
    let removed = 0
    for (const tag of new Set(evicting)) removed += this.store.evict(tag)
    return removed
  }

  /** The answer of the purge endpoint when it is on and the request is for it; undefined otherwise. */
  purgeResponse(request: CacheRequest): OutgoingResponse | undefined {
    const purge = this.options.purge
    if (purge === undefined) return undefined
    return answerPurge(request, purge, (target) => this.invalidate(target), this.options.statusHeader, this.options.onError)
  }

  /**
   * RFC 9111 §4.4: a non-error response to an unsafe method invalidates the
   * target URL, and the Location and Content-Location URLs on the same host.
   */
  invalidateAfterUnsafe(request: CacheRequest, status: number, headers: HeaderRecord): void {
    if (SAFE_METHODS.has(request.method) || status < 200 || status >= 400) return
    const base = `${request.scheme}://${request.host || 'localhost'}`
    const urls = [request.url]
    for (const field of ['location', 'content-location']) {
      const value = headerValue(headers, field)
      if (value === undefined) continue
      try {
        const resolved = new URL(value, base + request.url)
        if (resolved.host === new URL(base).host) urls.push(resolved.pathname + resolved.search)
      } catch {
        // An unparseable Location names nothing we stored.
      }
    }
    this.guard(() => {
      for (const url of urls) this.store.evict(targetTag(this.options.namespace, normaliseTarget(url, this.options)))
      return true
    })
  }

  /** Runs a store operation; a failure is reported to onError and read as "nothing". */
  guard<T>(operation: () => T): T | undefined {
    try {
      return operation()
    } catch (error) {
      this.options.onError(error)
      return undefined
    }
  }

  close(): void {
    if (this.ownsStore && !this.store.closed) this.store.close()
  }
}
