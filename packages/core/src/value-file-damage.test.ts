import { appendFileSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Cache } from './cache.js'
import { InvalidValueError } from './errors.js'
import { openCacheIn as openCache } from './test-support/open-cache.js'
import { makeTempDir } from './test-support/temp-dir.js'

afterEach(() => {
  jest.restoreAllMocks()
})

function filenameOf(cache: Cache, key: string): string {
  return cache.store.db.prepare('SELECT filename FROM entries WHERE kind = 1 AND key = ?').pluck().get(key) as string
}

const VALUES: [string, unknown][] = [
  ['a string', 's'.repeat(5000)],
  ['bytes', Buffer.alloc(5000, 7)],
  ['an object (v8)', { text: 'o'.repeat(5000), list: [1, 2, 3] }],
]

describe.each([
  ['truncated', (path: string) => truncateSync(path, 100)],
  ['grown by a writer from outside', (path: string) => appendFileSync(path, 'junk')],
])('a value file %s', (_damage, damage) => {
  it.each(VALUES)('reads as a miss for %s, drops the entry and its file, and warns once', (_kind, value) => {
    const dir = makeTempDir()
    const cache = openCache(dir, { fileThreshold: 1000 })
    cache.set('damaged', value)
    cache.set('sound', value)
    const file = filenameOf(cache, 'damaged')
    damage(join(dir, file))
    const warn = jest.spyOn(process, 'emitWarning').mockImplementation(() => {})
    expect(cache.get('damaged')).toBeUndefined()
    expect(cache.has('damaged')).toBe(false)
    expect(cache.get('sound')).toEqual(value)
    expect(cache.check()).toEqual({ ok: true, problems: [] }) // the file went with its entry
    // One warning per process: an earlier test in this file may have used it up.
    for (const [message, options] of warn.mock.calls) {
      expect(options).toEqual(expect.objectContaining({ code: 'DISKCACHE_DAMAGED_VALUE_FILE' }))
      expect(message).toContain(file)
    }
  })

  it('is skipped by getWithMeta, getMany, iteration, pop, getStream and pull', () => {
    const dir = makeTempDir()
    const cache = openCache(dir, { fileThreshold: 1000 })
    jest.spyOn(process, 'emitWarning').mockImplementation(() => {})
    const big = 'v'.repeat(5000)
    const reads: [string, (key: string) => unknown][] = [
      ['getWithMeta', (key) => cache.getWithMeta(key)],
      ['getMany', (key) => cache.getMany([key])[0]],
      ['values', (key) => [...cache.values()].find((value) => value === key)],
      ['pop', (key) => cache.pop(key)],
      ['getStream', (key) => cache.getStream(key)],
    ]
    for (const [name, read] of reads) {
      cache.set(name, big)
      damage(join(dir, filenameOf(cache, name)))
      expect([name, read(name)]).toEqual([name, undefined])
    }
    const queueKey = cache.push(big, { prefix: 'q' })
    damage(join(dir, filenameOf(cache, queueKey as string)))
    expect(cache.pull({ prefix: 'q' })).toBeUndefined()
  })

  it('is reported by check() and dropped, with its file, by check({ fix: true })', () => {
    const dir = makeTempDir()
    const cache = openCache(dir, { fileThreshold: 1000 })
    cache.set('damaged', 'd'.repeat(5000))
    const file = filenameOf(cache, 'damaged')
    damage(join(dir, file))
    expect(cache.check().problems).toEqual([expect.objectContaining({ kind: 'size-mismatch', path: file, fixed: false })])
    expect(cache.check({ fix: true }).ok).toBe(true)
    expect(cache.has('damaged')).toBe(false)
    expect(cache.check()).toEqual({ ok: true, problems: [] })
  })
})

describe('a value file overwritten with garbage of the same length', () => {
  it.each([
    ['v8', { text: 'o'.repeat(5000) }],
    ['json', { text: 'j'.repeat(5000) }],
  ] as const)('makes get() of a %s-serialized value throw InvalidValueError, with the decoder’s error as cause', (serializer, value) => {
    const dir = makeTempDir()
    const cache = openCache(dir, { fileThreshold: 1000, serializer })
    cache.set('garbled', value)
    const path = join(dir, filenameOf(cache, 'garbled'))
    writeFileSync(path, Buffer.alloc(readFileSync(path).length, 0xab))
    let error: unknown
    try {
      cache.get('garbled')
    } catch (thrown) {
      error = thrown
    }
    expect(error).toBeInstanceOf(InvalidValueError)
    expect(error).toMatchObject({ code: 'INVALID_VALUE', cause: expect.objectContaining({ message: expect.any(String) }) })
    expect((error as Error).message).toMatch(/Delete the key/)
    cache.delete('garbled')
    expect(cache.check()).toEqual({ ok: true, problems: [] })
  })

  it('makes get() of a compressed value throw InvalidValueError', () => {
    const dir = makeTempDir()
    const cache = openCache(dir, { fileThreshold: 100, compression: 'gzip' })
    cache.set('garbled', 'text '.repeat(10_000))
    const path = join(dir, filenameOf(cache, 'garbled'))
    writeFileSync(path, Buffer.alloc(readFileSync(path).length, 0xab))
    expect(() => cache.get('garbled')).toThrow(InvalidValueError)
  })
})

describe('a value file deleted by hand', () => {
  it('reads as a miss, and check({ fix: true }) drops the row that pointed at it', () => {
    const dir = makeTempDir()
    const cache = openCache(dir, { fileThreshold: 1000 })
    cache.set('gone', 'g'.repeat(5000))
    cache.set('other', 'o'.repeat(5000))
    const file = filenameOf(cache, 'other')
    rmSync(join(dir, filenameOf(cache, 'gone')))
    expect(cache.get('gone')).toBeUndefined()
    rmSync(join(dir, file))
    expect(cache.check().problems).toContainEqual(expect.objectContaining({ kind: 'missing-file', path: file }))
    expect(cache.check({ fix: true }).ok).toBe(true)
    expect(cache.check()).toEqual({ ok: true, problems: [] })
  })
})
