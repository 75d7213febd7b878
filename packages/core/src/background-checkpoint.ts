import { createRequire } from 'node:module'
import { clearTimeout, setTimeout } from 'node:timers'
import { Worker } from 'node:worker_threads'
import { MUST_RETAIN_NATIVE_OBJECTS } from './native-handles.js'
import { OWN_FILENAME } from './own-filename.js'

/**
 * Checkpoints run on a worker thread, not in the write that happens to fill
 * the WAL.
 *
 * In WAL mode SQLite copies the log back into the database (a checkpoint)
 * from inside the commit that takes the log past 1,000 pages, and with
 * `synchronous` 'normal' that is where the fsyncs are: the write that pays
 * for it blocks the event loop for milliseconds, and about half of a write's
 * average cost is this wait (BENCHMARKS.md, finding 9). Instead, each
 * writable connection turns its own automatic checkpoint down to a fallback,
 * and tells one worker thread per process, every NUDGE_EVERY writes, to run a
 * PASSIVE checkpoint on a connection of its own: it takes no lock that
 * readers or writers wait for, and the fsyncs block only the worker. Past
 * SAFETY_NET_PAGES the worker also starts the WAL over (RESTART_WAIT_MS).
 *
 * The worker and the connection share a few integers (SharedArrayBuffer): a
 * request already queued is not sent twice, the worker reads the current
 * `synchronous` level (its checkpoint syncs as the cache's writes do), and
 * close() waits for the worker to let go of the file, so the cache's own
 * close is the last one and removes the WAL as before. If the worker cannot
 * open the file or load better-sqlite3, the connection goes back to
 * checkpointing itself; a checkpoint that fails (a full disk) is tried again
 * at the next request.
 */

/** Write commits between two requests to the worker, and between two looks at the WAL's size. */
export const NUDGE_EVERY = 100
/**
 * Where the WAL starts over under sustained writes. A PASSIVE checkpoint
 * cannot restart it while writes keep coming (a writer restarts it only when
 * it finds every frame copied), so once one finds the WAL past this many
 * pages (16 MiB) the worker runs a RESTART checkpoint (RESTART_WAIT_MS).
 * 4000 measured better than 1500, 2000 and 10,000 in the tail of a write
 * loop, when the connection's own checkpoint restarted the WAL here. The
 * connection also sets journal_size_limit to it, so the WAL file shrinks
 * back to it when it starts over, and its size tells how far the current
 * WAL has grown.
 */
export const SAFETY_NET_PAGES = 4000
export const SAFETY_NET_BYTES = SAFETY_NET_PAGES * 4096
/**
 * The connection's own automatic checkpoint while the worker serves it: past
 * the worker's restart point, so that it runs only when the worker falls
 * behind. At the safety net itself, every commit of every process ran a
 * checkpoint once the WAL was past it, and each held the checkpoint lock the
 * worker needed.
 */
export const FALLBACK_PAGES = 2 * SAFETY_NET_PAGES
/**
 * SQLite skips its automatic checkpoint while another one runs, and on a busy
 * disk one of the worker's can last long enough for a writer to pile up a WAL
 * of 100 MB. Past this size the connection catches up (Store.noteWrite): it
 * holds the worker off, waits for the checkpoint in progress, and runs a
 * RESTART checkpoint itself (Store.restartWal), so the next write starts the
 * WAL over and a writer faster than the disk waits for it, as it would inline.
 * It must be a RESTART: with several processes a PASSIVE one never lets the
 * WAL start over, and while the connection catches up it sends the worker
 * nothing, so under CPU load (the worker's RESTART failing once, the catch-up
 * taking over) the WAL grew past 200 MB. Inline caches do the same.
 */
export const CATCH_UP_BYTES = FALLBACK_PAGES * 4096 // where the connection's own checkpoint would run too
export const INLINE_PAGES = 1000
/**
 * With several processes reading and writing one file, PASSIVE checkpoints
 * alone never start the WAL over: a writer restarts it only when every frame
 * was copied before its transaction began and no reader is in the WAL, and
 * between a checkpoint and the next commit some reader always is. The WAL
 * then grew by about 100 MB a second under part 6's mix at P = 4, and every
 * commit past the safety net ran a checkpoint of its own. So once a PASSIVE
 * checkpoint finds the WAL past SAFETY_NET_PAGES, the worker runs a RESTART
 * checkpoint: it holds the write lock while it copies the few frames PASSIVE
 * left and waits, up to this long, for readers still in the WAL; readers
 * that start meanwhile read the database file, and the next commit starts
 * the WAL over.
 */
