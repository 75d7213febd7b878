import { readdirSync, readlinkSync } from 'node:fs'

export { makeTempDir } from '../../../../test-support/temp-dir.js'

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
