import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { closeAllStores } from '../next-store.js'

const made: string[] = []

/** A fresh directory under the OS temp dir, removed (stores closed first) after the test file. */
export function makeTempDir(prefix = 'diskcache-next-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  made.push(dir)
  return dir
}

afterAll(() => {
  closeAllStores()
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true })
})

/** A clock tests move by hand, fractional like Next's performance-based time. */
export function manualClock(start = 1_700_000_000_000.25): { now: () => number; advance(ms: number): void } {
  let current = start
  return {
    now: () => current,
    advance(ms: number) {
      current += ms
    },
  }
}
