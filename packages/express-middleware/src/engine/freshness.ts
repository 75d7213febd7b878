import { type CacheControl, deltaSeconds } from './cache-control.js'
import { parseHttpDate } from './http-date.js'
import { type HeaderRecord, headerValue } from './response-headers.js'

// RFC 9110 §15.1: statuses a cache may give a heuristic lifetime (206 left out: we never store partial content).
export const HEURISTICALLY_CACHEABLE = new Set([200, 203, 204, 300, 301, 308, 404, 405, 410, 414, 501])

/** What decides, per response, how long it may be served without asking the origin. */
export interface FreshnessDefaults {
  /** Lifetime in ms for responses that state none (0: they are not stored). */
  ttl: number
  /** Fraction of (Date - Last-Modified) used as lifetime when no `ttl` applies (0: off). */
  heuristic: number
}

/**
 * The freshness lifetime in ms (RFC 9111 §4.2.1, as a shared cache):
 * s-maxage, then max-age, then Expires - Date, then the configured default
 * or heuristic. `explicit` tells whether the response chose it.
 */
export function freshnessLifetime(
  status: number,
  headers: HeaderRecord,
  directives: CacheControl,
  responseTime: number,
  defaults: FreshnessDefaults,
): { lifetime: number; explicit: boolean } {
  const shared = deltaSeconds(directives, 's-maxage')
  if (shared !== undefined) return { lifetime: shared, explicit: true }
  const maxAge = deltaSeconds(directives, 'max-age')
  if (maxAge !== undefined) return { lifetime: maxAge, explicit: true }
  const expiresField = headerValue(headers, 'expires')
  if (expiresField !== undefined) {
    // An invalid Expires (such as "0") means already expired (§5.3).
    const expires = parseHttpDate(expiresField)
    const date = parseHttpDate(headerValue(headers, 'date')) ?? responseTime
    return { lifetime: expires === undefined ? 0 : Math.max(0, expires - date), explicit: true }
  }
  if (!HEURISTICALLY_CACHEABLE.has(status) && !directives.has('public')) return { lifetime: 0, explicit: false }
  if (defaults.ttl > 0) return { lifetime: defaults.ttl, explicit: false }
  const lastModified = parseHttpDate(headerValue(headers, 'last-modified'))
  if (defaults.heuristic > 0 && lastModified !== undefined) {
    const date = parseHttpDate(headerValue(headers, 'date')) ?? responseTime
    return { lifetime: Math.max(0, Math.floor((date - lastModified) * defaults.heuristic)), explicit: false }
  }
  return { lifetime: 0, explicit: false }
}

/**
 * corrected_initial_age of RFC 9111 §4.2.3, in ms: how old the response
 * already was when we received it (the origin's Age plus the time the
 * origin took, or the gap between its Date and our clock).
 */
export function initialAge(headers: HeaderRecord, requestTime: number, responseTime: number): number {
  const date = parseHttpDate(headerValue(headers, 'date')) ?? responseTime
  const apparentAge = Math.max(0, responseTime - date)
  const ageField = headerValue(headers, 'age')
  const ageValue = ageField !== undefined && /^\d+$/.test(ageField.trim()) ? Number(ageField.trim()) * 1000 : 0
  return Math.max(apparentAge, ageValue + (responseTime - requestTime))
}

/** current_age of §4.2.3 in ms: the initial age plus the time spent in this cache. */
export function currentAge(timing: { initialAge: number; responseTime: number }, now: number): number {
  return timing.initialAge + Math.max(0, now - timing.responseTime)
}

/** The Age header value: whole seconds (§5.1). */
export function ageHeader(ageMs: number): string {
  return String(Math.floor(ageMs / 1000))
}
