import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'

const SCRIPT = join(__dirname, 'cache-child.cjs')
export const BUILT_PACKAGE = join(__dirname, '../../dist/cjs/index.js')

export interface ChildError {
  name: string
  code?: string
  message: string
  /** The error's cause (the SQLite or fs error behind a DiskCacheError), for diagnosis. */
  cause?: { code?: string; message: string; stack?: string }
  /** The stack in the child, which replaces the parent-side one. */
  stack?: string
}

export interface ChildEvent {
  event: string
  [field: string]: unknown
}

export interface StartOptions {
  /** Run the child under `ulimit -f <blocks>` (1 KiB blocks, bash). */
  fileSizeLimitKiB?: number
  /** Run the child as this user and group (only root can ask). */
  uid?: number
  gid?: number
  /** Extra environment variables for the child (DISKCACHE_CRASH_AT, say: see crash-point.ts). */
  env?: Record<string, string>
}

const running = new Set<ChildCache>()

/** A Cache in another process (test-support/cache-child.cjs), driven over IPC. */
export class ChildCache {
  readonly events: ChildEvent[] = []
  private stderr = ''
  private nextId = 1
  private readonly pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>()
  private readonly waiters = new Set<() => void>()
  private failed = false
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>

  private constructor(private readonly child: ChildProcess) {
    child.stderr?.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()))
    // A child that cannot start (no bash, say) emits 'error' and may never exit: fail fast, with the reason.
    child.on('error', (error) => {
      this.stderr += `\n[spawn error] ${error.message}`
      running.delete(this)
      for (const { reject } of this.pending.values()) reject(error)
      this.pending.clear()
      this.failed = true
      for (const wake of this.waiters) wake()
    })
    child.on('message', (message: { id?: number; result?: unknown; error?: ChildError; event?: string }) => {
      if (message.id !== undefined) {
        const waiting = this.pending.get(message.id)
        this.pending.delete(message.id)
        if (message.error) waiting?.reject(Object.assign(new Error(message.error.message), message.error))
        else waiting?.resolve(message.result)
      } else if (message.event !== undefined) {
        this.events.push(message as ChildEvent)
        for (const wake of this.waiters) wake()
      }
    })
    this.exited = new Promise((resolve) => {
      child.on('exit', (code, signal) => {
        running.delete(this)
        const failure = new Error(`child exited (code ${code}, signal ${signal}) before answering; stderr:\n${this.stderr}`)
        for (const { reject } of this.pending.values()) reject(failure)
        this.pending.clear()
        for (const wake of this.waiters) wake()
        resolve({ code, signal })
      })
    })
  }

  /** Starts a child for `directory` and waits until it is ready for requests. */
  static async start(directory: string, options: StartOptions = {}): Promise<ChildCache> {
    if (!existsSync(BUILT_PACKAGE)) {
      throw new Error(`${BUILT_PACKAGE} is missing: build first (npm run build in packages/core, or npm test from the root)`)
    }
    const stdio: ['ignore', 'ignore', 'pipe', 'ipc'] = ['ignore', 'ignore', 'pipe', 'ipc']
    const ids = {
      ...(options.uid === undefined ? {} : { uid: options.uid, gid: options.gid ?? options.uid }),
      ...(options.env === undefined ? {} : { env: { ...process.env, ...options.env } }),
    }
    const child =
      options.fileSizeLimitKiB === undefined
        ? spawn(process.execPath, [SCRIPT, directory], { stdio, ...ids })
        : spawn('bash', ['-c', `ulimit -f ${options.fileSizeLimitKiB} && exec "$0" "$@"`, process.execPath, SCRIPT, directory], {
            stdio,
            ...ids,
          })
    const handle = new ChildCache(child)
    running.add(handle)
    await handle.waitForEvent('ready')
    return handle
  }

  get pid(): number | undefined {
    return this.child.pid
  }

  /** Sends one request and resolves with its result (rejects with the child's error, name and code kept). */
  request<T = unknown>(op: string, args?: unknown, timeoutMs = 15_000): Promise<T> {
    const id = this.nextId++
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id)
        reject(new Error(`child did not answer ${op} within ${timeoutMs} ms; stderr:\n${this.stderr}`))
      }, timeoutMs)
      this.pending.set(id, {
        resolve: (value) => {
          clearTimeout(timer)
          resolve(value as T)
        },
        reject: (error) => {
          clearTimeout(timer)
          reject(error)
        },
      })
      this.child.send({ id, op, args })
    })
  }

  /** Resolves with the first event named `name` (already received or still to come) that `matches`. */
  waitForEvent(name: string, matches: (event: ChildEvent) => boolean = () => true, timeoutMs = 15_000): Promise<ChildEvent> {
    return new Promise((resolve, reject) => {
      const look = (): boolean => {
        const found = this.events.find((event) => event.event === name && matches(event))
        if (found) {
          finish()
          resolve(found)
          return true
        }
        if (this.failed || this.child.exitCode !== null || this.child.signalCode !== null) {
          finish()
          reject(new Error(`child exited before sending "${name}"; stderr:\n${this.stderr}`))
          return true
        }
        return false
      }
      const timer = setTimeout(() => {
        finish()
        reject(new Error(`child did not send "${name}" within ${timeoutMs} ms; stderr:\n${this.stderr}`))
      }, timeoutMs)
      const wake = () => void look()
      const finish = () => {
        clearTimeout(timer)
        this.waiters.delete(wake)
      }
      if (!look()) this.waiters.add(wake)
    })
  }

  /** Kills the child with `signal` and waits until it is gone. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (this.failed) return
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal)
    await this.exited
  }
}

/** Kills every child still running; call from afterEach. */
export async function killAllChildren(): Promise<void> {
  await Promise.all([...running].map((child) => child.kill()))
}

/**
 * Runs the same operation in every child at one instant: each arms it, then all
 * spin until a shared start time and run it. Resolves with each child's result
 * (or the error it threw).
 */
export async function runTogether(children: readonly ChildCache[], op: string, args?: unknown): Promise<unknown[]> {
  await Promise.all(children.map((child) => child.request('arm', { op, args })))
  const startAt = Date.now() + 50
  return Promise.all(children.map((child) => child.request('go', { startAt }).catch((error: unknown) => error)))
}
