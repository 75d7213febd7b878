#!/usr/bin/env node
// Where does the time of one operation go? Two views, ours next to the floor:
//
//   1. A V8 CPU profile of the hot loop only (the same profiler as
//      `node --cpu-prof`, started through node:inspector around the loop so the
//      setup does not pollute it), self time grouped into: SQLite +
//      better-sqlite3 native, key/value encoding, our JS (by file), GC, other.
//   2. A decomposition: the SQL statements the Cache runs, executed directly
//      through its prepared statements, one layer at a time (statement alone,
//      full Cache call, and for writes the occasional housekeeping path:
//      BEGIN, statement, expired-entry check, COMMIT). The differences between
//      layers say what each costs.
//
//   node bench/profile.mjs [--op get|set|overwrite|delete|all] [--n 50000] [--keys 10000]
//                          [--rounds 5] [--save DIR] [--top 12]
//   node bench/profile.mjs --summarize FILE.cpuprofile   (summarize a `node --cpu-prof` profile)
//
// Caveat: TurboFan inlines small functions into their callers, and the
// profiler charges inlined code to the caller. Run with
// `node --no-turbo-inlining bench/profile.mjs` to see them separately (slower
// overall, but closer attribution).
import { Session } from 'node:inspector/promises'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import { parseArgs } from 'node:util'
import { DIST, openFloor, openOurs } from './lib/contenders.mjs'
import { count, percent, ratio, table, us } from './lib/format.mjs'
import { onInterrupt } from './lib/proc.mjs'
import { gcIfExposed, makeValue, median, shuffledIndices, summarize, timeOps } from './lib/stats.mjs'

const NATIVE_STATEMENT_METHODS = new Set(['get', 'run', 'all', 'iterate'])
const ENCODING_FILES = new Set(['cache-key.js', 'value-codec.js', 'serializer.js', 'compression.js', 'entry-options.js'])

/** The category of one profile node, from its call frame. */
function categorize(frame, dist) {
  const { functionName: name, url } = frame
  if (name === '(garbage collector)') return 'GC'
  if (name === '(program)' || name === '(idle)' || name === '(root)') return 'V8 runtime (program)'
  if (url === '' && NATIVE_STATEMENT_METHODS.has(name)) return 'SQLite + better-sqlite3 native'
  if (url.includes('/better-sqlite3/')) return 'better-sqlite3 JS'
  if (url.includes(dist) || url.includes('/dist/')) {
    const file = basename(url)
    return ENCODING_FILES.has(file) ? 'key/value encoding' : `our JS: ${file}`
  }
  if (url.includes('/bench/')) return 'bench loop + timer'
  if (url.startsWith('node:')) return 'Node internals'
  return `other: ${name || '(anonymous)'}`
}

/** Self time by category and by function, from one or more V8 CPU profiles (summed). */
export function summarizeProfile(profiles, dist = DIST) {
  const categories = new Map()
  const functions = new Map()
  let total = 0
  for (const profile of [profiles].flat()) {
    const byId = new Map(profile.nodes.map((node) => [node.id, node]))
    for (let i = 0; i < profile.samples.length; i++) {
      const frame = byId.get(profile.samples[i]).callFrame
      const time = profile.timeDeltas[i] ?? 0
      // (idle) is not work; dispatch is node:inspector's native call that stops
      // the profiler and serializes the profile — the profiler's own cost.
      if (frame.functionName === '(idle)' || (frame.functionName === 'dispatch' && frame.url === '')) continue
      total += time
      const category = categorize(frame, dist)
      categories.set(category, (categories.get(category) ?? 0) + time)
      const fn = `${frame.functionName || '(anonymous)'} ${frame.url ? basename(frame.url) + ':' + (frame.lineNumber + 1) : '(native)'}`
      functions.set(fn, (functions.get(fn) ?? 0) + time)
    }
  }
  const sorted = (map) => [...map].sort((a, b) => b[1] - a[1])
  return { totalUs: total, categories: sorted(categories), functions: sorted(functions) }
}

