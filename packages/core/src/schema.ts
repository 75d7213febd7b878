/**
 * The database layout. `application_id` marks the file as ours (so a foreign
 * SQLite file is never modified) and `user_version` is the schema version.
 *
 * entries      one row per key; `kind` keeps the key's type, so 1 and '1' differ.
 *              `id` is given when a key is first written; an overwrite updates
 *              the row in place, so id order is insertion order (as in a Map).
 *              Eviction policies add the index their order needs (eviction-policy.ts)
 * entry_tags   many tags per entry, indexed by tag, so evict(tag) is a range scan
 * counters     value-file bytes (kept by triggers that fire only for file-backed
 *              rows, so an ordinary write dirties no extra page), hit/miss
 *              statistics and a settings version
 * settings     the shared settings, JSON-encoded
 * pending_files  value files that may sit on disk with no entry pointing at them:
 *              a name is recorded (and committed) before its file is created,
 *              and a released file's name in the transaction that released it,
 *              so a writer killed at any moment leaves nothing nobody knows
 *              about (see pending-files.ts). `released` is 1 for a file whose
 *              row is gone, 0 for a new file not yet in an entry; `since` is
 *              wall-clock milliseconds.
 *
 * Value files are deleted by the connection whose statement removed their row,
 * after its COMMIT: each connection adds TEMP triggers that report those file
 * names to it (see released-files.ts).
 *
 * Versions: 1 had no pending_files. Opening an older file runs SCHEMA_SQL (every
 * statement is IF NOT EXISTS) and raises user_version, in one write transaction.
 */
export const APPLICATION_ID = 0x44534b43 // 'DSKC'
export const SCHEMA_VERSION = 2
export const DATABASE_FILENAME = 'cache.db'

export const SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS settings (name TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY NOT NULL, value INTEGER NOT NULL) WITHOUT ROWID;
INSERT OR IGNORE INTO counters (name, value) VALUES
  ('file_bytes', 0), ('hits', 0), ('misses', 0), ('settings_version', 0);
CREATE TABLE IF NOT EXISTS entries (
  id INTEGER PRIMARY KEY,
  kind INTEGER NOT NULL,
  key NOT NULL,
  mode INTEGER NOT NULL,
  value,
  filename TEXT,
  size INTEGER NOT NULL DEFAULT 0,
  expire_at REAL,
  stored_at REAL NOT NULL,
  accessed_at REAL NOT NULL,
  access_count INTEGER NOT NULL DEFAULT 0,
  tags TEXT
);
CREATE UNIQUE INDEX IF NOT EXISTS entries_key ON entries (kind, key);
CREATE INDEX IF NOT EXISTS entries_expire_at ON entries (expire_at) WHERE expire_at IS NOT NULL;
CREATE TABLE IF NOT EXISTS entry_tags (
  tag TEXT NOT NULL,
  entry_id INTEGER NOT NULL,
  PRIMARY KEY (tag, entry_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS entry_tags_entry ON entry_tags (entry_id);
CREATE TABLE IF NOT EXISTS pending_files (
  name TEXT PRIMARY KEY NOT NULL,
  since INTEGER NOT NULL,
  released INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TRIGGER IF NOT EXISTS entries_after_insert_file AFTER INSERT ON entries WHEN NEW.size <> 0 BEGIN
  UPDATE counters SET value = value + NEW.size WHERE name = 'file_bytes';
END;
CREATE TRIGGER IF NOT EXISTS entries_after_delete_file AFTER DELETE ON entries WHEN OLD.filename IS NOT NULL BEGIN
  UPDATE counters SET value = value - OLD.size WHERE name = 'file_bytes';
END;
CREATE TRIGGER IF NOT EXISTS entries_after_delete_tags AFTER DELETE ON entries WHEN OLD.tags IS NOT NULL BEGIN
  DELETE FROM entry_tags WHERE entry_id = OLD.id;
END;
CREATE TRIGGER IF NOT EXISTS entries_after_update_file AFTER UPDATE OF filename, size ON entries
  WHEN OLD.filename IS NOT NEW.filename OR OLD.size <> NEW.size BEGIN
  UPDATE counters SET value = value - OLD.size + NEW.size WHERE name = 'file_bytes';
END;
CREATE TRIGGER IF NOT EXISTS entries_after_update_tags AFTER UPDATE OF tags ON entries WHEN OLD.tags IS NOT NULL BEGIN
  DELETE FROM entry_tags WHERE entry_id = OLD.id;
END;
`
