import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const made: string[] = []

/** A fresh directory under the OS temp dir, removed after the test file finishes. */
export function makeTempDir(prefix = 'diskcache-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  made.push(dir)
  return dir
}

afterAll(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true })
})

/** A clock tests move by hand: `clock.now` is what the cache sees as Date.now(). */
export function manualClock(start = 1_700_000_000_000): { now: () => number; advance(ms: number): void } {
  let current = start
  return {
    now: () => current,
    advance(ms: number) {
      current += ms
    },
  }
}

/** Every value file under `<directory>/values`, as 'values/ab/cd/….val' paths, sorted. */
export function listValueFiles(directory: string): string[] {
  const root = join(directory, 'values')
  if (!existsSync(root)) return []
  return (readdirSync(root, { recursive: true }) as string[])
    .map((name) => `values/${name.split('\\').join('/')}`)
    .filter((name) => statSync(join(directory, name)).isFile())
    .sort()
}