async function profileLoop(n, op) {
  const session = new Session()
  session.connect()
  await session.post('Profiler.enable')
  await session.post('Profiler.setSamplingInterval', { interval: 50 })
  gcIfExposed()
  await session.post('Profiler.start')
  const t = performance.now()
  for (let i = 0; i < n; i++) op(i)
  const elapsed = performance.now() - t
  const { profile } = await session.post('Profiler.stop')
  session.disconnect()
  return { profile, usPerOp: (elapsed * 1000) / n }
}

/** Prints the summary of `runs` ([{ profile, usPerOp }], each of `n` ops; n undefined: a whole-process profile, in ms). */
function printProfile(title, runs, n, top) {
  const s = summarizeProfile(runs.map((run) => run.profile))
  const unit = n === undefined ? 'ms' : 'µs/op'
  const per = (time) => (n === undefined ? (time / 1000).toFixed(1) : us(time / (n * runs.length)))
  if (n === undefined) console.log(`\n  ${title}: ${(s.totalUs / 1000).toFixed(0)} ms sampled`)
  else console.log(`\n  ${title}: ${us(median(runs.map((run) => run.usPerOp)))} µs per op under the profiler (${count(n)} ops × ${runs.length} profiles, in alternating order)`)
  console.log(
    table(
      [{ title: 'self time by category', align: 'left' }, { title: 'share' }, { title: unit }],
      s.categories.map(([name, time]) => [name, percent(time / s.totalUs), per(time)]),
      { indent: '    ' },
    ),
  )
  console.log(
    table(
      [{ title: `top ${top} functions (self)`, align: 'left' }, { title: 'share' }, { title: unit }],
      s.functions.slice(0, top).map(([name, time]) => [name, percent(time / s.totalUs), per(time)]),
      { indent: '    ' },
    ),
  )
  return s
}

/** Times each variant `rounds` times, interleaved; median of each statistic. */
function timeVariants(variants, n, rounds) {
  const perVariant = Object.fromEntries(variants.map(([name]) => [name, []]))
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 ? [...variants].reverse() : variants
    for (const [name, makeOp] of order) {
      const op = makeOp(r)
      gcIfExposed()
      perVariant[name].push(summarize(timeOps(n, op)))
    }
  }
  return variants.map(([name]) => [name, { mean: median(perVariant[name].map((s) => s.mean)), p50: median(perVariant[name].map((s) => s.p50)) }])
}

function printDecomposition(title, rows, note) {
  const base = rows[0][1]
  console.log(`\n  ${title}`)
  console.log(
    table(
      [{ title: 'variant', align: 'left' }, { title: 'mean µs' }, { title: 'p50 µs' }, { title: 'mean vs first' }, { title: 'p50 step' }],
      rows.map(([name, s], i) => [name, us(s.mean), us(s.p50), ratio(s.mean / base.mean), i === 0 ? '' : `${s.p50 - rows[i - 1][1].p50 >= 0 ? '+' : ''}${us(s.p50 - rows[i - 1][1].p50)}`]),
      { indent: '    ' },
    ),
  )
  if (note) console.log(`    ${note}`)
}

