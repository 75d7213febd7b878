'use strict'
// The workload of power-cut.test.ts, run under powercut.so by run-until-power-cut.ts.
// Before each operation it prints {"begin":i,"effects":{key: value | null}}; after
// the call returned, {"ack":i}. stdout is a pipe, and Node writes pipes
// synchronously on Linux: an ack is in the pipe before the next operation starts.
// Values are described, not sent: {s: text} inline, {l: bytes, sha256} in a file,
// {n: number} a counter; null means deleted.
const { createHash } = require('node:crypto')
const { join } = require('node:path')
const { Readable } = require('node:stream')
const { Cache } = require(process.env.DISKCACHE_CHILD_PACKAGE || join(__dirname, '../../../dist/cjs/index.js'))

const [directory, configJson] = process.argv.slice(2)
const { synchronous, seed, operations } = JSON.parse(configJson)

let state = seed >>> 0 || 1
/** mulberry32: the same seed gives the same workload. */
function random() {
  state = (state + 0x6d2b79f5) >>> 0
  let t = state
  t = Math.imul(t ^ (t >>> 15), t | 1)
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}
const pick = (n) => Math.floor(random() * n)
const keyOf = () => `k${pick(24)}`

function small(step, key) {
  return `${key}@${step}:` + 'x'.repeat(pick(1500))
}
function large() {
  const bytes = Buffer.alloc(33_000 + pick(60_000)) // over the default fileThreshold (32 KiB): a value file
  for (let i = 0; i + 4 <= bytes.length; i += 4) bytes.writeUInt32LE(Math.floor(random() * 2 ** 32), i)
  return bytes
}
function describe(value) {
  if (value === null) return null
  if (typeof value === 'string') return { s: value }
  if (typeof value === 'number') return { n: value }
  return { l: value.length, sha256: createHash('sha256').update(value).digest('hex') }
}
function say(message) {
  process.stdout.write(JSON.stringify(message) + '\n')
}

async function main() {
  const cache = new Cache(directory, { synchronous })
  let counter = 0
  say({ ready: true })
  for (let step = 0; step < operations; step++) {
    const r = random()
    const effects = {}
    let run
    if (r < 0.3) {
      const key = keyOf()
      const value = small(step, key)
      effects[key] = value
      run = () => cache.set(key, value)
    } else if (r < 0.55) {
      const key = keyOf()
      const value = large()
      effects[key] = value
      run = () => cache.set(key, value)
    } else if (r < 0.7) {
      const key = keyOf()
      effects[key] = null
      run = () => cache.delete(key)
    } else if (r < 0.8) {
      const [a, b, c] = ['a', 'b', 'c'].map((suffix) => `t${pick(6)}${suffix}`)
      effects[a] = small(step, a)
      effects[b] = large()
      effects[c] = null
      run = () =>
        cache.transact(() => {
          cache.set(a, effects[a])
          cache.set(b, effects[b])
          cache.delete(c)
        })
    } else if (r < 0.9) {
      effects.counter = ++counter
      run = () => cache.incr('counter')
    } else {
      const key = keyOf()
      const value = large()
      effects[key] = value
      run = () => cache.setStream(key, Readable.from([value.subarray(0, 10_000), value.subarray(10_000)]))
    }
    const described = {}
    for (const [key, value] of Object.entries(effects)) described[key] = describe(value)
    say({ begin: step, effects: described })
    await run()
    say({ ack: step })
  }
  say({ done: true })
}

main().catch((error) => {
  say({ error: String(error && error.stack) })
  process.exit(1)
})
