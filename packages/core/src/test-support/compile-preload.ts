import { spawnSync } from 'node:child_process'
import { basename, join } from 'node:path'

/**
 * Builds the C file `source` into `outDir` as an LD_PRELOAD library, with the
 * system C compiler (the one that builds better-sqlite3). Throws, never skips,
 * when there is none: a test whose interposer silently did not load proves
 * nothing. `what` names the library in the error.
 */
export function compilePreload(source: string, outDir: string, what: string): string {
  const output = join(outDir, basename(source).replace(/\.c$/, '.so'))
  const run = spawnSync('cc', ['-shared', '-fPIC', '-O2', '-Wall', '-o', output, source, '-ldl'], { encoding: 'utf8' })
  if (run.error) throw new Error(`cannot run cc to build ${what} (${run.error.message}); install a C compiler (gcc or clang)`)
  if (run.status !== 0) throw new Error(`cc could not build ${source}:\n${run.stderr}`)
  return output
}
