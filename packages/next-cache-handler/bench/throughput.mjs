// Throughput of pages served by `next start`: examples/next-app built once, then served by three
// servers, one per cache, loaded in turn by autocannon on 127.0.0.1 (10 connections, fixed
// duration) and printed side by side with ratios. Every measured response must be a 200, and for
// the ISR page an x-nextjs-cache HIT, or the run fails. Needs `npm run build` (the example app
// loads the built package). Usage: npm run bench:throughput -w @diskcache/next [-- --quick]
import { spawn } from 'node:child_process'
import { createServer } from 'node:http'
import { mkdtempSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import autocannon from 'autocannon'

const here = dirname(fileURLToPath(import.meta.url))
const require = createRequire(import.meta.url)
const appDir = join(here, '../../../examples/next-app')
const nextBin = require.resolve('next/dist/bin/next', { paths: [appDir] })
const nextVersion = require(require.resolve('next/package.json', { paths: [appDir] })).version

const quick = process.argv.includes('--quick')
const WARMUP_S = 1
const DURATION_S = quick ? 2 : 5
const ROUNDS = quick ? 1 : 3
const CONNECTIONS = 10
const DIST_DIR = '.next-bench'

/** The caches compared: the environment next.config.js reads at `next start`. */
const CACHES = [
  ['next default, cacheMaxMemorySize 0', { EXAMPLE_CACHE_HANDLER: 'next-default', EXAMPLE_CACHE_MAX_MEMORY_SIZE: '0' }],
  ['next default, 50 MB memory (default)', { EXAMPLE_CACHE_HANDLER: 'next-default', EXAMPLE_CACHE_MAX_MEMORY_SIZE: String(50 * 1024 * 1024) }],
  ['@diskcache/next, cacheMaxMemorySize 0', { EXAMPLE_CACHE_HANDLER: 'diskcache', EXAMPLE_CACHE_MAX_MEMORY_SIZE: '0' }],
  // A control, for the ISR page only: a custom cacheHandler that is a Map in memory, i.e. what any
  // custom handler costs in Next's own request handling.
  ['control: Map-in-memory cacheHandler', { EXAMPLE_CACHE_HANDLER: 'memory-map', EXAMPLE_CACHE_MAX_MEMORY_SIZE: '0' }, { isrOnly: true }],
  // A second control: Next's own file-system cache named as a custom cacheHandler. Same handler as
  // the first row, so the difference is what Next spends on any custom handler (an import() of its
  // module each time it builds an IncrementalCache).
  ['control: Next file-system cache as custom cacheHandler', { EXAMPLE_CACHE_HANDLER: 'next-fs-as-custom', EXAMPLE_CACHE_MAX_MEMORY_SIZE: '0' }, { isrOnly: true }],
]
/** Pages loaded; `isr` pages must answer x-nextjs-cache: HIT. */
const PAGES = [
  // /cached, not /isr: its revalidate (3600 s) outlasts the run, so every response stays a HIT.
  { path: '/cached', label: 'ISR page (revalidate 3600)', isr: true },
  { path: '/dynamic-cached', label: "dynamic page + 'use cache' function", isr: false },
]

// The pages fetch from this loopback stub (during the build too); it counts calls per path.
const stubCalls = new Map()
const stub = createServer((request, response) => {
  stubCalls.set(request.url, (stubCalls.get(request.url) ?? 0) + 1)
  response.setHeader('content-type', 'application/json')
  response.end(JSON.stringify({ n: stubCalls.get(request.url) }))
})
await new Promise((resolve) => stub.listen(0, '127.0.0.1', resolve))
const store = mkdtempSync(join(tmpdir(), 'diskcache-next-throughput-'))
const baseEnv = {
  ...process.env,
  NEXT_TELEMETRY_DISABLED: '1',
  NEXT_DIST_DIR: DIST_DIR,
  DISKCACHE_NEXT_DIR: store,
  STUB_URL: `http://127.0.0.1:${stub.address().port}`,
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address()
      server.close(() => resolve(port))
    })
  })
}

