import { InvalidKeyError } from './errors.js'

/** Keys the cache stores with their type preserved: `1`, `1n` and `'1'` are three keys. */
export type CacheKey = string | number | bigint | Uint8Array | readonly CacheKey[]

/** How a key is stored: the `kind` column plus a value SQLite compares natively. */
export enum KeyKind {
  String = 1,
  Number = 2,
  BigInt = 3,
  Bytes = 4,
  Array = 5,
}

export type StoredKey = string | number | bigint | Buffer

const INT64_MIN = -(2n ** 63n)
const INT64_MAX = 2n ** 63n - 1n

/**
 * Encodes a key into (kind, stored). Strings, numbers, int64 bigints and bytes
 * stay native, so SQLite orders and ranges over them (queues, prefixes); arrays
 * get a canonical text form, so equal arrays always make equal keys.
 */
export function encodeKey(key: unknown): [KeyKind, StoredKey] {
  switch (typeof key) {
    case 'string':
      return [KeyKind.String, key]
    case 'number':
      return [KeyKind.Number, checkNumberKey(key)]
    case 'bigint':
      return [KeyKind.BigInt, key >= INT64_MIN && key <= INT64_MAX ? key : key.toString()]
    case 'object':
      // isView too: a Proxy of a Uint8Array passes instanceof, but its byte getters throw a bare TypeError.
      if (key instanceof Uint8Array && ArrayBuffer.isView(key)) return [KeyKind.Bytes, toBuffer(key)]
      if (Array.isArray(key)) return [KeyKind.Array, encodeArrayKey(key)]
  }
  throw new InvalidKeyError(
    `cache keys must be a string, number, bigint, Buffer/Uint8Array or an array of those; got ${describeType(key)}`,
  )
}

export function decodeKey(kind: number, stored: unknown): CacheKey {
  switch (kind) {
    case KeyKind.String:
      return stored as string
    case KeyKind.Number:
      return Number(stored)
    case KeyKind.BigInt:
      return BigInt(stored as bigint | string)
    case KeyKind.Bytes:
      return stored as Buffer
    default:
      return (JSON.parse(stored as string) as unknown[]).map(decodeArrayElement)
  }
}

/**
 * The canonical text of an array key: JSON of its tagged elements. Arrays of
 * strings and numbers (a namespace and a key, say) are written directly, which
 * is byte for byte what the general path gives and several times cheaper than
 * building the tagged array first; anything else takes the general path.
 */
// What JSON.stringify would escape in a string: quotes, backslashes, control characters, surrogates (lone ones are escaped).
const NEEDS_ESCAPING = /["\\\u0000-\u001f\ud800-\udfff]/

function encodeArrayKey(key: readonly unknown[]): string {
  let text = '['
  for (let i = 0; i < key.length; i++) {
    const element = key[i]
    if (i > 0) text += ','
    if (typeof element === 'string') text += NEEDS_ESCAPING.test(element) ? '"s' + JSON.stringify(element).slice(1) : '"s' + element + '"'
    else if (typeof element === 'number') text += '"n' + String(checkNumberKey(element)) + '"'
    else return JSON.stringify(key.map(encodeArrayElement))
  }
  return text + ']'
}

function checkNumberKey(key: number): number {
  if (Number.isNaN(key)) throw new InvalidKeyError('NaN cannot be a cache key: it is not equal to itself')
  return key === 0 ? 0 : key // -0 and 0 are one key, as in a Map
}

function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
}

// Each element becomes a tagged string (or a nested array), so `[1]` and `['1']` differ.
function encodeArrayElement(element: unknown): unknown {
  switch (typeof element) {
    case 'string':
      return 's' + element
    case 'number':
      return 'n' + String(checkNumberKey(element))
    case 'bigint':
      return 'b' + element.toString()
    case 'object':
      if (element instanceof Uint8Array && ArrayBuffer.isView(element)) return 'x' + toBuffer(element).toString('hex')
      if (Array.isArray(element)) return element.map(encodeArrayElement)
  }
  throw new InvalidKeyError(
    `array keys may hold only strings, numbers, bigints, Buffers/Uint8Arrays and arrays; got ${describeType(element)}`,
  )
}

function decodeArrayElement(element: unknown): CacheKey {
  if (Array.isArray(element)) return element.map(decodeArrayElement)
  const text = element as string
  const body = text.slice(1)
  switch (text[0]) {
    case 's':
      return body
    case 'n':
      return Number(body)
    case 'b':
      return BigInt(body)
    default:
      return Buffer.from(body, 'hex')
  }
}

export function describeType(value: unknown): string {
  if (value === null) return 'null'
  if (typeof value !== 'object') return typeof value
  const name = (value as object).constructor?.name
  return name ? `an object (${name})` : 'an object'
}

/** One string per distinct key, for in-process maps (single-flight, access log). */
export function keyIdentity(kind: KeyKind, stored: StoredKey): string {
  return kind === KeyKind.Bytes ? `${kind}:${(stored as Buffer).toString('base64')}` : `${kind}:${String(stored)}`
}
