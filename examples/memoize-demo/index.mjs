// The main demo (`npm start` at the repo root): a slow function memoized in a
// SQLite file under .cache/, so the second call, and every call after a
// restart, is served from disk.
import { Cache } from '@diskcache/core'
import { resolve } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'

const directory = resolve(process.env.DISKCACHE_DIR ?? '.cache/demo')
const cache = new Cache(directory, { statistics: true })

// Stands in for an expensive call: an API, a model, a big query.
async function slowSquare(n) {
  await sleep(500)
  return { n, square: n * n, computedBy: process.pid, at: new Date().toISOString() }
}

const square = cache.memoize(slowSquare, { ttl: 60 * 60 * 1000 })

async function timed(label, fn) {
  const start = process.hrtime.bigint()
  const result = await fn()
  const ms = Number(process.hrtime.bigint() - start) / 1e6
  console.log(`${label.padEnd(34)} ${ms.toFixed(3).padStart(9)} ms  ${JSON.stringify(result)}`)
  return ms
}

console.log(`diskcache demo: cache in ${directory}\n`)
const first = await timed('square(12), first call:', () => square(12))
const second = await timed('square(12), second call:', () => square(12))
await timed('square(13):', () => square(13))
console.log(`\nThe second call was ${(first / second).toFixed(0)}x faster than the first.`)
console.log(
  first > 400
    ? 'Run `npm start` again: after the restart, the first call is served from disk too.'
    : 'Even the first call was a hit: an earlier run stored it on disk, and the restart kept it.',
)
console.log('memoize info:', square.cacheInfo(), '| cache stats:', cache.stats())
cache.close()
