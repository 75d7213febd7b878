// Runs the selected workloads over the available contenders, each job in its
// own process, and reduces the raw samples to the figures of PeerResults:
// per-call statistics with core's summarize, medians across runs. The order
// of the contenders rotates from run to run, so none always runs first on a
// cool machine or last on a hot one. A contender that fails a workload is
// left out of that workload with a note; the run goes on.
import { mkdtempSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { progress } from '../../core/bench/lib/proc.mjs'
import { summarize } from '../../core/bench/lib/stats.mjs'
import { CONTENDERS } from './contenders.mjs'
import { runJob, startJob } from './job-process.mjs'
import { PHASES } from './workloads/latency.mjs'

export const WORKLOADS = ['latency', 'throughput', 'growth', 'value-size', 'durability']

const count = (n) => n.toLocaleString('en-US')
const rotate = (list, r) => list.map((_, i) => list[(i + r) % list.length])

function statOf(samples) {
  const s = summarize(Float64Array.from(samples))
  return { mean: s.mean, p50: s.p50, p99: s.p99, n: s.n }
}

function scratchDir(o, name) {
  return mkdtempSync(join(o.scratch, `diskcache-peers-${name}-`))
}

export async function runWorkloads(o, ids, context) {
  const out = {}
  const job = async (id, spec) => {
    const started = performance.now()
    const result = await runJob(id, { ...spec, contender: id, ports: context.ports, fresh: true }, { python: context.python })
    progress(`${spec.workload} ${id}: ${((performance.now() - started) / 1000).toFixed(1)} s`)
    return result
  }
  const fail = (id, workload, error) => {
    const first = String(error.message ?? error).split('\n')[0]
    context.notes.push(`${CONTENDERS[id].label} failed the ${workload} workload and is left out of it: ${first}`)
    progress(`${id} ${workload} FAILED: ${first}`)
  }
  const medians = (runs) => context.medianOfRuns(runs)

  if (o.only.includes('latency')) {
    const { keys, valueSize, readPasses, budgetMs } = o.latency
    const perRun = Object.fromEntries(ids.map((id) => [id, []]))
    const stored = Object.fromEntries(ids.map((id) => [id, []]))
    const failed = new Set()
    for (let r = 0; r < o.runs; r++) {
      for (const id of rotate(ids, r).filter((id) => !failed.has(id))) {
        const dir = scratchDir(o, `latency-${id}`)
        try {
          const result = await job(id, { workload: 'latency', dir, keys, valueSize, readPasses, budgetMs, seed: r + 1, prefix: `lat${r}:` })
          const wrong = Object.entries(result.bad).filter(([, n]) => n > 0)
          if (wrong.length) throw new Error(`wrong answers: ${wrong.map(([phase, n]) => `${n} in ${phase}`).join(', ')}`)
          perRun[id].push(Object.fromEntries(Object.entries(result.samples).map(([phase, samples]) => [phase, statOf(samples)])))
          stored[id].push(result.stored)
        } catch (error) {
          failed.add(id)
          fail(id, 'latency', error)
        } finally {
          rmSync(dir, { recursive: true, force: true })
        }
      }
      progress(`latency: run ${r + 1}/${o.runs} done`)
    }
    const stats = {}
    for (const id of ids.filter((id) => !failed.has(id))) stats[id] = Object.fromEntries(PHASES.map((p) => [p, medians(perRun[id].map((run) => run[p]))]))
    const keysStored = Object.fromEntries(Object.keys(stats).map((id) => [id, Math.min(...stored[id])]))
    out.latency = { keys, valueSize, readPasses, budgetMs, phases: PHASES, stats, keysStored }
  }

  if (o.only.includes('throughput')) {
    const { keys, valueSize, seconds, processes } = o.throughput
    const notes = {}
    const dirs = {}
    const filled = {}
    const perRound = {}
    const failed = new Set()
    for (const id of ids) {
      dirs[id] = scratchDir(o, `throughput-${id}`)
      perRound[id] = Object.fromEntries(processes.map((p) => [p, []]))
      if (!CONTENDERS[id].shared) {
        notes[id] = `P = 1 only (${CONTENDERS[id].sharedNote})`
        continue
      }
      try {
        filled[id] = (await job(id, { workload: 'fill', dir: dirs[id], keys, valueSize, prefix: 'tp:', fillBudgetMs: o.throughput.fillBudgetMs })).filled
        if (filled[id] < keys) notes[id] = `${count(filled[id])} keys: storing the ${count(keys)} took longer than ${o.throughput.fillBudgetMs / 1000} s`
      } catch (error) {
        failed.add(id)
        fail(id, 'throughput', error)
      }
    }
    try {
      for (const p of processes) {
        for (let r = 0; r < o.runs; r++) {
          for (const id of rotate(ids, r)) {
            if (failed.has(id) || (p > 1 && !CONTENDERS[id].shared)) continue
            try {
              perRound[id][p].push(await throughputRound(id, p, r, { dir: dirs[id], keys: filled[id] ?? keys, valueSize, seconds, fillBudgetMs: o.throughput.fillBudgetMs }, context))
            } catch (error) {
              failed.add(id)
              fail(id, 'throughput', error)
            }
          }
          progress(`throughput: P = ${p}, run ${r + 1}/${o.runs} done`)
        }
      }
    } finally {
      for (const dir of Object.values(dirs)) rmSync(dir, { recursive: true, force: true })
    }
    const stats = {}
    for (const id of ids.filter((id) => !failed.has(id))) {
      stats[id] = Object.fromEntries(processes.filter((p) => perRound[id][p].length).map((p) => [p, medians(perRound[id][p])]))
    }
    out.throughput = { processes, seconds, keys, valueSize, stats, notes }
  }

  if (o.only.includes('growth')) {
    const g = o.growth
    const stats = {}
    const skipped = {}
    const fillSeconds = {}
    for (const id of ids) {
      const dir = scratchDir(o, `growth-${id}`)
      try {
        const result = await job(id, { workload: 'growth', dir, sizes: g.sizes, valueSize: g.valueSize, samples: g.samples, rounds: g.rounds, fillCapSeconds: g.fillCapSeconds, prefix: 'g:' })
        stats[id] = Object.fromEntries(Object.entries(result.samples).map(([size, rounds]) => [size, medians(rounds.map(statOf))]))
        if (Object.keys(result.skipped).length) skipped[id] = result.skipped
        fillSeconds[id] = result.fillSeconds
        progress(`growth: ${id} done${Object.keys(result.skipped).length ? ` (stopped: ${Object.values(result.skipped)[0]})` : ''}`)
      } catch (error) {
        fail(id, 'growth', error)
      } finally {
        rmSync(dir, { recursive: true, force: true })
      }
    }
    out.growth = { ...g, stats, skipped, fillSeconds }
  }

  if (o.only.includes('value-size')) {
    const v = o.valueSize
    const perRun = Object.fromEntries(ids.map((id) => [id, []]))
    const failed = new Set()
    for (let r = 0; r < o.runs; r++) {
      for (const id of rotate(ids, r).filter((id) => !failed.has(id))) {
        const dir = scratchDir(o, `value-size-${id}`)
        try {
          const result = await job(id, { workload: 'value-size', dir, sizes: v.sizes, counts: v.counts, readPasses: v.readPasses, budgetMs: v.budgetMs, prefix: `vs${r}:` })
          perRun[id].push(result.samples)
        } catch (error) {
          failed.add(id)
          fail(id, 'value-size', error)
        } finally {
          rmSync(dir, { recursive: true, force: true })
        }
      }
      progress(`value size: run ${r + 1}/${o.runs} done`)
    }
    const stats = {}
    for (const id of ids.filter((id) => !failed.has(id))) {
      stats[id] = Object.fromEntries(
        v.sizes.map((size) => [size, { set: medians(perRun[id].map((run) => statOf(run[size].set))), get: medians(perRun[id].map((run) => statOf(run[size].get))) }]),
      )
    }
    out.valueSizes = { sizes: v.sizes, counts: v.counts, stats }
  }

  if (o.only.includes('durability') && ids.includes('cache')) {
    const d = o.durability
    const runs = []
    for (let r = 0; r < d.runs; r++) {
      const dir = scratchDir(o, 'durability')
      try {
        runs.push(await runJob('cache', { workload: 'durability', contender: 'cache', dir, keys: d.keys, valueSize: d.valueSize, run: r }))
      } finally {
        rmSync(dir, { recursive: true, force: true })
      }
    }
    const pick = (mode) => medians(runs.map((run) => ({ mean: run[mode].mean, p50: run[mode].p50, p99: run[mode].p99, n: run[mode].n })))
    out.durability = { keys: d.keys, valueSize: d.valueSize, runs: d.runs, stats: { normal: pick('normal'), full: pick('full') } }
    progress('durability: done')
  }
  return out
}

/** P processes of one contender on one store: all warm, then one start signal and one stop instant for all. */
async function throughputRound(id, p, r, { dir, keys, valueSize, seconds, fillBudgetMs }, context) {
  const jobs = Array.from({ length: p }, (_, i) =>
    startJob(id, { workload: 'throughput', contender: id, dir, ports: context.ports, keys, valueSize, seed: 1 + i + 100 * r, prefix: 'tp:', fillBudgetMs }, { python: context.python }),
  )
  try {
    await Promise.all(jobs.map((j) => j.ready))
  } catch (error) {
    for (const j of jobs) j.go(0, 0) // let the ready ones finish at once
    await Promise.allSettled(jobs.map((j) => j.result))
    throw error
  }
  const startAt = Date.now() + 100
  for (const j of jobs) j.go(startAt, startAt + seconds * 1000)
  const results = await Promise.all(jobs.map((j) => j.result))
  const ops = results.reduce((sum, x) => sum + x.ops, 0)
  const all = new Float64Array(ops)
  let offset = 0
  for (const x of results) {
    all.set(x.latencies, offset)
    offset += x.latencies.length
  }
  all.sort()
  return {
    opsPerSecond: ops / seconds,
    p99: all[Math.min(all.length - 1, Math.floor(0.99 * all.length))] ?? 0,
    errors: results.reduce((sum, x) => sum + x.errors, 0),
  }
}
