'use strict'
// One writer of the stress run (see stress.mjs). It runs the BUILT package and
// tells the parent, over IPC, about every write only after the call returned:
//   { ack: 'set', key, sha256 }        a new key, never written again
//   { ack: 'version', key, version }   the counter-like key this worker overwrites
//   { ack: 'incr', key, value }        its own incr() counter
//   { deleting: key }                  a key it is about to delete (sent before the delete, and awaited)
//   { ack: 'delete', key }             a key it deleted
// The parent kills workers with SIGKILL at random moments and starts new ones.
const { createHash } = require('node:crypto')
const { join } = require('node:path')

const { Cache, FanoutCache } = require(process.env.DISKCACHE_STRESS_PACKAGE || join(__dirname, '../dist/cjs/index.js'))

const [directory, kind, name, generation] = process.argv.slice(2)
const cache = kind === 'fanout' ? new FanoutCache(directory, { shards: 4 }) : new Cache(directory)

let seed = (Number(generation) * 7919 + name.charCodeAt(0) * 104729) >>> 0
function random() {
  seed = (seed * 1103515245 + 12345) >>> 0
  return seed / 2 ** 32
}

function valueOf(size, n) {
  const out = Buffer.alloc(size)
  let x = n * 2654435761 + 1
  for (let i = 0; i < size; i += 4) {
    x = (x * 1103515245 + 12345) >>> 0
    out.writeUInt32LE(x, Math.min(i, Math.max(0, size - 4)))
  }
  return out
}

const digest = (buffer) => createHash('sha256').update(buffer).digest('hex')
const send = (message) => process.connected && process.send(message)

// The version key continues from what is stored: a restarted worker picks up where the killed one stopped.
const versionKey = `version:${name}`
let version = Number(cache.get(versionKey) ?? 0)
const counterKey = `counter:${name}`
const written = []
let n = 0

async function loop() {
  for (;;) {
    const dice = random()
    const id = `${name}:${generation}:${n++}`
    if (dice < 0.45) {
      // Mostly small inline values, one in ten large enough for a value file.
      const value = valueOf(random() < 0.1 ? 40_000 + Math.floor(random() * 60_000) : 16 + Math.floor(random() * 400), n)
      cache.set(`key:${id}`, value, random() < 0.2 ? { tags: ['stress'] } : undefined)
      written.push(`key:${id}`)
      send({ ack: 'set', key: `key:${id}`, sha256: digest(value) })
    } else if (dice < 0.6) {
      cache.set(versionKey, ++version)
      send({ ack: 'version', key: versionKey, version })
    } else if (dice < 0.75) {
      send({ ack: 'incr', key: counterKey, value: Number(cache.incr(counterKey)) })
    } else if (dice < 0.8 && written.length > 0) {
      const key = written.splice(Math.floor(random() * written.length), 1)[0]
      // Say so before deleting, and wait until the message is out: a kill after the delete commits and
      // before its acknowledgement must not make the parent count the key as lost.
      await new Promise((resolve) => (process.connected ? process.send({ deleting: key }, resolve) : resolve()))
      cache.delete(key)
      send({ ack: 'delete', key })
    } else if (dice < 0.85) {
      // Entries that expire at once, so writes also sweep and cull.
      cache.set(`short:${id}`, valueOf(64, n), { ttl: 1 })
    } else if (dice < 0.9) {
      cache.transact(() => {
        cache.set(`tx:${id}:a`, 1)
        cache.set(`tx:${id}:b`, 2)
      })
      send({ ack: 'set', key: `tx:${id}:a`, sha256: null, value: 1 })
      send({ ack: 'set', key: `tx:${id}:b`, sha256: null, value: 2 })
    } else {
      cache.get(`key:${name}:${generation}:${Math.floor(random() * n)}`)
    }
    // Let the IPC messages out now and then: a kill then lands inside a write most of the time.
    if (n % 20 === 0) await new Promise((resolve) => setImmediate(resolve))
  }
}

send({ ready: true })
loop().catch((error) => {
  send({ failed: { name: error.name, code: error.code, message: error.message } })
  process.exit(1)
})
