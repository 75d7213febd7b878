// When a target is missed: where a Cache get and set spend their time, next
// to the floor's. Core's bench/profile.mjs does the work: V8's CPU profiler
// (the one `node --cpu-prof` starts) around the hot loop only, self time
// grouped into SQLite + better-sqlite3 native (the SQL and the N-API
// crossing), key/value encoding (serialization) and our JS, then the same
// get taken apart layer by layer. Profiling the whole process with
// `--cpu-prof` instead charges setup to the figures, and on this Node it
// folds the native statement call into its JS caller, which hides the split.
import { execFileSync } from 'node:child_process'
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const PROFILE = fileURLToPath(new URL('../../core/bench/profile.mjs', import.meta.url))
const ROOT = resolve(fileURLToPath(new URL('../../..', import.meta.url)))
const ARGS = ['--op', 'get,set', '--n', '30000', '--rounds', '3', '--keys', '10000', '--value-size', '1024']

export function profileGet(scratch) {
  const text = execFileSync(process.execPath, ['--expose-gc', PROFILE, ...ARGS, '--dir', scratch], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] })
  // Paths relative to the repository: the page is committed.
  return { command: `node --expose-gc packages/core/bench/profile.mjs ${ARGS.join(' ')}`, text: text.replaceAll(`${ROOT}/`, '') }
}
