#!/usr/bin/env node
// `npm run bench` — @diskcache/core next to raw better-sqlite3, in one run:
//   1. latency   set / get-hit / get-miss / (overwrite) / delete, ours vs the floor
//   2. growth    get-hit at 10k entries vs 1M entries
//   3. memory    RSS over 1M mixed operations (own process, --expose-gc)
//   4. streaming a 1 GiB value through setStream/getStream (own process)
//   5. durability: set with synchronous 'full' vs the default 'normal' (ours only)
//   6. concurrency: P = 1, 2, 4 processes on one cache, 90/9/1 get/set/delete, Cache vs FanoutCache vs the floor
// and a PASS/MISS line per target. `--help` lists the options; BENCHMARKS.md
// explains the method and holds the figures from a full run.
import { mkdirSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import { tmpdir } from 'node:os'
import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { cachePragmas, CONTENDERS, LABELS } from './lib/contenders.mjs'
import { count, duration, mib, percent, ratio, table, us, verdict } from './lib/format.mjs'
import { buildInfo, freeBytes, machineInfo } from './lib/machine.mjs'
import { runPart } from './lib/proc.mjs'
import { LABELS as CONCURRENCY_LABELS } from './parts/concurrency.mjs'

const HELP = `usage: npm run bench [-- options]      (npm run bench:quick for a smoke run)

  --quick               fewer keys and runs, 100k-entry growth, 100k memory ops, 64 MiB stream
  --runs N              latency repetitions, median reported (default 5; env BENCH_RUNS)
  --keys N              keys in the latency test (default 10000)
  --value-size N        characters per value in the latency test (default 1000)
  --growth-entries N    entries for the growth test (default 1000000)
  --memory-ops N        operations in the memory test (default 1000000)
  --stream-mb N         size of the streamed value in MiB (default 1024; env BENCH_STREAM_MB)
  --no-hash             skip the SHA-256 check of the streamed bytes
  --concurrency-seconds N  seconds per round of the multi-process part (default 3)
  --concurrency-rounds N   rounds of the multi-process part, median reported (default 3)
  --only LIST           run only some parts: latency,growth,memory,stream,durability,concurrency
                        (--quick leaves durability out unless --only names it)
  --dir PATH            scratch directory for the databases (default: the OS temp dir; env BENCH_DIR)
  --json FILE           also write every figure (per run, per sample) to FILE
`

const TARGETS = {
  getHit: 1.3, // get-hit ≤ 1.3× floor
  set: 1.5, // set ≤ 1.5× floor
  growth: 1.5, // get-hit at 1M ≤ 1.5× at 10k
  rssDrift: 0.1, // RSS within ±10% after warm-up
  streamPeakMB: 150, // peak RSS while streaming < 150 MB
  fanoutSpeedup: 1.5, // FanoutCache ≥ 1.5× Cache's ops/s at P = 4
  fanoutP99Us: 1000, // FanoutCache p99 < 1 ms at P = 4
}
const PARTS = ['latency', 'growth', 'memory', 'stream', 'durability', 'concurrency']
const MB_PER_MIB = 1.048576

function options() {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: process.env.BENCH_QUICK === '1' },
      runs: { type: 'string' },
      keys: { type: 'string' },
      'value-size': { type: 'string' },
      'growth-entries': { type: 'string' },
      'memory-ops': { type: 'string' },
      'stream-mb': { type: 'string' },
      'concurrency-seconds': { type: 'string' },
      'concurrency-rounds': { type: 'string' },
      'no-hash': { type: 'boolean', default: false },
      only: { type: 'string' },
      dir: { type: 'string' },
      json: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  })
  if (values.help) {
    process.stdout.write(HELP)
    process.exit(0)
  }
  const quick = values.quick
  const number = (flag, env, full, fast) => {
    const raw = values[flag] ?? (env ? process.env[env] : undefined)
    const n = raw === undefined ? (quick ? fast : full) : Number(raw)
    if (!Number.isFinite(n) || n <= 0) throw Object.assign(new Error(`--${flag} needs a positive number; got ${raw}`), { usage: true })
    return n
  }
  // Durability times fsyncs, whose cost depends on the disk far more than on the
  // code: a smoke run leaves it out unless asked for.
  const only = values.only ? values.only.split(',').map((s) => s.trim()) : quick ? PARTS.filter((p) => p !== 'durability') : PARTS
  for (const part of only) {
    if (!PARTS.includes(part)) throw Object.assign(new Error(`--only: unknown part "${part}"; parts: ${PARTS.join(', ')}`), { usage: true })
  }
  return {
    quick,
    runs: number('runs', 'BENCH_RUNS', 5, 3),
    keys: number('keys', undefined, 10_000, 2_000),
    valueSize: number('value-size', undefined, 1000, 1000),
    growthEntries: number('growth-entries', undefined, 1_000_000, 100_000),
    growthSamples: quick ? 5_000 : 20_000,
    growthRounds: quick ? 5 : 9,
    memoryOps: number('memory-ops', undefined, 1_000_000, 100_000),
    streamMb: number('stream-mb', 'BENCH_STREAM_MB', 1024, 64),
    hash: !values['no-hash'],
    durabilityKeys: quick ? 1_000 : 2_000,
    durabilityRuns: 3,
    concurrencySeconds: number('concurrency-seconds', undefined, 3, 1),
    concurrencyRounds: number('concurrency-rounds', undefined, 3, 1),
    only,
    scratch: resolve(values.dir ?? process.env.BENCH_DIR ?? tmpdir()),
    json: values.json,
  }
}

