import type { CacheRequest } from './cache-request.js'
import { formatTarget, type RequestTarget } from './request-target.js'

/**
 * Request headers that proxies and frameworks use to rewrite the host,
 * scheme, path or method an app sees. They are keyed when present: a request
 * carrying `X-Forwarded-Host: evil.example` gets its own entry, so what it
 * made the app render is never served to anyone who did not send the same.
 */
export const DEFAULT_KEY_HEADERS: readonly string[] = [
  'forwarded',
  'x-forwarded-host',
  'x-forwarded-proto',
  'x-forwarded-port',
  'x-forwarded-prefix',
  'x-forwarded-scheme',
  'x-host',
  'x-original-host',
  'x-original-url',
  'x-rewrite-url',
  'x-http-method-override',
  'x-http-method',
  'x-method-override',
]

/**
 * The key of everything stored for one URL, without method or variant:
 * scheme, host, normalised path and query (or what `customKey` returns
 * instead), then every keyed header the request carries.
 */
export function createCacheKey(
  request: CacheRequest,
  target: RequestTarget,
  keyHeaders: readonly string[],
  customKey?: (request: CacheRequest) => string,
): string {
  let key = customKey ? `custom:${customKey(request)}` : `${request.scheme}://${request.host}${formatTarget(target)}`
  for (const name of keyHeaders) {
    const value = request.header(name)
    if (value !== undefined) key += `\n${name}: ${value}`
  }
  return key
}
