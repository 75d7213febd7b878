'use strict'
// A child process for the cross-process tests. It runs the BUILT package (as a
// user would) and answers requests from the parent over IPC:
//   parent → { id, op, args }    child → { id, result } | { id, error: { name, code, message } }
// Long-running operations also send events: { event, ...data }.
// `arm` + `go` let several children start one operation at the same instant:
// each arms it, and `go` busy-waits until the shared `startAt` before running it.
const { createHash } = require('node:crypto')
const { join } = require('node:path')

// DISKCACHE_CHILD_PACKAGE points at another build (say, of an older commit) to compare behaviour.
const core = require(process.env.DISKCACHE_CHILD_PACKAGE || join(__dirname, '../../dist/cjs/index.js'))
const { Cache, Deque, FanoutCache, Index } = core
const Database = require('better-sqlite3')

const directory = process.argv[2]
let cache
let deque
let index
let armed
let lockDb
// Locks this process took and keeps (the parent kills it to test recovery).
const keptLocks = []

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

function send(message) {
  if (process.connected) process.send(message)
}

function digest(buffer) {
  return createHash('sha256').update(buffer).digest('hex')
}

/** Bytes that depend on `seed`, so an acknowledged value can be checked exactly. */
function valueFor(seed, size) {
  const out = Buffer.alloc(size)
  let x = seed * 2654435761 + 1
  for (let i = 0; i < size; i += 4) {
    x = (x * 1103515245 + 12345) >>> 0
    out.writeUInt32LE(x, Math.min(i, size - 4))
  }
  return out
}

function describeValue(value) {
  if (Buffer.isBuffer(value)) return { bytes: value.length, sha256: digest(value) }
  return value === undefined ? { undefined: true } : value
}

