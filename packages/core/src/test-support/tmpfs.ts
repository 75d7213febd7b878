import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const mounted: string[] = []

function run(args: string[]): string | null {
  const result = spawnSync(args[0]!, args.slice(1), { encoding: 'utf8' })
  if (result.error) return result.error.message
  return result.status === 0 ? null : (result.stderr || `exit ${result.status}`).trim()
}

/**
 * Why a size-limited tmpfs cannot be mounted here (not root, no mount(8), a
 * container without CAP_SYS_ADMIN), or null when it can: tests that need one
 * are skipped with this reason.
 */
export const TMPFS_UNAVAILABLE: string | null = (() => {
  if (process.platform !== 'linux') return `tmpfs mounts need Linux (this is ${process.platform})`
  if (process.getuid?.() !== 0) return 'mounting a tmpfs needs root'
  const probe = mkdtempSync(join(tmpdir(), 'diskcache-tmpfs-probe-'))
  try {
    const failure = run(['mount', '-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', probe])
    if (failure !== null) return `mount -t tmpfs failed: ${failure}`
    run(['umount', probe])
    return null
  } finally {
    rmSync(probe, { recursive: true, force: true })
  }
})()

/** Mounts a tmpfs of `bytes` on a fresh directory (outside makeTempDir's, which could not remove a mount point). */
export function mountTmpfs(bytes: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'diskcache-tmpfs-'))
  const failure = run(['mount', '-t', 'tmpfs', '-o', `size=${bytes},mode=0755`, 'tmpfs', dir])
  if (failure !== null) throw new Error(`mount -t tmpfs on ${dir} failed: ${failure}`)
  mounted.push(dir)
  return dir
}

/** Remounts a tmpfs read-only or read-write (read-only fails while a file on it is open for writing). */
export function remount(dir: string, mode: 'ro' | 'rw'): void {
  const failure = run(['mount', '-o', `remount,${mode}`, dir])
  if (failure !== null) throw new Error(`remount,${mode} of ${dir} failed: ${failure}`)
}

afterAll(() => {
  for (const dir of mounted.splice(0)) {
    run(['umount', '-l', dir]) // lazy: a handle some failed test left open must not fail the others
    rmSync(dir, { recursive: true, force: true })
  }
})