function header(o, machine, build, pragmas) {
  const load = machine.loadAverage.map((x) => x.toFixed(2)).join(' ')
  const lines = [
    `@diskcache/core benchmarks — ${o.quick ? 'QUICK smoke run (figures are indicative only)' : 'full run'}`,
    '',
    `  machine       ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB.toFixed(1)} GiB RAM, ${machine.os}`,
    `  runtime       Node ${machine.node} (V8 ${machine.v8}), better-sqlite3 ${machine.betterSqlite3}, SQLite ${machine.sqlite}`,
    `  load average  ${load} at start (a busy machine makes every figure noisier)`,
    `  build         commit ${build.commit ?? '?'}${build.srcChanges ? ` + ${build.srcChanges} changed file(s) in src/` : ''}, dist built ${build.distBuiltAt ?? '?'}${build.distOlderThanSrc ? '  ⚠ dist is older than src: run `npm run build`' : ''}`,
    `  pragmas       journal_mode=${pragmas.journal_mode} synchronous=${pragmas.synchronous} cache_size=${pragmas.cache_size} mmap_size=${pragmas.mmap_size} auto_vacuum=${pragmas.auto_vacuum} page_size=${pragmas.page_size}`,
    `                (${pragmas.source}; the floor uses the same)`,
    `  scratch       ${o.scratch} (${(freeBytes(o.scratch) / 1e9).toFixed(1)} GB free)`,
  ]
  return lines.join('\n')
}

/** "≤ 1.50× PASS", with the statistics that disagree with the mean named after it. */
function mark(limit, ours, floor) {
  const pass = (field) => ours[field] / floor[field] <= limit
  const others = ['p50', 'cpu'].filter((field) => ours[field] !== undefined && pass(field) !== pass('mean'))
  return `≤ ${limit.toFixed(2)}× ${verdict(pass('mean'))}${others.length ? ` (${others.join(', ')}: ${verdict(!pass('mean'))})` : ''}`
}

const STAT_COLUMNS = [{ title: 'mean' }, { title: 'p50' }, { title: 'p99' }, { title: 'cpu' }]
const stats = (s) => [us(s.mean), us(s.p50), us(s.p99), us(s.cpu)]
const ratios = (a, b) => [ratio(a.mean / b.mean), ratio(a.p50 / b.p50), ratio(a.p99 / b.p99), ratio(a.cpu / b.cpu)]

