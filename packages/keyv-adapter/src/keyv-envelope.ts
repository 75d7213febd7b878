import { InvalidValueError } from '@diskcache/core'
import type { StoredData } from 'keyv'

/**
 * With Keyv's serializer off, Keyv hands the store `{ value, expires }` and
 * expects the same shape back. Storing that object whole puts every value,
 * even a plain string, through core's serializer (v8), which is most of the
 * cost of a read. Unwrapped, the value is stored as itself (strings, numbers
 * and Buffers need no serializer) and `expires` lives in core's indexed expiry
 * column, from which the envelope is rebuilt on the way out.
 */
export function valueOfEnvelope(envelope: unknown): unknown {
  if (typeof envelope === 'object' && envelope !== null && 'value' in envelope) return (envelope as { value: unknown }).value
  throw new InvalidValueError(
    `this store was opened with unwrapEnvelopes (createKeyv's default), which needs Keyv's serializer off, but it was given ${
      typeof envelope === 'string' ? 'a serialized string' : typeof envelope
    }: remove serialize/deserialize from the Keyv options, or open the store with unwrapEnvelopes: false`,
  )
}

/** The envelope Keyv wrote, from a value and its expiry (epoch ms, or null for none). */
export function envelopeOf<Value>(value: Value, expiresAt: number | null): StoredData<Value> {
  return { value, expires: expiresAt ?? undefined }
}
