import { execFileSync } from 'node:child_process'
import { resolve } from 'node:path'
import { makeTempDir } from './test-support/open-store.js'

// The published entry points, loaded by package name from a fresh Node process
// through the exports map (the build must exist: `npm test` builds first).
// Nest 12 and other ESM-only hosts import it; Nest 10/11 require it.
const packageRoot = resolve(__dirname, '..')

function node(args: string[]): string {
  return execFileSync(process.execPath, args, { cwd: packageRoot, encoding: 'utf8' })
}

describe('the @diskcache/keyv package', () => {
  it('loads through require() and import() with the same exports', () => {
    const names = "(m) => console.log(JSON.stringify(Object.keys(m).filter((k) => k !== 'default').sort()))"
    const required = JSON.parse(node(['-e', `(${names})(require('@diskcache/keyv'))`])) as string[]
    expect(required).toEqual(['KeyvDiskCache', 'createKeyv'])
    expect(JSON.parse(node(['--input-type=module', '-e', `import('@diskcache/keyv').then(${names})`]))).toEqual(required)
  })

  it('stores through createKeyv() from an ES module and reads back from CommonJS, in one directory', () => {
    const dir = JSON.stringify(makeTempDir())
    const write = `import { createKeyv } from '@diskcache/keyv'
      const keyv = createKeyv(${dir}); await keyv.set('k', { from: 'esm' }); await keyv.disconnect()`
    node(['--input-type=module', '-e', write])
    const read = `const { createKeyv } = require('@diskcache/keyv')
      const keyv = createKeyv(${dir}); keyv.get('k').then((v) => { console.log(JSON.stringify(v)); return keyv.disconnect() })`
    expect(JSON.parse(node(['-e', read]))).toEqual({ from: 'esm' })
  })
})
