import { mkdirSync, realpathSync } from 'node:fs'
import { join } from 'node:path'
import type { SynchronousMode } from '../../options.js'
import { spawnRecorded } from './recorded-process.js'

const WORKLOAD = join(__dirname, 'power-cut-workload.cjs')

/** A value as power-cut-workload.cjs describes it: inline text, a file-backed buffer, a counter; null: deleted. */
export type ValueDescription = { s: string } | { l: number; sha256: string } | { n: number }

export interface WorkloadStep {
  step: number
  effects: Record<string, ValueDescription | null>
}

export interface PowerCutRun {
  /** The cache directory the workload wrote (the real one, not the image). */
  directory: string
  /** The recorder's log. */
  log: string
  /** Every operation that started, in order; all but perhaps the last were acknowledged. */
  begun: WorkloadStep[]
  /** How many operations returned before the kill (they are begun[0 … acked - 1]). */
  acked: number
  /** False when the workload finished before the kill came. */
  killed: boolean
}

export interface PowerCutPlan {
  shim: string
  /** An empty directory for this run. */
  work: string
  synchronous: SynchronousMode
  seed: number
  /** SIGKILL once this many operations were acknowledged, `delayMs` later (mid-operation, usually). */
  killAfterAcks: number
  delayMs: number
  /** Operations the workload would do if never killed. */
  operations: number
}

/** Runs the workload in a recorded child process and kills it at the planned moment. */
export function runUntilPowerCut(plan: PowerCutPlan): Promise<PowerCutRun> {
  const directory = join(realpathSync(plan.work), 'cache')
  mkdirSync(directory)
  const log = join(plan.work, 'log')
  const config = { synchronous: plan.synchronous, seed: plan.seed, operations: plan.operations }
  const child = spawnRecorded({ shim: plan.shim, directory, log }, WORKLOAD, [directory, JSON.stringify(config)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const run: PowerCutRun = { directory, log, begun: [], acked: 0, killed: false }
  let stderr = ''
  let failure: string | undefined
  let buffered = ''
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  child.stdout?.on('data', (chunk: Buffer) => {
    buffered += chunk.toString()
    const lines = buffered.split('\n')
    buffered = lines.pop() ?? ''
    for (const line of lines) {
      const message = JSON.parse(line) as { begin?: number; effects?: WorkloadStep['effects']; ack?: number; error?: string }
      if (message.begin !== undefined) run.begun.push({ step: message.begin, effects: message.effects ?? {} })
      if (message.error !== undefined) failure = message.error
      if (message.ack !== undefined) {
        run.acked = message.ack + 1
        if (run.acked === plan.killAfterAcks) {
          setTimeout(() => {
            run.killed = child.exitCode === null
            child.kill('SIGKILL')
          }, plan.delayMs)
        }
      }
    }
  })
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000)
    child.on('error', reject)
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      if (failure !== undefined || (signal === null && code !== 0) || (signal !== null && !run.killed)) {
        reject(new Error(`the power-cut workload failed (code ${code}, signal ${signal}): ${failure ?? ''}\n${stderr}`))
      } else resolve(run)
    })
  })
}
