import { spawnSync } from 'node:child_process'
import { readdirSync, readFileSync, realpathSync, statSync, truncateSync } from 'node:fs'
import { join } from 'node:path'
import { makeTempDir } from '../temp-dir.js'
import { compilePowerCutShim } from './compile-shim.js'
import { buildDurableImage } from './durable-image.js'
import { type Recording, recordingEnv, runRecordedScript } from './recorded-process.js'

// Each case runs real file operations in a Node process under powercut.so, then
// rebuilds what a power cut would have left, to pin the model's rules.
let shim: string
beforeAll(() => {
  shim = compilePowerCutShim(makeTempDir('powercut-shim-'))
})

function recordIn(source: string): { recording: Recording; durable: string; live: string } {
  const directory = realpathSync(makeTempDir('powercut-watched-'))
  const work = makeTempDir('powercut-work-')
  const recording = { shim, directory, log: join(work, 'log') }
  runRecordedScript(recording, `const fs = require('node:fs'); const W = process.argv[1]; ${source}`, [directory])
  return { recording, ...buildDurableImage(recording.log, work) }
}

function tree(root: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const name of readdirSync(root, { recursive: true }) as string[]) {
    const path = join(root, name)
    out[name] = statSync(path).isDirectory() ? '<dir>' : readFileSync(path, 'utf8')
  }
  return out
}

const syncDir = `function syncDir(path) { const fd = fs.openSync(path, 'r'); fs.fsyncSync(fd); fs.closeSync(fd) }`

describe('the power-cut model', () => {
  it('keeps the bytes of a file up to its last fsync', () => {
    const { durable, live } = recordIn(`
      const fd = fs.openSync(W + '/a', 'w'); fs.writeSync(fd, 'one'); fs.fsyncSync(fd); fs.writeSync(fd, 'two'); fs.closeSync(fd)`)
    expect(tree(durable)).toEqual({ a: 'one' })
    expect(tree(live)).toEqual({ a: 'onetwo' })
  })

  it('applies the truncation of an O_TRUNC open only at the next fsync', () => {
    const { durable, live } = recordIn(`
      let fd = fs.openSync(W + '/a', 'w'); fs.writeSync(fd, 'long content'); fs.fsyncSync(fd); fs.closeSync(fd)
      fd = fs.openSync(W + '/a', 'w'); fs.writeSync(fd, 'x'); fs.closeSync(fd)`)
    expect(tree(durable)).toEqual({ a: 'long content' })
    expect(tree(live)).toEqual({ a: 'x' })
  })

  it('names a new file once it is synced, but moves it to its new name only when its directory is synced', () => {
    const renamedOnly = recordIn(`
      const fd = fs.openSync(W + '/f.tmp', 'w'); fs.writeSync(fd, 'data'); fs.fsyncSync(fd); fs.closeSync(fd)
      fs.renameSync(W + '/f.tmp', W + '/f')`)
    expect(tree(renamedOnly.durable)).toEqual({ 'f.tmp': 'data' })
    const synced = recordIn(`${syncDir}
      const fd = fs.openSync(W + '/f.tmp', 'w'); fs.writeSync(fd, 'data'); fs.fsyncSync(fd); fs.closeSync(fd)
      fs.renameSync(W + '/f.tmp', W + '/f'); syncDir(W)`)
    expect(tree(synced.durable)).toEqual({ f: 'data' })
  })

  it('loses a new directory, and all under it, until its parent directory is synced', () => {
    const source = `${syncDir}
      fs.mkdirSync(W + '/d'); const fd = fs.openSync(W + '/d/f', 'w'); fs.writeSync(fd, 'x'); fs.fsyncSync(fd); fs.closeSync(fd)
      syncDir(W + '/d')`
    expect(tree(recordIn(source).durable)).toEqual({})
    expect(tree(recordIn(`${source}; syncDir(W)`).durable)).toEqual({ d: '<dir>', 'd/f': 'x' })
  })

  it('undoes an unlink and an rmdir until their directory is synced', () => {
    const source = `${syncDir}
      const fd = fs.openSync(W + '/f', 'w'); fs.writeSync(fd, 'kept'); fs.fsyncSync(fd); fs.closeSync(fd)
      fs.mkdirSync(W + '/e'); syncDir(W); fs.unlinkSync(W + '/f'); fs.rmdirSync(W + '/e')`
    expect(tree(recordIn(source).durable)).toEqual({ f: 'kept', e: '<dir>' })
    const after = recordIn(`${source}; syncDir(W)`)
    expect(tree(after.durable)).toEqual({})
    expect(tree(after.live)).toEqual({})
  })

  it('leaves a file whose name was synced but whose bytes were not empty', () => {
    const { durable } = recordIn(`${syncDir}
      const fd = fs.openSync(W + '/f', 'w'); fs.writeSync(fd, 'lost'); fs.closeSync(fd); syncDir(W)`)
    expect(tree(durable)).toEqual({ f: '' })
  })

  it('records writes and syncs made on libuv threads (streams, async fsync)', () => {
    const { durable } = recordIn(`
      const out = fs.createWriteStream(W + '/s', { flush: true }); out.end('streamed')`)
    expect(tree(durable)).toEqual({ s: 'streamed' })
  })

  it('drops a last record cut short by the kill', () => {
    const { recording } = recordIn(`
      const fd = fs.openSync(W + '/a', 'w'); fs.writeSync(fd, 'one'); fs.fsyncSync(fd); fs.closeSync(fd)`)
    const size = statSync(recording.log).size
    truncateSync(recording.log, size - 3) // into the close record
    expect(() => buildDurableImage(recording.log, makeTempDir('powercut-work-'))).not.toThrow()
  })

  it('refuses a log that passed its cap, naming the setting to raise', () => {
    const directory = realpathSync(makeTempDir('powercut-watched-'))
    const work = makeTempDir('powercut-work-')
    const recording = { shim, directory, log: join(work, 'log') }
    const run = spawnSync(process.execPath, ['-e', `require('node:fs').writeFileSync(process.argv[1] + '/big', Buffer.alloc(4096))`, '--', directory], {
      env: { ...recordingEnv(recording), POWERCUT_LOG_LIMIT: '1000' },
      encoding: 'utf8',
    })
    expect(run.stderr).toContain('POWERCUT_LOG_LIMIT')
    expect(() => buildDurableImage(recording.log, work)).toThrow(/passed its cap of 1000 bytes.*POWERCUT_LOG_LIMIT/)
  })
})
