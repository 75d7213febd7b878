import type { Cache, FanoutCache } from '@diskcache/core'
import type { Context, MiddlewareHandler, Next } from 'hono'
import { CacheExchange, type ExchangeSettings, type HeadDecision, type RevalidationTicket } from '../engine/cache-exchange.js'
import { joinRoute, settingsFor } from '../engine/exchange-settings.js'
import { HttpCacheEngine, type InvalidateTarget } from '../engine/http-cache-engine.js'
import { type HttpCacheOptions, resolveHttpCacheOptions, resolveRouteOptions, type RouteOptions } from '../engine/http-cache-options.js'
import { toCacheRequest } from './hono-request.js'
import { drainBody, tapBody, toHeaderRecord, toHeaders, toWebResponse } from './web-response.js'

/** The middleware, with the controls that share its store. */
export interface DiskCacheMiddleware extends MiddlewareHandler {
  /** The same cache for one route, with its own ttl, tags or bypass. */
  route(options: RouteOptions<Context>): MiddlewareHandler
  /** Removes stored responses by tag, URL or path prefix; returns how many entries went. */
  invalidate(target: InvalidateTarget): number
  /** The store the responses live in. */
  readonly cache: Cache | FanoutCache
  /** Closes the store if the middleware opened it (from `directory`). */
  close(): void
}

// Replaces the context's response outright: assigning over an existing one would merge its headers in.
function replaceResponse(c: Context, response: Response): void {
  c.res = undefined
  c.res = response
}

/** HTTP response caching for Hono on Node, as a shared cache by RFC 9111, stored on disk. */
export function diskCacheMiddleware(options?: HttpCacheOptions<Context>): DiskCacheMiddleware {
  const resolved = resolveHttpCacheOptions<Context>(options)
  const engine = new HttpCacheEngine(resolved as never)
  const handling = new WeakMap<Request, ExchangeSettings>()

  /** Runs the rest of the chain for `exchange` and hands the context the response the client gets. */
  async function forward(c: Context, next: Next, exchange: CacheExchange): Promise<void> {
    try {
      await next()
    } catch (error) {
      exchange.onAbort()
      throw error
    }
    const response = c.res
    const decision: HeadDecision = exchange.onHead(response.status, toHeaderRecord(response.headers))
    if (decision.kind === 'replace') {
      await response.body?.cancel().catch(() => undefined)
      replaceResponse(c, toWebResponse(decision.response))
      return
    }
    const headers = toHeaders(decision.headers)
    if (decision.dropBody || !response.body) {
      if (decision.capture !== false) void drainBody(response.body, exchange, decision.capture)
      else await response.body?.cancel().catch(() => undefined)
      replaceResponse(c, new Response(null, { status: decision.status, headers }))
      return
    }
    const body = decision.capture === false ? response.body : tapBody(response.body, exchange, decision.capture)
    replaceResponse(c, new Response(body, { status: decision.status, headers }))
  }

  /**
   * Stale-while-revalidate: the client has been answered with the stale
   * response; once the chain has finished with it, the rest of the chain
   * runs again for this context, and its response goes to the store only.
   */
  function revalidateInBackground(c: Context, next: Next, settings: ExchangeSettings, ticket: RevalidationTicket): void {
    setImmediate(() => {
      const exchange = new CacheExchange(engine, toCacheRequest(c), settings, ticket)
      Promise.resolve()
        .then(() => exchange.start())
        .then(async (step) => {
          if (step.kind !== 'forward') return ticket.settle()
          const headers = c.req.raw.headers
          for (const name of step.removeHeaders) headers.delete(name)
          for (const [name, value] of Object.entries(step.setHeaders)) headers.set(name, value)
          c.res = undefined
          c.finalized = false
          await next()
          const response = c.res
          const decision = exchange.onHead(response.status, toHeaderRecord(response.headers))
          if (decision.kind === 'send' && decision.capture !== false) await drainBody(response.body, exchange, decision.capture)
          else await response.body?.cancel().catch(() => undefined)
        })
        .catch((error: unknown) => {
          exchange.onAbort()
          resolved.onError(error)
        })
        .finally(() => ticket.settle())
    })
  }

  async function handle(c: Context, next: Next, route: RouteOptions<Context> | undefined): Promise<Response | void> {
    const outer = handling.get(c.req.raw)
    if (outer) {
      if (route) joinRoute(outer, route, c)
      return next()
    }
    const request = toCacheRequest(c)
    const purged = engine.purgeResponse(request)
    if (purged) return toWebResponse(purged)
    const settings = settingsFor(resolved, route, c)
    handling.set(c.req.raw, settings)
    const exchange = new CacheExchange(engine, request, settings)
    const started = exchange.start()
    const step = started instanceof Promise ? await started : started
    if (step.kind === 'serve') {
      if (step.revalidate) revalidateInBackground(c, next, settings, step.revalidate)
      return toWebResponse(step.response)
    }
    if (step.kind === 'forward') {
      const headers = c.req.raw.headers
      for (const name of step.removeHeaders) headers.delete(name)
      for (const [name, value] of Object.entries(step.setHeaders)) headers.set(name, value)
    }
    await forward(c, next, exchange)
  }

  const middleware = async function diskCache(c: Context, next: Next) {
    return handle(c, next, undefined)
  } as DiskCacheMiddleware
  middleware.route = (routeOptions) => {
    const route = resolveRouteOptions(routeOptions)
    return async function diskCacheRoute(c, next) {
      return handle(c, next, route)
    }
  }
  middleware.invalidate = (target) => engine.invalidate(target)
  Object.defineProperty(middleware, 'cache', { get: () => engine.store, enumerable: true })
  middleware.close = () => engine.close()
  return middleware
}
