import { execFileSync } from 'node:child_process'
import { resolve } from 'node:path'

// The published entry points, loaded by package name from a fresh Node process (the build must exist).
const packageRoot = resolve(__dirname, '..')

function exportedNames(specifier: string, mode: 'import' | 'require'): string[] {
  const script =
    mode === 'import'
      ? `import(${JSON.stringify(specifier)}).then((m) => console.log(JSON.stringify(Object.keys(m).filter((k) => k !== 'default').sort())))`
      : `console.log(JSON.stringify(Object.keys(require(${JSON.stringify(specifier)})).sort()))`
  return JSON.parse(execFileSync(process.execPath, ['-e', script], { cwd: packageRoot, encoding: 'utf8' })) as string[]
}

describe('the @diskcache/express-middleware package', () => {
  it.each(['@diskcache/express-middleware', '@diskcache/express-middleware/hono'])('loads %s through require() and import() with the same exports', (specifier) => {
    const required = exportedNames(specifier, 'require')
    expect(required).toContain('diskCacheMiddleware')
    expect(exportedNames(specifier, 'import')).toEqual(required)
  })
})
