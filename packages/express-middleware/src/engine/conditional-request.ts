import { parseHttpDate } from './http-date.js'
import { type HeaderRecord, headerValue } from './response-headers.js'

/** The request fields that make a GET conditional. */
export const CONDITIONAL_FIELDS = ['if-none-match', 'if-modified-since', 'if-match', 'if-unmodified-since', 'if-range'] as const

export interface ClientConditions {
  ifNoneMatch?: string
  ifModifiedSince?: string
}

function opaqueTag(tag: string): string {
  return tag.trim().replace(/^W\//, '')
}

/**
 * Whether a client that sent these conditions already holds this response
 * (RFC 9110 §13.1.2-13.1.3, §13.2.2): If-None-Match with the weak comparison,
 * else If-Modified-Since against Last-Modified. Only for 200 responses.
 */
export function isNotModified(conditions: ClientConditions, status: number, headers: HeaderRecord): boolean {
  if (status !== 200) return false
  if (conditions.ifNoneMatch !== undefined) {
    const etag = headerValue(headers, 'etag')
    if (conditions.ifNoneMatch.trim() === '*') return true
    if (etag === undefined) return false
    return conditions.ifNoneMatch.split(',').some((candidate) => opaqueTag(candidate) === opaqueTag(etag))
  }
  if (conditions.ifModifiedSince !== undefined) {
    const since = parseHttpDate(conditions.ifModifiedSince)
    const lastModified = parseHttpDate(headerValue(headers, 'last-modified'))
    return since !== undefined && lastModified !== undefined && lastModified <= since
  }
  return false
}

/** The validators to revalidate a stored response with, as request headers (RFC 9111 §4.3.1). */
export function validatorsOf(headers: HeaderRecord): Record<string, string> | undefined {
  const etag = headerValue(headers, 'etag')
  const lastModified = headerValue(headers, 'last-modified')
  if (etag === undefined && lastModified === undefined) return undefined
  const validators: Record<string, string> = {}
  if (etag !== undefined) validators['if-none-match'] = etag
  if (lastModified !== undefined) validators['if-modified-since'] = lastModified
  return validators
}
