import { describeType } from './cache-key.js'
import { InvalidOptionError, InvalidTtlError } from './errors.js'
import { unknownName } from './options.js'

export interface SetOptions {
  /** Milliseconds until the entry expires; `undefined`, `null` or `Infinity` keep it until evicted. 0 expires it at once. */
  ttl?: number | null
  /**
   * Epoch milliseconds at which the entry expires: an absolute alternative to
   * `ttl`, for callers that already hold one (Keyv's envelopes, HTTP `Expires`).
   * A time already past stores an entry that is expired at once. Give `ttl` or
   * `expiresAt`, not both.
   */
  expiresAt?: number | null
  /** Tags for `evict(tag)`; an entry may carry several. */
  tags?: readonly string[]
}

const SET_OPTION_NAMES = ['ttl', 'expiresAt', 'tags']

/** Absolute expiry (epoch ms, or null) and the tags column for a write. */
export interface EntryMeta {
  expireAt: number | null
  tags: string | null
}

const NO_META: EntryMeta = { expireAt: null, tags: null }

export function resolveEntryOptions(options: SetOptions | undefined, now: number): EntryMeta {
  if (options === undefined) return NO_META
  if (typeof options !== 'object' || options === null) {
    throw new InvalidOptionError(`write options must be an object like { ttl, tags }; got ${describeType(options)}`)
  }
  for (const name in options) {
    if (!SET_OPTION_NAMES.includes(name)) throw unknownName('option', name, SET_OPTION_NAMES)
  }
  const expireAt =
    options.expiresAt === undefined ? expiryFromTtl(options.ttl, now) : expiryFromTimestamp(options.expiresAt, options.ttl)
  return { expireAt, tags: encodeTags(options.tags) }
}

export function expiryFromTtl(ttl: unknown, now: number): number | null {
  if (ttl === undefined || ttl === null || ttl === Infinity) return null
  if (typeof ttl !== 'number' || Number.isNaN(ttl)) {
    throw new InvalidTtlError(`ttl must be a number of milliseconds (or null for no expiry); got ${describeType(ttl)}`)
  }
  if (ttl < 0) throw new InvalidTtlError(`ttl must be >= 0 milliseconds; got ${ttl}`)
  return now + ttl
}

function expiryFromTimestamp(expiresAt: unknown, ttl: unknown): number | null {
  if (ttl !== undefined) {
    throw new InvalidOptionError('give either ttl (milliseconds from now) or expiresAt (epoch milliseconds), not both')
  }
  if (expiresAt === null || expiresAt === Infinity) return null
  if (typeof expiresAt !== 'number' || Number.isNaN(expiresAt) || expiresAt === -Infinity) {
    throw new InvalidTtlError(
      `expiresAt must be a time in epoch milliseconds, like Date.now() + 60_000 (or null for no expiry); got ${typeof expiresAt === 'number' ? expiresAt : describeType(expiresAt)}`,
    )
  }
  return expiresAt
}

function encodeTags(tags: unknown): string | null {
  if (tags === undefined || tags === null) return null
  if (!Array.isArray(tags)) {
    throw new InvalidOptionError(`tags must be an array of strings, like { tags: ['user:1'] }; got ${describeType(tags)}`)
  }
  if (tags.length === 0) return null
  for (const tag of tags) {
    if (typeof tag !== 'string' || tag.length === 0) {
      throw new InvalidOptionError(`each tag must be a non-empty string; got ${describeType(tag)}`)
    }
  }
  return JSON.stringify([...new Set(tags)])
}

export function decodeTags(column: string | null): string[] {
  return column === null ? [] : (JSON.parse(column) as string[])
}
