import type { HeaderRecord } from './response-headers.js'
import { headerValue } from './response-headers.js'

/**
 * The request fields a response varies on, lower case and sorted, or '*'
 * (it varies on something outside the request: never served from cache).
 * A response with a Content-Encoding varies on Accept-Encoding even if it
 * forgot to say so: a gzip body must never reach a client that cannot read it.
 */
export function varyFields(headers: HeaderRecord): string[] | '*' {
  const names = new Set<string>()
  for (const name of (headerValue(headers, 'vary') ?? '').split(',')) {
    const field = name.trim().toLowerCase()
    if (field === '*') return '*'
    if (field) names.add(field)
  }
  const encoding = headerValue(headers, 'content-encoding')?.trim().toLowerCase()
  if (encoding && encoding !== 'identity') names.add('accept-encoding')
  return [...names].sort()
}

// Marks the entry under a base key when its responses vary: which fields pick the variant.
const MARKER_PREFIX = 'diskcache-vary:'

export function varyMarker(fields: readonly string[]): string {
  return MARKER_PREFIX + fields.join(',')
}

/** The fields of a vary marker, or undefined when `value` is not one. */
export function readVaryMarker(value: unknown): string[] | undefined {
  if (typeof value !== 'string' || !value.startsWith(MARKER_PREFIX)) return undefined
  const list = value.slice(MARKER_PREFIX.length)
  return list ? list.split(',') : []
}

/**
 * The part of a key that names one variant: each varied field's value,
 * normalised so that equivalent requests share it (RFC 9111 §4.1 allows
 * normalising whitespace and case where the field's semantics allow).
 */
export function variantSuffix(fields: readonly string[], header: (name: string) => string | undefined): string {
  return fields.map((field) => `${field}=${normaliseFieldValue(field, header(field))}`).join('\n')
}

function normaliseFieldValue(field: string, value: string | undefined): string {
  if (value === undefined) return '-'
  if (field === 'accept-encoding') return acceptedEncodings(value)
  return value.trim().replace(/\s*,\s*/g, ',').replace(/\s+/g, ' ')
}

const KNOWN_ENCODINGS = ['br', 'deflate', 'gzip', 'zstd']

/**
 * The set of known content codings a client accepts, sorted: browsers send a
 * handful of spellings of the same set, and a response chosen for one
 * spelling suits every client that accepts the same codings.
 */
export function acceptedEncodings(value: string): string {
  const accepted = new Set<string>()
  let wildcard = false
  const refused = new Set<string>()
  for (const part of value.toLowerCase().split(',')) {
    const [coding = '', ...params] = part.trim().split(';')
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='))
    const name = coding.trim() === 'x-gzip' ? 'gzip' : coding.trim()
    if (q !== undefined && Number(q.slice(2)) === 0) refused.add(name)
    else if (name === '*') wildcard = true
    else if (KNOWN_ENCODINGS.includes(name)) accepted.add(name)
  }
  if (wildcard) for (const name of KNOWN_ENCODINGS) if (!refused.has(name)) accepted.add(name)
  for (const name of refused) accepted.delete(name)
  return [...accepted].sort().join('+') || 'identity'
}
