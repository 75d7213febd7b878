import { execFileSync } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { makeTempDir } from './test-support/temp-dir.js'

// better-sqlite3 12 on Node 24.19+ aborts the process when the garbage collector frees one of its
// objects (native-handles.ts): core keeps every one it makes, which only works if core makes them
// all through openNativeDatabase()'s prepare().

function sourceFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name)
    if (entry.isDirectory()) return entry.name === 'test-support' ? [] : sourceFiles(path)
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : []
  })
}

it('core never calls the better-sqlite3 methods that make statements it cannot keep', () => {
  const offending: string[] = []
  for (const file of sourceFiles(__dirname)) {
    readFileSync(file, 'utf8')
      .split('\n')
      .forEach((line, index) => {
        const code = line.trim()
        if (code.startsWith('*') || code.startsWith('//') || code.startsWith('/*')) return
        if (/\.(pragma|transaction|iterate)\(/.test(code)) offending.push(`${file}:${index + 1}: ${code}`)
      })
  }
  expect(offending).toEqual([])
})

it('a process that opens, fills and closes caches, then collects garbage between awaits, exits cleanly', () => {
  const directory = makeTempDir()
  const script = `
    const { Cache, FanoutCache } = require(${JSON.stringify(join(__dirname, '..', 'dist', 'cjs', 'index.js'))})
    const { setTimeout: delay } = require('node:timers/promises')
    ;(async () => {
      for (let round = 0; round < 5; round++) {
        for (const open of [(d) => new Cache(d), (d) => new FanoutCache(d, { shards: 2 })]) {
          const cache = open(${JSON.stringify(directory)} + '/' + round + open.length)
          for (let i = 0; i < 300; i++) cache.set('k' + i, 'v'.repeat(1000))
          cache.check()
          cache.close()
        }
        await delay(5)
        globalThis.gc()
        for (let i = 0; i < 1e5; i++) ({ i })
      }
      await delay(6000) // past the checkpoint worker's idle stop
      globalThis.gc()
      process.stdout.write('clean')
    })()
  `
  const output = execFileSync(process.execPath, ['--expose-gc', '-e', script], { timeout: 30_000, stdio: 'pipe' })
  expect(output.toString()).toBe('clean')
})
