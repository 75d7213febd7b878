import { existsSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'

export { makeTempDir, manualClock } from '../../../../test-support/temp-dir.js'

/** Every value file under `<directory>/values`, as 'values/ab/cd/….val' paths, sorted. */
export function listValueFiles(directory: string): string[] {
  const root = join(directory, 'values')
  if (!existsSync(root)) return []
  return (readdirSync(root, { recursive: true }) as string[])
    .map((name) => `values/${name.split('\\').join('/')}`)
    .filter((name) => statSync(join(directory, name)).isFile())
    .sort()
}
