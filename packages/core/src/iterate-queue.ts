import { KeyKind } from './cache-key.js'
import { InvalidOptionError } from './errors.js'
import { unknownName } from './options.js'
import { queueRangeArgs, queueRangeCondition } from './queue.js'
import { LIVE_CONDITION } from './statements.js'
import { Store, VANISHED } from './store.js'

export interface QueueEntriesOptions {
  /** The queue's prefix, as given to push; none for the integer-keyed queue. */
  prefix?: string
  /** Walk from the back to the front. @default false */
  reverse?: boolean
  /** Items to skip at the starting end before the first one returned. @default 0 */
  offset?: number
}

const PAGE = 100
const OPTION_NAMES = ['prefix', 'reverse', 'offset']

/**
 * Walks one queue in key order (front to back, or back to front), which is the
 * order pull takes items in. Storage order would be wrong here: an item pushed
 * at the front gets a newer row but a smaller key.
 *
 * Keys come a page at a time, with a key cursor, so memory stays constant; each
 * value is read when its turn comes, so an item another process pulled in the
 * meantime is skipped rather than returned stale. Like iterateEntries, the walk
 * covers the rows that existed when it began (ids up to the largest one then):
 * a producer pushing faster than the walk reads cannot keep it going forever.
 */
export function iterateQueue(store: Store, options: QueueEntriesOptions = {}): IterableIterator<[unknown, unknown]> {
  for (const name of Object.keys(options)) {
    if (!OPTION_NAMES.includes(name)) throw unknownName('queueEntries option', name, OPTION_NAMES)
  }
  const { prefix, reverse = false, offset = 0 } = options
  if (!Number.isSafeInteger(offset) || offset < 0) {
    throw new InvalidOptionError(`queue "offset" must be a whole number >= 0; got ${String(offset)}`)
  }
  const bounds = queueRangeArgs(prefix)
  const prefixed = prefix !== undefined
  const page = store.run(() =>
    store.prepare(
      `SELECT key FROM entries WHERE ${queueRangeCondition(prefixed)} AND id <= ? AND ${LIVE_CONDITION}
         ORDER BY kind, key ${reverse ? 'DESC' : 'ASC'} LIMIT ? OFFSET ?`,
      'pluck',
    ),
  )
  const lastId = (store.run(() => store.statements.maxId.get()) as number | null) ?? 0
  return walk(store, page, [...bounds, lastId], prefixed ? KeyKind.String : KeyKind.Number, reverse, offset)
}

function* walk(
  store: Store,
  page: ReturnType<Store['prepare']>,
  bounds: unknown[],
  kind: KeyKind,
  reverse: boolean,
  offset: number,
): IterableIterator<[unknown, unknown]> {
  let skip = offset
  for (;;) {
    const keys = store.run(() => page.all(...bounds, store.now(), PAGE, skip)) as (number | string)[]
    skip = 0
    for (const key of keys) {
      // Narrow the open range to the cursor: the first two bounds are the lower and upper keys.
      bounds[reverse ? 1 : 0] = key
      const value = readLive(store, kind, key)
      if (value !== VANISHED) yield [key, value]
    }
    if (keys.length < PAGE) return
  }
}

function readLive(store: Store, kind: KeyKind, key: number | string): unknown {
  const row = store.run(() => store.statements.get.get(kind, key)) as
    | [number, number, unknown, string | null, number | null]
    | undefined
  if (row === undefined || (row[4] !== null && row[4] <= store.now())) return VANISHED
  return store.readValue(row[0], row[1], row[2], row[3])
}

/** Live items in one queue: a range scan of the key index, so O(n) in the queue's length. */
export function countQueue(store: Store, prefix?: string): number {
  const bounds = queueRangeArgs(prefix)
  const count = store.run(() =>
    store.prepare(`SELECT count(*) FROM entries WHERE ${queueRangeCondition(prefix !== undefined)} AND ${LIVE_CONDITION}`, 'pluck'),
  )
  return store.run(() => count.get(...bounds, store.now())) as number
}
