import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'

const SCRIPT = join(__dirname, 'next-server-stand-in.cjs')
const BUILT = join(__dirname, '../../dist/cjs/index.js')
const running = new Set<HandlerChild>()

/** Both handlers of the built package in another process, driven over IPC like a second `next start`. */
export class HandlerChild {
  private nextId = 1
  private stderr = ''
  private readonly pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>()

  private constructor(private readonly child: ChildProcess) {
    child.stderr?.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()))
    child.on('message', (message: { id?: number; result?: unknown; error?: { message: string } }) => {
      if (message.id === undefined) return
      const waiting = this.pending.get(message.id)
      this.pending.delete(message.id)
      if (message.error) waiting?.reject(new Error(message.error.message))
      else waiting?.resolve(message.result)
    })
    child.on('exit', (code) => {
      running.delete(this)
      for (const { reject } of this.pending.values()) reject(new Error(`handler child exited (${code}); stderr:\n${this.stderr}`))
      this.pending.clear()
    })
  }

  static async start(env: Record<string, string>): Promise<HandlerChild> {
    if (!existsSync(BUILT)) throw new Error(`${BUILT} is missing: run npm run build first`)
    const child = spawn(process.execPath, [SCRIPT], {
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      serialization: 'advanced',
      env: { ...process.env, ...env },
    })
    const handle = new HandlerChild(child)
    running.add(handle)
    await new Promise<void>((resolve, reject) => {
      child.once('message', () => resolve())
      child.once('exit', (code) => reject(new Error(`handler child exited (${code}) before it was ready: ${handle.stderr}`)))
    })
    return handle
  }

  request<T = unknown>(op: string, args: unknown): Promise<T> {
    const id = this.nextId++
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject })
      this.child.send({ id, op, args })
    })
  }

  stop(): void {
    this.child.kill()
  }
}

afterAll(() => {
  for (const child of running) child.stop()
})
