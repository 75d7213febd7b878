import { execFileSync } from 'node:child_process'
import { resolve } from 'node:path'

// The published entry points, loaded by package name from a fresh Node process
// through the exports map (the build must exist: `npm test` builds first).
// Nest 10/11 apps require() it; ESM apps (and Nest 12) import it.
const packageRoot = resolve(__dirname, '..')

function node(args: string[]): string {
  return execFileSync(process.execPath, args, { cwd: packageRoot, encoding: 'utf8' })
}

describe('the @diskcache/nest package', () => {
  it('loads through require() and import() with the same exports', () => {
    const names = "(m) => console.log(JSON.stringify(Object.keys(m).filter((k) => k !== 'default').sort()))"
    const required = JSON.parse(node(['-e', `(${names})(require('@diskcache/nest'))`])) as string[]
    expect(required).toEqual([
      'CACHE_TAGS_METADATA',
      'CACHE_VARY_METADATA',
      'CacheTags',
      'CacheVary',
      'DiskCacheInterceptor',
      'DiskCacheModule',
      'DiskCacheService',
      'diskCacheOptions',
    ])
    expect(JSON.parse(node(['--input-type=module', '-e', `import('@diskcache/nest').then(${names})`]))).toEqual(required)
  })
})
