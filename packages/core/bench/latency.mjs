// The first latency script, kept as a small entry point to part 1 alone:
//   node --expose-gc bench/latency.mjs        (RUNS=3 by default)
// `npm run bench` (bench.mjs) runs it together with the other parts and prints
// the report; the code lives in lib/ and parts/.
import { tmpdir } from 'node:os'
import { run } from './parts/latency.mjs'

export { summarize, timeOps } from './lib/stats.mjs'
export { openFloor as openRawStore } from './lib/contenders.mjs'

/** Latency of set / get-hit / get-miss / overwrite / delete, ours and the floor, median of `runs`. */
export function runLatency({ keys = 10_000, valueSize = 1000, runs = 1, scratch = tmpdir() } = {}) {
  return run({ keys, valueSize, runs, scratch })
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = await runLatency({ runs: Number(process.env.RUNS ?? 3) })
  console.log(JSON.stringify(result.medians, null, 2))
}
