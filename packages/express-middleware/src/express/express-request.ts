import type { IncomingMessage } from 'node:http'
import type { TLSSocket } from 'node:tls'
import type { CacheRequest } from '../engine/cache-request.js'

/** What the middleware reads from an Express request beyond node's IncomingMessage. */
export interface ExpressRequestLike extends IncomingMessage {
  originalUrl?: string
  app?: { handle?: unknown; path?: () => string }
}

/** The engine's view of an Express (or plain node:http) request. */
export function toCacheRequest(req: ExpressRequestLike): CacheRequest {
  return {
    method: (req.method ?? 'GET').toUpperCase(),
    // The connection's own scheme: X-Forwarded-Proto is a keyed header, never trusted for the key.
    scheme: (req.socket as TLSSocket | undefined)?.encrypted ? 'https' : 'http',
    host: (req.headers.host ?? '').toLowerCase(),
    url: req.originalUrl ?? req.url ?? '/',
    header(name) {
      const value = req.headers[name]
      return Array.isArray(value) ? value.join(', ') : value
    },
  }
}
