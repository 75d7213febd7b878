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
    const path = this.pathOf(name) + TEMP_SUFFIX
    this.retryingOnVanishedDirectory(path, () => {
      const fd = openSync(path, 'wx', this.fileMode)
      try {
        let offset = 0
        while (offset < data.length) offset += writeSync(fd, data, offset, data.length - offset)
        if (this.durable) fsyncSync(fd)
      } finally {
        closeSync(fd)
      }
    })
  }

  /** Streams `source` (through `transform`, if any) into `name + '.tmp'`; resolves to the bytes written. */
  async writeTempStream(name: string, source: Readable, transform?: Transform): Promise<number> {
    const path = this.pathOf(name) + TEMP_SUFFIX
    mkdirSync(dirname(path), { recursive: true, mode: this.dirMode })
    const out = createWriteStream(path, { flags: 'wx', mode: this.fileMode, flush: this.durable })
    try {
      await (transform ? pipeline(source, transform, out) : pipeline(source, out))
    } catch (error) {
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

  // Another process may prune the (empty) parent directory between our mkdir
  // and our open; DiskCache retries the same race.
  private retryingOnVanishedDirectory(path: string, write: () => void): void {
    for (let attempt = 0; ; attempt++) {
      mkdirSync(dirname(path), { recursive: true, mode: this.dirMode })
      try {
        write()
        return
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || attempt >= 9) {
          try {
            unlinkSync(path)
          } catch {
            // nothing was written
          }
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