const handlers = {
  /** Opens the cache (closing the one open before), in `at` if given, else in the directory named on the command line. */
  open({ options = {}, at = directory } = {}) {
    if (cache && !cache.closed) cache.close()
    cache = new Cache(at, options)
    return cache.settings
  },
  /** Opens a FanoutCache instead: the other ops work on it unchanged. */
  openFanout({ options = {}, at = directory } = {}) {
    if (cache && !cache.closed) cache.close()
    cache = new FanoutCache(at, options)
    return cache.shardCount
  },
  /** Sets `key-<from>` … `key-<to - 1>` to their own index. */
  setRange({ from, to }) {
    for (let i = from; i < to; i++) cache.set(`key-${i}`, i)
    return to - from
  },
  settings() {
    cache.reset('sizeLimit') // reading a setting by name refreshes them from the database
    return cache.settings
  },
  get({ key }) {
    return describeValue(cache.get(key))
  },
  set({ key, value, options }) {
    cache.set(key, value, options)
    return true
  },
  delete({ key }) {
    return cache.delete(key)
  },
  /** Pushes a value onto the Deque opened by openDeque. */
  dequePush({ value }) {
    deque.push(value)
    return true
  },
  add({ key, value }) {
    return cache.add(key, value)
  },
  reset({ name, value }) {
    return cache.reset(name, value)
  },
  incrLoop({ key, count }) {
    let last
    for (let i = 0; i < count; i++) last = cache.incr(key)
    return last
  },
  close() {
    cache.close()
    return true
  },
  /** Takes the write lock with a connection of its own and keeps it until `unlock`. */
  lock() {
    lockDb = new Database(join(directory, 'cache.db'))
    lockDb.exec('BEGIN IMMEDIATE')
    lockDb.prepare("UPDATE counters SET value = value WHERE name = 'hits'").run()
    return 'locked'
  },
  unlock() {
    lockDb.exec('COMMIT')
    lockDb.close()
    return 'unlocked'
  },
  /** Stores file-backed values one after another; reports each key after set() returned. Runs until killed. */
  async setLoop({ size }) {
    for (let i = 0; ; i++) {
      const value = valueFor(i, size)
      cache.set(`k${i}`, value)
      send({ event: 'acked', key: `k${i}`, seed: i, sha256: digest(value) })
      // Let the IPC channel flush; the kill still lands mostly inside set().
      await new Promise((resolve) => setImmediate(resolve))
    }
  },
  /** Stores one value by setStream, then starts an endless setStream and reports once it is under way. */
  async streamForever({ chunk, reportAfter }) {
    const done = valueFor(7, chunk * 4)
    await cache.setStream('complete', (async function* () {
      for (let i = 0; i < 4; i++) yield done.subarray(i * chunk, (i + 1) * chunk)
    })())
    send({ event: 'acked', key: 'complete', sha256: digest(done) })
    let sent = 0
    await cache.setStream('endless', (async function* () {
      for (let i = 0; ; i++) {
        yield valueFor(i, chunk)
        sent += chunk
        if (sent === reportAfter) send({ event: 'streaming', bytes: sent })
        await new Promise((resolve) => setImmediate(resolve))
      }
    })())
  },
  /** Writes values of growing size until one fails; reports the error and what was stored before. */
  fillUntilFull({ size }) {
    const stored = []
    for (let i = 0; i < 1000; i++) {
      const value = valueFor(i, size * (i + 1))
      try {
        cache.set(`v${i}`, value)
      } catch (error) {
        return { stored, error: { name: error.name, code: error.code, cause: error.cause && error.cause.code } }
      }
      stored.push({ key: `v${i}`, sha256: digest(value) })
    }
    return { stored, error: null }
  },
  /**
   * Recipes: `count` rounds of acquire → read 'counter' → yield → write it + 1 →
   * release. An 'inside' marker, added on entry and deleted on exit, counts
   * the rounds that found another holder inside.
   */
  async lockLoop({ key, count, ttl }) {
    const lock = new core.Lock(cache, key, { ttl, pollInterval: 5 })
    let overlaps = 0
    for (let i = 0; i < count; i++) {
      await lock.acquire({ timeout: 20_000 })
      if (!cache.add('inside', process.pid)) overlaps++
      const value = cache.get('counter') ?? 0
      // Yield between read and write, so a second holder (if the lock let one in) would interleave and lose an update.
      await new Promise((resolve) => setImmediate(resolve))
      cache.set('counter', value + 1)
      cache.delete('inside')
      lock.release()
    }
    return { overlaps }
  },
  /** Acquires a Lock and never releases it; resolves with its owner token. */
  async lockHold({ key, ttl }) {
    const lock = new core.Lock(cache, key, { ttl })
    await lock.acquire({ timeout: 5_000 })
    keptLocks.push(lock)
    return lock.owner
  },
  /** `count` rounds of holding a BoundedSemaphore for `holdMs`, recording the most holders ever seen at once in 'highWater'. */
  async semaphoreLoop({ key, value, ttl, count, holdMs }) {
    const semaphore = new core.BoundedSemaphore(cache, key, { value, ttl, pollInterval: 5 })
    for (let i = 0; i < count; i++) {
      await semaphore.acquire({ timeout: 20_000 })
      cache.transact(() => {
        const holders = cache.incr('holders')
        if (holders > (cache.get('highWater') ?? 0)) cache.set('highWater', holders)
      })
      await sleep(holdMs)
      cache.decr('holders')
      semaphore.release()
    }
    return true
  },
  /** Calls a throttled function for `durationMs`; resolves with the time (Date.now) of every call it made. */
  async throttleRun({ name, count, per, durationMs }) {
    const times = []
    const run = core.throttle(cache, () => times.push(Date.now()), { count, per, name })
    const end = Date.now() + durationMs
    while (Date.now() < end) await run()
    return times
  },
  /** `callers` concurrent calls of a memoizeStampede function that counts its runs in 'calls' and takes `computeMs`. */
  async stampedeCold({ name, callers, computeMs, ttl }) {
    const compute = core.memoizeStampede(
      cache,
      async (n) => {
        cache.incr('calls')
        await sleep(computeMs)
        return `value of ${n} from ${process.pid}`
      },
      { name, ttl, pollInterval: 5 },
    )
    return Promise.all(Array.from({ length: callers }, () => compute(1)))
  },
  /** Opens a Deque (closing the one open before), in `at` if given. */
  openDeque({ options = {}, at = directory } = {}) {
    if (deque && deque.cache.store.isOpen) deque.close()
    deque = new Deque(at, options)
    return deque.length
  },
  /** Pushes the numbers from, from + 1, … (count of them) one call at a time, then `sentinels` copies of 'END'. */
  async dequeProduce({ from = 0, count, sentinels = 0, side = 'back' }) {
    for (let i = from; i < from + count; i++) {
      if (side === 'back') deque.push(i)
      else deque.unshift(i)
      // Every so often let the event loop run, so the IPC channel stays responsive.
      if (i % 100 === 0) await new Promise((resolve) => setImmediate(resolve))
    }
    for (let i = 0; i < sentinels; i++) deque.push('END')
    return count
  },
  /** Takes items from `side` until it takes an 'END' (waiting while the deque is empty); returns what it took. */
  async dequeConsume({ side = 'front' }) {
    const taken = []
    for (;;) {
      const item = side === 'front' ? deque.shift() : deque.pop()
      if (item === 'END') return taken
      if (item === undefined) await new Promise((resolve) => setTimeout(resolve, 1))
      else taken.push(item)
    }
  },
  openIndex({ options = {}, at = directory } = {}) {
    if (index && index.cache.store.isOpen) index.close()
    index = new Index(at, options)
    return index.size
  },
  indexSetDefault({ key, value }) {
    return index.setDefault(key, value)
  },
  arm({ op, args }) {
    armed = { op, args }
    return 'armed'
  },
  go({ startAt }) {
    while (Date.now() < startAt) {
      // Spin, so every child leaves this loop within a millisecond of the others.
    }
    return handlers[armed.op](armed.args)
  },
}

process.on('message', async ({ id, op, args }) => {
  try {
    const handler = handlers[op]
    if (!handler) throw new Error(`cache-child: unknown op ${op}`)
    send({ id, result: await handler(args) })
  } catch (error) {
    const cause = error.cause && { code: error.cause.code, message: error.cause.message, stack: error.cause.stack }
    send({ id, error: { name: error.name, code: error.code, message: error.message, cause, stack: error.stack } })
  }
})
process.on('disconnect', () => process.exit(0))
send({ event: 'ready' })
