import type { CompressionName } from './compression.js'
import { InvalidOptionError } from './errors.js'
import { unknownName } from './option-names.js'
export { unknownName }
import { type EvictionPolicyName, isEvictionPolicyName } from './eviction-policy.js'
import type { Serializer, SerializerName } from './serializer.js'

export type SynchronousMode = 'off' | 'normal' | 'full' | 'extra'

/** Settings stored in the database: every process that opens the directory uses them. */
export interface CacheSettings {
  /** Total bytes (database pages in use plus value files) before eviction starts. @default 1 GiB */
  sizeLimit: number
  /** Most entries one write may remove while culling (expired first, then by policy); 0 turns automatic culling off. @default 10 */
  cullLimit: number
  /** Which entries go first when the cache is over `sizeLimit`. @default 'least-recently-stored' */
  evictionPolicy: EvictionPolicyName
  /** Count hits and misses. @default false */
  statistics: boolean
  /** How values other than strings, numbers, bigints and bytes are stored: 'v8', 'json', or your own. @default 'v8' */
  serializer: SerializerName | 'custom'
  /** Compress stored values at or above `compressionThreshold` bytes. @default 'none' */
  compression: CompressionName
  /** Smallest value, in bytes, worth compressing. @default 1024 */
  compressionThreshold: number
  /** Values of this many bytes or more are kept in their own file beside the database. @default 32768 */
  fileThreshold: number
  /** SQLite `synchronous`: 'normal' survives process crashes; 'full' also power loss. @default 'normal' */
  synchronous: SynchronousMode
}

export interface CacheOptions extends Partial<Omit<CacheSettings, 'serializer'>> {
  /** Milliseconds to wait for another process's write lock before throwing CacheTimeoutError. @default 5000 */
  timeout?: number
  /** 'v8' (default), 'json', or an object with serialize/deserialize. */
  serializer?: SerializerName | Serializer
  /** Open for reading only: never writes, not even settings. @default false */
  readonly?: boolean
  /** Create the directory 0700 and files 0600, so only the owner can read cached values. @default false */
  ownerOnly?: boolean
  /**
   * What to do when the database is corrupt: throw CorruptCacheError, or delete it and start empty.
   * 'rebuild' checks the whole file when the cache opens (PRAGMA quick_check reads it once). @default 'throw'
   */
  ifCorrupt?: 'throw' | 'rebuild'
  /** Clock in epoch milliseconds; inject one in tests. @default Date.now */
  now?: () => number
  /**
   * Where the WAL is copied back into the database (and, unless synchronous is 'off', fsynced):
   * 'background' on a worker thread shared by the process's caches, off the event loop;
   * 'inline' in whichever write fills the WAL, as SQLite does by default. @default 'background'
   */
  checkpoint?: 'background' | 'inline'
}

export const DEFAULT_SETTINGS = {
  sizeLimit: 2 ** 30,
  cullLimit: 10,
  evictionPolicy: 'least-recently-stored',
  statistics: false,
  serializer: 'v8',
  compression: 'none',
  compressionThreshold: 1024,
  fileThreshold: 2 ** 15,
  synchronous: 'normal',
} satisfies CacheSettings as Readonly<CacheSettings>

type ProcessOptionName = 'timeout' | 'readonly' | 'ownerOnly' | 'ifCorrupt' | 'now' | 'checkpoint'

export const DEFAULT_OPTIONS: Readonly<Required<Pick<CacheOptions, ProcessOptionName>>> = {
  timeout: 5000,
  readonly: false,
  ownerOnly: false,
  ifCorrupt: 'throw',
  now: Date.now,
  checkpoint: 'background',
}

export type ProcessOptions = Required<Pick<CacheOptions, ProcessOptionName>> & { serializer: Serializer | undefined }

export interface ResolvedOptions {
  /** Settings the caller passed explicitly: they win over stored ones and are written back. */
  readonly settings: Readonly<Partial<CacheSettings>>
  /** Options that belong to this process only. */
  readonly process: Readonly<ProcessOptions>
}

const SETTING_NAMES = Object.keys(DEFAULT_SETTINGS) as (keyof CacheSettings)[]
/** Every option name a Cache accepts. */
export const OPTION_NAMES: readonly string[] = [...SETTING_NAMES, 'timeout', 'readonly', 'ownerOnly', 'ifCorrupt', 'now', 'checkpoint']

