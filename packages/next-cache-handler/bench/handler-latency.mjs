// Handler get/set latency for a typical APP_PAGE entry: @diskcache/next against Next's default
// file-system cache handler, side by side in one run. Needs `npm run build` (uses dist/cjs) and
// the next package installed for examples/next-app. Usage: npm run bench -w @diskcache/next
import { createHash } from 'node:crypto'
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const require = createRequire(import.meta.url)
const appDir = join(here, '../../../examples/next-app')
// Next's default handler and the fs methods it is given, from the installed next package.
const nextFile = (path) => require.resolve(`next/dist/server/lib/${path}`, { paths: [appDir] })
const { default: FileSystemCache } = require(nextFile('incremental-cache/file-system-cache.js'))
const { nodeFs } = require(nextFile('node-fs-methods.js'))
const { createCacheHandler } = require(join(here, '../dist/cjs/index.js'))
const { closeAllStores } = require(join(here, '../dist/cjs/next-store.js'))
const nextVersion = require(require.resolve('next/package.json', { paths: [appDir] })).version

const KEYS = Number(process.env.BENCH_KEYS ?? 200)
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5)
const CTX = { kind: 'APP_PAGE', isRoutePPREnabled: false, isFallback: false }
const CACHE_CONTROL = { revalidate: 60, expire: 31536000 }

/** 50 KB of html, a 20 KB RSC payload and three segments of 5 KB, as a mid-sized App Router page. */
function entry(i) {
  const filler = (n, seed) => Buffer.alloc(n, `<div class="row-${seed}">item ${seed}</div>`)
  return {
    kind: 'APP_PAGE',
    html: `<!DOCTYPE html><html><body data-i="${i}">${filler(50 * 1024, i).toString()}</body></html>`,
    rscData: filler(20 * 1024, `rsc${i}`),
    postponed: undefined,
    headers: { 'x-nextjs-stale-time': '300', 'x-next-cache-tags': `_N_T_/layout,_N_T_/bench/layout,_N_T_/bench/${i}` },
    status: 200,
    segmentData: new Map([
      ['/_tree', filler(5 * 1024, `tree${i}`)],
      ['/_full', filler(5 * 1024, `full${i}`)],
      [`/bench/${i}/__PAGE__`, filler(5 * 1024, `page${i}`)],
    ]),
  }
}

const sha = createHash('sha256').update('/bench/[i]/page').digest('hex')
const keyOf = (i) => `/route-cache/APP_PAGE/${sha}/$/bench/${i}`

function serverDistDir(root) {
  const server = join(root, 'server')
  mkdirSync(server, { recursive: true })
  writeFileSync(join(root, 'BUILD_ID'), 'bench-build')
  return server
}

async function measure(makeHandler, values) {
  const set = []
  const get = []
  for (let round = 0; round < ROUNDS; round++) {
    for (let i = 0; i < KEYS; i++) {
      const started = process.hrtime.bigint()
      await makeHandler().set(keyOf(i), values[i], { cacheControl: CACHE_CONTROL })
      set.push(Number(process.hrtime.bigint() - started) / 1000)
    }
    for (let i = 0; i < KEYS; i++) {
      const started = process.hrtime.bigint()
      const found = await makeHandler().get(keyOf((i * 7919) % KEYS), CTX)
      get.push(Number(process.hrtime.bigint() - started) / 1000)
      if (!found?.value?.segmentData) throw new Error(`miss for ${keyOf(i)}`)
    }
  }
  return { set: stats(set), get: stats(get) }
}

function stats(samples) {
  const sorted = [...samples].sort((a, b) => a - b)
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]
  return { mean: samples.reduce((a, b) => a + b, 0) / samples.length, p50: at(0.5), p99: at(0.99) }
}

const values = Array.from({ length: KEYS }, (_, i) => entry(i))
const root = mkdtempSync(join(tmpdir(), 'diskcache-next-bench-'))
try {
  const fsDist = serverDistDir(join(root, 'next-default'))
  // maxMemoryCacheSize 0: the default handler's own memory LRU off, as with cacheMaxMemorySize: 0.
  const nextDefault = await measure(
    () => new FileSystemCache({ fs: nodeFs, dev: false, flushToDisk: true, serverDistDir: fsDist, maxMemoryCacheSize: 0 }),
    values,
  )
  const Ours = createCacheHandler({ directory: join(root, 'diskcache') })
  const ourDist = serverDistDir(join(root, 'ours'))
  const ours = await measure(() => new Ours({ serverDistDir: ourDist }), values)
  const OursGzip = createCacheHandler({ directory: join(root, 'diskcache-gzip'), compression: 'gzip' })
  const oursGzip = await measure(() => new OursGzip({ serverDistDir: ourDist }), values)

  const us = (n) => n.toFixed(0).padStart(6)
  console.log(`next ${nextVersion}, node ${process.version}, ${KEYS} keys x ${ROUNDS} rounds; APP_PAGE: 50 KB html, 20 KB rscData, 3 x 5 KB segments`)
  console.log('handler                          op    mean µs  p50 µs  p99 µs   mean vs default  p50 vs default')
  for (const [name, result] of [['next default (file-system)', nextDefault], ['@diskcache/next', ours], ['@diskcache/next (gzip)', oursGzip]]) {
    for (const op of ['set', 'get']) {
      const r = result[op]
      const ratio = (r.mean / nextDefault[op].mean).toFixed(2)
      const medianRatio = (r.p50 / nextDefault[op].p50).toFixed(2)
      console.log(`${name.padEnd(32)} ${op}  ${us(r.mean)}   ${us(r.p50)}  ${us(r.p99)}   ${ratio}x            ${medianRatio}x`)
    }
  }
} finally {
  closeAllStores()
  rmSync(root, { recursive: true, force: true })
}
