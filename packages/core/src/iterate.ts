import { decodeKey } from './cache-key.js'
import { type KeyPrefix, type PrefixRange, prefixRange } from './key-prefix.js'
import { unknownName } from './options.js'
import { LIVE_CONDITION } from './statements.js'
import { Store, VANISHED } from './store.js'

export interface IterateOptions {
  /** Newest first; with `prefix`, descending key order. @default false */
  reverse?: boolean
  /**
   * Only keys that start with this: a string selects string keys beginning with
   * it, an array selects array keys whose first elements equal its elements
   * (`['user']` selects `['user', 1]`, not `['users']`). The walk then follows
   * the key index, in key order.
   */
  prefix?: KeyPrefix
}

const PAGE = 100
const ITERATE_OPTION_NAMES = ['reverse', 'prefix']

type Row = [number, number, unknown, number, unknown, string | null]

/**
 * Walks entries in insertion order (first write of each key), a page of 100 at a
 * time, so a million-entry cache iterates in constant memory. Entries written
 * after the walk began are not visited; expired entries are skipped. With a
 * prefix, see iteratePrefix.
 */
export function iterateEntries(
  store: Store,
  options: IterateOptions = {},
  withValues: boolean,
): IterableIterator<[unknown, unknown]> {
  for (const name in options) {
    if (!ITERATE_OPTION_NAMES.includes(name)) throw unknownName('option', name, ITERATE_OPTION_NAMES)
  }
  const reverse = options.reverse ?? false
  // The range is worked out here, not in a generator, so a bad prefix throws at the call.
  const rows =
    options.prefix === undefined ? iterateStorageOrder(store, reverse) : iteratePrefix(store, prefixRange(options.prefix), reverse)
  return readRows(store, rows, withValues)
}

function* iterateStorageOrder(store: Store, reverse: boolean): IterableIterator<Row> {
  const statements = store.statements
  const last = (store.run(() => statements.maxId.get()) as number | null) ?? 0
  let cursor = reverse ? last + 1 : 0
  for (;;) {
    const rows = store.run(() =>
      reverse
        ? statements.pageBackward.all(cursor, store.now(), PAGE)
        : statements.pageForward.all(cursor, last, store.now(), PAGE),
    ) as Row[]
    yield* rows
    if (rows.length < PAGE) return
    cursor = rows[rows.length - 1]![0]
  }
}

/**
 * Keyset pagination over the (kind, key) index: each page starts after the
 * last key seen, so every page is an index seek (no OFFSET, no growing cost)
 * and entries deleted during the walk shift nothing. Entries written during
 * the walk are visited if their key lies ahead of the cursor.
 */
function* iteratePrefix(store: Store, range: PrefixRange, reverse: boolean): IterableIterator<Row> {
  const columns = 'SELECT id, kind, key, mode, value, filename FROM entries'
  const [first, nextForward] = store.run(() => [
    store.prepare(
      `${columns} WHERE kind = ? AND key >= ? AND key < ? AND ${LIVE_CONDITION} ORDER BY key ${reverse ? 'DESC' : ''} LIMIT ?`,
      'raw',
    ),
    store.prepare(`${columns} WHERE kind = ? AND key > ? AND key < ? AND ${LIVE_CONDITION} ORDER BY key LIMIT ?`, 'raw'),
  ])
  let rows = store.run(() => first.all(range.kind, range.lower, range.upper, store.now(), PAGE)) as Row[]
  for (;;) {
    yield* rows
    if (rows.length < PAGE) return
    const cursor = rows[rows.length - 1]![2] as string
    rows = store.run(() =>
      reverse
        ? first.all(range.kind, range.lower, cursor, store.now(), PAGE)
        : nextForward.all(range.kind, cursor, range.upper, store.now(), PAGE),
    ) as Row[]
  }
}

function* readRows(store: Store, rows: Iterable<Row>, withValues: boolean): IterableIterator<[unknown, unknown]> {
  for (const [id, kind, key, mode, value, filename] of rows) {
    if (!withValues) {
      yield [decodeKey(kind, key), undefined]
      continue
    }
    const decoded = store.readValue(id, mode, value, filename)
    if (decoded !== VANISHED) yield [decodeKey(kind, key), decoded]
  }
}