function latencySection(r) {
  const phases = Object.keys(r.medians)
  const target = { set: TARGETS.set, 'get-hit': TARGETS.getHit }
  const rows = phases.map((phase) => {
    const { floor, ours } = r.medians[phase]
    return [phase, ...stats(floor), ...stats(ours), ...ratios(ours, floor), target[phase] === undefined ? '' : mark(target[phase], ours, floor)]
  })
  const spread = phases
    .map((phase) => {
      const m = r.ratioRanges[phase].mean
      return `${phase} ${m.min.toFixed(2)}–${m.max.toFixed(2)}`
    })
    .join(' · ')
  return [
    `1. Latency — ${count(r.keys)} keys, ${count(r.valueSize)}-char string values; µs per op, median of ${r.runs === 1 ? '1 run' : `${r.runs} runs`}`,
    '',
    table(
      [{ title: 'phase', align: 'left' }, ...STAT_COLUMNS, ...STAT_COLUMNS, ...STAT_COLUMNS, { title: 'target (on mean)', align: 'left' }],
      rows,
      { groups: [{ title: '', span: 1 }, { title: 'floor', span: 4 }, { title: 'ours', span: 4 }, { title: 'ours / floor', span: 4 }] },
    ),
    '',
    `  floor = better-sqlite3 prepared statements (upsert / select / delete, autocommit) on kv(key TEXT PRIMARY KEY, value, expire_at REAL)`,
    `  ours  = ${LABELS.ours}, default options`,
    `  mean/p50/p99 = wall-clock µs per op; cpu = process CPU µs per op (leaves out time the process was not scheduled: the`,
    `  steadier figure on a busy machine, but it also leaves out fsync waits). Contenders take turns every 500 ops.`,
    `  gets go over every key ${r.readPasses}× per run, writes once; overwrite = set on existing keys (no target: both update`,
    `  the row in place, and ours also moves its entry in the stored_at index that least-recently-stored eviction reads)`,
    `  ours/floor of the mean in single runs (min–max): ${spread}`,
    `  WAL file size after each phase, MiB (a checkpoint rewinds the WAL but leaves the file's size):`,
    ...CONTENDERS.map((name) => `    ${name.padEnd(5)} ${phases.map((phase) => `${phase} ${mib(r.walBytes[name][phase] / 2 ** 20)}`).join(' · ')}`),
    ...phases
      .filter((phase) => r.walBytes.ours[phase] > 4 * Math.max(r.walBytes.floor[phase], 2 ** 20))
      .map((phase) => `  ⚠ ours' WAL outgrew the floor's in ${phase}: those writes ran no WAL checkpoint, so their figures leave that cost to a later write`),
    `  timer overhead ${us(r.timerOverheadUs)} µs per op, included in every figure`,
  ].join('\n')
}

function growthSection(r) {
  const rows = ['floor', 'ours'].map((name) => {
    const s = r.small[name]
    const l = r.large[name]
    return [name, ...stats(s), ...stats(l), ...ratios(l, s), name === 'ours' ? mark(TARGETS.growth, l, s) : '']
  })
  const big = count(r.entries)
  const fill = (name) => `${name} ${r.fill[name].seconds.toFixed(1)} s (${count(Math.round(r.fill[name].perSecond))} entries/s)`
  return [
    `2. Growth — get-hit on random keys, ${count(r.base)} vs ${big} entries; ~${r.valueSize}-byte values; µs per op, median of ${r.rounds} rounds`,
    '',
    table(
      [{ title: 'contender', align: 'left' }, ...STAT_COLUMNS, ...STAT_COLUMNS, ...STAT_COLUMNS, { title: 'target (on mean)', align: 'left' }],
      rows,
      { groups: [{ title: '', span: 1 }, { title: `${count(r.base)} entries`, span: 4 }, { title: `${big} entries`, span: 4 }, { title: `${big} / ${count(r.base)}`, span: 4 }] },
    ),
    '',
    `  values are ~${r.valueSize} bytes here, not the 1,000 characters of part 1, so the ${big}-entry fill stays quick; both sizes use`,
    `  the same values. Each contender has a ${count(r.base)}-entry and a ${big}-entry database; all four take turns every 500 gets`,
    `  (${count(r.samples)} random keys per store per round, after one discarded warm-up round that maps the pages).`,
    `  fill to ${big} in chunks of 10,000 (ours: setMany, floor: one transaction each): ${fill('floor')}, ${fill('ours')}`,
    `  on disk at ${big} entries: floor ${mib(r.bytesOnDisk.floor / 2 ** 20)} MiB, ours ${mib(r.bytesOnDisk.ours / 2 ** 20)} MiB`,
  ].join('\n')
}

