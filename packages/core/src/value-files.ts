import { randomBytes } from 'node:crypto'
import {
  closeSync,
  createReadStream,
  createWriteStream,
  fsyncSync,
  lstatSync,
  openSync,
  readFileSync,
  renameSync,
  rmdirSync,
  unlinkSync,
  writeSync,
} from 'node:fs'
import { dirname } from 'node:path'
import type { Readable, Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { crashPoint } from './crash-point.js'
import { CREATE_FLAGS, ValueFilePaths } from './value-file-paths.js'

export const VALUES_DIRNAME = 'values'
export const TEMP_SUFFIX = '.tmp'
/** A temp file untouched this long belongs to a writer that died; a younger one may still be in flight. */
export const STALE_TEMP_MS = 60 * 60 * 1000

/**
 * Large values live in files under `values/ab/cd/<28 hex>.val`. Names are random,
 * never derived from keys, and always use '/' so a directory copied between
 * systems keeps working. A file is written under a temporary name first and
 * renamed into place inside the transaction that references it, so `check()`
 * (which holds the write lock) never mistakes a value still being written for
 * an orphan. Every path goes through ValueFilePaths, which keeps I/O inside
 * values/ (no name from elsewhere, no symbolic link followed).
 */
export class ValueFiles {
  private readonly paths: ValueFilePaths

  constructor(
    root: string,
    private readonly fileMode: number,
    private readonly dirMode: number,
  ) {
    this.paths = new ValueFilePaths(root)
  }

  /**
   * fsync files, their directory, and the parent of each directory made for them,
   * before the commit that references them (synchronous 'full'/'extra').
   */
  durable = false

  /** Relative name (stored in the database) for a new value file. */
  createName(): string {
    const hex = randomBytes(16).toString('hex')
    return `${VALUES_DIRNAME}/${hex.slice(0, 2)}/${hex.slice(2, 4)}/${hex.slice(4)}.val`
  }

  pathOf(name: string): string {
    return this.paths.pathOf(name)
  }

  /** Whether `name` is one createName() could have made (names come from the database). */
  isValidName(name: string): boolean {
    return this.paths.isValidName(name)
  }

  /** Whether the directories above `name` are real directories inside values/ (none replaced by a link). */
  hasRealParents(name: string): boolean {
    return this.paths.hasRealParents(name)
  }

  /** Writes bytes under `name + '.tmp'`; `publish(name)` moves them into place. */
  writeTemp(name: string, data: Buffer): void {
    const fd = this.openTemp(name)
    try {
      try {
        let offset = 0
        while (offset < data.length) offset += writeSync(fd, data, offset, data.length - offset)
        if (this.durable) fsyncSync(fd)
      } finally {
        closeSync(fd)
      }
      crashPoint('temp-written')
    } catch (error) {
      // A full disk leaves a partial file: remove it, and the directories made for it.
      this.removeQuietly(name + TEMP_SUFFIX)
      throw error
    }
  }

  /** Streams `source` (through `transform`, if any) into `name + '.tmp'`; resolves to the bytes written. */
  async writeTempStream(name: string, source: Readable, transform?: Transform): Promise<number> {
    // Opened synchronously, so the file exists before the first await and a
    // failure below always has a file to remove (an asynchronous open could
    // create it after the cleanup ran).
    const fd = this.openTemp(name)
    const out = createWriteStream('', { fd, flush: this.durable })
    try {
      await (transform ? pipeline(source, transform, out) : pipeline(source, out))
    } catch (error) {
      // pipeline() destroyed `out`: let it close the descriptor before the file goes.
      if (!out.closed) await new Promise<void>((resolve) => out.once('close', () => resolve()))
      this.removeQuietly(name + TEMP_SUFFIX)
      throw error
    }
    return out.bytesWritten
  }

  publish(name: string): void {
    renameSync(this.pathOf(name) + TEMP_SUFFIX, this.pathOf(name))
    if (this.durable) syncDirectory(dirname(this.pathOf(name)))
  }

  /**
   * Reads a value file: 'missing' when it has gone (removed by another process
   * or by hand), 'unsafe' when it is not a file the cache made (see ValueFilePaths).
   */
  read(name: string): Buffer | 'missing' | 'unsafe' {
    const opened = this.paths.openForReading(name)
    if (typeof opened === 'string') return opened
    try {
      return readFileSync(opened.fd)
    } finally {
      closeSync(opened.fd)
    }
  }

  /** Opens a value file for streaming now, so a later delete cannot pull it away mid-read. */
  openStream(name: string): { stream: Readable; size: number } | 'missing' | 'unsafe' {
    const opened = this.paths.openForReading(name)
    if (typeof opened === 'string') return opened
    return { stream: createReadStream('', { fd: opened.fd, autoClose: true }), size: opened.size }
  }

  /** Removes a value file (or a leftover temp file) and prunes its now-empty parent directories; true if it removed it. */
  removeQuietly(name: string): boolean {
    // Through a directory replaced by a link, unlink would delete a file outside the cache.
    if (!this.paths.hasRealParents(name)) return false
    try {
      unlinkSync(this.pathOf(name))
    } catch {
      return false
    }
    this.pruneEmptyDirectories(name)
    return true
  }

  /**
   * Removes the directories made for `name` if they are empty, though the file
   * itself never came to be (a writer killed between mkdir and open leaves them).
   */
  pruneDirectoriesOf(name: string): void {
    if (!this.isValidName(name)) return
    for (const dir of [dirname(name), dirname(dirname(name))]) {
      try {
        rmdirSync(this.pathOf(dir)) // never follows a link: rmdir of one fails
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') return
      }
    }
  }

  /** When `name` (a value or temp file) was last written, in epoch ms; undefined when it is absent or behind a link. */
  modifiedAt(name: string): number | undefined {
    if (!this.paths.hasRealParents(name)) return undefined
    try {
      return lstatSync(this.pathOf(name)).mtimeMs
    } catch {
      return undefined
    }
  }

  /** Removes the directories above `name` that are empty, stopping below values/. */
  private pruneEmptyDirectories(name: string): void {
    let dir = dirname(name)
    while (dir !== VALUES_DIRNAME && dir !== '.' && dir.startsWith(VALUES_DIRNAME)) {
      try {
        rmdirSync(this.pathOf(dir))
      } catch {
        return
      }
      dir = dirname(dir)
    }
  }

  /** Creates `name + '.tmp'` (and its directories) for writing and returns its descriptor. */
  private openTemp(name: string): number {
    const path = this.pathOf(name) + TEMP_SUFFIX
    // Another process may prune the (empty) parent directory between our mkdir
    // and our open; DiskCache retries the same race.
    for (let attempt = 0; ; attempt++) {
      try {
        const created = this.paths.makeParents(name, this.dirMode)
        // A new directory's name is an entry in its parent, and only a sync of the
        // parent makes it durable (ext4's journal commits it with any fsync; POSIX
        // does not promise that): unsynced, a power cut could take the directory
        // away with the committed value publish() puts inside it.
        if (this.durable) for (const dir of created) syncDirectory(dirname(this.pathOf(dir)))
        return openSync(path, CREATE_FLAGS, this.fileMode)
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || attempt >= 9) {
          if (this.paths.hasRealParents(name)) this.pruneEmptyDirectories(name)
          throw error
        }
      }
    }
  }
}

function syncDirectory(path: string): void {
  const fd = openSync(path, 'r')
  try {
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
}
