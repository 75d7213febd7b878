import type Database from 'better-sqlite3'
import { resolveEntryOptions, type SetOptions } from './entry-options.js'
import { InvalidOptionError } from './errors.js'
import { KeyKind } from './cache-key.js'
import { LIVE_CONDITION } from './statements.js'
import { Store, VANISHED } from './store.js'

export interface PushOptions extends SetOptions {
  /** Queue name: keys become `${prefix}-000000000000001`-style strings. Without one, keys are integers. */
  prefix?: string
  /** @default 'back' */
  side?: 'back' | 'front'
}

export interface PullOptions {
  prefix?: string
  /** @default 'front' */
  side?: 'front' | 'back'
}

// DiskCache's scheme: keys start mid-range, so both ends have ~5e14 pushes of room.
const START = 500_000_000_000_000
const END = 999_999_999_999_999
const DIGITS = 15

interface QueueStatements {
  edge: Database.Statement
  first: Database.Statement
}

const cache = new WeakMap<Store, Map<string, QueueStatements>>()

/** Statements for one (keyed by prefix or not, direction) combination, prepared once per store. */
function statementsFor(store: Store, prefixed: boolean, descending: boolean): QueueStatements {
  let byShape = cache.get(store)
  if (!byShape) cache.set(store, (byShape = new Map()))
  const shape = `${prefixed}:${descending}`
  let found = byShape.get(shape)
  if (!found) {
    const range = queueRangeCondition(prefixed)
    const order = `ORDER BY kind, key ${descending ? 'DESC' : 'ASC'} LIMIT 1`
    found = {
      edge: store.db.prepare(`SELECT key FROM entries WHERE ${range} ${order}`).pluck(),
      first: store.db
        .prepare(`SELECT id, key, mode, value, filename, expire_at FROM entries WHERE ${range} AND ${LIVE_CONDITION} ${order}`)
        .raw(),
    }
    byShape.set(shape, found)
  }
  return found
}

/**
 * SQL matching the keys of one queue; bind `queueRangeArgs(prefix)` to it. The
 * first two arguments are the exclusive lower and upper key bounds, so a walk
 * can narrow them to a cursor.
 */
export function queueRangeCondition(prefixed: boolean): string {
  return prefixed
    ? `kind = ${KeyKind.String} AND key > ? AND key < ? AND length(key) = ? AND substr(key, -${DIGITS}) GLOB '${'[0-9]'.repeat(DIGITS)}'`
    : `kind = ${KeyKind.Number} AND key > ? AND key < ? AND key = round(key)`
}

export function queueRangeArgs(prefix: string | undefined): unknown[] {
  if (prefix === undefined) return [0, END]
  if (typeof prefix !== 'string') throw new InvalidOptionError(`queue prefix must be a string; got ${typeof prefix}`)
  return [`${prefix}-${'0'.repeat(DIGITS)}`, `${prefix}-${'9'.repeat(DIGITS)}`, prefix.length + 1 + DIGITS]
}

function makeKey(prefix: string | undefined, n: number): string | number {
  return prefix === undefined ? n : `${prefix}-${String(n).padStart(DIGITS, '0')}`
}

function numberOf(prefix: string | undefined, key: unknown): number {
  return prefix === undefined ? (key as number) : Number((key as string).slice(-DIGITS))
}

export function pushQueue(store: Store, value: unknown, options: PushOptions = {}): string | number {
  const { prefix, side = 'back', ...setOptions } = options
  if (side !== 'back' && side !== 'front') throw new InvalidOptionError(`push side must be 'back' or 'front'; got ${String(side)}`)
  const range = queueRangeArgs(prefix)
  const meta = resolveEntryOptions(setOptions, store.now())
  const staged = store.stageValue(value)
  try {
    return store.write('push', () => {
      const edge = statementsFor(store, prefix !== undefined, side === 'back').edge.get(...range)
      const n = edge === undefined ? START : numberOf(prefix, edge) + (side === 'back' ? 1 : -1)
      if (n <= 0 || n >= END) throw new InvalidOptionError(`the queue ${prefix ?? '(no prefix)'} is full at its ${side}`)
      const key = makeKey(prefix, n)
      store.putEntry(prefix === undefined ? KeyKind.Number : KeyKind.String, key, staged, meta, store.now())
      return key
    })
  } finally {
    store.discardStagedFile(staged)
  }
}

type Row = [number, unknown, number, unknown, string | null, number | null]

export function pullQueue(store: Store, options: PullOptions = {}): [unknown, unknown] | undefined {
  const { prefix, side = 'front' } = options
  const range = queueRangeArgs(prefix)
  // Preparing a statement on a closed database must still throw CacheClosedError.
  const statement = store.run(() => statementsFor(store, prefix !== undefined, side === 'back').first)
  return store.write('pull', () => {
    for (;;) {
      const row = statement.get(...range, store.now()) as Row | undefined
      if (row === undefined) return undefined
      // Read before deleting: a file-backed value is checked against its row.
      const value = store.readValue(row[0], row[2], row[3], row[4])
      store.statements.deleteById.run(row[0])
      if (value !== VANISHED) return [row[1], value] as [unknown, unknown]
    }
  })
}

export function peekQueue(store: Store, options: PullOptions = {}): [unknown, unknown] | undefined {
  const { prefix, side = 'front' } = options
  const range = queueRangeArgs(prefix)
  const statement = store.run(() => statementsFor(store, prefix !== undefined, side === 'back').first)
  for (;;) {
    const row = store.run(() => statement.get(...range, store.now())) as Row | undefined
    if (row === undefined) return undefined
    const value = store.readValue(row[0], row[2], row[3], row[4])
    if (value !== VANISHED) return [row[1], value]
  }
}