function memorySection(results) {
  const rows = []
  for (const r of results) {
    const mark = r.contender === 'ours' ? `±${percent(TARGETS.rssDrift, 0)} ${verdict(r.deviation.rss <= TARGETS.rssDrift)}` : ''
    rows.push([`${r.contender} RSS`, mib(r.start.rss), mib(r.at10.rss), mib(r.at50.rss), mib(r.at100.rss), `${mib(r.min)}–${mib(r.max)}`, percent(r.deviation.rss), count(Math.round(r.opsPerSecond)), mark])
    if (r.at10.rssAnon !== undefined) {
      rows.push([`  anonymous`, mib(r.start.rssAnon), mib(r.at10.rssAnon), mib(r.at50.rssAnon), mib(r.at100.rssAnon), '', percent(r.deviation.rssAnon), '', ''])
      rows.push([`  file-backed`, mib(r.start.rssFile), mib(r.at10.rssFile), mib(r.at50.rssFile), mib(r.at100.rssFile), '', '', '', ''])
    }
    rows.push([`  JS heap used`, mib(r.start.heapUsed), mib(r.at10.heapUsed), mib(r.at50.heapUsed), mib(r.at100.heapUsed), '', percent(r.deviation.heapUsed), '', ''])
  }
  const r0 = results[0]
  return [
    `3. Memory — ${count(r0.ops)} mixed ops (90% get / 9% set / 1% delete) over ${count(r0.keys)} keys, ${count(r0.valueSize)}-char values; MiB`,
    '',
    table(
      [
        { title: 'contender', align: 'left' },
        { title: 'stored' }, { title: 'at 10%' }, { title: 'at 50%' }, { title: 'at 100%' },
        { title: 'min–max ≥10%' }, { title: 'max drift' }, { title: 'ops/s' },
        { title: 'target', align: 'left' },
      ],
      rows,
    ),
    '',
    `  each contender in its own process${r0.gcExposed ? ', full GC (--expose-gc) before each of 100 readings' : ' (no --expose-gc: readings without a forced GC)'};`,
    `  "stored" = after storing the ${count(r0.keys)} keys; drift = largest |reading − reading at 10%| / reading at 10%, over every reading from 10% on.`,
    `  file-backed = pages of the mmap'ed database and libraries (the OS can drop them); anonymous = heap and malloc.`,
  ].join('\n')
}

function streamSection(results, skipped) {
  if (skipped) return `4. Streaming — skipped: ${skipped}`
  const rows = results.map((r) => {
    const mark = r.contender === 'ours' ? `< ${TARGETS.streamPeakMB} MB ${verdict(r.peak * MB_PER_MIB < TARGETS.streamPeakMB)}` : ''
    return [
      r.contender === 'ours' ? 'ours (setStream/getStream)' : 'fs streams (floor)',
      `${r.writeSeconds.toFixed(2)} s (${Math.round(r.writeMBps)} MiB/s)`,
      `${r.readSeconds.toFixed(2)} s (${Math.round(r.readMBps)} MiB/s)`,
      mib(r.rssStart),
      mib(r.peakSampled),
      r.vmHWM === undefined ? '–' : mib(r.vmHWM),
      `${mib(r.peak)} MiB = ${mib(r.peak * MB_PER_MIB)} MB`,
      mark,
    ]
  })
  const r0 = results[0]
  const notes = results.filter((r) => r.note).map((r) => `  ${r.contender}: ${r.note}`)
  return [
    `4. Streaming — one ${count(r0.mb)} MiB value from a generator of ${r0.chunkKiB} KiB chunks, then read back; RSS in MiB`,
    '',
    table(
      [
        { title: 'contender', align: 'left' },
        { title: 'in' }, { title: 'out' }, { title: 'RSS start' }, { title: 'peak (50 ms)' }, { title: 'VmHWM' }, { title: 'peak' },
        { title: 'target', align: 'left' },
      ],
      rows,
    ),
    '',
    `  each in its own process; bytes counted${r0.hashed ? ' and SHA-256 compared' : ''} on the way out; peak = max(50 ms samples, VmHWM = the process's lifetime peak).`,
    ...notes,
  ].join('\n')
}

