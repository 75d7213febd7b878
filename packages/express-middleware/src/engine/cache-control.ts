/**
 * Cache-Control directives by lower-case name: `true` for a bare directive,
 * the (unquoted) argument otherwise. A directive repeated keeps its first value.
 */
export type CacheControl = ReadonlyMap<string, string | true>

const EMPTY: CacheControl = new Map()

/** Parses a Cache-Control (or Pragma) field value, RFC 9111 §5.2: `max-age=60, private="set-cookie"`. */
export function parseCacheControl(value: string | undefined): CacheControl {
  if (!value) return EMPTY
  const directives = new Map<string, string | true>()
  // A quoted argument may hold commas (`no-cache="a, b"`), so split by hand, not with split(',').
  const pattern = /[\s,]*([^=,\s]+)\s*(?:=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*)))?\s*(?:,|$)/gy
  let match: RegExpExecArray | null
  while (pattern.lastIndex < value.length && (match = pattern.exec(value)) !== null) {
    const name = match[1]!.toLowerCase()
    if (directives.has(name)) continue
    const argument = match[2] !== undefined ? match[2].replace(/\\(.)/g, '$1') : match[3]
    directives.set(name, argument === undefined ? true : argument)
  }
  return directives
}

/**
 * A delta-seconds argument (`max-age=60`) in milliseconds, or undefined when
 * absent or malformed. RFC 9111 §1.2.2: a value too large to hold means "a very long time".
 */
export function deltaSeconds(directives: CacheControl, name: string): number | undefined {
  const argument = directives.get(name)
  if (typeof argument !== 'string' || !/^\d+$/.test(argument)) return undefined
  const seconds = Number(argument)
  return Number.isSafeInteger(seconds) ? Math.min(seconds, 2 ** 31) * 1000 : 2 ** 31 * 1000
}