export const RESTART_WAIT_MS = 10
/** Longest close() and a catch-up wait for the worker to finish a checkpoint in progress. */
const WORKER_WAIT_MS = 5000
/** The worker stops this long after its last file closed (a new cache starts it again). */
const IDLE_STOP_MS = 5000

// Slots of the shared Int32Array.
const PENDING = 0 // 1 while a checkpoint request is queued
const SYNCHRONOUS = 1 // the connection's PRAGMA synchronous level
const DONE = 2 // 1 once the worker has closed its connection
const FAILED = 3 // 1 when the worker cannot checkpoint this file
const RUNNING = 4 // 1 while the worker runs a checkpoint
const HOLD = 5 // 1 while the connection checkpoints itself: the worker skips its turn
const SLOTS = 6

const WORKER_SOURCE = `'use strict'
const { parentPort, workerData } = require('node:worker_threads')
let Database
let loadError
try {
  Database = require(workerData.betterSqlite3)
} catch (error) {
  loadError = error
}
const files = new Map()
// Closed connections stay reachable where the garbage collector freeing one would abort the
// process (Node 24.19 and later with better-sqlite3 12: see native-handles.ts).
const retained = workerData.retain ? [] : undefined
function raise(flags, slot) {
  Atomics.store(flags, slot, 1)
  Atomics.notify(flags, slot)
}
parentPort.on('message', ({ op, id, path, flags }) => {
  const file = files.get(id)
  if (op === 'open') {
    if (loadError) return raise(flags, ${FAILED})
    try {
      const db = new Database(path, { fileMustExist: true, timeout: 0 })
      // Prepared once and kept: each returns [busy, frames in the WAL, frames copied].
      const passive = db.prepare('PRAGMA wal_checkpoint(PASSIVE)').raw()
      const restart = db.prepare('PRAGMA wal_checkpoint(RESTART)').raw()
      retained?.push(db, passive, restart)
      files.set(id, { db, flags, synchronous: -1, passive, restart, restartAt: ${SAFETY_NET_PAGES} })
    } catch {
      raise(flags, ${FAILED})
    }
  } else if (op === 'checkpoint' && file) {
    Atomics.store(file.flags, ${PENDING}, 0)
    // RUNNING before HOLD is read, and the connection sets HOLD before it reads RUNNING: never both at once.
    Atomics.store(file.flags, ${RUNNING}, 1)
    try {
      if (Atomics.load(file.flags, ${HOLD}) === 1) return
      const level = Atomics.load(file.flags, ${SYNCHRONOUS})
      // exec() only: pragma() would make a Statement for the garbage collector (see native-handles.ts).
      if (level !== file.synchronous) {
        file.db.exec('PRAGMA synchronous = ' + level)
        file.synchronous = level
      }
      const frames = file.passive.get()[1] // -1 when another checkpoint was running
      if (frames >= 0 && frames < ${SAFETY_NET_PAGES}) file.restartAt = ${SAFETY_NET_PAGES}
      else if (frames >= file.restartAt) {
        // A RESTART that fails is tried again only once the WAL has grown by as much again,
        // so that a long reader does not stall writers at each nudge.
        file.db.exec('PRAGMA busy_timeout = ${RESTART_WAIT_MS}')
        try {
          file.restartAt = file.restart.get()[0] === 0 ? ${SAFETY_NET_PAGES} : frames + ${SAFETY_NET_PAGES}
        } finally {
          file.db.exec('PRAGMA busy_timeout = 0')
        }
      }
    } catch {
      // A full disk or an I/O error: as SQLite does with its own automatic checkpoint, the next
      // request tries again, and the connection's catch-up stands in meanwhile.
    } finally {
      Atomics.store(file.flags, ${RUNNING}, 0)
      Atomics.notify(file.flags, ${RUNNING})
    }
  } else if (op === 'close') {
    files.delete(id)
    try { file?.db.close() } catch {}
    raise(flags, ${DONE})
  }
})
`

interface WorkerRecord {
  readonly worker: Worker
  /** Flags of the files it serves, raised all at once if the thread dies. */
  readonly files: Set<Int32Array>
}

let current: WorkerRecord | undefined
let stopTimer: ReturnType<typeof setTimeout> | undefined
let nextId = 1

