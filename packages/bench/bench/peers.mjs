#!/usr/bin/env node
// `npm run bench:peers`: @diskcache/core next to every peer of issue 7, in one
// run, on the same workloads, written to docs/benchmarks.md with SVG charts.
// Orchestration only: the workloads run in job processes (worker.mjs, or
// python/diskcache_bench.py), the figures and the page come from the compiled
// src/ (dist/esm), and core's bench/lib supplies machine info and formats.
import { execFileSync } from 'node:child_process'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { loadCore } from '../../core/bench/lib/contenders.mjs'
import { duration, table } from '../../core/bench/lib/format.mjs'
import { buildInfo, machineInfo } from '../../core/bench/lib/machine.mjs'
import { onInterrupt, progress } from '../../core/bench/lib/proc.mjs'
import { CONTENDER_IDS, CONTENDERS, findPython, hasCommand, packageVersion } from './contenders.mjs'
import { SERVER_PACKAGES, startServer, stopServer } from './servers.mjs'
import { runWorkloads, WORKLOADS } from './run-workloads.mjs'
import { profileGet } from './profile-get.mjs'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..')
const DIST = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'esm', 'index.js')

const HELP = `usage: npm run bench:peers [-- options]

  --quick               small sizes and 1 run: a smoke test (about 2 minutes with every
                        contender here; keyv-file and @keyv/sqlite set the pace)
  --runs N              runs per workload, medians quoted (default 3; --quick: 1)
  --only LIST           workloads: ${WORKLOADS.join(',')} (default: all)
  --contenders LIST     ${CONTENDER_IDS.join(',')}
                        (default: all; the floor always runs, every ratio needs it)
  --out FILE            the page (default docs/benchmarks.md); charts go to FILE's
                        directory, in a folder named after it (docs/benchmarks/)
  --keys N              keys in the latency and throughput workloads (default 10000)
  --seconds N           seconds per throughput round (default 2)
  --growth-sizes LIST   entries for the growth workload (default 10000,100000,1000000)
  --scratch DIR         where the stores live while they run (default: the OS temp dir)
  --no-profile          skip the CPU profile taken when a target is missed
  --render FILE         write the page and charts again from a saved results.json
                        (every run saves one beside its charts), without measuring
`

function parseList(text, known, flag) {
  const items = text.split(',').map((s) => s.trim()).filter(Boolean)
  for (const item of items) {
    if (!known.includes(item)) throw Object.assign(new Error(`${flag}: unknown "${item}"; choose from ${known.join(', ')}`), { usage: true })
  }
  return items
}

function positive(raw, flag, fallback) {
  if (raw === undefined) return fallback
  const n = Number(raw)
  if (!Number.isFinite(n) || n <= 0) throw Object.assign(new Error(`--${flag} needs a positive number; got ${raw}`), { usage: true })
  return n
}

export function options(argv = process.argv.slice(2)) {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      runs: { type: 'string' },
      only: { type: 'string' },
      contenders: { type: 'string' },
      out: { type: 'string' },
      keys: { type: 'string' },
      seconds: { type: 'string' },
      'growth-sizes': { type: 'string' },
      scratch: { type: 'string' },
      'no-profile': { type: 'boolean', default: false },
      render: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  })
  if (values.help) {
    process.stdout.write(HELP)
    process.exit(0)
  }
  const quick = values.quick
  const keys = positive(values.keys, 'keys', quick ? 2_000 : 10_000)
  const contenders = values.contenders ? parseList(values.contenders, CONTENDER_IDS, '--contenders') : CONTENDER_IDS
  const growthSizes = values['growth-sizes']
    ? values['growth-sizes'].split(',').map((s) => positive(s.trim(), 'growth-sizes'))
    : quick
      ? [10_000, 50_000]
      : [10_000, 100_000, 1_000_000]
  return {
    quick,
    runs: positive(values.runs, 'runs', quick ? 1 : 3),
    only: values.only ? parseList(values.only, WORKLOADS, '--only') : WORKLOADS,
    contenders: contenders.includes('floor') ? contenders : ['floor', ...contenders],
    out: resolve(values.out ?? join(ROOT, 'docs', 'benchmarks.md')),
    scratch: resolve(values.scratch ?? tmpdir()),
    profile: !values['no-profile'],
    render: values.render && resolve(values.render),
    latency: { keys, valueSize: 1024, readPasses: quick ? 2 : 3, budgetMs: quick ? 1_000 : 3_000 },
    throughput: { keys, valueSize: 1024, seconds: positive(values.seconds, 'seconds', quick ? 1 : 2), processes: quick ? [1, 2] : [1, 2, 4], fillBudgetMs: quick ? 2_000 : 10_000 },
    growth: { sizes: growthSizes, valueSize: 100, samples: quick ? 2_000 : 20_000, rounds: quick ? 1 : 3, fillCapSeconds: quick ? 10 : 60 },
    valueSize: { sizes: [100, 10 * 1024, 1024 * 1024], counts: quick ? [200, 100, 5] : [2_000, 1_000, 50], readPasses: quick ? 1 : 3, budgetMs: quick ? 1_000 : 2_000 },
    durability: { keys: quick ? 300 : 2_000, valueSize: 1024, runs: quick ? 1 : 3 },
  }
}

