import { createServer } from 'node:http'

/** What the example pages fetch: `/thing` and everything else (`/data`, `/report`), each counted. */
export interface StubServer {
  readonly url: string
  readonly counters: { data: number; thing: number }
  close(): Promise<void>
}

/**
 * The loopback server the example pages fetch from (their STUB_URL). It answers `{ n }`, a count
 * per path, so a page shows whether its fetch or 'use cache' function ran again. It must be up
 * during `next build` too: static pages fetch at build time.
 */
export async function startStubServer(): Promise<StubServer> {
  const counters = { data: 0, thing: 0 }
  const server = createServer((request, response) => {
    const name = request.url === '/thing' ? 'thing' : 'data'
    counters[name]++
    response.setHeader('content-type', 'application/json')
    response.end(JSON.stringify({ n: counters[name] }))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  return {
    url: `http://127.0.0.1:${port}`,
    counters,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}
