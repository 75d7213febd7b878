import { join } from 'node:path'
import { compilePreload } from '../compile-preload.js'

/** Builds slow-fsync.so into `outDir` (see compilePreload). */
export function compileSlowFsync(outDir: string): string {
  return compilePreload(join(__dirname, 'slow-fsync.c'), outDir, 'the slow-fsync library')
}
