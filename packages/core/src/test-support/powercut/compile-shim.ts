import { join } from 'node:path'
import { compilePreload } from '../compile-preload.js'

/** Builds powercut.so into `outDir` (see compilePreload). */
export function compilePowerCutShim(outDir: string): string {
  return compilePreload(join(__dirname, 'powercut.c'), outDir, 'the power-cut recorder')
}
