import { rmSync } from 'node:fs'
import { join } from 'node:path'
import type { NextApp, NextServer } from './next-app.js'
import { type StubServer, startStubServer } from './stub-server.js'
import { makeTempDir } from './temp-dir.js'

/**
 * The end-to-end setup both Next majors share: the stub server the pages fetch from (up before
 * the build), one build of the app into `distDir`, and two `next start` processes (`a`, `b`) on
 * two loopback ports sharing one store. `close()` stops everything and removes the build.
 */
export class TwoServers {
  a!: NextServer
  b!: NextServer

  private constructor(
    readonly app: NextApp,
    readonly env: Record<string, string>,
    private readonly stub: StubServer,
  ) {}

  /** Starts the stub server, builds the app once and starts both servers. */
  static async open(app: NextApp, distDir: string): Promise<TwoServers> {
    const stub = await startStubServer()
    const env = { NEXT_DIST_DIR: distDir, DISKCACHE_NEXT_DIR: makeTempDir('next-e2e-store-'), STUB_URL: stub.url }
    const servers = new TwoServers(app, env, stub)
    try {
      await app.build(env)
      await servers.startBoth()
    } catch (error) {
      await servers.close()
      throw error
    }
    return servers
  }

  get distDir(): string {
    return join(this.app.dir, this.env.NEXT_DIST_DIR!)
  }

  async startBoth(): Promise<void> {
    const [a, b] = await Promise.allSettled([this.app.start(this.env), this.app.start(this.env)])
    if (a.status === 'fulfilled') this.a = a.value
    if (b.status === 'fulfilled') this.b = b.value
    if (a.status === 'rejected' || b.status === 'rejected') {
      await this.stopBoth()
      throw a.status === 'rejected' ? a.reason : (b as PromiseRejectedResult).reason
    }
  }

  async stopBoth(): Promise<void> {
    await Promise.all([this.a?.stop(), this.b?.stop()])
  }

  /** Calls the app's /api/revalidate route (`tag=…[&profile=…]` or `path=…`) on `server`. */
  async revalidate(server: NextServer, query: string): Promise<void> {
    const { status, text } = await server.get(`/api/revalidate?${query}`)
    if (status !== 200) throw new Error(`/api/revalidate?${query} answered ${status}:\n${text.slice(0, 500)}\n${server.output}`)
  }

  async close(): Promise<void> {
    await this.stopBoth()
    await this.stub.close()
    rmSync(this.distDir, { recursive: true, force: true })
  }
}