function durabilitySection(r) {
  const { normal, full } = r.medians
  const rows = [
    ['normal (default)', ...stats(normal), '', '', '', ''],
    ['full', ...stats(full), ...ratios(full, normal)],
  ]
  return [
    `5. Durability — set of new keys with synchronous 'full' vs 'normal', ours only; ${count(r.keys)} keys, ${count(r.valueSize)}-char values; µs per op, median of ${r.runs} runs`,
    '',
    table(
      [{ title: 'synchronous', align: 'left' }, ...STAT_COLUMNS, ...STAT_COLUMNS],
      rows,
      { groups: [{ title: '', span: 1 }, { title: 'µs per set', span: 4 }, { title: 'full / normal', span: 4 }] },
    ),
    '',
    `  WAL mode: 'normal' fsyncs at checkpoints only, 'full' fsyncs the WAL at every commit (each set commits on its own).`,
    `  The difference is one fsync per set, so the ratio depends on the disk far more than any other figure here does.`,
  ].join('\n')
}

function concurrencySection(r) {
  const stores = Object.keys(r.medians[r.processes[0]])
  const rows = []
  for (const p of r.processes) {
    const m = r.medians[p]
    for (const store of stores) {
      const s = m[store]
      rows.push([
        store === stores[0] ? `P = ${p}` : '',
        CONCURRENCY_LABELS[store] ?? store,
        count(Math.round(s.opsPerSecond)),
        us(s.p50),
        us(s.p99),
        us(s.p999),
        us(s.max),
        ratio(s.opsPerSecond / m.cache.opsPerSecond),
        ratio(s.opsPerSecond / m.floor.opsPerSecond),
        us(s.cpuPerOp),
        s.runQueuePerOp === undefined ? '–' : us(s.runQueuePerOp),
        s.asleepPerOp === undefined ? '–' : us(Math.max(0, s.asleepPerOp)),
      ])
    }
  }
  return [
    `6. Concurrency — P processes on one cache, 90% get / 9% set / 1% delete over ${count(r.keys)} keys, ${count(r.valueSize)}-char values;`,
    `   ${r.seconds} s per round, median of ${r.rounds} round${r.rounds === 1 ? '' : 's'}; latencies in µs over every op of every process`,
    '',
    table(
      [
        { title: '', align: 'left' },
        { title: 'store', align: 'left' },
        { title: 'ops/s' },
        { title: 'p50' },
        { title: 'p99' },
        { title: 'p99.9' },
        { title: 'max' },
        { title: '× Cache' },
        { title: '× floor' },
        { title: 'CPU/op' },
        { title: 'run queue/op' },
        { title: 'asleep/op' },
      ],
      rows,
    ),
    '',
    `  floor = raw better-sqlite3, one table, autocommit statements; FanoutCache has 8 shards. With more processes than cores`,
    `  (this machine has ${os.availableParallelism?.() ?? os.cpus().length}), a process waits for a core as well as for the write lock: p99 then measures the scheduler too.`,
    `  The last three columns say where the time went, in µs per operation summed over the processes: CPU of every thread`,
    `  (the checkpoint worker's too); the main thread's wait in the run queue for a core; and its time asleep (the write lock,`,
    `  the disk). Run queue and asleep need Linux's /proc/thread-self/schedstat ('–' without). A store whose run queue dwarfs`,
    `  its sleep is bound by the cores, not by the write lock: sharding can then only win what it saves in CPU per operation.`,
  ].join('\n')
}

