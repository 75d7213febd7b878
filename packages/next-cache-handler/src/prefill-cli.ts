#!/usr/bin/env node
// `npx diskcache-next-prefill [distDir] [--overwrite]`: loads a build's prerendered pages into the
// store named by the DISKCACHE_NEXT_* environment (the same the servers use). Run it after
// `next build` and before (or while) the servers start.
import { closeAllStores } from './next-store.js'
import { prefill } from './prefill.js'

const USAGE = 'usage: diskcache-next-prefill [distDir (default .next)] [--overwrite]'

function main(args: string[]): number {
  const flags = args.filter((arg) => arg.startsWith('-'))
  const positional = args.filter((arg) => !arg.startsWith('-'))
  const unknown = flags.filter((flag) => flag !== '--overwrite')
  if (unknown.length > 0 || positional.length > 1) {
    console.error(`${unknown.length > 0 ? `unknown flag ${unknown[0]}; ` : ''}${USAGE}`)
    return 2
  }
  try {
    const result = prefill({ ...(positional[0] ? { distDir: positional[0] } : {}), overwrite: flags.includes('--overwrite') })
    console.log(`@diskcache/next: prefilled ${result.stored.length} prerendered route(s) of build ${result.buildId}` +
      (result.kept.length > 0 ? `; kept ${result.kept.length} already stored` : ''))
    return 0
  } catch (error) {
    console.error(`@diskcache/next: prefill failed: ${error instanceof Error ? error.message : String(error)}`)
    return 1
  } finally {
    closeAllStores()
  }
}

process.exitCode = main(process.argv.slice(2))
