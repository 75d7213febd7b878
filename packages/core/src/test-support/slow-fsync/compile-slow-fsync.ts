import { spawnSync } from 'node:child_process'
import { join } from 'node:path'

/** Builds slow-fsync.so into `outDir` with the system C compiler; throws (never skips) when there is none. */
export function compileSlowFsync(outDir: string): string {
  const source = join(__dirname, 'slow-fsync.c')
  const output = join(outDir, 'slow-fsync.so')
  const run = spawnSync('cc', ['-shared', '-fPIC', '-O2', '-Wall', '-o', output, source, '-ldl'], { encoding: 'utf8' })
  if (run.error) throw new Error(`cannot run cc to build ${source} (${run.error.message}); install a C compiler (gcc or clang)`)
  if (run.status !== 0) throw new Error(`cc could not build ${source}:\n${run.stderr}`)
  return output
}
