import { Lock } from '@diskcache/core'
import type { CacheRequest } from './cache-request.js'
import { type ClientConditions, CONDITIONAL_FIELDS, isNotModified, validatorsOf } from './conditional-request.js'
import { currentAge } from './freshness.js'
import { formatHttpDate } from './http-date.js'
import type { HttpCacheEngine, RequestKeys } from './http-cache-engine.js'
import { parseTagHeader } from './invalidation-tags.js'
import { type ClientView, markResponse, type OutgoingResponse, responseFromStore } from './outgoing-response.js'
import { canServeOnError, planLookup, requestDirectives, type RequestDirectives } from './request-policy.js'
import { headersToStore, type HeaderRecord, headerValue, mergeNotModified, notModifiedHeaders } from './response-headers.js'
import { planStore, type StorePlan } from './response-policy.js'
import type { StoredResponse } from './stored-response.js'

/** Per-request settings the binding resolved from the options and the route: */
export interface ExchangeSettings {
  /** Neither read nor store; set later (by a route) it only stops the store. */
  bypass: boolean
  tags: readonly string[]
  /** Route ttl, overriding the middleware's. */
  ttl: number | undefined
}

/** A stale response being refreshed in the background; settle() ends its slot in the in-flight table. */
export interface RevalidationTicket {
  key: string
  keys: RequestKeys
  entry: StoredResponse
  settle(): void
}

export type Step =
  /** Run the handler; report its response to onHead (which marks it BYPASS). */
  | { kind: 'bypass' }
  /** Send this response; if `revalidate` is set, also run the request again in the background with it. */
  | { kind: 'serve'; response: OutgoingResponse; revalidate: RevalidationTicket | undefined }
  /** Run the handler with these request header changes, then report to onHead/onBody/onAbort. */
  | { kind: 'forward'; removeHeaders: readonly string[]; setHeaders: Readonly<Record<string, string>> }

export type HeadDecision =
  /** Send the handler's response with these status and headers; `capture`: also hand its body to onBody, up to that many bytes. */
  | { kind: 'send'; status: number; headers: HeaderRecord; dropBody: boolean; capture: number | false }
  /** Ignore the handler's response and send this one. */
  | { kind: 'replace'; response: OutgoingResponse }

const NO_DIRECTIVES: RequestDirectives = { noCache: false, noStore: false, onlyIfCached: false }
const LOCK_TTL = 30_000

/**
 * One request through the cache. The binding calls start(), acts on the
 * step, and, when the handler runs, reports its response head (onHead), its
 * whole body (onBody) or that it never finished (onAbort).
 */
export class CacheExchange {
  private readonly directives: RequestDirectives
  private readonly client: ClientView
  private keys: RequestKeys | undefined
  private key = ''
  private entry: StoredResponse | undefined
  private revalidating = false
  private requestTime = 0
  private plan: StorePlan | undefined
  private storedHeaders: HeaderRecord | undefined
  private responseTags: string[] = []
  private release: (() => void) | undefined
  private mode: 'bypass' | 'forward' = 'bypass'

  constructor(
    private readonly engine: HttpCacheEngine,
    private readonly request: CacheRequest,
    private readonly settings: ExchangeSettings,
    private readonly ticket?: RevalidationTicket,
  ) {
    const { options } = engine
    this.directives = options.requestCacheControl ? requestDirectives((name) => request.header(name)) : NO_DIRECTIVES
    const conditions: ClientConditions = {}
    const ifNoneMatch = request.header('if-none-match')
    const ifModifiedSince = request.header('if-modified-since')
    if (ifNoneMatch !== undefined) conditions.ifNoneMatch = ifNoneMatch
    if (ifModifiedSince !== undefined) conditions.ifModifiedSince = ifModifiedSince
    this.client = { method: request.method, conditions, statusHeader: options.statusHeader }
  }

