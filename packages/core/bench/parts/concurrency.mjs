// Part 6 — several processes writing one cache at once: Cache vs FanoutCache,
// with raw better-sqlite3 (one table, autocommit) as the floor.
//
// For P = 1, 2, 4 processes, every contender gets the same workload: each
// process picks keys at random from a pre-filled set and runs 90% get / 9% set /
// 1% delete for a fixed time, timing every operation. All processes of a round
// start at one instant (each busy-waits for a shared start time) and stop at one
// instant; ops/s is the sum over the processes, p99 is over every operation of
// every process. The contenders take turns round by round, and the median of
// the rounds is reported, because these machines are shared.
//
// Each process also reports where its wall time went, so that a round says
// whether the processes were waiting for the write lock or for a core: the CPU
// time of the whole process (every thread, the checkpoint worker included)
// and, where Linux's /proc/thread-self/schedstat is readable, the main
// thread's time waiting in the run queue for a core and its time asleep
// (lock waits, I/O). Summed over the processes and divided by the operations,
// main-thread CPU + run queue + asleep = P × the wall time of one operation.
import { fork } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { loadCore, openFloor } from '../lib/contenders.mjs'
import { onInterrupt, partMain, progress } from '../lib/proc.mjs'
import { makeValue, median, prng } from '../lib/stats.mjs'

export const STORES = ['floor', 'cache', 'fanout']
export const LABELS = {
  floor: 'better-sqlite3 (floor)',
  cache: 'Cache',
  fanout: 'FanoutCache (8 shards)',
}

/** The main thread's [CPU ns, run-queue wait ns], or undefined where the kernel does not say. */
function schedstat() {
  try {
    const [cpu, queue] = readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ').map(Number)
    return Number.isFinite(cpu) && Number.isFinite(queue) ? [cpu, queue] : undefined
  } catch {
    return undefined
  }
}

function openStore(name, dir) {
  if (name === 'floor') return openFloor(dir)
  const { Cache, FanoutCache } = loadCore()
  const cache = name === 'cache' ? new Cache(join(dir, 'cache')) : new FanoutCache(join(dir, 'fanout'), { shards: 8 })
  return {
    set: (k, v) => cache.set(k, v),
    get: (k) => cache.get(k),
    delete: (k) => cache.delete(k),
    fill: (entries) => cache.setMany(entries),
    close: () => cache.close(),
  }
}

// ----- worker side -----

/** One process of a round: waits for `startAt`, runs the mix until `stopAt`, sends back every latency (µs). */
function work({ store: name, dir, keys, valueSize, startAt, stopAt, seed, sets: setShare, deletes: deleteShare }) {
  const store = openStore(name, dir)
  const value = makeValue(valueSize, seed)
  const random = prng(seed)
  const names = Array.from({ length: keys }, (_, i) => `key-${i}`)
  for (let i = 0; i < 2000; i++) store.get(names[i % keys]) // warm the statements and the page cache
  const latencies = new Float64Array(4_000_000)
  let n = 0
  let sets = 0
  let deletes = 0
  while (Date.now() < startAt) {
    // Spin: every process leaves this loop within a millisecond of the others.
  }
  const wall0 = performance.now()
  const cpu0 = process.cpuUsage()
  const sched0 = schedstat()
  for (;;) {
    const t0 = performance.now()
    if (t0 >= stopAt - performance.timeOrigin) break
    const dice = random()
    const key = names[Math.floor(random() * keys)]
    if (dice < 1 - setShare - deleteShare) store.get(key)
    else if (dice < 1 - deleteShare) {
      store.set(key, value)
      sets++
    } else {
      store.delete(key)
      deletes++
    }
    latencies[n++] = (performance.now() - t0) * 1000
    if (n === latencies.length) break
  }
  const wallNs = (performance.now() - wall0) * 1e6
  const cpu = process.cpuUsage(cpu0)
  const sched1 = sched0 && schedstat()
  store.close()
  const time = { wallNs, processCpuNs: (cpu.user + cpu.system) * 1000 }
  if (sched1) Object.assign(time, { mainCpuNs: sched1[0] - sched0[0], runQueueNs: sched1[1] - sched0[1] })
  return { ops: n, sets, deletes, time, latencies: latencies.subarray(0, n) }
}

if (process.env.DISKCACHE_BENCH_WORKER === '1') {
  process.once('message', (job) => {
    try {
      process.send({ result: work(job) }, () => process.exit(0))
    } catch (error) {
      process.send({ error: String(error?.stack ?? error) }, () => process.exit(1))
    }
  })
}

