import type Database from 'better-sqlite3'
import { KeyKind } from './cache-key.js'

export type Statement = Database.Statement<unknown[], unknown>

const ENTRY_COLUMNS = 'kind, key, mode, value, filename, size, expire_at, stored_at, accessed_at, access_count, tags'
// An overwrite updates the row in place, so the key keeps its id (its place in
// iteration order, as in a Map) and the write dirties one table page. REPLACE
// would delete and re-append the row, touching several pages and costing ~4×
// as much. The update triggers (schema.ts) keep file bytes and tags right.
const UPSERT =
  `INSERT INTO entries (${ENTRY_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?) ON CONFLICT (kind, key) DO UPDATE SET ` +
  'mode = excluded.mode, value = excluded.value, filename = excluded.filename, size = excluded.size, ' +
  'expire_at = excluded.expire_at, stored_at = excluded.stored_at, accessed_at = excluded.accessed_at, access_count = 0, ' +
  'tags = excluded.tags'

// better-sqlite3 returns INTEGERs as (lossy) JS numbers: int64 bigint keys are read as text, which decodeKey parses exactly.
const EXACT_KEY = `CASE WHEN kind = ${KeyKind.BigInt} THEN CAST(key AS TEXT) ELSE key END`

/** Rows that have not expired at the bound time. */
export const LIVE_CONDITION = '(expire_at IS NULL OR expire_at > ?)'
const LIVE = LIVE_CONDITION

/**
 * Every statement the cache runs more than once, as data: [result shape, SQL].
 * 'raw' returns rows as arrays (no per-row object), 'pluck' the first column.
 */
const STATEMENTS = {
  begin: ['run', 'BEGIN IMMEDIATE'],
  beginRead: ['run', 'BEGIN DEFERRED'],
  commit: ['run', 'COMMIT'],
  rollback: ['run', 'ROLLBACK'],

  /** [id, mode, value, filename, expire_at] */
  get: ['raw', 'SELECT id, mode, value, filename, expire_at FROM entries WHERE kind = ? AND key = ?'],
  /** [id, mode, value, filename, expire_at, stored_at, tags] */
  getWithMeta: ['raw', 'SELECT id, mode, value, filename, expire_at, stored_at, tags FROM entries WHERE kind = ? AND key = ?'],
  has: ['pluck', `SELECT 1 FROM entries WHERE kind = ? AND key = ? AND ${LIVE}`],
  upsert: ['run', UPSERT],
  upsertReturningId: ['pluck', UPSERT + ' RETURNING id'],
  insertTags: ['run', 'INSERT OR IGNORE INTO entry_tags (tag, entry_id) SELECT value, ? FROM json_each(?)'],
  /** [mode, value, stored_at, id]: the mode too, because a number plus a bigint delta becomes a bigint. */
  updateNumber: ['run', 'UPDATE entries SET mode = ?, value = ?, stored_at = ? WHERE id = ?'],
  deleteByKey: ['raw', 'DELETE FROM entries WHERE kind = ? AND key = ? RETURNING expire_at'],
  deleteById: ['run', 'DELETE FROM entries WHERE id = ?'],
  deleteIfFile: ['run', 'DELETE FROM entries WHERE id = ? AND filename = ?'],
  /** The size recorded for a row's value file, if the row still points at that file. */
  fileSize: ['pluck', 'SELECT size FROM entries WHERE id = ? AND filename = ?'],
  touch: ['run', `UPDATE entries SET expire_at = ? WHERE kind = ? AND key = ? AND ${LIVE}`],
  /** A plain read first, because a DELETE that matches nothing still costs a write. */
  hasExpired: ['pluck', 'SELECT EXISTS (SELECT 1 FROM entries WHERE expire_at IS NOT NULL AND expire_at <= ?)'],

  recordAccess: ['run', 'UPDATE entries SET accessed_at = max(accessed_at, ?), access_count = access_count + ? WHERE id = ?'],
  addCounter: ['run', 'UPDATE counters SET value = value + ? WHERE name = ?'],
  setCounter: ['run', 'UPDATE counters SET value = ? WHERE name = ?'],
  counter: ['pluck', 'SELECT value FROM counters WHERE name = ?'],
  readSettings: ['raw', 'SELECT name, value FROM settings'],
  writeSetting: ['run', 'INSERT INTO settings (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value'],

  count: [
    'pluck',
    'SELECT (SELECT count(*) FROM entries) - (SELECT count(*) FROM entries WHERE expire_at IS NOT NULL AND expire_at <= ?)',
  ],
  volume: [
    'pluck',
    `SELECT ((SELECT page_count FROM pragma_page_count) - (SELECT freelist_count FROM pragma_freelist_count))
       * (SELECT page_size FROM pragma_page_size) + (SELECT value FROM counters WHERE name = 'file_bytes')`,
  ],
  deleteExpired: [
    'run',
    'DELETE FROM entries WHERE id IN (SELECT id FROM entries WHERE expire_at IS NOT NULL AND expire_at <= ? ORDER BY expire_at LIMIT ?)',
  ],
  deleteTagged: ['run', 'DELETE FROM entries WHERE id IN (SELECT entry_id FROM entry_tags WHERE tag = ? LIMIT ?)'],
  deleteAny: ['run', 'DELETE FROM entries WHERE id IN (SELECT id FROM entries LIMIT ?)'],
  countTagged: ['pluck', 'SELECT count(*) FROM entry_tags WHERE tag = ?'],
  deleteOldestTagged: [
    'run',
    `DELETE FROM entries WHERE id IN (SELECT e.id FROM entry_tags t JOIN entries e ON e.id = t.entry_id
       WHERE t.tag = ? ORDER BY e.accessed_at, e.id LIMIT ?)`,
  ],

  /** [id, kind, key, mode, value, filename] in insertion order, for iteration. */
  pageForward: [
    'raw',
    `SELECT id, kind, ${EXACT_KEY}, mode, value, filename FROM entries WHERE id > ? AND id <= ? AND ${LIVE} ORDER BY id LIMIT ?`,
  ],
  pageBackward: [
    'raw',
    `SELECT id, kind, ${EXACT_KEY}, mode, value, filename FROM entries WHERE id < ? AND ${LIVE} ORDER BY id DESC LIMIT ?`,
  ],
  maxId: ['pluck', 'SELECT max(id) FROM entries'],
  /** Moves when another connection commits (data-version.ts); the PRAGMA costs half the pragma_data_version table. */
  dataVersion: ['pluck', 'PRAGMA data_version'],
  /** Rows this connection has changed: reads no table, so it costs next to nothing. */
  totalChanges: ['pluck', 'SELECT total_changes()'],
} as const satisfies Record<string, readonly ['run' | 'raw' | 'pluck', string]>

export type Statements = Record<keyof typeof STATEMENTS, Statement>

/** Prepares every statement once per connection. */
export function prepareStatements(db: Database.Database): Statements {
  const prepared = {} as Statements
  for (const [name, [shape, sql]] of Object.entries(STATEMENTS)) {
    const statement = db.prepare(sql)
    if (shape === 'raw') statement.raw(true)
    if (shape === 'pluck') statement.pluck(true)
    prepared[name as keyof Statements] = statement
  }
  return prepared
}
