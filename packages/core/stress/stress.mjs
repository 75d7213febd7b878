#!/usr/bin/env node
// `npm run stress -- --minutes 30`: P writer processes on one cache for a fixed
// time, while a killer sends SIGKILL to a random writer at random moments (inside
// transactions, while a value file is written, during culling) and starts a new
// one in its place. At the end every writer is killed too, the cache is reopened
// and checked: it must open, check() must find nothing, every acknowledged write
// must be there byte for byte (or acknowledged as deleted, or evicted in
// least-recently-stored order once the run outgrew sizeLimit), every incr() counter
// and overwritten version must be at least the last acknowledged one and at most
// one above it (a write can commit just before its kill, unacknowledged), and no
// value file may be orphaned: reopening recovers what the kills left, with no
// check({ fix: true }). Prints a report and a JSON line; exits 1 on any loss.
import { fork } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'

const here = dirname(fileURLToPath(import.meta.url))
const require = createRequire(import.meta.url)
const { Cache, FanoutCache } = require(process.env.DISKCACHE_STRESS_PACKAGE || join(here, '../dist/cjs/index.js'))

const { values: args } = parseArgs({
  options: {
    minutes: { type: 'string', default: '1' },
    seconds: { type: 'string' },
    processes: { type: 'string', default: '4' },
    'kill-every': { type: 'string', default: '300' },
    kind: { type: 'string', default: 'cache' },
    dir: { type: 'string' },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
})
if (args.help) {
  process.stdout.write(`usage: npm run stress [-- options]
  --minutes N       how long the writers run (default 1); --seconds N for short runs
  --processes P     writer processes (default 4; up to 8 on 2 cores is fine)
  --kill-every MS   mean pause between two SIGKILLs (default 300; 0: no kills)
  --kind K          cache | fanout (a FanoutCache with 4 shards)
  --dir PATH        where the cache goes (default: a fresh temp directory, removed on success)
  --json            print only the JSON summary
`)
  process.exit(0)
}
const seconds = args.seconds !== undefined ? Number(args.seconds) : Number(args.minutes) * 60
const processes = Number(args.processes)
const killEvery = Number(args['kill-every'])
if (!(seconds > 0) || !(processes >= 1) || !(killEvery >= 0) || !['cache', 'fanout'].includes(args.kind)) {
  console.error('stress: bad options (see --help)')
  process.exit(2)
}
const directory = args.dir ?? mkdtempSync(join(tmpdir(), 'diskcache-stress-'))
const log = (line) => args.json || process.stderr.write(`${line}\n`)

// What the writers acknowledged.
const acked = new Map() // key → { sha256 } or { value }
const deleted = new Set()
const highest = new Map() // version and counter keys → highest acknowledged value
const totals = { sets: 0, versions: 0, incrs: 0, deletes: 0, kills: 0, starts: 0, failures: [] }

function onMessage(message) {
  if (message.failed) totals.failures.push(message.failed)
  if (message.deleting) acked.delete(message.deleting) // may be gone from now on, acknowledged or not
  if (!message.ack) return
  if (message.ack === 'set') {
    const expected = message.sha256 === null ? { value: message.value } : { sha256: message.sha256 }
    acked.set(message.key, { ...expected, ackedAt: Date.now() })
    totals.sets++
  } else if (message.ack === 'delete') {
    acked.delete(message.key)
    deleted.add(message.key)
    totals.deletes++
  } else {
    const value = message.ack === 'version' ? message.version : message.value
    highest.set(message.key, Math.max(highest.get(message.key) ?? 0, value))
    totals[message.ack === 'version' ? 'versions' : 'incrs']++
  }
}

let generation = 0
function start(name) {
  const child = fork(join(here, 'stress-worker.cjs'), [directory, args.kind, name, String(generation++)], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  child.on('message', onMessage)
  totals.starts++
  return child
}

const names = Array.from({ length: processes }, (_, i) => `w${i}`)
const workers = new Map(names.map((name) => [name, start(name)]))
log(`stress: ${processes} ${args.kind} writers in ${directory} for ${seconds} s, a SIGKILL every ~${killEvery} ms`)

// The largest WAL file seen (a FanoutCache's shards each have one): with several writers SQLite's own
// checkpoints never start the WAL over, so this shows the restarts at work (README, Checkpoints).
let largestWal = 0
function sampleWal() {
  const dirs = [directory, ...readdirSync(directory, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => join(directory, d.name))]
  for (const dir of dirs) largestWal = Math.max(largestWal, statSync(join(dir, 'cache.db-wal'), { throwIfNoEntry: false })?.size ?? 0)
}
const walSampler = setInterval(sampleWal, 250)

const exited = (child) => new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', resolve)))
const stopAt = Date.now() + seconds * 1000
while (Date.now() < stopAt) {
  const pause = killEvery > 0 ? killEvery * (0.2 + 1.6 * Math.random()) : stopAt - Date.now()
  await new Promise((resolve) => setTimeout(resolve, Math.min(pause, Math.max(0, stopAt - Date.now()))))
  if (killEvery === 0 || Date.now() >= stopAt) break
  const name = names[Math.floor(Math.random() * names.length)]
  const victim = workers.get(name)
  victim.kill('SIGKILL')
  await exited(victim)
  totals.kills++
  workers.set(name, start(name))
}
clearInterval(walSampler)
sampleWal()
for (const child of workers.values()) child.kill('SIGKILL')
await Promise.all([...workers.values()].map(exited))

// ----- verification -----
const problems = []
const cache = args.kind === 'fanout' ? new FanoutCache(directory) : new Cache(directory)
// Opening recovered the files the kills left (pending-files.ts): check() must find nothing at all, orphans
// and empty folders included. A temp file a writer was writing when killed stays until it is an hour old
// (it could be a live writer's); each must be recorded as pending, so that recovery removes it then.
const orphansBeforeCheck = orphanCount()
for (const problem of cache.check().problems) problems.push(`check(): ${problem.kind} ${problem.path ?? ''} ${problem.message}`)
const tempFiles = listFiles(directory).filter((name) => name.endsWith('.val.tmp'))
for (const temp of tempFiles) if (!isPending(temp.slice(0, -'.tmp'.length))) problems.push(`temp file not recorded as pending: ${temp}`)
// A long run outgrows sizeLimit (1 GiB), and least-recently-stored eviction then removes the entries
// stored longest ago. So a missing acknowledged key counts as evicted only if it was acknowledged before
// the oldest acknowledged key still present was stored (with a second of slack for clocks and IPC);
// a missing key younger than that is lost. A FanoutCache's shards each hold their share of sizeLimit and
// evict on their own, each in its own order: a shard that took more bytes reaches further forward, so
// the oldest entry still present is looked up per shard.
const shardOf = args.kind === 'fanout' ? (key) => cache.shards.indexOf(cache.shardFor(key)) : () => 0
const oldestPresent = []
const missing = []
for (const [key, expected] of acked) {
  const entry = cache.getWithMeta(key)
  const shard = shardOf(key)
  if (entry === undefined) {
    missing.push([key, expected.ackedAt, shard])
    continue
  }
  oldestPresent[shard] = Math.min(oldestPresent[shard] ?? Infinity, entry.storedAt)
  const value = entry.value
  if ('value' in expected ? value !== expected.value : createHash('sha256').update(value).digest('hex') !== expected.sha256) {
    problems.push(`wrong bytes: ${key}`)
  }
}
let evicted = 0
// Evictions that only the per-shard view explains: younger than the oldest entry left in the whole cache.
const oldestOverall = Math.min(...oldestPresent.filter((at) => at !== undefined))
let evictedPastOldestOverall = 0
for (const [key, ackedAt, shard] of missing) {
  const oldest = oldestPresent[shard] ?? Infinity
  if (ackedAt <= oldest + 1000) {
    evicted++
    if (ackedAt > oldestOverall + 1000) evictedPastOldestOverall++
  } else problems.push(`lost: ${key} (acknowledged ${ackedAt - oldest} ms after the oldest entry still present${args.kind === 'fanout' ? ` in its shard (${shard})` : ''} was stored)`)
}
for (const key of deleted) if (cache.has(key)) problems.push(`came back after its delete was acknowledged: ${key}`)
for (const [key, value] of highest) {
  const stored = Number(cache.get(key))
  if (!(stored >= value && stored <= value + 1)) problems.push(`${key}: stored ${stored}, last acknowledged ${value}`)
}
for (const failure of totals.failures) problems.push(`a writer failed: ${failure.name} ${failure.code ?? ''} ${failure.message}`)
const entries = cache.size
cache.close()

/** Value files (not temp files) under the cache directory that no entry references, before check() ran. */
function orphanCount() {
  const shards = args.kind === 'fanout' ? cache.shards : [cache]
  let count = 0
  for (const shard of shards) {
    const db = shard.store.db
    const referenced = new Set(db.prepare('SELECT filename FROM entries WHERE filename IS NOT NULL').pluck().all())
    for (const name of listFiles(shard.directory)) if (name.endsWith('.val') && !referenced.has(name)) count++
  }
  return count
}

function isPending(name) {
  const shards = args.kind === 'fanout' ? cache.shards : [cache]
  return shards.some((shard) => shard.store.db.prepare('SELECT 1 FROM pending_files WHERE name = ?').get(name.split('/').slice(-4).join('/')) !== undefined)
}

function listFiles(root) {
  return readdirSync(root, { recursive: true }).map((name) => name.split('\\').join('/')).filter((name) => name.includes('values/'))
}

const summary = {
  kind: args.kind,
  processes,
  seconds,
  writesAcknowledged: totals.sets + totals.versions + totals.incrs + totals.deletes,
  ...totals,
  failures: totals.failures.length,
  entriesAtEnd: entries,
  evictedBySizeLimit: evicted,
  ...(args.kind === 'fanout' ? { evictedPastOldestOverall } : {}),
  orphansAfterReopen: orphansBeforeCheck,
  tempFilesInFlight: tempFiles.length,
  largestWalBytes: largestWal,
  lost: problems.length,
}
if (!args.json) {
  log(`stress: ${summary.writesAcknowledged} acknowledged writes (${totals.sets} sets, ${totals.versions} overwrites, ${totals.incrs} incr, ${totals.deletes} deletes), ${totals.kills} kills, ${entries} entries at the end, ${evicted} evicted by sizeLimit (the oldest${args.kind === 'fanout' ? ` of each shard, ${evictedPastOldestOverall} of them younger than the oldest entry left in the whole cache` : ''}, as least-recently-stored says)`)
  log(`stress: after reopening, ${orphansBeforeCheck} orphan value files; ${tempFiles.length} temp files of killed writers, each recorded as pending`)
  log(`stress: the largest WAL file seen (every 250 ms) was ${(largestWal / 2 ** 20).toFixed(1)} MiB`)
  log(problems.length === 0 ? 'stress: OK — nothing lost, check() clean' : `stress: ${problems.length} PROBLEM(S)\n  ${problems.slice(0, 20).join('\n  ')}`)
}
process.stdout.write(JSON.stringify({ ...summary, problems: problems.slice(0, 20) }) + '\n')
if (problems.length === 0 && args.dir === undefined) rmSync(directory, { recursive: true, force: true })
process.exit(problems.length === 0 ? 0 : 1)
