import { randomBytes } from 'node:crypto'
import {
  closeSync,
  createReadStream,
  createWriteStream,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmdirSync,
  unlinkSync,
  writeSync,
} from 'node:fs'
import { dirname, join } from 'node:path'
import type { Readable, Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'

export const VALUES_DIRNAME = 'values'
export const TEMP_SUFFIX = '.tmp'

/**
 * Large values live in files under `values/ab/cd/<28 hex>.val`. Names are random,
 * never derived from keys, and always use '/' so a directory copied between
 * systems keeps working. A file is written under a temporary name first and
 * renamed into place inside the transaction that references it, so `check()`
 * (which holds the write lock) never mistakes a value still being written for
 * an orphan.
 */
export class ValueFiles {
  constructor(
    private readonly root: string,
    private readonly fileMode: number,
    private readonly dirMode: number,
  ) {}

  /** fsync files and their directory before the commit that references them (synchronous 'full'/'extra'). */
  durable = false

  /** Relative name (stored in the database) for a new value file. */
  createName(): string {
    const hex = randomBytes(16).toString('hex')
    return `${VALUES_DIRNAME}/${hex.slice(0, 2)}/${hex.slice(2, 4)}/${hex.slice(4)}.val`
  }

  pathOf(name: string): string {
    return join(this.root, name)
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

  /** Reads a value file; undefined when it has gone (removed by another process or by hand). */
  read(name: string): Buffer | undefined {
    try {
      return readFileSync(this.pathOf(name))
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
      throw error
    }
  }

  /** Opens a value file for streaming now, so a later delete cannot pull it away mid-read. */
  openStream(name: string): Readable | undefined {
    let fd: number
    try {
      fd = openSync(this.pathOf(name), 'r')
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
      throw error
    }
    return createReadStream('', { fd, autoClose: true })
  }

  /** Removes a value file (or a leftover temp file) and prunes its now-empty parent directories. */
  removeQuietly(name: string): void {
    try {
      unlinkSync(this.pathOf(name))
    } catch {
      return
    }
    this.pruneEmptyDirectories(name)
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
      mkdirSync(dirname(path), { recursive: true, mode: this.dirMode })
      try {
        return openSync(path, 'wx', this.fileMode)
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || attempt >= 9) {
          this.pruneEmptyDirectories(name)
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
