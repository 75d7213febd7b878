import { mkdtempSync, readlinkSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const made: string[] = []

/** A fresh directory under the OS temp dir, removed after the test file finishes. */
export function makeTempDir(prefix = 'diskcache-nest-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  made.push(dir)
  return dir
}

afterAll(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true })
})

/** Files under `directory` this process holds open (Linux: /proc/self/fd), to prove a close released them. */
export function openFilesUnder(directory: string): string[] {
  const open: string[] = []
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      const target = readlinkSync(`/proc/self/fd/${fd}`)
      if (target.startsWith(directory + '/')) open.push(target)
    } catch {
      // The fd readdir itself used is gone by now.
    }
  }
  return open
}