async function startServer(env) {
  const port = await freePort()
  const child = spawn(process.execPath, [nextBin, 'start', '-p', String(port), '-H', '127.0.0.1'], { cwd: appDir, env: { ...baseEnv, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  child.stdout.on('data', (chunk) => (output += chunk))
  child.stderr.on('data', (chunk) => (output += chunk))
  const url = `http://127.0.0.1:${port}`
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return
    const exited = new Promise((resolve) => child.once('exit', resolve))
    child.kill('SIGTERM')
    await exited
  }
  for (let waited = 0; ; waited += 100) {
    if (child.exitCode !== null) throw new Error(`next start exited (${child.exitCode}):\n${output}`)
    try {
      await fetch(`${url}/api/revalidate`)
      return { url, stop, output: () => output }
    } catch {
      if (waited > 30_000) {
        await stop()
        throw new Error(`next start did not answer within 30 s:\n${output}`)
      }
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  }
}

/** Requests the page until it is served from the cache (a MISS or STALE renders and stores it first). */
async function warm(url, page) {
  for (let i = 0; i < 50; i++) {
    const response = await fetch(url + page.path)
    await response.arrayBuffer()
    if (response.status !== 200) throw new Error(`${page.path}: status ${response.status}`)
    if (!page.isr || response.headers.get('x-nextjs-cache') === 'HIT') return
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error(`${page.path} never became a HIT`)
}

/** autocannon for `seconds`; counts responses that are not 200, or not HIT on an ISR page. */
function load(url, page, seconds) {
  let notHit = 0
  let notOk = 0
  const onResponse = (status, _body, _context, headers) => {
    if (status !== 200) notOk++
    if (page.isr && headers['x-nextjs-cache'] !== 'HIT') notHit++
  }
  return new Promise((resolve, reject) => {
    autocannon(
      { url: url + page.path, connections: CONNECTIONS, duration: seconds, requests: [{ method: 'GET', onResponse }] },
      (error, result) => (error ? reject(error) : resolve({ result, notHit, notOk })),
    )
  })
}

const results = []
const servers = []
try {
  const buildStarted = Date.now()
  // Asynchronous: the stub server in this process must answer the build's fetches.
  await new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [nextBin, 'build'], { cwd: appDir, env: baseEnv, stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    child.stdout.on('data', (chunk) => (output += chunk))
    child.stderr.on('data', (chunk) => (output += chunk))
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`next build failed (${code}):\n${output}`))))
  })
  console.log(`built examples/next-app once (next ${nextVersion}) in ${((Date.now() - buildStarted) / 1000).toFixed(0)} s`)
  // All servers up at once, loaded one at a time in alternating rounds: the machine's load drifts
  // (other jobs share it), and alternating spreads the drift over every cache alike.
  for (const [name, env, { isrOnly = false } = {}] of CACHES) servers.push({ name, isrOnly, server: await startServer(env) })
  for (const page of PAGES) {
    const serving = servers.filter(({ isrOnly }) => page.isr || !isrOnly)
    for (const { server } of serving) await warm(server.url, page)
    for (let round = 0; round < ROUNDS; round++) {
      for (const { name, server } of serving) {
        const callsBefore = stubCalls.get('/report') ?? 0
        await load(server.url, page, WARMUP_S)
        const { result, notHit, notOk } = await load(server.url, page, DURATION_S)
        const bad = result.errors + result.timeouts + result.non2xx + notOk + notHit
        if (bad) throw new Error(`${name} ${page.path}: ${result.errors} errors, ${result.timeouts} timeouts, ${notOk} not 200, ${notHit} not HIT`)
        const reRuns = (stubCalls.get('/report') ?? 0) - callsBefore
        results.push({ name, page, round, rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, reRuns })
      }
    }
  }
} finally {
  await Promise.all(servers.map(({ server }) => server.stop()))
  await new Promise((resolve) => stub.close(resolve))
  rmSync(store, { recursive: true, force: true })
  rmSync(join(appDir, DIST_DIR), { recursive: true, force: true })
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}
console.log(
  `next start, node ${process.version}, autocannon ${CONNECTIONS} connections, 127.0.0.1; ${ROUNDS} rounds of ${DURATION_S} s per cache ` +
    `(each after ${WARMUP_S} s of warm-up), caches alternating; medians of the rounds\n`,
)
console.log('| page | cache | req/s | p50 ms | p99 ms | req/s vs default (0) | p99 vs default (0) | function runs per round |')
console.log('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |')
for (const page of PAGES) {
  const rows = CACHES.filter(([name]) => results.some((r) => r.page === page && r.name === name)).map(([name]) => {
    const mine = results.filter((r) => r.page === page && r.name === name)
    return { name, rps: median(mine.map((r) => r.rps)), p50: median(mine.map((r) => r.p50)), p99: median(mine.map((r) => r.p99)), reRuns: median(mine.map((r) => r.reRuns)) }
  })
  const base = rows[0]
  for (const r of rows) {
    const runs = page.isr ? '' : String(r.reRuns)
    console.log(`| ${page.label} | ${r.name} | ${r.rps.toFixed(0)} | ${r.p50} | ${r.p99} | ${(r.rps / base.rps).toFixed(2)}x | ${(r.p99 / base.p99).toFixed(2)}x | ${runs} |`)
  }
}