function summary(res) {
  const rows = []
  if (res.latency) {
    const m = res.latency.medians
    const get = m['get-hit'].ours.mean / m['get-hit'].floor.mean
    const getP50 = m['get-hit'].ours.p50 / m['get-hit'].floor.p50
    const set = m.set.ours.mean / m.set.floor.mean
    const setP50 = m.set.ours.p50 / m.set.floor.p50
    const getCpu = m['get-hit'].ours.cpu / m['get-hit'].floor.cpu
    const setCpu = m.set.ours.cpu / m.set.floor.cpu
    rows.push([`get-hit ≤ ${TARGETS.getHit}× floor`, ratio(get), verdict(get <= TARGETS.getHit), `p50 ${ratio(getP50)} ${verdict(getP50 <= TARGETS.getHit)} · cpu ${ratio(getCpu)} ${verdict(getCpu <= TARGETS.getHit)}`])
    rows.push([`set ≤ ${TARGETS.set}× floor`, ratio(set), verdict(set <= TARGETS.set), `p50 ${ratio(setP50)} ${verdict(setP50 <= TARGETS.set)} · cpu ${ratio(setCpu)} ${verdict(setCpu <= TARGETS.set)}`])
  }
  if (res.growth) {
    const g = res.growth
    const x = g.large.ours.mean / g.small.ours.mean
    const p = g.large.ours.p50 / g.small.ours.p50
    const c = g.large.ours.cpu / g.small.ours.cpu
    rows.push([`get-hit at ${count(g.entries)} ≤ ${TARGETS.growth}× at ${count(g.base)}`, ratio(x), verdict(x <= TARGETS.growth), `p50 ${ratio(p)} ${verdict(p <= TARGETS.growth)} · cpu ${ratio(c)} ${verdict(c <= TARGETS.growth)} · floor ${ratio(g.large.floor.mean / g.small.floor.mean)}`])
  }
  if (res.memory) {
    const ours = res.memory.find((r) => r.contender === 'ours')
    rows.push([`RSS flat within ±${percent(TARGETS.rssDrift, 0)} after warm-up`, percent(ours.deviation.rss), verdict(ours.deviation.rss <= TARGETS.rssDrift), `${mib(ours.at10.rss)} → ${mib(ours.at100.rss)} MiB`])
  }
  if (res.stream) {
    const ours = res.stream.find((r) => r.contender === 'ours')
    rows.push([`stream peak RSS < ${TARGETS.streamPeakMB} MB`, `${mib(ours.peak * MB_PER_MIB)} MB`, verdict(ours.peak * MB_PER_MIB < TARGETS.streamPeakMB), `${count(ours.mb)} MiB value`])
  } else if (res.streamSkipped) {
    rows.push([`stream peak RSS < ${TARGETS.streamPeakMB} MB`, '–', 'SKIPPED', res.streamSkipped])
  }
  if (res.concurrency) {
    const top = Math.max(...res.concurrency.processes)
    const m = res.concurrency.medians[top]
    const speedup = m.fanout.opsPerSecond / m.cache.opsPerSecond
    rows.push([`FanoutCache ≥ ${TARGETS.fanoutSpeedup}× Cache ops/s at P = ${top}`, ratio(speedup), verdict(speedup >= TARGETS.fanoutSpeedup), `${count(Math.round(m.fanout.opsPerSecond))} vs ${count(Math.round(m.cache.opsPerSecond))} ops/s · CPU/op ${us(m.fanout.cpuPerOp)} vs ${us(m.cache.cpuPerOp)} µs`])
    rows.push([`FanoutCache p99 < ${TARGETS.fanoutP99Us / 1000} ms at P = ${top}`, `${us(m.fanout.p99)} µs`, verdict(m.fanout.p99 < TARGETS.fanoutP99Us), `floor ${us(m.floor.p99)} µs`])
  }
  return [
    'Targets (verdict on the mean: ratio of the medians across runs; p50 and cpu as cross-checks)',
    '',
    table([{ title: 'target', align: 'left' }, { title: 'measured' }, { title: 'verdict', align: 'left' }, { title: 'also', align: 'left' }], rows),
  ].join('\n')
}

