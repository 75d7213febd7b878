import { createHash } from 'node:crypto'
import { Cache } from '../../cache.js'
import type { ValueDescription, WorkloadStep } from './run-until-power-cut.js'

export interface ImageReport {
  /** Why the image would not open as a Cache, if it would not. */
  openError?: string
  /** check()'s problems, by kind. */
  problems: Record<string, number>
  /** How many problems check() still finds after check({ fix: true }). */
  problemsAfterFix: number
  /**
   * The k for which the image holds exactly the state after the first k
   * operations (every key, value for value), or undefined when it matches none
   * (a value lost inside an operation, a half-applied transaction).
   */
  matchedPrefix?: number
  /**
   * The same, but a file-backed value that reads as a miss (its file did not
   * survive) counts as matching: how far the database itself got. The largest
   * such k, so an operation that only added file-backed values counts as in.
   */
  databasePrefix?: number
  /** At databasePrefix, the file-backed values whose file did not survive. */
  lostFiles: number
}

/** Opens the durable image as a Cache, runs check(), and finds which acknowledged prefix it holds. */
export function inspectImage(image: string, begun: readonly WorkloadStep[]): ImageReport {
  let cache: Cache
  try {
    cache = new Cache(image)
  } catch (error) {
    return { openError: String(error), problems: {}, problemsAfterFix: 0, lostFiles: 0 }
  }
  try {
    const problems: Record<string, number> = {}
    for (const problem of cache.check().problems) problems[problem.kind] = (problems[problem.kind] ?? 0) + 1
    const keys = new Set<string>()
    for (const step of begun) for (const key of Object.keys(step.effects)) keys.add(key)
    for (const key of cache.keys()) keys.add(String(key))
    const actual = new Map<string, string>()
    for (const key of keys) actual.set(key, describe(cache.get(key)))
    const states = statesAfterEachStep(begun)
    const lostAt = (k: number, lenient: boolean): number | undefined => {
      let lost = 0
      for (const key of keys) {
        const expected = states[k]?.get(key) ?? 'null'
        if (actual.get(key) === expected) continue
        if (!lenient || actual.get(key) !== 'null' || !expected.startsWith('{"l"')) return undefined
        lost++
      }
      return lost
    }
    let matchedPrefix: number | undefined
    let databasePrefix: number | undefined
    let lostFiles = 0
    for (let k = states.length - 1; k >= 0; k--) {
      if (matchedPrefix === undefined && lostAt(k, false) === 0) matchedPrefix = k
      const lost = databasePrefix === undefined ? lostAt(k, true) : undefined
      if (lost !== undefined) [databasePrefix, lostFiles] = [k, lost]
    }
    cache.check({ fix: true })
    return { problems, problemsAfterFix: cache.check().problems.length, matchedPrefix, databasePrefix, lostFiles }
  } finally {
    cache.close()
  }
}

/** states[k]: each key's described value after the first k steps ('null' when absent). */
function statesAfterEachStep(begun: readonly WorkloadStep[]): Map<string, string>[] {
  const states = [new Map<string, string>()]
  for (const step of begun) {
    const next = new Map(states.at(-1))
    for (const [key, value] of Object.entries(step.effects)) next.set(key, JSON.stringify(value))
    states.push(next)
  }
  return states
}

function describe(value: unknown): string {
  let described: ValueDescription | null
  if (value === undefined) described = null
  else if (typeof value === 'string') described = { s: value }
  else if (typeof value === 'number') described = { n: value }
  else if (Buffer.isBuffer(value)) described = { l: value.length, sha256: createHash('sha256').update(value).digest('hex') }
  else throw new Error(`the image holds a value the workload never wrote: ${String(value)}`)
  return JSON.stringify(described)
}
