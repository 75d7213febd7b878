import { isDeepStrictEqual } from 'node:util'
import { encodeKey, keyIdentity } from './cache-key.js'

/** What comparing needs of a collection: its size, its entries in order, and lookups by key. */
export interface EntrySource {
  readonly size: number
  entries(): Iterator<[unknown, unknown]>
}

export interface KeyedSource extends EntrySource {
  get<D>(key: never, options: { default: D }): unknown
}

const MISS: unique symbol = Symbol('miss')

/**
 * Same entries in the same order. Keys compare as cache keys, so 1 and '1'
 * differ while a Buffer and a Uint8Array of the same bytes match; values
 * compare with util.isDeepStrictEqual, because a stored object comes back as
 * a new one on every read.
 */
export function sameEntriesInOrder(mine: EntrySource, theirs: EntrySource): boolean {
  if (mine.size !== theirs.size) return false
  const a = mine.entries()
  const b = theirs.entries()
  for (let x = a.next(), y = b.next(); !x.done || !y.done; x = a.next(), y = b.next()) {
    if (x.done || y.done) return false
    if (!isSameKey(x.value[0], y.value[0]) || !isDeepStrictEqual(x.value[1], y.value[1])) return false
  }
  return true
}

/** Same entries as a plain object's own properties, in any order (an object's key order is not insertion order). */
export function sameEntriesAsObject(mine: KeyedSource, object: Readonly<Record<string, unknown>>): boolean {
  const names = Object.keys(object)
  if (names.length !== mine.size) return false
  return names.every((name) => isDeepStrictEqual(mine.get(name as never, { default: MISS }), object[name]))
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false
  const proto = Object.getPrototypeOf(value) as unknown
  return proto === Object.prototype || proto === null
}

function isSameKey(a: unknown, b: unknown): boolean {
  try {
    return keyIdentity(...encodeKey(a)) === keyIdentity(...encodeKey(b))
  } catch {
    return false // a Map key the cache could not hold matches no index key
  }
}
