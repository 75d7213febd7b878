// One job of the peer benchmark in its own process, so that no contender's
// heap, threads or sockets weigh on another's figures. The parent forks this
// file, sends { workload, contender, dir, ... } and gets back the raw samples.
// Throughput jobs shake hands: 'ready' once warm, then wait for 'go'.
import { CONTENDERS, openStore } from './contenders.mjs'
import { durability } from './workloads/durability.mjs'
import { growth } from './workloads/growth.mjs'
import { latency } from './workloads/latency.mjs'
import { runMix, warmMix } from './workloads/throughput.mjs'
import { valueSize } from './workloads/value-size.mjs'
import { fillRange } from './time-calls.mjs'
import { makeValue } from '../../core/bench/lib/stats.mjs'

const WORKLOADS = { latency, growth, 'value-size': valueSize }

function nextMessage() {
  return new Promise((resolve) => process.once('message', resolve))
}

/** The throughput workload's keys, within the fill budget; returns how many were stored. */
function fill(store, job) {
  const value = makeValue(job.valueSize, 1)
  return fillRange(store, 0, job.keys, (i) => [`${job.prefix ?? ''}key-${i}`, value], { chunk: 100, budgetMs: job.fillBudgetMs })
}

async function run(job) {
  if (job.workload === 'durability') return durability(job.dir, job)
  const store = await openStore(job.contender, job.dir, { ports: job.ports, fresh: job.fresh })
  try {
    if (job.workload === 'fill') return { filled: await fill(store, job) }
    if (job.workload === 'throughput') {
      // A store no other process can see is filled here, in the process that reads it.
      if (!CONTENDERS[job.contender].shared) job.keys = await fill(store, job)
      await warmMix(store, job)
      process.send({ type: 'ready' })
      const go = await nextMessage()
      while (Date.now() < go.startAt) {
        // Spin: every process of the round leaves this loop within a millisecond of the others.
      }
      return await runMix(store, { ...job, stopAt: go.stopAt })
    }
    return await WORKLOADS[job.workload](store, job)
  } finally {
    await store.close()
  }
}

nextMessage().then(async (job) => {
  try {
    const result = await run(job)
    process.send({ type: 'result', result }, () => process.exit(0))
  } catch (error) {
    process.send({ type: 'error', error: String(error?.stack ?? error) }, () => process.exit(1))
  }
})
