import type { Context } from 'hono'
import type { CacheRequest } from '../engine/cache-request.js'

/** The engine's view of a Hono request. */
export function toCacheRequest(c: Context): CacheRequest {
  const raw = c.req.raw
  const url = new URL(raw.url)
  return {
    method: raw.method.toUpperCase(),
    // On Node, @hono/node-server builds the URL from the socket's encryption and the Host header.
    scheme: url.protocol === 'https:' ? 'https' : 'http',
    host: (raw.headers.get('host') ?? url.host).toLowerCase(),
    url: url.pathname + url.search,
    header: (name) => raw.headers.get(name) ?? undefined,
  }
}
