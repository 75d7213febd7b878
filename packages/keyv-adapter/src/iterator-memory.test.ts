import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { KeyvDiskCache } from './keyv-disk-cache.js'
import { makeTempDir } from './test-support/open-store.js'

const run = promisify(execFile)
const CHILD = join(__dirname, 'test-support', 'iterate-child.cjs')
const ENTRIES = 100_000
const HEAP_MB = 16 // the namespace below holds about 25 MB of values, which cannot all fit

// One namespace of 100k entries of 250 bytes, written once for both children:
// straight through the store (one transaction), as Keyv would have serialized them.
const directory = makeTempDir()
beforeAll(async () => {
  const store = new KeyvDiskCache(directory)
  store.namespace = 'big'
  const value = JSON.stringify({ value: 'x'.repeat(250) }) // read back as a new string for every entry
  await store.setMany(Array.from({ length: ENTRIES }, (_, i) => ({ key: `big:k${i}`, value })))
  store.namespace = 'other'
  await store.set('other:k1', JSON.stringify({ value: 'not in the namespace' }))
  await store.disconnect()
})

function iterateInChild(mode: 'count' | 'collect') {
  return run(process.execPath, [`--max-old-space-size=${HEAP_MB}`, CHILD, directory, mode], { encoding: 'utf8' })
}

describe('keyv.iterator() over a 100k-entry namespace', () => {
  it(`visits every entry within a ${HEAP_MB} MB heap, smaller than the namespace`, async () => {
    const { stdout } = await iterateInChild('count')
    expect(JSON.parse(stdout)).toEqual({ seen: ENTRIES, kept: 0 })
  })

  it('runs out of that heap when the values are kept (the control: the limit binds)', async () => {
    await expect(iterateInChild('collect')).rejects.toMatchObject({ stderr: expect.stringMatching(/heap out of memory/i) })
  })
})
