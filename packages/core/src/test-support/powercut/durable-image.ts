import { closeSync, openSync } from 'node:fs'
import { join } from 'node:path'
import { readPowerCutLog } from './power-cut-log.js'
import { PowerCutModel, type PowerCutModelOptions } from './power-cut-model.js'

export interface DurableImage {
  /** What a power cut at the moment the log ends would have left (see PowerCutModel for the rules). */
  durable: string
  /** What the process saw, every recorded change applied: should match the real directory. */
  live: string
  /** Records replayed. */
  records: number
}

/** Replays `logPath` (written by powercut.so) and lays out both states under `work`. */
export function buildDurableImage(logPath: string, work: string, options: PowerCutModelOptions = {}): DurableImage {
  const logFd = openSync(logPath, 'r')
  try {
    const model = new PowerCutModel(logFd, work, options)
    let records = 0
    for (const record of readPowerCutLog(logPath)) {
      model.apply(record)
      records++
    }
    const image = { durable: join(work, 'durable'), live: join(work, 'live'), records }
    model.writeTree(image.durable, 'durable')
    model.writeTree(image.live, 'live')
    return image
  } finally {
    closeSync(logFd)
  }
}