// ----- parent side -----

function startWorker(job) {
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(import.meta.url), [], {
      env: { ...process.env, DISKCACHE_BENCH_WORKER: '1' },
      serialization: 'advanced', // the latencies travel as a typed array
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    })
    let answer
    child.on('message', (message) => (answer = message))
    child.on('error', reject)
    child.on('exit', (code) => {
      if (answer?.result) resolve(answer.result)
      else reject(new Error(answer?.error ?? `bench worker exited with code ${code} before reporting`))
    })
    child.send(job)
  })
}

function percentile(sorted, q) {
  return sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]
}

async function round({ store, dir, processes, keys, valueSize, seconds, sets, deletes, round: r }) {
  // Forking and loading take a while: start far enough ahead that every worker is ready and spinning.
  const startAt = Date.now() + 700 + 150 * processes
  const stopAt = startAt + seconds * 1000
  const results = await Promise.all(
    Array.from({ length: processes }, (_, i) =>
      startWorker({ store, dir, keys, valueSize, startAt, stopAt, sets, deletes, seed: 1 + i + 100 * r }),
    ),
  )
  const ops = results.reduce((sum, result) => sum + result.ops, 0)
  const all = new Float64Array(ops)
  let offset = 0
  for (const result of results) {
    all.set(result.latencies, offset)
    offset += result.latencies.length
  }
  all.sort()
  // µs per operation, summed over the processes (see the head of this file).
  const perOp = (field) => results.reduce((sum, result) => sum + result.time[field], 0) / 1000 / ops
  const scheduled = results.every((result) => result.time.mainCpuNs !== undefined)
  return {
    opsPerSecond: ops / seconds,
    cpuPerOp: perOp('processCpuNs'),
    runQueuePerOp: scheduled ? perOp('runQueueNs') : undefined,
    asleepPerOp: scheduled ? perOp('wallNs') - perOp('mainCpuNs') - perOp('runQueueNs') : undefined,
    p50: percentile(all, 0.5),
    p99: percentile(all, 0.99),
    p999: percentile(all, 0.999),
    max: all[all.length - 1] ?? 0,
    writes: results.reduce((sum, result) => sum + result.sets + result.deletes, 0),
  }
}

export async function run({ processes = [1, 2, 4], keys = 10_000, valueSize = 1000, seconds = 3, rounds = 3, sets = 0.09, deletes = 0.01, scratch = tmpdir() }) {
  const root = mkdtempSync(join(scratch, 'diskcache-bench-concurrency-'))
  const forget = onInterrupt(() => rmSync(root, { recursive: true, force: true }))
  try {
    const value = makeValue(valueSize, 1)
    const entries = Array.from({ length: keys }, (_, i) => [`key-${i}`, value])
    for (const store of STORES) {
      mkdirSync(join(root, store))
      const opened = openStore(store, join(root, store))
      for (let i = 0; i < entries.length; i += 1000) opened.fill(entries.slice(i, i + 1000))
      opened.close()
    }
    const figures = {}
    for (const p of processes) {
      figures[p] = Object.fromEntries(STORES.map((store) => [store, []]))
      for (let r = 0; r < rounds; r++) {
        // Turns rotate each round, so no contender always runs on a cooler machine.
        const order = STORES.map((_, i) => STORES[(i + r) % STORES.length])
        for (const store of order) {
          figures[p][store].push(await round({ store, dir: join(root, store), processes: p, keys, valueSize, seconds, sets, deletes, round: r }))
        }
        progress(`concurrency: P=${p} round ${r + 1}/${rounds} done`)
      }
    }
    const medians = {}
    for (const p of processes) {
      medians[p] = {}
      for (const store of STORES) {
        const runs = figures[p][store]
        medians[p][store] = Object.fromEntries(
          ['opsPerSecond', 'p50', 'p99', 'p999', 'max', 'cpuPerOp', 'runQueuePerOp', 'asleepPerOp'].map((field) => {
            const values = runs.map((run) => run[field])
            return [field, values.includes(undefined) ? undefined : median(values)]
          }),
        )
      }
    }
    return { processes, keys, valueSize, seconds, rounds, sets, deletes, medians, perRound: figures }
  } finally {
    rmSync(root, { recursive: true, force: true })
    forget()
  }
}

if (process.env.DISKCACHE_BENCH_WORKER !== '1') await partMain(import.meta.url, run)
