import { lstatSync, readdirSync, rmdirSync, rmSync, type Stats } from 'node:fs'
import { recoverPendingFiles } from './recover-pending-files.js'
import type { Store } from './store.js'
import { readOnlyError } from './translate-error.js'
import { STALE_TEMP_MS, TEMP_SUFFIX, VALUES_DIRNAME } from './value-files.js'

export interface CheckOptions {
  /**
   * Repair what is found: drop entries whose file is gone or damaged (with the file), remove orphan files,
   * links and empty directories, recount.
   */
  fix?: boolean
}

export type CheckProblemKind =
  | 'integrity'
  | 'missing-file'
  | 'size-mismatch'
  | 'symlink'
  | 'orphan-file'
  | 'stale-temp-file'
  | 'empty-directory'
  | 'counter-mismatch'

export interface CheckProblem {
  kind: CheckProblemKind
  message: string
  /** The value file or directory concerned, relative to the cache directory. */
  path?: string
  /** True when `fix` repaired it. */
  fixed: boolean
}

export interface CheckReport {
  /** True when nothing was wrong (or everything found was fixed). */
  ok: boolean
  problems: CheckProblem[]
}

/**
 * Checks SQLite's integrity, then, holding the write lock so no writer moves
 * files underneath, reconciles rows with value files and the counters with the rows.
 * What killed writers left is removed first, as opening does (recover-pending-files.ts),
 * so only what diskcache could not have left is reported.
 */
export function checkCache(store: Store, options: CheckOptions = {}): CheckReport {
  if (options.fix === true && store.options.readonly) throw readOnlyError(store.directory, 'check({ fix: true })')
  const fix = options.fix === true
  const problems: CheckProblem[] = []
  const integrityCheck = () => store.run(() => store.prepare('PRAGMA integrity_check', 'pluck').all()) as string[]
  const messages = integrityCheck().filter((message) => message !== 'ok')
  if (messages.length > 0) {
    if (fix) store.run(() => store.db.exec('REINDEX'))
    const healed = fix && integrityCheck()[0] === 'ok'
    for (const message of messages) problems.push({ kind: 'integrity', message, fixed: healed })
  }
  const reconcile = () => reconcileFiles(store, fix, problems)
  if (store.options.readonly) store.read(reconcile)
  else store.write('check', reconcile)
  return { ok: problems.every((problem) => problem.fixed), problems }
}

function reconcileFiles(store: Store, fix: boolean, problems: CheckProblem[]): void {
  const referenced = new Set<string>()
  const rows = store.prepare('SELECT id, filename, size FROM entries WHERE filename IS NOT NULL', 'raw').all() as [
    number,
    string,
    number,
  ][]
  // Files a writer recorded as pending are its (or, if it died, recovery's) to remove, never orphans.
  if (store.options.readonly) {
    for (const name of readPendingNames(store)) referenced.add(name)
  } else {
    recoverPendingFiles(store, new Set(rows.map((row) => row[1])))
    for (const name of readPendingNames(store)) referenced.add(name)
  }
  const dropped: number[] = []
  for (const [id, filename, size] of rows) {
    referenced.add(filename)
    const problem = inspectValueFile(store, filename, size)
    if (problem === null) continue
    problems.push({ ...problem, message: `entry ${id}: ${problem.message}`, path: filename, fixed: fix })
    dropped.push(id)
  }
  if (fix) {
    // A damaged file is never made valid by recording its new size: the entry goes, and its file after the commit.
    const remove = store.prepare('DELETE FROM entries WHERE id = ?')
    for (const id of dropped) remove.run(id)
  }
  // File times are wall-clock times: compare them with Date.now(), not with an injected `now`.
  scanDirectory(store, VALUES_DIRNAME, referenced, fix, problems, Date.now())
  checkCounters(store, fix, problems)
}