async function main() {
  const started = performance.now()
  const o = options()
  mkdirSync(o.scratch, { recursive: true })
  const build = buildInfo()
  const machine = machineInfo()
  const pragmas = cachePragmas(o.scratch)
  const results = { options: o, build, machine, pragmas }
  const print = (text) => process.stdout.write(`\n${text}\n`)
  process.stdout.write(header(o, machine, build, pragmas) + '\n')
  const part = (name) => new URL(`./parts/${name}.mjs`, import.meta.url)
  const gc = { execArgv: ['--expose-gc'] }

  if (o.only.includes('latency')) {
    process.stderr.write(`\n  latency: ${o.runs} runs × 2 contenders × ${count(o.keys)} keys\n`)
    results.latency = await runPart(part('latency'), { keys: o.keys, valueSize: o.valueSize, runs: o.runs, scratch: o.scratch }, gc)
    if (results.latency.error) throw new Error(results.latency.error)
    print(latencySection(results.latency))
  }
  if (o.only.includes('growth')) {
    process.stderr.write(`\n  growth: 10,000 → ${count(o.growthEntries)} entries\n`)
    results.growth = await runPart(part('growth'), { entries: o.growthEntries, samples: o.growthSamples, rounds: o.growthRounds, scratch: o.scratch }, gc)
    if (results.growth.error) throw new Error(results.growth.error)
    print(growthSection(results.growth))
  }
  if (o.only.includes('memory')) {
    process.stderr.write(`\n  memory: ${count(o.memoryOps)} mixed ops, one process per contender\n`)
    results.memory = []
    for (const contender of ['ours', 'floor']) {
      const r = await runPart(part('memory'), { contender, ops: o.memoryOps, scratch: o.scratch }, gc)
      if (r.error) throw new Error(r.error)
      results.memory.push(r)
    }
    print(memorySection(results.memory))
  }
  if (o.only.includes('stream')) {
    const need = 3 * o.streamMb * 2 ** 20
    const free = freeBytes(o.scratch)
    if (free < need) {
      results.streamSkipped = `${(free / 1e9).toFixed(1)} GB free in ${o.scratch}; a ${count(o.streamMb)} MiB stream needs ${(need / 1e9).toFixed(1)} GB (3× its size). Use --stream-mb or --dir`
    } else {
      process.stderr.write(`\n  stream: ${count(o.streamMb)} MiB, one process per contender\n`)
      results.stream = []
      for (const contender of ['ours', 'fs']) {
        const r = await runPart(part('stream'), { contender, mb: o.streamMb, hash: o.hash, scratch: o.scratch })
        if (r.error) throw new Error(r.error)
        results.stream.push(r)
      }
    }
    print(streamSection(results.stream, results.streamSkipped))
  }
  if (o.only.includes('durability')) {
    process.stderr.write(`\n  durability: ${o.durabilityRuns} runs × 2 settings × ${count(o.durabilityKeys)} keys\n`)
    results.durability = await runPart(part('durability'), { keys: o.durabilityKeys, runs: o.durabilityRuns, scratch: o.scratch }, gc)
    if (results.durability.error) throw new Error(results.durability.error)
    print(durabilitySection(results.durability))
  }
  if (o.only.includes('concurrency')) {
    process.stderr.write(`\n  concurrency: P = 1, 2, 4 × 3 stores × ${o.concurrencyRounds} round(s) of ${o.concurrencySeconds} s\n`)
    results.concurrency = await runPart(part('concurrency'), { seconds: o.concurrencySeconds, rounds: o.concurrencyRounds, scratch: o.scratch })
    if (results.concurrency.error) throw new Error(results.concurrency.error)
    print(concurrencySection(results.concurrency))
  }
  results.seconds = (performance.now() - started) / 1000
  print(summary(results))
  print(`Total time ${duration(performance.now() - started)}; load average now ${machineInfo().loadAverage.map((x) => x.toFixed(2)).join(' ')}`)
  if (o.json) {
    writeFileSync(o.json, JSON.stringify(results, null, 1) + '\n')
    process.stdout.write(`Every figure written to ${o.json}\n`)
  }
}

main().catch((error) => {
  // A mistyped option deserves one line, not a stack trace.
  const usage = error.usage || String(error.code).startsWith('ERR_PARSE_ARGS')
  console.error(usage ? `bench: ${error.message} (see --help)` : `\nbench failed: ${error.stack ?? error}`)
  process.exitCode = usage ? 2 : 1
})
