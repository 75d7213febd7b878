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

  it('starts the checkpoint worker from either build (each finds better-sqlite3 from its own file)', () => {
    // About 2,400 pages of WAL, short of the connection's own checkpoint (4,000): only the worker can
    // move them into cache.db. Run as `node --input-type=module -e`, whose flag workers inherit.
    const probe = (load: string, dir: string) => `${load}
      const { statSync } = require('node:fs')
      const c = new Cache(${JSON.stringify(dir)})
      for (let i = 0; i < 800; i++) c.set('k' + i, 'v'.repeat(1000))
      const deadline = Date.now() + 10000
      const poll = () => {
        if (statSync(${JSON.stringify(join(dir, 'cache.db'))}).size > 500000) return finish('checkpointed')
        if (Date.now() > deadline) return finish('no checkpoint')
        setTimeout(poll, 20)
      }
      const finish = (outcome) => { c.close(); console.log(outcome) }
      poll()`
    const esmDir = makeTempDir()
    const esmLoad = "import { Cache } from '@diskcache/core'; import { createRequire } from 'node:module'; const require = createRequire(import.meta.url)"
    const esm = execFileSync(process.execPath, ['--input-type=module', '-e', probe(esmLoad, esmDir)], { cwd: packageRoot, encoding: 'utf8', timeout: 20_000 })
    const cjsDir = makeTempDir()
    const cjs = execFileSync(process.execPath, ['-e', probe("const { Cache } = require('@diskcache/core')", cjsDir)], { cwd: packageRoot, encoding: 'utf8', timeout: 20_000 })
    expect([esm.trim(), cjs.trim()]).toEqual(['checkpointed', 'checkpointed'])
  })
})
