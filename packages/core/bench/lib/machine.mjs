// What the numbers were measured on, and which build of the package.
import Database from 'better-sqlite3'
import { execFileSync } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync, statSync, statfsSync } from 'node:fs'
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
    // No dist yet: snapshotDist says so.
  }
  return info
}

/**
 * Copies dist/cjs to a private directory, so a rebuild by someone else during
 * the run (the build deletes dist/ first) cannot pull the code out from under
 * the child processes. The copy lives in node_modules/.cache beside
 * better-sqlite3, so `require('better-sqlite3')` from it resolves as from dist.
 * Waits up to `waitSeconds` for a build in progress to finish.
 */
export async function snapshotDist({ waitSeconds = 120 } = {}) {
  const source = join(PACKAGE_DIR, 'dist', 'cjs')
  const modules = dirname(dirname(require.resolve('better-sqlite3/package.json')))
  const target = join(modules, '.cache', 'diskcache-bench', `dist-${process.pid}`)
  const deadline = Date.now() + waitSeconds * 1000
  for (let attempt = 0; ; attempt++) {
    try {
      if (!existsSync(join(source, 'index.js'))) throw new Error(`${source}/index.js does not exist`)
      rmSync(target, { recursive: true, force: true })
      mkdirSync(target, { recursive: true })
      cpSync(source, target, { recursive: true })
      // Load it in a child, so a half-written copy fails here and not mid-run.
      execFileSync(process.execPath, ['-e', `const m = require(${JSON.stringify(join(target, 'index.js'))}); if (typeof m.Cache !== 'function') process.exit(1)`], {
        stdio: 'ignore',
      })
      return target
    } catch (error) {
      if (Date.now() > deadline) {
        rmSync(target, { recursive: true, force: true })
        throw new Error(`could not load the built package from ${source} (${error.message}); run \`npm run build\` first`)
      }
      if (attempt === 0) process.stderr.write(`  · waiting for dist/cjs (a build may be in progress)…\n`)
      await new Promise((resolve) => setTimeout(resolve, 2000))
    }
  }
}

export function removeSnapshot(target) {
  if (!target) return
  rmSync(target, { recursive: true, force: true })
  // Leave node_modules/.cache/diskcache-bench only if another run still uses it.
  try {
    const parent = dirname(target)
    if (readdirSync(parent).length === 0) rmSync(parent, { recursive: true, force: true })
  } catch {
    // Already gone.
  }
}