async function main() {
  const { values } = parseArgs({
    options: {
      op: { type: 'string', default: 'all' },
      n: { type: 'string', default: '50000' },
      keys: { type: 'string', default: '10000' },
      'value-size': { type: 'string', default: '1000' },
      rounds: { type: 'string', default: '5' },
      save: { type: 'string' },
      top: { type: 'string', default: '12' },
      summarize: { type: 'string' },
      dir: { type: 'string', default: tmpdir() },
    },
  })
  const top = Number(values.top)
  if (values.summarize) {
    const profile = JSON.parse(readFileSync(values.summarize, 'utf8'))
    printProfile(basename(values.summarize), [{ profile }], undefined, top)
    return
  }
  const n = Number(values.n)
  const keys = Number(values.keys)
  const rounds = Number(values.rounds)
  const ops = values.op === 'all' ? ['get', 'set', 'overwrite', 'delete'] : values.op.split(',')
  const value = makeValue(Number(values['value-size']), 1)
  const value2 = makeValue(Number(values['value-size']), 2)
  const names = Array.from({ length: keys }, (_, i) => `key-${i}`)
  const order = shuffledIndices(keys, 5)
  if (values.save) mkdirSync(values.save, { recursive: true })
  console.log(`profile: ${keys} keys, ${values['value-size']}-char values, dist ${DIST}${typeof gc === 'function' ? '' : ' (tip: --expose-gc steadies the figures)'}`)

  for (const op of ops) {
    const dir = mkdtempSync(join(values.dir, `diskcache-profile-${op}-`))
    const forget = onInterrupt(() => rmSync(dir, { recursive: true, force: true }))
    const floor = openFloor(dir)
    const ours = openOurs(dir)
    const { cache } = ours
    const { store } = cache
    const st = store.statements
    try {
      console.log(`\n=== ${op} ===`)
      const fresh = (prefix) => (i) => `${prefix}-${i}`
      if (op !== 'set') {
        floor.fill(names.map((k) => [k, value]))
        ours.fill(names.map((k) => [k, value]))
      }
      // --- 1. CPU profiles of the plain loop
      const loops = {
        get: [(i) => floor.get(names[order[i % keys]]), (i) => ours.get(names[order[i % keys]])],
        set: [(i) => floor.set(`p-${i}`, value), (i) => ours.set(`p-${i}`, value)],
        overwrite: [(i) => floor.set(names[order[i % keys]], i & 1 ? value : value2), (i) => ours.set(names[order[i % keys]], i & 1 ? value : value2)],
        delete: [(i) => floor.delete(names[order[i % keys]]), (i) => ours.delete(names[order[i % keys]])],
      }[op]
      // Deletes need keys to delete: each profile takes min(n, keys) of them, then the keys are stored again.
      const m1 = op === 'delete' ? Math.min(n, keys) : n
      const refill = () => {
        if (op !== 'delete') return
        floor.fill(names.map((k) => [k, value]))
        ours.fill(names.map((k) => [k, value]))
      }
      // Warm both loops up (JIT), then profile floor, ours, ours, floor.
      for (let i = 0; i < 2000; i++) {
        loops[0](i + 10_000_000)
        loops[1](i + 10_000_000)
      }
      refill()
      const runs = { floor: [], ours: [] }
      for (const [name, loop] of [['floor', loops[0]], ['ours', loops[1]], ['ours', loops[1]], ['floor', loops[0]]]) {
        const offset = runs[name].length * n // set: new keys each time
        runs[name].push(await profileLoop(m1, op === 'set' ? (i) => loop(i + offset) : loop))
        refill()
      }
      printProfile('floor', runs.floor, m1, top)
      printProfile('ours', runs.ours, m1, top)
      if (values.save) {
        for (const name of ['floor', 'ours']) {
          runs[name].forEach((run, i) => writeFileSync(join(values.save, `${op}-${name}-${i + 1}.cpuprofile`), JSON.stringify(run.profile)))
        }
      }

      // --- 2. Decomposition through the Cache's own prepared statements
      const m = Math.min(n, keys)
      const args = (k, v) => {
        const now = Date.now()
        return [1, k, 1, v, null, 0, null, now, now, null]
      }
      if (op === 'get') {
        printDecomposition(
          `get-hit decomposed (${count(m)} ops × ${rounds} interleaved rounds, median)`,
          timeVariants(
            [
              ['floor: SELECT value, expire_at … (raw)', () => (i) => floor.get(names[order[i]])],
              ["ours' SQL: statements.get.get(kind, key)", () => (i) => st.get.get(1, names[order[i]])],
              ['ours: cache.get(key)', () => (i) => cache.get(names[order[i]])],
            ],
            m,
            rounds,
          ),
          'ours\' SQL selects 5 columns through the (kind, key) index; cache.get adds the JS in lookup() (expiry check, mode check).',
        )
      } else if (op === 'set' || op === 'overwrite') {
        const isNew = op === 'set'
        const key = (r, tag) => (isNew ? fresh(`d${r}-${tag}`) : (i) => names[order[i]])
        const v = (r) => (r & 1 ? value : value2)
        const rows = timeVariants(
          [
            ['floor: upsert, autocommit', (r) => { const k = key(r, 'f'); return (i) => floor.set(k(i), v(r)) }],
            // The SQL of nearly every set: one autocommit upsert (Store.putEntryAlone).
            ["ours' SQL: upsert, autocommit", (r) => { const k = key(r, 'a'); return (i) => st.upsert.run(...args(k(i), v(r))) }],
            ['ours: cache.set(key, value)', (r) => { const k = key(r, 'd'); return (i) => cache.set(k(i), v(r)) }],
            // The SQL of the set that finds housekeeping due (at most one per 100 ms,
            // or sooner near sizeLimit): Store.write around putEntry + cullAfterWrite.
            [
              'housekeeping set: BEGIN, upsert, hasExpired, COMMIT',
              (r) => {
                const k = key(r, 'h')
                return (i) => {
                  st.begin.run()
                  st.upsert.run(...args(k(i), v(r)))
                  st.hasExpired.get(Date.now())
                  st.commit.run()
                }
              },
            ],
            ...(isNew
              ? []
              : [[
                  // What the store-time index (least-recently-stored eviction) costs an overwrite.
                  "hypothetical: ours' upsert keeping stored_at (no index entry moves)",
                  (r) => {
                    const keep = store.db.prepare(`INSERT INTO entries (kind, key, mode, value, filename, size, expire_at, stored_at, accessed_at, access_count, tags)
                      VALUES (1, ?, ?, ?, NULL, 0, NULL, 0, 0, 0, NULL) ON CONFLICT (kind, key) DO UPDATE SET mode = excluded.mode, value = excluded.value`)
                    return (i) => keep.run(names[order[i]], 1, v(r))
                  },
                ]]),
          ],
          m,
          rounds,
        )
        printDecomposition(
          `${op} decomposed (${count(m)} ops × ${rounds} interleaved rounds, median; ${isNew ? 'every op inserts a new key' : 'every op replaces an existing key'})`,
          rows,
          "both upserts are ON CONFLICT DO UPDATE; ours' row is wider and, under least-recently-stored, moves its entry in the stored_at index.\n" +
            '    The housekeeping set runs about once per 100 ms (sooner near sizeLimit): its cost is spread over the sets in between.',
        )
      } else if (op === 'delete') {
        const refill = () => {
          floor.fill(names.map((k) => [k, value]))
          ours.fill(names.map((k) => [k, value]))
        }
        const variants = [
          ['floor: DELETE, autocommit', () => { refill(); return (i) => floor.delete(names[order[i]]) }],
          ["ours' SQL: DELETE … RETURNING expire_at, autocommit", () => { refill(); return (i) => st.deleteByKey.get(1, names[order[i]]) }],
          ['ours: cache.delete(key)', () => { refill(); return (i) => cache.delete(names[order[i]]) }],
          [
            "hypothetical: DELETE … AND live, .run(), autocommit",
            () => {
              refill()
              const remove = store.db.prepare('DELETE FROM entries WHERE kind = 1 AND key = ? AND (expire_at IS NULL OR expire_at > ?)')
              return (i) => remove.run(names[order[i]], Date.now()).changes > 0
            },
          ],
        ]
        printDecomposition(
          `delete decomposed (${count(m)} ops × ${rounds} interleaved rounds, median)`,
          timeVariants(variants, m, rounds),
          'RETURNING expire_at lets delete() answer false for an entry that had already expired. Read through .get(), the\n' +
            "    statement commits when it is reset, not when it steps to its end, and SQLite's WAL auto-checkpoint never runs:\n" +
            '    the first two ours rows leave the checkpoints to a later write; .run() pays for them.',
        )
      }
    } finally {
      floor.close()
      ours.close()
      rmSync(dir, { recursive: true, force: true })
      forget()
    }
  }
}

main().catch((error) => {
  console.error(error)
  process.exitCode = 1
})