  /**
   * The first step: synchronous when the cache answers (a hit costs no
   * promise), a promise when the request has to wait for another one or for
   * the cross-process lock.
   */
  start(): Step | Promise<Step> {
    const { method } = this.request
    if (this.settings.bypass || (method !== 'GET' && method !== 'HEAD')) return { kind: 'bypass' }
    this.keys = this.ticket?.keys ?? this.engine.keysFor(this.request)
    if (this.ticket) {
      this.key = this.ticket.key
      this.entry = this.ticket.entry
      this.release = this.ticket.settle
      return this.forward()
    }
    return this.lookUp() ?? this.afterMiss()
  }

  private async afterMiss(): Promise<Step> {
    if (this.request.method === 'GET' && this.engine.options.collapse !== 'none') {
      const running = this.engine.inflight.get(this.key)
      if (running) {
        // Another request for this key is at the handler: wait for it, then look again, once.
        await running
        const second = this.lookUp()
        if (second) return second
      } else {
        this.lead()
        if (this.engine.options.collapse === 'host') {
          const found = await this.lockAcrossProcesses()
          if (found) return found
        }
      }
    }
    return this.forward()
  }

  /** A step that needs no handler (a hit, a stale serve, a 504), or undefined when the handler must run. */
  private lookUp(): Step | undefined {
    const found = this.engine.lookup(this.request, this.keys!)
    this.key = found.key
    this.entry = found.entry
    // §3.5: a response stored without permission to answer an authorized request must not answer one.
    if (this.entry && this.request.header('authorization') !== undefined && !this.entry.allowsAuthorization) this.entry = undefined
    const plan = planLookup(this.entry, this.directives, this.engine.now())
    if (plan.action === 'gateway-timeout') {
      return { kind: 'serve', response: { status: 504, headers: markResponse({ 'content-length': '0' }, 'MISS', 0, this.client.statusHeader), body: undefined }, revalidate: undefined }
    }
    if (plan.action === 'forward') return undefined
    return { kind: 'serve', response: responseFromStore(this.entry!, plan.status, plan.age, this.client), revalidate: plan.revalidate && this.request.method === 'GET' ? this.ticketFor(this.key, this.entry!) : undefined }
  }

  private ticketFor(key: string, entry: StoredResponse): RevalidationTicket | undefined {
    if (this.engine.inflight.has(key)) return undefined
    let settle!: () => void
    const done = new Promise<void>((resolve) => (settle = resolve))
    this.engine.inflight.set(key, done)
    // A background refresh whose handler never answers must not block later ones for ever.
    const timer = setTimeout(() => finish(), LOCK_TTL)
    timer.unref()
    const finish = () => {
      clearTimeout(timer)
      if (this.engine.inflight.get(key) === done) this.engine.inflight.delete(key)
      settle()
    }
    return { key, keys: this.keys!, entry, settle: finish }
  }

  private lead(): void {
    let settle!: () => void
    const done = new Promise<void>((resolve) => (settle = resolve))
    this.engine.inflight.set(this.key, done)
    const key = this.key
    this.release = () => {
      if (this.engine.inflight.get(key) === done) this.engine.inflight.delete(key)
      settle()
    }
  }

  private async lockAcrossProcesses(): Promise<Step | undefined> {
    const { namespace, collapseTimeout } = this.engine.options
    const lock = new Lock(this.engine.store, `${namespace}|lock|${this.key}`, { ttl: LOCK_TTL, pollInterval: 20 })
    try {
      await lock.acquire({ timeout: collapseTimeout })
    } catch {
      return undefined // waited long enough: go to the handler ourselves
    }
    const releaseProcess = this.release
    this.release = () => {
      this.engine.guard(() => (lock.isHeld() ? lock.release() : undefined))
      releaseProcess?.()
    }
    // Another process may have stored the response while we waited for the lock.
    const found = this.lookUp()
    if (found) this.finish()
    return found
  }

  private forward(): Step {
    this.mode = 'forward'
    this.requestTime = this.engine.now()
    if (this.request.method !== 'GET') return { kind: 'forward', removeHeaders: [], setHeaders: {} }
    // The handler answers unconditionally (so the answer can be stored), or to our own validators.
    const validators = this.entry ? validatorsOf(this.entry.headers) : undefined
    this.revalidating = validators !== undefined
    return { kind: 'forward', removeHeaders: CONDITIONAL_FIELDS, setHeaders: validators ?? {} }
  }

