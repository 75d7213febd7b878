// npm run bench -w @diskcache/express-middleware [-- --quick]
//
// Bounded load with autocannon against real Express servers on 127.0.0.1
// (in a child process): an expensive route (~5 ms of CPU) with no cache, with
// our middleware (hits) and with apicache (memory, hits); and a trivial
// route, plain res.send against hits of the same bytes. Prints requests/s and
// p99 latency side by side, with ratios, as a Markdown table.
import { fork } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import autocannon from 'autocannon'

const quick = process.argv.includes('--quick')
const DURATION_S = quick ? 2 : 8
const WARMUP_S = quick ? 1 : 2
const CONNECTIONS = 10

const directory = mkdtempSync(join(tmpdir(), 'diskcache-http-bench-'))
const child = fork(new URL('./servers.cjs', import.meta.url), [directory], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })

function stop() {
  if (child.connected) child.disconnect()
  rmSync(directory, { recursive: true, force: true })
}
process.on('SIGINT', () => {
  stop()
  process.exit(130)
})

const { ports, bodyBytes } = await new Promise((resolve, reject) => {
  child.once('message', resolve)
  child.once('exit', (code) => reject(new Error(`the server process exited with ${code}`)))
})

function load(url, seconds) {
  return new Promise((resolve, reject) => {
    autocannon({ url, connections: CONNECTIONS, duration: seconds }, (error, result) => (error ? reject(error) : resolve(result)))
  })
}

/** The response headers of one request, to check that a "hit" scenario really hits. */
async function probe(url) {
  const response = await fetch(url)
  await response.arrayBuffer()
  return response.headers
}

const results = {}
try {
  for (const [name, port] of Object.entries(ports)) {
    const url = `http://127.0.0.1:${port}/`
    await probe(url) // the miss that stores it, for the cached scenarios
    const headers = await probe(url)
    if (name.includes('diskcache') && headers.get('x-cache') !== 'HIT') throw new Error(`${name}: expected X-Cache: HIT, got ${headers.get('x-cache')}`)
    if (name.includes('apicache') && !headers.has('apicache-store')) throw new Error(`${name}: expected an apicache hit (apicache-store header)`)
    await load(url, WARMUP_S)
    const result = await load(url, DURATION_S)
    if (result.errors || result.non2xx || result.timeouts) throw new Error(`${name}: ${result.errors} errors, ${result.non2xx} non-2xx, ${result.timeouts} timeouts`)
    results[name] = { rps: result.requests.average, p99: result.latency.p99, p50: result.latency.p50, total: result.requests.total }
    process.stderr.write(`${name}: ${Math.round(results[name].rps)} req/s, p99 ${results[name].p99} ms\n`)
  }
} finally {
  stop()
}

const baselines = { expensive: 'expensive, no cache', trivial: 'trivial, plain res.send' }
const lines = [
  `Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model.trim()}; ${CONNECTIONS} connections, ${DURATION_S} s per scenario after ${WARMUP_S} s of warm-up; body ${bodyBytes} bytes.`,
  '',
  '| Scenario | Requests/s | × baseline | p50 (ms) | p99 (ms) | Requests |',
  '| --- | ---: | ---: | ---: | ---: | ---: |',
]
for (const [name, r] of Object.entries(results)) {
  const base = results[baselines[name.split(',')[0]]]
  lines.push(`| ${name} | ${Math.round(r.rps)} | ${(r.rps / base.rps).toFixed(2)} | ${r.p50} | ${r.p99} | ${r.total} |`)
}
console.log(lines.join('\n'))
