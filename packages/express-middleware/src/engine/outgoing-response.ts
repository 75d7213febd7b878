import { type ClientConditions, isNotModified } from './conditional-request.js'
import { ageHeader } from './freshness.js'
import { type HeaderRecord, notModifiedHeaders } from './response-headers.js'
import type { StoredResponse } from './stored-response.js'

/** A complete response for the binding to send: no body for HEAD, 304 and 204. */
export interface OutgoingResponse {
  status: number
  headers: HeaderRecord
  body: Buffer | undefined
}

export type CacheStatus = 'HIT' | 'MISS' | 'STALE' | 'BYPASS'

/** What the client asked, that decides the shape of a response from the cache. */
export interface ClientView {
  method: string
  conditions: ClientConditions
  statusHeader: string | false
}

/** Adds the cache status and Age headers (Age only when the response has none). */
export function markResponse(headers: HeaderRecord, status: CacheStatus, ageMs: number, statusHeader: string | false): HeaderRecord {
  const marked: HeaderRecord = { ...headers }
  if (statusHeader) marked[statusHeader] = status
  if (status === 'HIT' || status === 'STALE' || marked['age'] === undefined) marked['age'] = ageHeader(ageMs)
  return marked
}

/** A stored response as this client gets it: a 304 when it already holds it, headers only for HEAD. */
export function responseFromStore(entry: StoredResponse, status: CacheStatus, ageMs: number, client: ClientView): OutgoingResponse {
  if (isNotModified(client.conditions, entry.status, entry.headers)) {
    return { status: 304, headers: markResponse(notModifiedHeaders(entry.headers), status, ageMs, client.statusHeader), body: undefined }
  }
  const headers = markResponse(entry.headers, status, ageMs, client.statusHeader)
  const hasBody = entry.status !== 204 && entry.status !== 304
  if (hasBody) headers['content-length'] = String(entry.body.length)
  return { status: entry.status, headers, body: client.method === 'HEAD' || !hasBody ? undefined : entry.body }
}
