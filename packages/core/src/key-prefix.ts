import { type CacheKey, encodeKey, KeyKind } from './cache-key.js'
import { InvalidOptionError } from './errors.js'

/** Keys a prefix selects: strings that start with a string, or arrays whose first elements equal an array's. */
export type KeyPrefix = string | readonly CacheKey[]

/**
 * The stored-key range [lower, upper) of one key kind that holds exactly the
 * keys with a prefix. `upper` is an empty Buffer when there is no upper bound:
 * SQLite orders every TEXT value before every BLOB.
 */
export interface PrefixRange {
  kind: KeyKind
  lower: string
  upper: string | Buffer
}

const NO_UPPER_BOUND = Buffer.alloc(0)

/**
 * A string prefix ranges over string keys as they are. An array prefix ranges
 * over the canonical text of array keys (see encodeKey): `["sa","sb"]` with its
 * closing bracket dropped. Every element's text is self-delimiting (a JSON
 * string or a bracketed array), so the text that follows is `,` or `]` exactly
 * for the keys that extend the prefix: the range never catches `["sab"]`.
 */
export function prefixRange(prefix: unknown): PrefixRange {
  if (typeof prefix === 'string') return { kind: KeyKind.String, lower: prefix, upper: successor(prefix) }
  if (Array.isArray(prefix)) {
    const text = (encodeKey(prefix)[1] as string).slice(0, -1)
    return { kind: KeyKind.Array, lower: text, upper: successor(text) }
  }
  throw new InvalidOptionError(
    `prefix must be a string (for string keys) or an array (for array keys), like { prefix: 'user:' } or { prefix: ['user'] }; got ${
      prefix === null ? 'null' : typeof prefix
    }`,
  )
}

/**
 * The smallest string greater than every string that starts with `text`: its
 * last code point plus one. SQLite compares TEXT as UTF-8 bytes, which is code
 * point order, so [text, successor) holds exactly the strings with that prefix.
 */
function successor(text: string): string | Buffer {
  const codePoints = [...text]
  while (codePoints.length > 0) {
    const last = codePoints.pop()!.codePointAt(0)!
    if (last < 0x10ffff) {
      const next = last + 1 === 0xd800 ? 0xe000 : last + 1 // surrogates are not code points of their own
      return codePoints.join('') + String.fromCodePoint(next)
    }
  }
  return NO_UPPER_BOUND
}
