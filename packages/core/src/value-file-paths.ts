import { closeSync, constants, fstatSync, lstatSync, mkdirSync, openSync } from 'node:fs'
import { join } from 'node:path'
import { CorruptCacheError } from './errors.js'

// The only names createName() makes: values/ab/cd/<28 hex>.val, or its .tmp twin.
const VALUE_FILE_NAME = /^values\/[0-9a-f]{2}\/[0-9a-f]{2}\/[0-9a-f]{28}\.val(\.tmp)?$/

// O_NOFOLLOW refuses a symbolic link at the last step; O_NONBLOCK keeps a FIFO
// planted there from blocking the open (it is then refused as not a file).
// Windows has neither flag (nor unprivileged symlinks): 0 leaves them out.
const NO_FOLLOW = constants.O_NOFOLLOW ?? 0
const READ_FLAGS = constants.O_RDONLY | NO_FOLLOW | (constants.O_NONBLOCK ?? 0)
export const CREATE_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | NO_FOLLOW

/**
 * Keeps value-file I/O inside `<root>/values`. Names come from the database, so
 * a name the cache never makes (`../../etc/passwd`, an absolute path) is refused,
 * and the directories on the way (values/, values/ab/, values/ab/cd/) must be real
 * directories: a symbolic link planted in their place is never followed, so no
 * read returns, and no write creates or replaces, a file outside the cache.
 */
export class ValueFilePaths {
  constructor(private readonly root: string) {}

  isValidName(name: string): boolean {
    return VALUE_FILE_NAME.test(name)
  }

  pathOf(name: string): string {
    return join(this.root, name)
  }

  /** Whether every directory between values/ and the file is a real directory (not a link). */
  hasRealParents(name: string): boolean {
    if (!this.isValidName(name)) return false
    for (const dir of parentsOf(name)) {
      try {
        if (!lstatSync(this.pathOf(dir)).isDirectory()) return false
      } catch {
        return false
      }
    }
    return true
  }

  /**
   * Creates the directories for `name` one level at a time, refusing any that
   * is not a real directory. Returns the ones it created, outermost first.
   */
  makeParents(name: string, mode: number): string[] {
    const created: string[] = []
    for (const dir of parentsOf(name)) {
      const path = this.pathOf(dir)
      try {
        mkdirSync(path, { mode })
        created.push(dir)
        continue
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
      }
      if (!lstatSync(path).isDirectory()) {
        throw new CorruptCacheError(
          `${path} is not a directory (a symbolic link or a file was put there), so diskcache will not write through it. ` +
            'Remove it: cache.check({ fix: true }) does',
        )
      }
    }
    return created
  }

  /**
   * Opens a value file for reading: its descriptor and size, 'missing' when it
   * is gone, or 'unsafe' when it, or a directory above it, is not what the cache
   * made (a link, a FIFO, a name from outside values/).
   */
  openForReading(name: string): { fd: number; size: number } | 'missing' | 'unsafe' {
    if (!this.hasRealParents(name)) return this.isValidName(name) && this.isMissing(name) ? 'missing' : 'unsafe'
    let fd: number
    try {
      fd = openSync(this.pathOf(name), READ_FLAGS)
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code
      if (code === 'ENOENT') return 'missing'
      if (code === 'ELOOP' || code === 'EMLINK') return 'unsafe' // a link at the last step (EMLINK on some BSDs)
      throw error
    }
    const stats = fstatSync(fd)
    if (!stats.isFile()) {
      closeSync(fd)
      return 'unsafe'
    }
    return { fd, size: stats.size }
  }

  // A directory of the path that does not exist means the file is missing, not planted.
  private isMissing(name: string): boolean {
    for (const dir of parentsOf(name)) {
      try {
        lstatSync(this.pathOf(dir))
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return true
      }
    }
    return false
  }
}

/** values, values/ab, values/ab/cd for a valid name values/ab/cd/<hex>.val. */
function parentsOf(name: string): [string, string, string] {
  return [name.slice(0, 6), name.slice(0, 9), name.slice(0, 12)]
}
