import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Cache, FanoutCache } from '@diskcache/core'
import { CacheExchange, type ExchangeSettings, type RevalidationTicket, type Step } from '../engine/cache-exchange.js'
import { joinRoute, settingsFor } from '../engine/exchange-settings.js'
import { HttpCacheEngine, type InvalidateTarget } from '../engine/http-cache-engine.js'
import { type HttpCacheOptions, resolveHttpCacheOptions, resolveRouteOptions, type RouteOptions } from '../engine/http-cache-options.js'
import { captureResponse } from './capture-response.js'
import { type ExpressRequestLike, toCacheRequest } from './express-request.js'
import { revalidateInBackground } from './revalidate-in-background.js'
import { sendOutgoing } from './send-outgoing.js'

export type ExpressHandler<Req> = (req: Req, res: ServerResponse, next: (error?: unknown) => void) => void

/** The middleware, with the controls that share its store. */
export interface DiskCacheMiddleware<Req extends IncomingMessage = ExpressRequestLike> extends ExpressHandler<Req> {
  /** The same cache for one route, with its own ttl, tags or bypass. */
  route(options: RouteOptions<Req>): ExpressHandler<Req>
  /** Removes stored responses by tag, URL or path prefix; returns how many entries went. */
  invalidate(target: InvalidateTarget): number
  /** The store the responses live in. */
  readonly cache: Cache | FanoutCache
  /** Closes the store if the middleware opened it (from `directory`). */
  close(): void
}

/**
 * HTTP response caching for Express 4 and 5 (and plain node:http handlers
 * with the same signature), as a shared cache by RFC 9111, stored on disk.
 */
export function diskCacheMiddleware<Req extends IncomingMessage = ExpressRequestLike>(options?: HttpCacheOptions<Req>): DiskCacheMiddleware<Req> {
  const resolved = resolveHttpCacheOptions<Req>(options)
  const engine = new HttpCacheEngine(resolved as never)
  const tickets = new WeakMap<IncomingMessage, RevalidationTicket>()
  const handling = new WeakMap<IncomingMessage, ExchangeSettings>()

  function handle(req: Req, res: ServerResponse, next: (error?: unknown) => void, route: RouteOptions<Req> | undefined): void {
    const outer = handling.get(req)
    if (outer) {
      if (route) joinRoute(outer, route, req)
      next()
      return
    }
    const request = toCacheRequest(req)
    const purged = engine.purgeResponse(request)
    if (purged) {
      sendOutgoing(res, purged)
      return
    }
    let settings: ExchangeSettings
    try {
      settings = settingsFor(resolved, route, req)
    } catch (error) {
      next(error)
      return
    }
    const exchange = new CacheExchange(engine, request, settings, tickets.get(req))
    const failed = (error: unknown) => {
      resolved.onError(error)
      handling.set(req, settings)
      next()
    }
    let step: Step | Promise<Step>
    try {
      step = exchange.start()
    } catch (error) {
      failed(error)
      return
    }
    // A hit is answered in this same turn; only a wait (collapsed forwarding, the lock) goes through a promise.
    if (step instanceof Promise) step.then((ready) => run(ready, req, res, next, exchange, settings), failed)
    else run(step, req, res, next, exchange, settings)
  }

  function run(step: Step, req: Req, res: ServerResponse, next: (error?: unknown) => void, exchange: CacheExchange, settings: ExchangeSettings): void {
    if (step.kind === 'serve') {
      sendOutgoing(res, step.response)
      if (step.revalidate) revalidateInBackground(req as ExpressRequestLike, step.revalidate, tickets)
      return
    }
    if (step.kind === 'forward') {
      for (const name of step.removeHeaders) delete req.headers[name]
      Object.assign(req.headers, step.setHeaders)
    }
    // Only a request that goes on down the chain can meet a route() of this middleware there.
    handling.set(req, settings)
    captureResponse(res, exchange)
    next()
  }

  const middleware = function diskCache(req: Req, res: ServerResponse, next: (error?: unknown) => void): void {
    handle(req, res, next, undefined)
  } as DiskCacheMiddleware<Req>
  middleware.route = (routeOptions) => {
    const route = resolveRouteOptions(routeOptions)
    return function diskCacheRoute(req, res, next) {
      handle(req, res, next, route)
    }
  }
  middleware.invalidate = (target) => engine.invalidate(target)
  Object.defineProperty(middleware, 'cache', { get: () => engine.store, enumerable: true })
  middleware.close = () => engine.close()
  return middleware
}
