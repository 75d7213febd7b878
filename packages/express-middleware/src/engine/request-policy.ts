import { deltaSeconds, parseCacheControl } from './cache-control.js'
import { currentAge } from './freshness.js'
import type { StoredResponse } from './stored-response.js'

/** The request's Cache-Control (RFC 9111 §5.2.1), durations in ms. */
export interface RequestDirectives {
  noCache: boolean
  noStore: boolean
  maxAge?: number
  /** Infinity for a bare `max-stale`. */
  maxStale?: number
  minFresh?: number
  onlyIfCached: boolean
}

const NONE: RequestDirectives = { noCache: false, noStore: false, onlyIfCached: false }

/** Reads the request's directives; Pragma: no-cache counts only without Cache-Control (§5.4). */
export function requestDirectives(header: (name: string) => string | undefined): RequestDirectives {
  const cacheControl = header('cache-control')
  if (cacheControl === undefined) {
    return parseCacheControl(header('pragma')).has('no-cache') ? { ...NONE, noCache: true } : NONE
  }
  const directives = parseCacheControl(cacheControl)
  const maxStale = directives.get('max-stale')
  return {
    noCache: directives.has('no-cache'),
    noStore: directives.has('no-store'),
    maxAge: deltaSeconds(directives, 'max-age'),
    maxStale: maxStale === undefined ? undefined : maxStale === true ? Infinity : deltaSeconds(directives, 'max-stale'),
    minFresh: deltaSeconds(directives, 'min-fresh'),
    onlyIfCached: directives.has('only-if-cached'),
  }
}

export type LookupPlan =
  /** Serve the stored response; `revalidate`: also refresh it in the background (stale-while-revalidate). */
  | { action: 'serve'; status: 'HIT' | 'STALE'; age: number; revalidate: boolean }
  /** Ask the origin; with a stored response, conditionally when it has validators. */
  | { action: 'forward' }
  /** only-if-cached and nothing suitable stored: 504 (§5.2.1.7). */
  | { action: 'gateway-timeout' }

/** What to do with a request given the stored response for it (RFC 9111 §4, §4.2.4 and RFC 5861). */
export function planLookup(entry: StoredResponse | undefined, directives: RequestDirectives, now: number): LookupPlan {
  if (!entry) return directives.onlyIfCached ? { action: 'gateway-timeout' } : { action: 'forward' }
  const age = currentAge(entry, now)
  const remaining = entry.lifetime - age
  const youngEnough = directives.maxAge === undefined || age <= directives.maxAge
  if (remaining > 0 && !directives.noCache && youngEnough && (directives.minFresh === undefined || remaining >= directives.minFresh)) {
    return { action: 'serve', status: 'HIT', age, revalidate: false }
  }
  const staleness = -remaining
  if (remaining <= 0 && !directives.noCache && !entry.mustRevalidate) {
    // The client accepts this much staleness, and the response does not forbid it (s-maxage implies proxy-revalidate).
    if (directives.maxStale !== undefined && !entry.sharedMaxAge && staleness <= directives.maxStale) {
      return { action: 'serve', status: 'STALE', age, revalidate: false }
    }
    if (staleness < entry.staleWhileRevalidate && youngEnough) return { action: 'serve', status: 'STALE', age, revalidate: true }
  }
  return directives.onlyIfCached ? { action: 'gateway-timeout' } : { action: 'forward' }
}

/** Whether `entry` may stand in for an origin error or 5xx now (RFC 5861 §4). */
export function canServeOnError(entry: StoredResponse, now: number): boolean {
  if (entry.mustRevalidate) return false
  return currentAge(entry, now) - entry.lifetime <= entry.staleIfError
}
