import { type ChildProcess, spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { createServer as createNetServer } from 'node:net'
import { get as httpGet } from 'node:http'
import { join } from 'node:path'

const EXAMPLES = join(__dirname, '../../../../examples')

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

/**
 * One of the example Next apps (`examples/<name>`) and the `next` it depends on. Each app's
 * `next` is resolved from the app's own folder: npm nests a second major (examples/next15-app's
 * next@15) in the app's node_modules, while the root node_modules holds the other (next@16).
 */
export class NextApp {
  readonly dir: string
  readonly bin: string
  readonly nextVersion: string

  /** `buildArgs`: extra `next build` flags (Next 15's `--no-lint`; Next 16 has no lint step and no such flag). */
  constructor(
    name: string,
    private readonly buildArgs: readonly string[] = [],
  ) {
    this.dir = join(EXAMPLES, name)
    this.bin = require.resolve('next/dist/bin/next', { paths: [this.dir] })
    const manifest = require.resolve('next/package.json', { paths: [this.dir] })
    this.nextVersion = (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version
  }

  /** Runs `next build`; rejects with the build's output when it fails. */
  build(env: Record<string, string>): Promise<void> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [this.bin, 'build', ...this.buildArgs], { cwd: this.dir, env: nextEnv(env), stdio: ['ignore', 'pipe', 'pipe'] })
      let output = ''
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
      child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`next build (${this.nextVersion}) failed (${code}):\n${output}`))))
    })
  }

  /** Runs `next start` on a free loopback port and waits until it answers. */
  start(env: Record<string, string>): Promise<NextServer> {
    return NextServer.start(this, env)
  }
}

/**
 * The environment of every Next child. Next 15 "patches" a lockfile it finds without its own
 * platform's @next/swc entries by asking the registry and rewriting package-lock.json: never
 * from a test (the monorepo's lockfile records next@16 at the root, which sets it off).
 */
function nextEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  return { ...process.env, NEXT_TELEMETRY_DISABLED: '1', NEXT_IGNORE_INCORRECT_LOCKFILE: '1', ...env }
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

  static async start(app: NextApp, env: Record<string, string>): Promise<NextServer> {
    const port = await freePort()
    const child = spawn(process.execPath, [app.bin, 'start', '-p', String(port), '-H', '127.0.0.1'], {
      cwd: app.dir,
      env: nextEnv(env),
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    const server = new NextServer(child, `http://127.0.0.1:${port}`)
    const deadline = Date.now() + 30_000
    for (;;) {
      if (child.exitCode !== null) throw new Error(`next start exited (${child.exitCode}):\n${server.output}`)
      try {
        await server.get('/api/revalidate')
        return server
      } catch {
        if (Date.now() > deadline) {
          await server.stop()
          throw new Error(`next start did not answer within 30 s:\n${server.output}`)
        }
        await new Promise((resolve) => setTimeout(resolve, 100))
      }
    }
  }

  /** GET `path`; the page's text and its x-nextjs-cache header. */
  async get(path: string): Promise<{ cache: string | null; text: string; status: number }> {
    // One connection per request, closed after it (fetch would keep it alive): Next 15's
    // `next start` waits for open connections when told to stop, which cost 5 s a stop.
    return new Promise((resolve, reject) => {
      const request = httpGet(`${this.url}${path}`, { agent: false }, (response) => {
        const chunks: Buffer[] = []
        response.on('data', (chunk: Buffer) => chunks.push(chunk))
        response.on('end', () => {
          const cache = response.headers['x-nextjs-cache']
          resolve({ cache: typeof cache === 'string' ? cache : null, text: Buffer.concat(chunks).toString('utf8'), status: response.statusCode ?? 0 })
        })
        response.on('error', reject)
      })
      request.on('error', reject)
      request.setTimeout(30_000, () => request.destroy(new Error(`GET ${path} took more than 30 s`)))
    })
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

/** The text of the element with this id in one of the example pages' HTML. */
export function textOf(html: string, id: string): string {
  const match = new RegExp(`id="${id}">(.*?)</p>`).exec(html)
  if (!match) throw new Error(`no #${id} in:\n${html.slice(0, 500)}`)
  return match[1]!.replace(/<!-- -->/g, '')
}
