import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'

const known = new Map<string, string>()

/** Used when no BUILD_ID can be read (`next dev`, or a build still writing it). */
export const UNKNOWN_BUILD_ID = 'no-build-id'

/**
 * The id of the build being served, from `<distDir>/BUILD_ID` beside `serverDistDir`. Response
 * entries are namespaced by it, so a deploy never serves HTML that points at the old build's chunks.
 * Read once per process and folder; a missing file is not remembered, so it is picked up once written.
 */
export function readBuildId(serverDistDir: string | undefined): string {
  if (!serverDistDir) return UNKNOWN_BUILD_ID
  const cached = known.get(serverDistDir)
  if (cached !== undefined) return cached
  try {
    const id = readFileSync(join(dirname(serverDistDir), 'BUILD_ID'), 'utf8').trim()
    if (id === '') return UNKNOWN_BUILD_ID
    known.set(serverDistDir, id)
    return id
  } catch {
    return UNKNOWN_BUILD_ID
  }
}