/** Which contenders can run here; the others get a reason, and the run goes on without them. */
function availability(ids) {
  const info = []
  let python
  for (const id of ids) {
    const c = CONTENDERS[id]
    const entry = { id, label: c.label, kind: c.kind, settings: c.settings, durability: c.durability, version: '–' }
    if (c.kind === 'python') {
      python = findPython()
      if (python) entry.version = `diskcache ${python.diskcache}, Python ${python.version} (${python.python})`
      else entry.skipped = "no python3 here can `import diskcache`: install the Debian package python3-diskcache (apt-get install python3-diskcache)"
    } else {
      const version = packageVersion(c.module)
      if (!version) entry.skipped = `the npm package ${c.module} is not installed (npm install -w @diskcache/bench)`
      else entry.version = version
      if (c.server && !entry.skipped) {
        const { command, debian } = SERVER_PACKAGES[c.server]
        if (!hasCommand(command)) entry.skipped = `\`${command}\` is not on PATH: install the Debian package ${debian} (apt-get install ${debian})`
        else entry.version = `${c.module} ${version}, ${serverVersion(command)}`
      }
    }
    info.push(entry)
  }
  return { info, python }
}

function serverVersion(command) {
  try {
    const out = execFileSync(command, [command === 'memcached' ? '-V' : '--version'], { encoding: 'utf8' }).trim()
    return out.replace(/ sha=.*$/, '').replace(/^Redis server v=/, 'redis-server ')
  } catch {
    return command
  }
}

function machineLines(o, machine, build, started) {
  const load = machine.loadAverage.map((x) => x.toFixed(2)).join(' ')
  return [
    `machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB.toFixed(1)} GiB RAM, ${machine.os}; load average at start ${load} (shared with other work)`,
    `runtime: Node ${machine.node} (V8 ${machine.v8}), better-sqlite3 ${machine.betterSqlite3}, SQLite ${machine.sqlite}`,
    `build: commit ${build.commit ?? '?'}${build.srcChanges ? ` + ${build.srcChanges} changed file(s) in packages/core/src` : ''}; core dist built ${build.distBuiltAt ?? '?'}`,
    `scratch: stores in ${o.scratch}; started ${started}`,
  ]
}

async function main() {
  const o = options()
  const startedAt = new Date()
  const t0 = performance.now()
  let page
  try {
    page = await import(DIST)
  } catch {
    throw new Error(`${relative(process.cwd(), DIST)} is missing: run \`npm run build\` first`)
  }
  if (o.render) return writePage(o, page, JSON.parse(readFileSync(o.render, 'utf8')), t0)
  loadCore() // fails early, with the fix, if core is not built
  const { info, python } = availability(o.contenders)
  for (const c of info.filter((c) => c.skipped)) process.stderr.write(`  ! ${c.label} skipped: ${c.skipped}\n`)
  const ids = info.filter((c) => !c.skipped).map((c) => c.id)
  const servers = {}
  const stopAll = () => Object.values(servers).forEach((s) => s.child.kill('SIGKILL'))
  const forget = onInterrupt(stopAll)
  const notes = []
  let results
  try {
    for (const name of ['redis', 'memcached']) {
      if (ids.some((id) => CONTENDERS[id].server === name)) servers[name] = await startServer(name)
    }
    const ports = Object.fromEntries(Object.entries(servers).map(([name, s]) => [name, s.port]))
    const machine = machineInfo()
    results = {
      meta: { quick: o.quick, runs: o.runs, date: startedAt.toISOString().slice(0, 16).replace('T', ' ') + ' UTC', seconds: 0, command: `npm run bench:peers${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`, machine: machineLines(o, machine, buildInfo(), startedAt.toISOString()), notes },
      contenders: info,
    }
    if (servers.redis) results.meta.machine.push(`redis-server: ${servers.redis.args.join(' ')}`)
    if (servers.memcached) results.meta.machine.push(`memcached: ${servers.memcached.args.join(' ')}`)
    Object.assign(results, await runWorkloads(o, ids, { ports, python: python?.python, notes, medianOfRuns: page.medianOfRuns }))
  } finally {
    for (const server of Object.values(servers)) await stopServer(server)
    forget()
  }
  if (o.profile && !o.quick && page.evaluatePeerTargets(results).some((v) => v.verdict === 'MISS') && ids.includes('cache')) {
    progress('a target was missed: profiling a Cache get')
    results.profile = profileGet(o.scratch)
  }
  results.meta.seconds = (performance.now() - t0) / 1000
  writePage(o, page, results, t0)
}

/** Writes the page, its charts and results.json; prints the verdicts. */
function writePage(o, page, results, t0) {
  const verdicts = page.evaluatePeerTargets(results)
  const charts = page.benchmarkCharts(results)
  const chartsDir = join(dirname(o.out), basename(o.out, '.md'))
  mkdirSync(chartsDir, { recursive: true })
  for (const chart of charts) writeFileSync(join(chartsDir, chart.file), chart.svg)
  writeFileSync(o.out, page.benchmarkPage(results, verdicts, charts, { chartsPath: basename(chartsDir) }))
  writeFileSync(join(chartsDir, 'results.json'), JSON.stringify(results, null, 1) + '\n')
  process.stdout.write(
    `\n${table(
      [{ title: 'target', align: 'left' }, { title: 'measured', align: 'left' }, { title: 'verdict', align: 'left' }],
      verdicts.map((v) => [v.target, v.measured, v.verdict]),
    )}\n\n  wrote ${relative(process.cwd(), o.out)} and ${charts.length} chart(s) in ${relative(process.cwd(), chartsDir)}/ in ${duration(performance.now() - t0)}\n`,
  )
}

main().catch((error) => {
  const usage = error.usage || String(error.code).startsWith('ERR_PARSE_ARGS')
  console.error(usage ? `bench:peers: ${error.message} (see --help)` : `\nbench:peers failed: ${error.stack ?? error}`)
  process.exitCode = usage ? 2 : 1
})
