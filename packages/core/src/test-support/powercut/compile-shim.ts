import { spawnSync } from 'node:child_process'
import { join } from 'node:path'

const SOURCE = join(__dirname, 'powercut.c')

/**
 * Builds powercut.so into `outDir` with the system C compiler, the one that
 * builds better-sqlite3. Throws (never skips) when there is none: a power-cut
 * test that silently does not run proves nothing.
 */
export function compilePowerCutShim(outDir: string): string {
  const output = join(outDir, 'powercut.so')
  const run = spawnSync('cc', ['-shared', '-fPIC', '-O2', '-Wall', '-o', output, SOURCE, '-ldl'], { encoding: 'utf8' })
  if (run.error) {
    throw new Error(`cannot run cc to build the power-cut recorder (${run.error.message}); install a C compiler (gcc or clang)`)
  }
  if (run.status !== 0) throw new Error(`cc could not build ${SOURCE}:\n${run.stderr}`)
  return output
}
