import { type ChildProcess, spawn } from 'node:child_process'
import { createServer as createNetServer } from 'node:net'
import { join } from 'node:path'

export const APP_DIR = join(__dirname, '../../../../examples/next-app')
const NEXT_BIN = require.resolve('next/dist/bin/next', { paths: [APP_DIR] })

/** A free loopback port. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createNetServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}

/** Runs `next build` in the example app; rejects with the build's output when it fails. */
export function nextBuild(env: Record<string, string>): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [NEXT_BIN, 'build'], { cwd: APP_DIR, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`next build failed (${code}):\n${output}`))))
  })
}

/** One `next start` process on a loopback port: one pid, stopped by `stop()`. */
export class NextServer {
  output = ''
  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
  ) {
    child.stdout?.on('data', (chunk: Buffer) => (this.output += chunk.toString()))
    child.stderr?.on('data', (chunk: Buffer) => (this.output += chunk.toString()))
  }

  static async start(env: Record<string, string>): Promise<NextServer> {
    const port = await freePort()
    const child = spawn(process.execPath, [NEXT_BIN, 'start', '-p', String(port), '-H', '127.0.0.1'], {
      cwd: APP_DIR,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    const server = new NextServer(child, `http://127.0.0.1:${port}`)
    const deadline = Date.now() + 30_000
    for (;;) {
      if (child.exitCode !== null) throw new Error(`next start exited (${child.exitCode}):\n${server.output}`)
      try {
        await fetch(`${server.url}/api/revalidate`)
        return server
      } catch {
        if (Date.now() > deadline) {
          server.stop()
          throw new Error(`next start did not answer within 30 s:\n${server.output}`)
        }
        await new Promise((resolve) => setTimeout(resolve, 100))
      }
    }
  }

  /** GET `path`; the page's text and its x-nextjs-cache header. */
  async get(path: string): Promise<{ cache: string | null; text: string; status: number }> {
    const response = await fetch(`${this.url}${path}`)
    return { cache: response.headers.get('x-nextjs-cache'), text: await response.text(), status: response.status }
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return
    const exited = new Promise((resolve) => this.child.once('exit', resolve))
    this.child.kill('SIGTERM')
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5_000)
    await exited
    clearTimeout(timer)
  }
}
