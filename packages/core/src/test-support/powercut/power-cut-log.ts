import { closeSync, fstatSync, openSync, readSync } from 'node:fs'

/** What powercut.c appends for each call on the watched directory (see its `struct record`). */
export type PowerCutRecord =
  | { type: 'open'; fd: number; flags: number; isDirectory: boolean; path: string }
  | { type: 'close'; fd: number }
  | { type: 'write'; fd: number; offset: number; length: number; dataAt: number }
  | { type: 'truncate'; fd: number; length: number }
  | { type: 'fsync'; fd: number; dataOnly: boolean }
  | { type: 'rename'; from: string; to: string }
  | { type: 'unlink'; path: string }
  | { type: 'mkdir'; path: string }
  | { type: 'rmdir'; path: string }

const HEADER_BYTES = 40
const TYPES = ['', 'open', 'close', 'write', 'truncate', 'fsync', 'rename', 'unlink', 'mkdir', 'rmdir', 'overflow', 'error'] as const

/**
 * Reads the records of a power-cut log in order. A write's bytes stay in the log
 * (`dataAt` is their position; read them with readLogBytes), so replaying a log
 * costs memory for its records, not for the data. A last record cut short by the
 * kill is dropped: the call it describes had not returned.
 */
export function* readPowerCutLog(logPath: string): Generator<PowerCutRecord> {
  const fd = openSync(logPath, 'r')
  try {
    const size = fstatSync(fd).size
    const header = Buffer.alloc(HEADER_BYTES)
    for (let at = 0; at + HEADER_BYTES <= size; ) {
      readSync(fd, header, 0, HEADER_BYTES, at)
      const type = TYPES[header.readUInt32LE(0)]
      const fd_ = header.readInt32LE(4)
      const a = Number(header.readBigInt64LE(8))
      const b = Number(header.readBigInt64LE(16))
      const length1 = header.readUInt32LE(24)
      const length2 = header.readUInt32LE(28)
      const dataLength = Number(header.readBigUInt64LE(32))
      const end = at + HEADER_BYTES + length1 + length2 + dataLength
      if (type === undefined || type === '') throw new Error(`power-cut log ${logPath}: unknown record type at byte ${at}`)
      if (end > size) return
      const text = Buffer.alloc(length1 + length2)
      readSync(fd, text, 0, text.length, at + HEADER_BYTES)
      const path1 = text.toString('utf8', 0, length1)
      const path2 = text.toString('utf8', length1)
      const dataAt = at + HEADER_BYTES + length1 + length2
      at = end
      switch (type) {
        case 'open':
          yield { type, fd: fd_, flags: a, isDirectory: b === 1, path: path1 }
          break
        case 'close':
          yield { type, fd: fd_ }
          break
        case 'write':
          yield { type, fd: fd_, offset: a, length: dataLength, dataAt }
          break
        case 'truncate':
          yield { type, fd: fd_, length: a }
          break
        case 'fsync':
          yield { type, fd: fd_, dataOnly: a === 1 }
          break
        case 'rename':
          yield { type, from: path1, to: path2 }
          break
        case 'unlink':
        case 'mkdir':
        case 'rmdir':
          yield { type, path: path1 }
          break
        case 'overflow':
          throw new Error(
            `power-cut log ${logPath} passed its cap of ${a} bytes and stopped recording, so no image can be built from it. ` +
              'Shorten the workload or raise POWERCUT_LOG_LIMIT',
          )
        case 'error':
          throw new Error(`power-cut recorder: ${path1}${path2 ? ` (${path2})` : ''}; the log cannot be replayed faithfully`)
      }
    }
  } finally {
    closeSync(fd)
  }
}

/** The bytes of a write record, from the log opened as `logFd`. */
export function readLogBytes(logFd: number, dataAt: number, length: number): Buffer {
  const bytes = Buffer.alloc(length)
  for (let done = 0; done < length; ) done += readSync(logFd, bytes, done, length - done, dataAt + done)
  return bytes
}