function startWorker(): WorkerRecord | undefined {
  let worker: Worker
  try {
    const betterSqlite3 = createRequire(OWN_FILENAME).resolve('better-sqlite3')
    const workerData = { betterSqlite3, retain: MUST_RETAIN_NATIVE_OBJECTS }
    // The source is a CommonJS script: a worker inherits the process's flags, and `node --input-type=module`
    // would make it an ES module (no require), which dies at once while close() waits for it.
    const execArgv = process.execArgv.filter((flag) => !/^--(input-type|experimental-default-type)\b/.test(flag))
    worker = new Worker(WORKER_SOURCE, { eval: true, workerData, execArgv, stdout: false, stderr: false })
  } catch {
    return undefined
  }
  worker.unref() // never keeps the process alive
  const record: WorkerRecord = { worker, files: new Set() }
  const died = () => {
    if (current === record) current = undefined
    for (const flags of record.files) {
      Atomics.store(flags, FAILED, 1)
      Atomics.store(flags, DONE, 1)
    }
  }
  worker.on('error', died)
  worker.on('exit', died)
  return record
}

function stopWhenIdle(record: WorkerRecord): void {
  if (record.files.size > 0 || record !== current) return
  if (stopTimer) clearTimeout(stopTimer)
  stopTimer = setTimeout(() => {
    stopTimer = undefined
    if (record.files.size > 0 || record !== current) return
    current = undefined
    void record.worker.terminate()
  }, IDLE_STOP_MS)
  stopTimer.unref()
}

/**
 * One writable connection's share of the checkpoint worker. The connection
 * looks at its WAL every NUDGE_EVERY writes (Store.noteWrite) and then asks
 * for a checkpoint, or catches up past CATCH_UP_BYTES.
 */
export class BackgroundCheckpoint {
  private readonly flags = new Int32Array(new SharedArrayBuffer(SLOTS * Int32Array.BYTES_PER_ELEMENT))
  private readonly id = nextId++
  private closed = false

  private constructor(private readonly record: WorkerRecord) {}

  /**
   * Hands the checkpoints of the database at `path` to the worker, or returns
   * undefined when no worker thread can be started (the caller then leaves
   * SQLite's automatic checkpoint as it is).
   */
  static start(path: string, synchronousLevel: number): BackgroundCheckpoint | undefined {
    if (stopTimer) {
      clearTimeout(stopTimer)
      stopTimer = undefined
    }
    current ??= startWorker()
    if (!current) return undefined
    const handle = new BackgroundCheckpoint(current)
    handle.synchronous = synchronousLevel
    current.files.add(handle.flags)
    current.worker.postMessage({ op: 'open', id: handle.id, path, flags: handle.flags })
    return handle
  }

  set synchronous(level: number) {
    Atomics.store(this.flags, SYNCHRONOUS, level)
  }

  /** True once the worker cannot checkpoint this file: it could not open it, or its thread died. */
  get failed(): boolean {
    return Atomics.load(this.flags, FAILED) === 1
  }

  /** Asks the worker for a checkpoint, unless one is already queued. */
  request(): void {
    if (Atomics.compareExchange(this.flags, PENDING, 0, 1) === 0) this.record.worker.postMessage({ op: 'checkpoint', id: this.id })
  }

  /** Holds the worker off, waits (up to WORKER_WAIT_MS) for its checkpoint in progress, and runs `checkpoint` meanwhile. */
  catchUp<T>(checkpoint: () => T): T {
    Atomics.store(this.flags, HOLD, 1)
    try {
      const deadline = Date.now() + WORKER_WAIT_MS
      while (Atomics.load(this.flags, RUNNING) === 1 && Date.now() < deadline) Atomics.wait(this.flags, RUNNING, 1, deadline - Date.now())
      return checkpoint()
    } finally {
      Atomics.store(this.flags, HOLD, 0)
    }
  }

  /** Waits (up to WORKER_WAIT_MS, for a checkpoint in progress) until the worker has closed its connection. */
  close(): void {
    if (this.closed) return
    this.closed = true
    this.record.files.delete(this.flags)
    if (Atomics.load(this.flags, DONE) === 0) {
      this.record.worker.postMessage({ op: 'close', id: this.id, flags: this.flags })
      Atomics.wait(this.flags, DONE, 0, WORKER_WAIT_MS)
    }
    stopWhenIdle(this.record)
  }
}

/** Stops the worker as if its thread had died (for tests of the way back to inline checkpoints). */
export async function terminateWorkerForTests(): Promise<void> {
  const record = current
  if (!record) return
  await record.worker.terminate()
}
