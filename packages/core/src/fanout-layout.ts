import { linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { isAbsolute, join } from 'node:path'
import { randomBytes } from 'node:crypto'
import { InvalidOptionError, NotACacheError } from './errors.js'

/** Records how many shards a FanoutCache directory was created with. */
export const LAYOUT_FILENAME = 'fanout.json'
const FORMAT = 'diskcache-fanout'
export const MAX_SHARDS = 999 // shard directories are named 000 to 998

/** The directory of shard `index`: three digits, as DiskCache names them. */
export function shardDirectory(directory: string, index: number): string {
  return join(directory, String(index).padStart(3, '0'))
}

/** The shard count recorded in `directory`, or undefined for a directory not yet used by a FanoutCache. */
export function readShardCount(directory: string): number | undefined {
  let text: string
  try {
    text = readFileSync(join(directory, LAYOUT_FILENAME), 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw error
  }
  let layout: { format?: unknown; shards?: unknown }
  try {
    layout = JSON.parse(text) as typeof layout
  } catch {
    layout = {}
  }
  if (layout.format !== FORMAT || !isShardCount(layout.shards)) {
    throw new NotACacheError(
      `${join(directory, LAYOUT_FILENAME)} is not a FanoutCache layout file; ` +
        'point the FanoutCache at another directory, or remove that file if you know the directory is yours',
    )
  }
  return layout.shards
}

/**
 * Settles the shard count of `directory`: the recorded one, or `wanted` (which
 * is then recorded). Two processes creating the directory at once agree,
 * because the file is published with link(), which fails if it already exists.
 * Returns the count and whether this call created the layout.
 */
export function settleShardCount(
  directory: string,
  wanted: number | undefined,
  fallback: number,
  write: { readonly: boolean; ownerOnly: boolean },
): { shards: number; created: boolean } {
  const recorded = readShardCount(directory)
  if (recorded !== undefined) return { shards: checkAgrees(directory, recorded, wanted), created: false }
  const shards = wanted ?? fallback
  if (write.readonly) return { shards, created: false }
  mkdirSync(directory, { recursive: true, mode: write.ownerOnly ? 0o700 : 0o777 })
  const temp = join(directory, `.${LAYOUT_FILENAME}.${randomBytes(6).toString('hex')}`)
  writeFileSync(temp, JSON.stringify({ format: FORMAT, shards }) + '\n', { mode: write.ownerOnly ? 0o600 : 0o666 })
  try {
    linkSync(temp, join(directory, LAYOUT_FILENAME))
    return { shards, created: true }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
    return { shards: checkAgrees(directory, readShardCount(directory)!, wanted), created: false }
  } finally {
    rmSync(temp, { force: true })
  }
}

function checkAgrees(directory: string, recorded: number, wanted: number | undefined): number {
  if (wanted !== undefined && wanted !== recorded) {
    throw new InvalidOptionError(
      `${directory} was created with ${recorded} shards, and keys are placed by shard count: ` +
        `open it with { shards: ${recorded} } (or leave "shards" out), or use a new directory for ${wanted} shards`,
    )
  }
  return recorded
}

export function isShardCount(value: unknown): value is number {
  return Number.isInteger(value) && (value as number) >= 1 && (value as number) <= MAX_SHARDS
}

/** Checks a sub-collection name ('users', 'jobs/high') and returns its directory. */
export function namedDirectory(directory: string, kind: 'cache' | 'deque' | 'index', name: unknown): string {
  const segments = typeof name === 'string' ? name.split('/') : []
  if (
    segments.length === 0 ||
    isAbsolute(name as string) ||
    (name as string).includes('\\') ||
    (name as string).includes('\0') ||
    segments.some((segment) => segment === '' || segment === '.' || segment === '..')
  ) {
    throw new InvalidOptionError(
      `${kind}(name) needs a relative name such as "users" or "jobs/high" (no empty, "." or ".." parts); got ${JSON.stringify(name)}`,
    )
  }
  return join(directory, kind, ...segments)
}
