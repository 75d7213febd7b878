// What the numbers were measured on, and which build of the package.
import Database from 'better-sqlite3'
import { execFileSync } from 'node:child_process'
import { readdirSync, statSync, statfsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { cpus, loadavg, release, totalmem, type } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const require = createRequire(import.meta.url)
export const PACKAGE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..')

export function machineInfo() {
  const cpuList = cpus()
  const db = new Database(':memory:')
  const sqliteVersion = db.prepare('SELECT sqlite_version()').pluck().get()
  db.close()
  return {
    cpu: cpuList[0]?.model.trim() ?? 'unknown',
    cores: cpuList.length,
    memoryGiB: totalmem() / 2 ** 30,
    os: `${type()} ${release()} ${process.arch}`,
    node: process.version,
    v8: process.versions.v8,
    betterSqlite3: require('better-sqlite3/package.json').version,
    sqlite: sqliteVersion,
    loadAverage: loadavg(),
  }
}

/** Bytes free for an unprivileged writer on the filesystem holding `dir`. */
export function freeBytes(dir) {
  const stats = statfsSync(dir)
  return stats.bavail * stats.bsize
}

/** The commit, how many library files in src/ differ from it, and whether dist/ is older than src/. */
export function buildInfo() {
  const info = { commit: undefined, srcChanges: undefined, distOlderThanSrc: undefined }
  try {
    info.commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: PACKAGE_DIR, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()
    const status = execFileSync('git', ['status', '--porcelain', '--', 'src'], { cwd: PACKAGE_DIR, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
    // Library sources only: tests changing beside it do not change what is measured.
    info.srcChanges = status
      .split('\n')
      .filter((line) => line && !/\.test\.ts$|test-support\//.test(line)).length
  } catch {
    // Not a git checkout.
  }
  try {
    const newestSrc = Math.max(
      ...readdirSync(join(PACKAGE_DIR, 'src'))
        .filter((name) => name.endsWith('.ts') && !name.endsWith('.test.ts'))
        .map((name) => statSync(join(PACKAGE_DIR, 'src', name)).mtimeMs),
    )
    info.distBuiltAt = new Date(statSync(join(PACKAGE_DIR, 'dist', 'cjs', 'index.js')).mtimeMs).toISOString()
    info.distOlderThanSrc = statSync(join(PACKAGE_DIR, 'dist', 'cjs', 'index.js')).mtimeMs < newestSrc
  } catch {
    // No dist yet: loadCore says so when a part needs it.
  }
  return info
}