  onHead(status: number, rawHeaders: HeaderRecord): HeadDecision {
    const { options } = this.engine
    const headers: HeaderRecord = {}
    for (const [name, value] of Object.entries(rawHeaders)) {
      const lower = name.toLowerCase()
      if (options.tagHeaders.includes(lower)) this.responseTags.push(...parseTagHeader(headerValue(rawHeaders, name)))
      else headers[lower] = value
    }
    if (this.mode === 'bypass') {
      this.engine.invalidateAfterUnsafe(this.request, status, headers)
      return { kind: 'send', status, headers: markResponse(headers, 'BYPASS', 0, options.statusHeader), dropBody: false, capture: false }
    }
    const now = this.engine.now()
    if (this.entry && this.revalidating && status === 304) return this.refreshed(headers, now)
    if (this.entry && status >= 500 && canServeOnError(this.entry, now)) {
      this.finish()
      return { kind: 'replace', response: responseFromStore(this.entry, 'STALE', currentAge(this.entry, now), this.client) }
    }
    this.plan = this.storePlan(status, headers, now)
    const declared = Number(headerValue(headers, 'content-length'))
    const capture = this.plan.storable && this.request.method === 'GET' && !(declared > options.maxBodySize) ? options.maxBodySize : false
    if (capture === false) this.finish()
    else this.storedHeaders = headersToStore(headers, new Set(options.setCookie === 'strip' ? ['set-cookie'] : []))
    if (isNotModified(this.client.conditions, status, headers)) {
      return { kind: 'send', status: 304, headers: markResponse(notModifiedHeaders(headers), 'MISS', 0, options.statusHeader), dropBody: true, capture }
    }
    return { kind: 'send', status, headers: markResponse(headers, 'MISS', 0, options.statusHeader), dropBody: false, capture }
  }

  private storePlan(status: number, headers: HeaderRecord, now: number): StorePlan {
    const { options } = this.engine
    return planStore(
      status,
      headers,
      {
        method: this.request.method,
        hasAuthorization: this.request.header('authorization') !== undefined,
        requestForbids: this.directives.noStore || this.settings.bypass,
        setCookie: options.setCookie,
        defaults: { ttl: this.settings.ttl ?? options.ttl, heuristic: options.heuristic },
        keepStale: options.keepStale,
      },
      this.requestTime,
      now,
    )
  }

  /** A 304 to our validators: the stored response, with its headers and freshness renewed (RFC 9111 §4.3.4). */
  private refreshed(update: HeaderRecord, now: number): HeadDecision {
    const entry = this.entry!
    const headers = mergeNotModified(entry.headers, headersToStore(update, new Set(['set-cookie'])))
    // Validated now: without a Date of its own the 304 would leave the old one, and the old age with it.
    if (update['date'] === undefined) headers['date'] = formatHttpDate(now)
    const plan = this.storePlan(entry.status, headers, now)
    let served = entry
    if (plan.storable) {
      served = { ...entry, ...plan.meta, headers, body: entry.body }
      this.engine.rewrite(this.key, served, plan.retention)
    }
    this.finish()
    return { kind: 'replace', response: responseFromStore(served, 'HIT', currentAge(served, now), this.client) }
  }

  /** The whole body of a response onHead asked to capture. */
  onBody(body: Buffer): void {
    const plan = this.plan
    if (plan?.storable && this.storedHeaders && body.length <= this.engine.options.maxBodySize) {
      const tags = [...this.settings.tags, ...this.responseTags]
      const response: StoredResponse = { ...plan.meta, headers: this.storedHeaders, tags, body }
      this.engine.write(this.request, this.keys!, response, plan.vary, plan.retention)
    }
    this.finish()
  }

  /** The handler's response ended without a complete body (client gone, body too large, error). */
  onAbort(): void {
    this.finish()
  }

  private finish(): void {
    const release = this.release
    this.release = undefined
    release?.()
  }
}
