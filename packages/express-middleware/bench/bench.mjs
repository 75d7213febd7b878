// npm run bench -w @diskcache/express-middleware [-- --quick]
//
// Bounded load with autocannon against real Express servers on 127.0.0.1
// (in a child process): an expensive route (~5 ms of CPU) with no cache, with
// our middleware (hits) and with apicache (memory, hits); and a trivial
// route, plain res.send against hits of the same bytes. The scenarios of a
// group take turns in short rounds (the order rotating each round), so that a
// machine whose load drifts during the run slows them alike; each one's ratio
// to the group's baseline is the median of its per-round ratios. Besides
// requests/s and latency, it reads the server process's CPU time around each
// round: CPU µs per request is what a busy shared machine disturbs least.
// Prints a Markdown table.
import { fork } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import autocannon from 'autocannon'

const quick = process.argv.includes('--quick')
const ROUNDS = quick ? 3 : 10
const ROUND_S = 1
const WARMUP_S = 1
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

/** CPU time (user + system, µs) the server process has used so far. */
function serverCpu() {
  return new Promise((resolve) => {
    const onMessage = (message) => {
      if (message?.cpu === undefined) return
      child.off('message', onMessage)
      resolve(message.cpu.user + message.cpu.system)
    }
    child.on('message', onMessage)
    child.send('cpu')
  })
}

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

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}

const baselines = { expensive: 'expensive, no cache', trivial: 'trivial, plain res.send' }
const groupOf = (name) => name.split(',')[0]
const rounds = {} // scenario name → [{ rps, p50, p99, total }] in round order
try {
  for (const [name, port] of Object.entries(ports)) {
    const url = `http://127.0.0.1:${port}/`
    await probe(url) // the miss that stores it, for the cached scenarios
    const headers = await probe(url)
    if (name.includes('diskcache') && headers.get('x-cache') !== 'HIT') throw new Error(`${name}: expected X-Cache: HIT, got ${headers.get('x-cache')}`)
    if (name.includes('apicache') && !headers.has('apicache-store')) throw new Error(`${name}: expected an apicache hit (apicache-store header)`)
    await load(url, WARMUP_S)
    rounds[name] = []
  }
  for (const group of Object.keys(baselines)) {
    const names = Object.keys(ports).filter((name) => groupOf(name) === group)
    for (let round = 0; round < ROUNDS; round++) {
      for (let i = 0; i < names.length; i++) {
        const name = names[(i + round) % names.length]
        const cpuBefore = await serverCpu()
        const result = await load(`http://127.0.0.1:${ports[name]}/`, ROUND_S)
        const cpu = (await serverCpu()) - cpuBefore
        if (result.errors || result.non2xx || result.timeouts) throw new Error(`${name}: ${result.errors} errors, ${result.non2xx} non-2xx, ${result.timeouts} timeouts`)
        const total = result.requests.total
        rounds[name].push({ rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, total, cpuPerRequest: cpu / total })
      }
      process.stderr.write(`${group}, round ${round + 1}/${ROUNDS}: ${names.map((name) => `${name} ${Math.round(rounds[name].at(-1).rps)}`).join(' · ')}\n`)
    }
  }
} finally {
  stop()
}

const lines = [
  `Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model.trim()}; ${CONNECTIONS} connections; ${ROUNDS} rounds of ${ROUND_S} s per scenario, taking turns; body ${bodyBytes} bytes.`,
  '',
  '| Scenario | Requests/s | × baseline | p50 (ms) | p99 (ms) | Requests | server CPU µs/request | × baseline by CPU |',
  '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
]
for (const [name, runs] of Object.entries(rounds)) {
  const base = rounds[baselines[groupOf(name)]]
  const total = runs.reduce((sum, run) => sum + run.total, 0)
  const ratio = median(runs.map((run, i) => run.rps / base[i].rps))
  const rps = total / (ROUNDS * ROUND_S)
  // Requests a second of the server's CPU can serve, against the baseline's: what the ratio of requests/s would be on an idle machine.
  const cpuRatio = median(runs.map((run, i) => base[i].cpuPerRequest / run.cpuPerRequest))
  const cpuPerRequest = median(runs.map((run) => run.cpuPerRequest))
  lines.push(
    `| ${name} | ${Math.round(rps)} | ${ratio.toFixed(2)} | ${median(runs.map((run) => run.p50))} | ${median(runs.map((run) => run.p99))} | ${total} | ${Math.round(cpuPerRequest)} | ${cpuRatio.toFixed(2)} |`,
  )
}
console.log(lines.join('\n'))
