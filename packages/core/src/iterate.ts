import { decodeKey } from './cache-key.js'
import { Store, VANISHED } from './store.js'

export interface IterateOptions {
  /** Newest first. @default false */
  reverse?: boolean
}

const PAGE = 100

/**
 * Walks entries in insertion order (first write of each key), a page of 100 at a
 * time, so a million-entry cache iterates in constant memory. Entries written
 * after the walk began are not visited; expired entries are skipped.
 */
export function* iterateEntries(
  store: Store,
  options: IterateOptions = {},
  withValues: boolean,
): IterableIterator<[unknown, unknown]> {
  const reverse = options.reverse ?? false
  const statements = store.statements
  const last = (store.run(() => statements.maxId.get()) as number | null) ?? 0
  let cursor = reverse ? last + 1 : 0
  for (;;) {
    const rows = store.run(() =>
      reverse
        ? statements.pageBackward.all(cursor, store.now(), PAGE)
        : statements.pageForward.all(cursor, last, store.now(), PAGE),
    ) as [number, number, unknown, number, unknown, string | null][]
    for (const [id, kind, key, mode, value, filename] of rows) {
      cursor = id
      if (!withValues) {
        yield [decodeKey(kind, key), undefined]
        continue
      }
      const decoded = store.readValue(id, mode, value, filename)
      if (decoded !== VANISHED) yield [decodeKey(kind, key), decoded]
    }
    if (rows.length < PAGE) return
  }
}
