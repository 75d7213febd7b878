// Event-loop stalls of an Express process (B) whose store writes wait for a lock another
// process (A: this one, with a raw BEGIN IMMEDIATE on the store) holds. For each storeTimeout,
// B serves a load of cache misses (each one a store write) and of a route the cache never stores,
// first with no contention, then with the lock held for the whole phase. B measures its own
// event-loop delay (perf_hooks.monitorEventLoopDelay); this process measures response times.
//
//   npm run build && npm run bench:contention -w @diskcache/express-middleware [-- --seconds 8]
import { fork } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { cpus, tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const require = createRequire(import.meta.url)
const Database = require('better-sqlite3')
const WORKER = join(here, '../src/test-support/contention-worker.cjs')
if (!existsSync(join(here, '../dist/cjs/index.js'))) throw new Error('run npm run build first: the benchmark loads the built package')

const argument = (name, fallback) => {
  const at = process.argv.indexOf(`--${name}`)
  return at === -1 ? fallback : Number(process.argv[at + 1])
}
const SECONDS = argument('seconds', 8)
// 5000 is core's default timeout, which the middleware used before it had storeTimeout.
const CONFIGS = [
  { label: 'storeTimeout 5000 (core default)', storeTimeout: '5000' },
  { label: 'storeTimeout 100 (middleware default)', storeTimeout: 'default' },
  { label: 'storeTimeout 0', storeTimeout: '0' },
]

function startWorker(directory, storeTimeout) {
  const child = fork(WORKER, [directory, storeTimeout], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] })
  return new Promise((resolve, reject) => {
    child.once('message', ({ port }) => resolve({ child, base: `http://127.0.0.1:${port}` }))
    child.once('exit', (code) => reject(new Error(`worker exited with ${code}`)))
  })
}

async function get(base, path) {
  const started = performance.now()
  const response = await fetch(base + path)
  const body = await response.text()
  return { status: response.status, cache: response.headers.get('x-cache'), ms: performance.now() - started, body }
}

const percentile = (values, p) => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]
}

/** Two clients for `SECONDS`: one sends only new URLs (misses, each a store write), one the never-stored route. */
async function phase(base, prefix) {
  await get(base, '/stats?reset=1')
  const before = JSON.parse((await get(base, '/stats')).body)
  const until = performance.now() + SECONDS * 1000
  const misses = []
  const plain = []
  let failures = 0
  const loop = async (make, into) => {
    for (let i = 0; performance.now() < until; i++) {
      const result = await get(base, make(i))
      if (result.status !== 200) failures++
      into.push(result)
    }
  }
  await Promise.all([loop((i) => `/cached/${prefix}-${i}`, misses), loop(() => '/plain', plain)])
  const after = JSON.parse((await get(base, '/stats')).body)
  const timeouts = (after.errors['CacheTimeoutError:CACHE_TIMEOUT'] ?? 0) - (before.errors['CacheTimeoutError:CACHE_TIMEOUT'] ?? 0)
  return {
    maxStall: after.maxStallMs,
    missRequests: misses.length,
    plainRequests: plain.length,
    plainP50: percentile(plain.map((r) => r.ms), 50),
    plainMax: Math.max(...plain.map((r) => r.ms)),
    missMax: Math.max(...misses.map((r) => r.ms)),
    timeouts,
    failures,
  }
}

const rows = []
for (const config of CONFIGS) {
  const directory = mkdtempSync(join(tmpdir(), 'diskcache-contention-'))
  const { child, base } = await startWorker(directory, config.storeTimeout)
  try {
    await get(base, '/cached/warm-up')
    rows.push({ config: config.label, phase: 'no contention', ...(await phase(base, 'free')) })
    const lock = new Database(join(directory, 'cache.db'))
    lock.exec('BEGIN IMMEDIATE')
    lock.prepare("UPDATE counters SET value = value WHERE name = 'hits'").run()
    let held
    try {
      held = await phase(base, 'held')
    } finally {
      lock.exec('COMMIT')
      lock.close()
    }
    const check = JSON.parse((await get(base, '/check')).body)
    rows.push({ config: config.label, phase: 'lock held by another process', ...held, clean: check.ok })
  } finally {
    child.disconnect()
    await new Promise((resolve) => child.once('exit', resolve))
    rmSync(directory, { recursive: true, force: true })
  }
}

const ms = (value) => (Number.isFinite(value) ? value.toFixed(value < 10 ? 1 : 0) : '–')
console.log(`\nNode ${process.version}, ${cpus().length} × ${cpus()[0]?.model.trim()}; ${SECONDS} s per phase; 2 sequential clients (new URLs, and a never-stored route)\n`)
console.log('| storeTimeout | Phase | Longest event-loop stall in B (ms) | Miss requests | Store timeouts | Never-stored route: requests, p50 / max (ms) | Slowest miss (ms) | Non-200 | check() after |')
console.log('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |')
for (const row of rows) {
  console.log(
    `| ${row.config} | ${row.phase} | ${ms(row.maxStall)} | ${row.missRequests} | ${row.timeouts} | ${row.plainRequests}, ${ms(row.plainP50)} / ${ms(row.plainMax)} | ${ms(row.missMax)} | ${row.failures} | ${row.clean === undefined ? '' : row.clean ? 'clean' : 'PROBLEMS'} |`,
  )
}
