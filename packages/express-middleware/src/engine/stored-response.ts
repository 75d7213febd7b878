import type { HeaderRecord } from './response-headers.js'

/** A response as the cache keeps it, with what freshness needs (times in epoch ms, durations in ms). */
export interface StoredResponse {
  status: number
  headers: HeaderRecord
  /** When the request that produced it was forwarded, and when the response came back. */
  requestTime: number
  responseTime: number
  /** RFC 9111 corrected_initial_age. */
  initialAge: number
  /** Freshness lifetime. */
  lifetime: number
  /** stale-while-revalidate and stale-if-error windows granted by the response (0 when absent or forbidden). */
  staleWhileRevalidate: number
  staleIfError: number
  /** must-revalidate or proxy-revalidate: never served stale. */
  mustRevalidate: boolean
  /** s-maxage implies proxy-revalidate for a shared cache: no client `max-stale` applies. */
  sharedMaxAge: boolean
  /** public, s-maxage or must-revalidate: may answer a request with Authorization (§3.5). */
  allowsAuthorization: boolean
  tags: string[]
  body: Buffer
}

export type StoredMeta = Omit<StoredResponse, 'body'>

const MARKER = 0x44 // 'D': tells our entries from anything else stored under the same key

// One Buffer per entry (marker, meta length, meta JSON, body): core stores bytes
// as they are, whatever serializer the cache uses, and a hit is one read.
export function encodeStoredResponse(response: StoredResponse): Buffer {
  const { body, ...meta } = response
  const json = Buffer.from(JSON.stringify(meta))
  const header = Buffer.alloc(5)
  header[0] = MARKER
  header.writeUInt32BE(json.length, 1)
  return Buffer.concat([header, json, body])
}

/** The stored response, or undefined for a value that is not one of ours. */
export function decodeStoredResponse(value: unknown): StoredResponse | undefined {
  if (!Buffer.isBuffer(value) || value.length < 5 || value[0] !== MARKER) return undefined
  const length = value.readUInt32BE(1)
  if (5 + length > value.length) return undefined
  try {
    const meta = JSON.parse(value.toString('utf8', 5, 5 + length)) as StoredMeta
    return { ...meta, body: value.subarray(5 + length) }
  } catch {
    return undefined
  }
}
