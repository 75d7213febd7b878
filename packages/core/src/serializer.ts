import { deserialize as v8Deserialize, serialize as v8Serialize } from 'node:v8'

/**
 * Turns values that are not strings, numbers, bigints or bytes into bytes and back.
 * Reading must never run code from the data (the reason Python's pickle default
 * became CVE-2025-69872).
 */
export interface Serializer {
  serialize(value: unknown): Uint8Array | string
  deserialize(data: Buffer): unknown
}

/** Structured clone: Map, Set, Date, RegExp, bigint, typed arrays, cycles. Reads never run code. */
export const v8Serializer: Serializer = {
  serialize: (value) => v8Serialize(value),
  deserialize: (data) => v8Deserialize(data),
}

/** Plain JSON: portable and readable by other languages, but Map, Set, Date and bigint do not round-trip. */
export const jsonSerializer: Serializer = {
  serialize(value) {
    const text = JSON.stringify(value)
    if (text === undefined) throw new TypeError(`JSON cannot represent ${typeof value}`)
    return text
  },
  deserialize: (data) => JSON.parse(data.toString('utf8')),
}

export type SerializerName = 'v8' | 'json'

export const BUILTIN_SERIALIZERS: Record<SerializerName, Serializer> = { v8: v8Serializer, json: jsonSerializer }
