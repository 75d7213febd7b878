import { readdirSync } from 'node:fs'
import { dirname } from 'node:path'
import { familyStem } from './pending-files.js'
import type { Store } from './store.js'
import { STALE_TEMP_MS, TEMP_SUFFIX } from './value-files.js'

const PENDING = 'SELECT name, since, released FROM pending_files'
const FORGET = 'DELETE FROM pending_files WHERE name IN (SELECT value FROM json_each(?))'

/**
 * Removes the value files that writers killed mid-write left behind, found
 * through pending_files (pending-files.ts). Call inside a write transaction:
 * holding the write lock means no writer is between renaming a file into place
 * and its COMMIT, so a pending file that exists is referenced by no entry and
 * never will be. That is also why no entry is looked up here (there is no index
 * on filename, and a scan could take seconds on a big cache): a transaction that
 * points an entry at a file deletes its pending row, and one that stops
 * pointing at it adds the row, so no committed state has both. check() passes
 * the names it read anyway, as a second guard.
 *
 * A temp file is removed only once it is as old as check()'s stale age: a
 * younger one may be a live writer's, still being written. A new file's row
 * with neither file present waits as long, since its writer may be about to
 * create the temp file. A new file's name also stands for the files of its
 * family (pending-files.ts), which a transaction killed before its COMMIT may
 * have left in the same directory. Returns how many files it removed.
 */
export function recoverPendingFiles(store: Store, referenced?: ReadonlySet<string>): number {
  const rows = store.prepare(PENDING, 'raw').all() as [string, number, number][]
  if (rows.length === 0) return 0
  const { files } = store
  // File times are wall-clock times: compare them with Date.now(), not with an injected `now`.
  const now = Date.now()
  const done: string[] = []
  let removed = 0
  for (const [name, since, released] of rows) {
    // A name diskcache could not have made is never turned into a path.
    if (!files.isValidName(name) || referenced?.has(name)) {
      done.push(name)
      continue
    }
    let hadFile = false
    let inFlight = false
    for (const file of released === 1 ? [name] : [name, ...familyOf(store, name)]) {
      if (files.removeQuietly(file)) {
        hadFile = true
        removed++
      }
      const tempWrittenAt = files.modifiedAt(file + TEMP_SUFFIX)
      if (tempWrittenAt === undefined) continue
      hadFile = true
      if (now - tempWrittenAt < STALE_TEMP_MS) inFlight = true
      else if (files.removeQuietly(file + TEMP_SUFFIX)) removed++
    }
    // Also when the row stays: a writer killed between mkdir and open left empty directories.
    // A live writer there retries its mkdir (ValueFiles.openTemp).
    files.pruneDirectoriesOf(name)
    if (!inFlight && (hadFile || released === 1 || now - since >= STALE_TEMP_MS)) done.push(name)
  }
  if (done.length > 0) store.prepare(FORGET).run(JSON.stringify(done))
  return removed
}

/** The other files (value or temp) in `name`'s directory that share its family stem, as value-file names. */
function familyOf(store: Store, name: string): string[] {
  const dir = dirname(name)
  const stem = familyStem(name)
  let entries: string[]
  try {
    entries = readdirSync(store.files.pathOf(dir))
  } catch {
    return []
  }
  const family = new Set<string>()
  for (const entry of entries) {
    const file = `${dir}/${entry.endsWith(TEMP_SUFFIX) ? entry.slice(0, -TEMP_SUFFIX.length) : entry}`
    if (file !== name && file.startsWith(stem) && store.files.isValidName(file)) family.add(file)
  }
  return [...family]
}
