// @diskcache/keyv against the other Keyv stores, side by side in one run and
// all through Keyv's own API (new Keyv({ store }), Keyv's default JSON
// serializer for every store): 10,000 keys with 1 KB values. Prints the median
// latency of each operation and how many times slower each peer is than ours.
// Then walks a 1,000,000-entry namespace with keyv.iterator() and prints the
// heap retained along the way.
//
//   npm run bench -w @diskcache/keyv               full run (a few minutes)
//   npm run bench -w @diskcache/keyv -- --quick    fewer operations, 100k-entry walk
//
// Uses the BUILT packages (npm run build first). @keyv/redis runs against a
// local redis-server started on a spare port, when one is installed.
import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import KeyvRedis from '@keyv/redis'
import KeyvSqlite from '@keyv/sqlite'
import { createKeyv, KeyvDiskCache } from '@diskcache/keyv'
import { Keyv } from 'keyv'
import { KeyvFile } from 'keyv-file'
// The same private redis-server the peer benchmark uses (packages/bench).
import { startServer, stopServer } from '../../bench/bench/servers.mjs'

const quick = process.argv.includes('--quick')
const KEYS = 10_000
const VALUE = 'v'.repeat(1024)
const BATCH = 100
/** Per operation and store: at most this many timed calls, and no more time than this once 20 are in. */
const MAX_CALLS = quick ? 2_000 : KEYS
const TIME_BUDGET_MS = quick ? 2_000 : 6_000
const WALK_ENTRIES = quick ? 100_000 : 1_000_000

const root = mkdtempSync(join(tmpdir(), 'diskcache-keyv-bench-'))
const gc = globalThis.gc ?? (() => {})

function median(samples) {
  const sorted = [...samples].sort((a, b) => a - b)
  const middle = sorted.length >> 1
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}

/** Times `call(i)` one call at a time; returns the median in microseconds and how many calls were timed. */
async function timeCalls(call) {
  for (let i = 0; i < 20; i++) await call(-1 - i) // warm-up, on keys the timed calls do not use
  const samples = []
  const started = performance.now()
  for (let i = 0; i < MAX_CALLS; i++) {
    const t = performance.now()
    await call(i)
    samples.push((performance.now() - t) * 1000)
    if (i >= 20 && performance.now() - started > TIME_BUDGET_MS) break
  }
  return { median: median(samples), calls: samples.length }
}

const randomKey = () => `key${Math.floor(Math.random() * KEYS)}`

/** The operations of the table, in the order they run: reads see the 10,000 keys `set` stored, and setMany (adding keys) runs last. */
const OPERATIONS = [
  ['set (new key)', (keyv) => (i) => keyv.set(`key${i < 0 ? `warm${i}` : i}`, VALUE)],
  ['get, hit', (keyv) => () => keyv.get(randomKey())],
  ['get, miss', (keyv) => (i) => keyv.get(`missing${i}`)],
  [`getMany of ${BATCH}`, (keyv) => () => keyv.getMany(Array.from({ length: BATCH }, randomKey))],
  ['iterate', null],
  [`setMany of ${BATCH}`, (keyv) => (i) => keyv.setMany(Array.from({ length: BATCH }, (_, j) => ({ key: `batch${i}:${j}`, value: VALUE })))],
]

/** Walks the whole namespace three times; the median, in µs. */
async function timeWalk(keyv) {
  const walks = []
  try {
    for (let run = 0; run < 3; run++) {
      const t = performance.now()
      let seen = 0
      for await (const _ of keyv.iterator()) seen++
      walks.push({ ms: performance.now() - t, seen })
    }
  } catch (error) {
    return { failed: `${error.name}: ${error.message}` }
  }
  return { median: median(walks.map((w) => w.ms)) * 1000, calls: 3, seen: walks[0].seen }
}

async function fill(keyv) {
  for (let start = 0; start < KEYS; start += 500) {
    await keyv.setMany(Array.from({ length: 500 }, (_, j) => ({ key: `key${start + j}`, value: VALUE })))
  }
}

