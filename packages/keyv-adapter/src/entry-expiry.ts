import type { SetOptions } from '@diskcache/core'

// @keyv/serialize writes the envelope as {"value":…,"expires":<ms>}, expires last and only when set.
const EXPIRES_MEMBER = ',"expires":'
const EXPIRY_NUMBER = /^\d+(?:\.\d+)?$/

/**
 * When a Keyv entry expires, for core's indexed expiry column: the absolute
 * `expires` of Keyv's `{ value, expires }` envelope when it can be read
 * cheaply (an envelope object, or a string in @keyv/serialize's layout), so
 * the store expires an entry at the very millisecond Keyv does; otherwise the
 * `ttl` in milliseconds Keyv passed beside it. Undefined: never expires.
 */
export function entryExpiry(value: unknown, ttl: unknown): SetOptions | undefined {
  const expiresAt = typeof value === 'string' ? expiresInSerializedEnvelope(value) : expiresInEnvelope(value)
  if (expiresAt !== undefined) return { expiresAt }
  // Keyv means "no expiry" by a ttl of 0, where core would expire the entry at once.
  if (ttl === undefined || ttl === null || ttl === 0) return undefined
  return { ttl: ttl as number } // core refuses a negative or non-numeric ttl with InvalidTtlError
}

function expiresInEnvelope(value: unknown): number | undefined {
  if (typeof value !== 'object' || value === null || !('expires' in value)) return undefined
  const { expires } = value as { expires: unknown }
  return typeof expires === 'number' && Number.isFinite(expires) ? expires : undefined
}

/**
 * Reads `expires` off the end of a serialized envelope without parsing the
 * value. Only a match that runs to the closing brace counts, and a JSON value
 * can end in `,"expires":<digits>` only as the envelope's own member: the
 * `value` member ends in `}`, `]`, `"`, a literal or a bare number, never
 * behind `"expires":`. So a value that itself holds an `expires` field is never
 * mistaken for the envelope's.
 */
function expiresInSerializedEnvelope(text: string): number | undefined {
  if (text.charCodeAt(text.length - 1) !== 0x7d /* } */) return undefined
  const at = text.lastIndexOf(EXPIRES_MEMBER)
  if (at === -1) return undefined
  const digits = text.slice(at + EXPIRES_MEMBER.length, -1)
  return EXPIRY_NUMBER.test(digits) ? Number(digits) : undefined
}
