import { type CacheControl, deltaSeconds, parseCacheControl } from './cache-control.js'
import { type FreshnessDefaults, freshnessLifetime, initialAge } from './freshness.js'
import { type HeaderRecord, headerValue } from './response-headers.js'
import type { StoredMeta } from './stored-response.js'
import { varyFields } from './vary.js'

/** What a response's storability depends on besides the response itself. */
export interface StoreConditions {
  method: string
  hasAuthorization: boolean
  /** The request said no-store, or a bypass rule said not to store. */
  requestForbids: boolean
  /** 'skip': never store a response that sets a cookie; 'strip': store it without Set-Cookie. */
  setCookie: 'skip' | 'strip'
  defaults: FreshnessDefaults
  /** How long past its freshness a response is kept, for revalidation and max-stale. */
  keepStale: number
}

/** The response's Cache-Control; Pragma: no-cache counts when there is none (RFC 9111 §5.4). */
export function responseDirectives(headers: HeaderRecord): CacheControl {
  const cacheControl = headerValue(headers, 'cache-control')
  if (cacheControl !== undefined) return parseCacheControl(cacheControl)
  return parseCacheControl(headerValue(headers, 'pragma')).has('no-cache') ? new Map([['no-cache', true]]) : parseCacheControl(undefined)
}

export type StorePlan =
  | { storable: false; reason: string }
  | { storable: true; meta: Omit<StoredMeta, 'headers' | 'tags'>; retention: number; vary: string[] }

/**
 * Whether a shared cache may store this response (RFC 9111 §3 and §3.5), and
 * if so its freshness and how long the entry is worth keeping.
 */
export function planStore(
  status: number,
  headers: HeaderRecord,
  conditions: StoreConditions,
  requestTime: number,
  responseTime: number,
): StorePlan {
  const refuse = (reason: string): StorePlan => ({ storable: false, reason })
  if (conditions.method !== 'GET') return refuse(`method ${conditions.method}`)
  if (conditions.requestForbids) return refuse('request no-store')
  if (status < 200 || status === 206 || status === 304) return refuse(`status ${status}`)
  const directives = responseDirectives(headers)
  // Qualified private="field" / no-cache="field" forms are treated as the bare ones: stricter, never wrong.
  for (const directive of ['no-store', 'private', 'no-cache']) {
    if (directives.has(directive)) return refuse(directive)
  }
  const mustRevalidate = directives.has('must-revalidate') || directives.has('proxy-revalidate')
  const sharedMaxAge = directives.has('s-maxage')
  const allowsAuthorization = directives.has('public') || sharedMaxAge || directives.has('must-revalidate')
  if (conditions.hasAuthorization && !allowsAuthorization) return refuse('authorization')
  if (headers['set-cookie'] !== undefined && conditions.setCookie === 'skip') return refuse('set-cookie')
  const vary = varyFields(headers)
  if (vary === '*') return refuse('vary *')
  const { lifetime } = freshnessLifetime(status, headers, directives, responseTime, conditions.defaults)
  const staleWhileRevalidate = mustRevalidate ? 0 : deltaSeconds(directives, 'stale-while-revalidate') ?? 0
  const staleIfError = mustRevalidate ? 0 : deltaSeconds(directives, 'stale-if-error') ?? 0
  const age = initialAge(headers, requestTime, responseTime)
  const retention = lifetime - age + Math.max(staleWhileRevalidate, staleIfError, conditions.keepStale)
  if (retention <= 0) return refuse('no freshness')
  return {
    storable: true,
    retention,
    vary,
    meta: {
      status,
      requestTime,
      responseTime,
      initialAge: age,
      lifetime,
      staleWhileRevalidate,
      staleIfError,
      mustRevalidate,
      sharedMaxAge,
      allowsAuthorization,
    },
  }
}