async function benchStore({ name, open }) {
  const results = {}
  const keyv = await open()
  await keyv.clear() // an empty namespace, whatever the store held before
  for (const [operation, make] of OPERATIONS) {
    results[operation] = make === null ? await timeWalk(keyv) : await timeCalls(make(keyv))
    // set runs first, on an empty store: if its time budget ran out early, the rest of the 10,000 keys go in now.
    if (operation === OPERATIONS[0][0] && results[operation].calls < KEYS) await fill(keyv)
  }
  await keyv.disconnect()
  console.error(`  ${name} done`)
  return results
}

// ----- local redis-server, if installed -----

function hasRedisServer() {
  try {
    execFileSync('redis-server', ['--version'], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}

// ----- the run -----

const stores = [
  { name: '@diskcache/keyv', open: async () => new Keyv({ store: new KeyvDiskCache(join(root, 'diskcache')) }) },
  { name: '@keyv/sqlite', open: async () => new Keyv({ store: new KeyvSqlite(`sqlite://${join(root, 'keyv-sqlite.db')}`) }) },
  { name: 'keyv-file', open: async () => new Keyv({ store: new KeyvFile({ filename: join(root, 'keyv-file.json') }) }) },
]
let redis
if (hasRedisServer()) {
  redis = await startServer('redis') // on a free loopback port, so the benchmark never talks to a server it did not start
  process.on('exit', () => redis.child.kill('SIGKILL')) // even when the run fails half-way
  stores.push({ name: '@keyv/redis (local)', open: async () => new Keyv({ store: new KeyvRedis(`redis://127.0.0.1:${redis.port}`) }) })
}

// Some of them do not export ./package.json: find it beside the module the way Node does.
function versionOf(name) {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    const file = join(dir, 'node_modules', name, 'package.json')
    if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')).version
    if (dir === dirname(dir)) return 'unknown'
  }
}
console.log(
  `Node ${process.version}, keyv ${versionOf('keyv')}, @keyv/sqlite ${versionOf('@keyv/sqlite')}, keyv-file ${versionOf('keyv-file')}, @keyv/redis ${versionOf('@keyv/redis')}.`,
)
console.log(`${KEYS.toLocaleString('en')} keys, 1 KB string values, all through new Keyv({ store }) with Keyv's JSON serializer.`)
console.log(`Median latency of one awaited call in µs (up to ${MAX_CALLS.toLocaleString('en')} timed calls, or ${TIME_BUDGET_MS / 1000} s, per cell).`)
if (!redis) console.log('redis-server is not installed: the @keyv/redis column is skipped (apt-get install redis-server to add it).')
console.log()

const all = {}
try {
  for (const store of stores) all[store.name] = await benchStore(store)
} finally {
  if (redis) await stopServer(redis)
}

const ours = all['@diskcache/keyv']
const peers = stores.slice(1).map((s) => s.name)
const rows = OPERATIONS.map(([operation]) => operation)
const format = (us) => (us >= 10_000 ? `${(us / 1000).toFixed(0)} ms` : us >= 1_000 ? `${(us / 1000).toFixed(1)} ms` : `${us.toFixed(1)} µs`)
const header = ['operation', '@diskcache/keyv', ...peers.flatMap((p) => [p, '×'])]
const table = [header]
for (const row of rows) {
  const label = row === 'iterate' ? `iterate all ${ours.iterate.seen.toLocaleString('en')} (once)` : row
  const cells = [label, format(ours[row].median)]
  for (const peer of peers) {
    const result = all[peer][row]
    if (result.failed) {
      cells.push('fails (see below)', '–')
      continue
    }
    cells.push(`${format(result.median)}${row !== 'iterate' && result.calls < 100 ? ` (${result.calls} calls)` : ''}`, `${(result.median / ours[row].median).toFixed(1)}×`)
  }
  table.push(cells)
}
const widths = header.map((_, c) => Math.max(...table.map((r) => r[c].length)))
for (const [i, row] of table.entries()) {
  console.log('| ' + row.map((cell, c) => cell.padEnd(widths[c])).join(' | ') + ' |')
  if (i === 0) console.log('| ' + widths.map((w) => '-'.repeat(w)).join(' | ') + ' |')
}
console.log('\n× = how many times longer the peer takes than @diskcache/keyv.')
for (const peer of peers) {
  if (all[peer].iterate.failed) console.log(`${peer}: keyv.iterator() throws ${all[peer].iterate.failed}`)
}
console.log('Timed calls per cell: ' + stores.map((s) => `${s.name} set ${all[s.name]['set (new key)'].calls}`).join(', '))

// ----- createKeyv() defaults: core's v8 serializer instead of Keyv's JSON -----
// The setup the README recommends. Every row again, against @keyv/sqlite's
// figures above (it cannot run without Keyv's serializer: it stores strings).

{
  const mine = await benchStore({ name: 'createKeyv()', open: async () => createKeyv(join(root, 'create-keyv')) })
  const sqlite = all['@keyv/sqlite']
  console.log("\ncreateKeyv() (Keyv's serializer off, core's v8 serializer, no key prefixing) against @keyv/sqlite above:\n")
  const lines = [['operation', 'createKeyv()', '@keyv/sqlite', '×']]
  for (const row of rows) {
    const label = row === 'iterate' ? `iterate all ${mine.iterate.seen.toLocaleString('en')} (once)` : row
    const peer = sqlite[row]
    lines.push([label, format(mine[row].median), peer.failed ? 'fails' : format(peer.median), peer.failed ? '–' : `${(peer.median / mine[row].median).toFixed(1)}×`])
  }
  const w = lines[0].map((_, c) => Math.max(...lines.map((r) => r[c].length)))
  for (const [i, line] of lines.entries()) {
    console.log('| ' + line.map((cell, c) => cell.padEnd(w[c])).join(' | ') + ' |')
    if (i === 0) console.log('| ' + w.map((n) => '-'.repeat(n)).join(' | ') + ' |')
  }
}

// ----- a large namespace walked in constant memory -----

{
  const directory = join(root, 'walk')
  const store = new KeyvDiskCache(directory)
  store.namespace = 'big'
  const value = JSON.stringify({ value: 'w'.repeat(100) })
  let t = performance.now()
  for (let start = 0; start < WALK_ENTRIES; start += 10_000) {
    await store.setMany(Array.from({ length: 10_000 }, (_, i) => ({ key: `big:${start + i}`, value })))
  }
  const fillSeconds = (performance.now() - t) / 1000
  await store.disconnect()

  const keyv = new Keyv({ store: new KeyvDiskCache(directory), namespace: 'big' })
  gc()
  const before = process.memoryUsage().heapUsed
  const retained = []
  let seen = 0
  t = performance.now()
  for await (const _ of keyv.iterator()) {
    if (++seen % (WALK_ENTRIES / 4) === 0) {
      gc()
      retained.push(`${(seen / 1000).toLocaleString('en')}k: ${((process.memoryUsage().heapUsed - before) / 2 ** 20).toFixed(1)} MB`)
    }
  }
  const walkSeconds = (performance.now() - t) / 1000
  await keyv.disconnect()
  console.log(
    `\nkeyv.iterator() over a ${WALK_ENTRIES.toLocaleString('en')}-entry namespace (filled in ${fillSeconds.toFixed(1)} s): ` +
      `${seen.toLocaleString('en')} entries in ${walkSeconds.toFixed(1)} s (${((walkSeconds / seen) * 1e6).toFixed(1)} µs each).`,
  )
  console.log(
    globalThis.gc
      ? `Heap retained after a GC, against before the walk: ${retained.join(', ')}.`
      : 'Run with node --expose-gc (npm run bench does) to print the heap retained during the walk.',
  )
}

rmSync(root, { recursive: true, force: true })
