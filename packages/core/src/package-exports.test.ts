import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { makeTempDir } from './test-support/temp-dir.js'

// The published entry points, loaded the way users load them: by package name,
// from a fresh Node process, through the exports map (the build must exist:
// `npm test` builds first).
const packageRoot = resolve(__dirname, '..')
const packageJson = require('../package.json') as {
  exports: Record<string, { import: { types: string; default: string }; require: { types: string; default: string } }>
}

function exportedNames(mode: 'import' | 'require'): string[] {
  const script =
    mode === 'import'
      ? "import('@diskcache/core').then((m) => console.log(JSON.stringify(Object.keys(m).filter((k) => k !== 'default').sort())))"
      : "console.log(JSON.stringify(Object.keys(require('@diskcache/core')).sort()))"
  const out = execFileSync(process.execPath, ['-e', script], { cwd: packageRoot, encoding: 'utf8' })
  return JSON.parse(out) as string[]
}

describe('the @diskcache/core package', () => {
  it('loads through require() and import() with the same exports', () => {
    const required = exportedNames('require')
    expect(required).toEqual(expect.arrayContaining(['Cache', 'DiskCacheError', 'CacheTimeoutError', 'InvalidKeyError']))
    expect(exportedNames('import')).toEqual(required)
  })

  it('has a type declaration file beside each build its exports map names', () => {
    for (const target of [packageJson.exports['.']!.import, packageJson.exports['.']!.require]) {
      expect(existsSync(join(packageRoot, target.default))).toBe(true)
      expect(existsSync(join(packageRoot, target.types))).toBe(true)
    }
  })

  it('stores from an ES module and reads back from CommonJS, in one directory', () => {
    const dir = makeTempDir()
    const write = `import { Cache } from '@diskcache/core'; const c = new Cache(${JSON.stringify(dir)}); c.set('k', { from: 'esm' }); c.close()`
    execFileSync(process.execPath, ['--input-type=module', '-e', write], { cwd: packageRoot })
    const read = `const { Cache } = require('@diskcache/core'); const c = new Cache(${JSON.stringify(dir)}); console.log(JSON.stringify(c.get('k'))); c.close()`
    expect(JSON.parse(execFileSync(process.execPath, ['-e', read], { cwd: packageRoot, encoding: 'utf8' }))).toEqual({ from: 'esm' })
  })
})