/** What is wrong with an entry's value file, or null. Never follows a link, never leaves values/. */
function inspectValueFile(store: Store, filename: string, size: number): Pick<CheckProblem, 'kind' | 'message'> | null {
  const { files } = store
  if (!files.isValidName(filename)) {
    return { kind: 'missing-file', message: 'names a value file outside values/, which diskcache never makes' }
  }
  if (!files.hasRealParents(filename)) {
    return { kind: 'missing-file', message: 'points to a value file that is missing or behind a link' }
  }
  let stats: Stats
  try {
    stats = lstatSync(files.pathOf(filename))
  } catch (error) {
    if (!isNotFound(error)) throw error // unreadable is not missing: never drop a row for it
    return { kind: 'missing-file', message: 'points to a missing value file' }
  }
  if (!stats.isFile()) return { kind: 'symlink', message: 'its value file is a link or not a regular file' }
  if (stats.size !== size) return { kind: 'size-mismatch', message: `value file is ${stats.size} bytes, the database says ${size}` }
  return null
}

/** Walks values/ for files no row references and directories left empty. Returns whether `dir` is now empty. */
function scanDirectory(
  store: Store,
  dir: string,
  referenced: Set<string>,
  fix: boolean,
  problems: CheckProblem[],
  now: number,
): boolean {
  let names: string[]
  try {
    if (dir === VALUES_DIRNAME && lstatSync(store.files.pathOf(dir)).isSymbolicLink()) {
      problems.push({ kind: 'symlink', message: 'values/ is a link, not followed', path: dir, fixed: fix })
      if (fix) rmSync(store.files.pathOf(dir))
      return false
    }
    names = readdirSync(store.files.pathOf(dir))
  } catch {
    return false
  }
  let remaining = names.length
  for (const name of names) {
    const relative = `${dir}/${name}`
    let stats: Stats
    try {
      stats = lstatSync(store.files.pathOf(relative))
    } catch (error) {
      // Another process deletes the files its commit released after it lets go of the lock.
      if (!isNotFound(error)) throw error
      remaining--
      continue
    }
    if (stats.isDirectory()) {
      if (scanDirectory(store, relative, referenced, fix, problems, now)) {
        problems.push({ kind: 'empty-directory', message: 'empty value directory', path: relative, fixed: fix })
        if (fix && removeDirectory(store.files.pathOf(relative))) remaining--
      }
      continue
    }
    if (stats.isSymbolicLink()) {
      // Never followed, and removing it removes the link, not what it points to.
      problems.push({ kind: 'symlink', message: 'link in the value-file tree, not followed', path: relative, fixed: fix })
      if (fix) {
        rmSync(store.files.pathOf(relative))
        remaining--
      }
      continue
    }
    if (referenced.has(relative)) continue
    if (name.endsWith(TEMP_SUFFIX)) {
      if (now - stats.mtimeMs < STALE_TEMP_MS) continue
      problems.push({ kind: 'stale-temp-file', message: 'temporary file left by a writer that stopped', path: relative, fixed: fix })
    } else {
      problems.push({ kind: 'orphan-file', message: 'value file that no entry references', path: relative, fixed: fix })
    }
    if (fix) {
      rmSync(store.files.pathOf(relative), { force: true })
      remaining--
    }
  }
  return remaining === 0 && dir !== VALUES_DIRNAME
}

function readPendingNames(store: Store): string[] {
  // A reader may be looking at a file from before pending_files (schema 1): it cannot add the table.
  const hasTable = store.prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'pending_files'", 'pluck').get()
  return hasTable === 1 ? (store.prepare('SELECT name FROM pending_files', 'pluck').all() as string[]) : []
}

function removeDirectory(path: string): boolean {
  try {
    rmdirSync(path)
    return true
  } catch {
    return false
  }
}

function checkCounters(store: Store, fix: boolean, problems: CheckProblem[]): void {
  const { statements } = store
  const fileBytes = store.prepare('SELECT coalesce(sum(size), 0) FROM entries', 'pluck').get() as number
  const recorded = statements.counter.get('file_bytes') as number
  if (recorded === fileBytes) return
  problems.push({ kind: 'counter-mismatch', message: `value-file bytes recorded as ${recorded}, the entries say ${fileBytes}`, fixed: fix })
  if (fix) statements.setCounter.run(fileBytes, 'file_bytes')
}

function isNotFound(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | null)?.code === 'ENOENT'
}