export function resolveOptions(input: CacheOptions = {}): ResolvedOptions {
  if (typeof input !== 'object' || input === null) {
    throw new InvalidOptionError(`cache options must be an object; got ${input === null ? 'null' : typeof input}`)
  }
  for (const name of Object.keys(input)) {
    if (!OPTION_NAMES.includes(name)) throw unknownName('option', name, OPTION_NAMES)
  }
  const settings: Partial<CacheSettings> = {}
  let customSerializer: Serializer | undefined
  for (const name of SETTING_NAMES) {
    const value = input[name as keyof CacheOptions]
    if (value === undefined) continue
    if (name === 'serializer' && typeof value === 'object') {
      customSerializer = checkSerializer(value)
      settings.serializer = 'custom'
    } else {
      Object.assign(settings, { [name]: validateSetting(name, value) })
    }
  }
  const process: ProcessOptions = {
    timeout: input.timeout === undefined ? DEFAULT_OPTIONS.timeout : checkTimeout(input.timeout),
    readonly: input.readonly === undefined ? DEFAULT_OPTIONS.readonly : checkBoolean('readonly', input.readonly),
    ownerOnly: input.ownerOnly === undefined ? DEFAULT_OPTIONS.ownerOnly : checkBoolean('ownerOnly', input.ownerOnly),
    ifCorrupt: input.ifCorrupt === undefined ? DEFAULT_OPTIONS.ifCorrupt : checkChoice('ifCorrupt', input.ifCorrupt, ['throw', 'rebuild']),
    now: input.now === undefined ? DEFAULT_OPTIONS.now : checkFunction('now', input.now),
    checkpoint: input.checkpoint === undefined ? DEFAULT_OPTIONS.checkpoint : checkChoice('checkpoint', input.checkpoint, ['background', 'inline']),
    serializer: customSerializer,
  }
  return { settings: Object.freeze(settings), process: Object.freeze(process) }
}

/** Validates one setting by name (used by the constructor and by `reset`). */
export function validateSetting<N extends keyof CacheSettings>(name: N, value: unknown): CacheSettings[N] {
  switch (name) {
    case 'cullLimit':
      // It is a SQL LIMIT: SQLite rejects a fractional one with "datatype mismatch" on every culling write.
      return checkWholeCount(name, value) as CacheSettings[N]
    case 'sizeLimit':
    case 'compressionThreshold':
    case 'fileThreshold':
      return checkCount(name, value) as CacheSettings[N]
    case 'statistics':
      return checkBoolean(name, value) as CacheSettings[N]
    case 'evictionPolicy':
      if (isEvictionPolicyName(value)) return value as CacheSettings[N]
      throw new InvalidOptionError(
        `"evictionPolicy" must be 'least-recently-stored', 'least-recently-used', 'least-frequently-used' or 'none'; got ${describe(value)}`,
      )
    case 'serializer':
      return checkChoice(name, value, ['v8', 'json']) as CacheSettings[N]
    case 'compression':
      return checkChoice(name, value, ['none', 'gzip', 'brotli']) as CacheSettings[N]
    case 'synchronous':
      return checkChoice(name, value, ['off', 'normal', 'full', 'extra']) as CacheSettings[N]
    default:
      throw unknownName('setting', String(name), SETTING_NAMES)
  }
}

export function isSettingName(name: unknown): name is keyof CacheSettings {
  return typeof name === 'string' && (SETTING_NAMES as string[]).includes(name)
}


function checkCount(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new InvalidOptionError(`"${name}" must be a finite number >= 0; got ${describe(value)}`)
  }
  return value
}

function checkWholeCount(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new InvalidOptionError(`"${name}" must be a whole number >= 0; got ${describe(value)}`)
  }
  return value
}

// SQLite's busy timeout is a whole number of ms in a signed 32-bit int; better-sqlite3 throws a bare TypeError otherwise.
const MAX_TIMEOUT = 2 ** 31 - 1

function checkTimeout(value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > MAX_TIMEOUT) {
    throw new InvalidOptionError(`"timeout" must be a whole number of milliseconds from 0 to ${MAX_TIMEOUT}, like 5000; got ${describe(value)}`)
  }
  return value
}

function checkBoolean(name: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw new InvalidOptionError(`"${name}" must be true or false; got ${describe(value)}`)
  return value
}

function checkFunction<F>(name: string, value: F): F {
  if (typeof value !== 'function') throw new InvalidOptionError(`"${name}" must be a function; got ${describe(value)}`)
  return value
}

function checkChoice<T extends string>(name: string, value: unknown, choices: readonly T[]): T {
  if (choices.includes(value as T)) return value as T
  throw new InvalidOptionError(`"${name}" must be one of ${choices.map((c) => `'${c}'`).join(', ')}; got ${describe(value)}`)
}

function checkSerializer(value: unknown): Serializer {
  const candidate = value as Partial<Serializer> | null
  if (candidate && typeof candidate.serialize === 'function' && typeof candidate.deserialize === 'function') {
    return candidate as Serializer
  }
  throw new InvalidOptionError(`"serializer" must be 'v8', 'json' or an object with serialize() and deserialize() methods`)
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value)
  try {
    return String(value)
  } catch {
    // An object without a prototype (or with a throwing toString) has no text form of its own.
    return Object.prototype.toString.call(value)
  }
}
