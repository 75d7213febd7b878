import { join } from 'node:path'
import { type CompressionName, InvalidOptionError, unknownName } from '@diskcache/core'

/** Options of both handlers. Every field can also come from an environment variable (see README). */
export interface NextCacheOptions {
  /** Directory of the store, shared by every Next process that should share entries and tags. @default `<cwd>/.next/cache/diskcache` */
  directory?: string
  /** Bytes the entries may occupy before the least recently stored go. @default 1 GiB */
  sizeLimit?: number
  /** Compress stored pages and payloads. @default 'none' */
  compression?: CompressionName
  /** Prepended to every key, so several apps (or environments) can share one directory. @default '' */
  keyPrefix?: string
  /**
   * Longest time, in milliseconds, any entry is kept (entries without an `expire` too), and so how long a
   * revalidated tag is remembered. @default 30 days
   */
  maxAge?: number
  /**
   * Bytes of decoded entries each process keeps in memory between reads, least recently used
   * dropped first; 0 keeps none. Kept only while no process has written to the store since
   * (checked on every read), so it never serves what another process replaced or revalidated.
   * @default 50 MiB
   */
  memoryLimit?: number
  /**
   * Milliseconds a write of an entry waits for another process's write lock; past it the write is
   * dropped (one warning per process) and the request served all the same. Core is synchronous, so
   * the wait stalls Next's event loop: keep it short. Reads never wait (WAL). Revalidations (tag
   * state, a database of its own) wait at least 1000 ms: a dropped one would leave pages stale. @default 100
   */
  timeout?: number
  /** Clock in epoch milliseconds (may be fractional); for tests. @default performance.timeOrigin + performance.now() */
  now?: () => number
}

export type ResolvedNextCacheOptions = Readonly<Required<NextCacheOptions>>

/** Where the store lives when neither an option nor DISKCACHE_NEXT_DIR says. */
export const DEFAULT_DIRECTORY_NAME = join('.next', 'cache', 'diskcache')

export const DEFAULT_NEXT_CACHE_OPTIONS = {
  sizeLimit: 2 ** 30,
  compression: 'none',
  keyPrefix: '',
  maxAge: 30 * 24 * 60 * 60 * 1000,
  memoryLimit: 50 * 2 ** 20,
  timeout: 100,
} as const satisfies Omit<Required<NextCacheOptions>, 'directory' | 'now'>

/** The environment variable read for each option (numbers in bytes or milliseconds). */
export const OPTION_ENVIRONMENT = {
  directory: 'DISKCACHE_NEXT_DIR',
  sizeLimit: 'DISKCACHE_NEXT_SIZE_LIMIT',
  compression: 'DISKCACHE_NEXT_COMPRESSION',
  keyPrefix: 'DISKCACHE_NEXT_KEY_PREFIX',
  maxAge: 'DISKCACHE_NEXT_MAX_AGE',
  memoryLimit: 'DISKCACHE_NEXT_MEMORY_LIMIT',
  timeout: 'DISKCACHE_NEXT_TIMEOUT',
} as const

const OPTION_NAMES = [...Object.keys(OPTION_ENVIRONMENT), 'now']
const NUMERIC = new Set(['sizeLimit', 'maxAge', 'memoryLimit', 'timeout'])
/** Numeric options for which 0 means "off". */
const ZERO_ALLOWED = new Set(['memoryLimit'])

// Performance time keeps the sub-millisecond part Next itself uses for 'use cache' timestamps.
function preciseNow(): number {
  return performance.timeOrigin + performance.now()
}

/**
 * Options given in code win over environment variables, which win over the defaults.
 * Validated once; the caller's object is never changed.
 */
export function resolveNextCacheOptions(
  input: NextCacheOptions = {},
  env: NodeJS.ProcessEnv = process.env,
  cwd: string = process.cwd(),
): ResolvedNextCacheOptions {
  if (typeof input !== 'object' || input === null) {
    throw new InvalidOptionError(`options must be an object like { directory, sizeLimit }; got ${typeof input}`)
  }
  for (const name of Object.keys(input)) {
    if (!OPTION_NAMES.includes(name)) throw unknownName('option', name, OPTION_NAMES)
  }
  const merged: Record<string, unknown> = {}
  for (const [name, variable] of Object.entries(OPTION_ENVIRONMENT)) {
    const given = (input as Record<string, unknown>)[name]
    const fromEnv = env[variable]
    if (given !== undefined) merged[name] = given
    else if (fromEnv !== undefined && fromEnv !== '') merged[name] = NUMERIC.has(name) ? Number(fromEnv) : fromEnv
  }
  const options = {
    ...DEFAULT_NEXT_CACHE_OPTIONS,
    directory: join(cwd, DEFAULT_DIRECTORY_NAME),
    now: input.now ?? preciseNow,
    ...merged,
  }
  if (typeof options.directory !== 'string' || options.directory === '') {
    throw new InvalidOptionError(`"directory" must be a non-empty path; set it or ${OPTION_ENVIRONMENT.directory}`)
  }
  for (const name of NUMERIC) {
    const value = options[name as 'sizeLimit']
    const least = ZERO_ALLOWED.has(name) ? 0 : Number.MIN_VALUE
    if (typeof value !== 'number' || !Number.isFinite(value) || value < least) {
      throw new InvalidOptionError(
        `"${name}" must be a number ${least === 0 ? '>= 0' : '> 0'} (${OPTION_ENVIRONMENT[name as 'sizeLimit']} in the environment); got ${String(value)}`,
      )
    }
  }
  if (!['none', 'gzip', 'brotli'].includes(options.compression)) {
    throw new InvalidOptionError(`"compression" must be 'none', 'gzip' or 'brotli'; got ${JSON.stringify(options.compression)}`)
  }
  if (typeof options.keyPrefix !== 'string') throw new InvalidOptionError(`"keyPrefix" must be a string; got ${typeof options.keyPrefix}`)
  if (typeof options.now !== 'function') throw new InvalidOptionError(`"now" must be a function; got ${typeof options.now}`)
  return Object.freeze(options) as ResolvedNextCacheOptions
}
