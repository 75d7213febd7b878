/** Response header fields by lower-case name; Set-Cookie may repeat. */
export type HeaderRecord = Record<string, string | string[]>

/** One value of a field, repeated values joined as the RFC allows for list fields. */
export function headerValue(headers: HeaderRecord, name: string): string | undefined {
  const value = headers[name]
  return Array.isArray(value) ? value.join(', ') : value
}

// Hop-by-hop fields describe one connection, never the stored response (RFC 9111 §3.1).
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'proxy-authenticate', 'proxy-authorization'])

/** The headers worth keeping with a stored response: no hop-by-hop fields, none of `drop`. */
export function headersToStore(headers: HeaderRecord, drop: ReadonlySet<string>): HeaderRecord {
  const connectionFields = (headerValue(headers, 'connection') ?? '').toLowerCase().split(',').map((name) => name.trim())
  const kept: HeaderRecord = {}
  for (const [name, value] of Object.entries(headers)) {
    if (HOP_BY_HOP.has(name) || drop.has(name) || connectionFields.includes(name)) continue
    kept[name] = value
  }
  return kept
}

// What a 304 carries (RFC 9110 §15.4.5), plus Last-Modified, which lets the client keep validating.
const NOT_MODIFIED_FIELDS = ['cache-control', 'content-location', 'date', 'etag', 'expires', 'last-modified', 'vary']

/** The subset of a full response's headers that a 304 for it repeats. */
export function notModifiedHeaders(headers: HeaderRecord): HeaderRecord {
  const kept: HeaderRecord = {}
  for (const name of NOT_MODIFIED_FIELDS) if (headers[name] !== undefined) kept[name] = headers[name]!
  return kept
}

/**
 * A stored response's headers updated from a 304 (RFC 9111 §3.2): every field
 * the 304 sends replaces the stored one, except those that describe the body.
 */
export function mergeNotModified(stored: HeaderRecord, update: HeaderRecord): HeaderRecord {
  const merged: HeaderRecord = { ...stored }
  for (const [name, value] of Object.entries(update)) {
    if (name === 'content-length' || name === 'content-encoding' || name === 'content-type' || name === 'content-range') continue
    merged[name] = value
  }
  return merged
}
