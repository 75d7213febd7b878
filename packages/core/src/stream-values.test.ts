import { createHash } from 'node:crypto'
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { InvalidOptionError, InvalidTtlError, InvalidValueError, ValueTooLargeError } from './errors.js'
import { openCacheIn as openCache } from './test-support/open-cache.js'
import { listValueFiles, makeTempDir, manualClock } from './test-support/temp-dir.js'


/** Deterministic bytes, made one chunk at a time; `digest` is the sha256 of everything produced. */
function generated(chunks: number, chunkSize: number): { stream: Readable; digest: Promise<string>; total: number } {
  const hash = createHash('sha256')
  let i = 0
  let resolveDigest!: (value: string) => void
  const digest = new Promise<string>((resolve) => (resolveDigest = resolve))
  const stream = new Readable({
    read() {
      if (i === chunks) {
        resolveDigest(hash.digest('hex'))
        this.push(null)
        return
      }
      const chunk = Buffer.alloc(chunkSize)
      for (let offset = 0; offset < chunkSize; offset += 4) chunk.writeUInt32LE((i * 7919 + offset) >>> 0, offset)
      hash.update(chunk)
      i++
      this.push(chunk)
    },
  })
  return { stream, digest, total: chunks * chunkSize }
}

async function drain(stream: Readable): Promise<{ digest: string; bytes: number; chunks: number }> {
  const hash = createHash('sha256')
  let bytes = 0
  let chunks = 0
  for await (const chunk of stream) {
    expect(Buffer.isBuffer(chunk)).toBe(true)
    hash.update(chunk as Buffer)
    bytes += (chunk as Buffer).length
    chunks++
  }
  return { digest: hash.digest('hex'), bytes, chunks }
}

const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex')

describe('cache.setStream() and cache.getStream()', () => {
  it('stream a multi-megabyte value in and out byte for byte', async () => {
    const dir = makeTempDir()
    const cache = openCache(dir)
    const source = generated(96, 64 * 1024) // 6 MiB
    await cache.setStream('big', source.stream)
    const [file] = listValueFiles(dir)
    expect(statSync(join(dir, file!)).size).toBe(source.total)
    const out = await drain(cache.getStream('big')!)
    expect(out.bytes).toBe(source.total)
    expect(out.digest).toBe(await source.digest)
    expect(out.chunks).toBeGreaterThan(1) // streamed, not handed over whole
    expect(sha256(cache.get('big') as Buffer)).toBe(await source.digest) // a plain get() reads it as bytes
  })

  it.each(['gzip', 'brotli'] as const)('store the value compressed with %s and stream it out decompressed', async (compression) => {
    const dir = makeTempDir()
    const cache = openCache(dir, { compression })
    const source = generated(48, 64 * 1024) // 3 MiB
    await cache.setStream('big', source.stream)
    const [file] = listValueFiles(dir)
    const onDisk = statSync(join(dir, file!)).size
    expect(onDisk).toBeLessThan(source.total) // the file holds the compressed form
    if (compression === 'gzip') expect(readFileSync(join(dir, file!)).subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]))
    const out = await drain(cache.getStream('big')!)
    expect(out.bytes).toBe(source.total)
    expect(out.digest).toBe(await source.digest)
    expect(sha256(cache.get('big') as Buffer)).toBe(await source.digest)
    // Another process opening without the option still reads it: the mode is stored per entry.
    const other = openCache(dir, {})
    expect((await drain(other.getStream('big')!)).digest).toBe(await source.digest)
  })

  it('accepts an async generator', async () => {
    const dir = makeTempDir()
    const cache = openCache(dir)
    const parts = ['alpha ', 'beta ', 'gamma'].map((text) => Buffer.from(text))
    await cache.setStream('gen', (async function* () {
      for (const part of parts) {
        await Promise.resolve()
        yield part
      }
    })())
    expect(cache.get('gen')).toEqual(Buffer.from('alpha beta gamma'))
  })

  it('accepts a ttl and tags, and checks them before reading the source', async () => {
    const dir = makeTempDir()
    const clock = manualClock()
    const cache = openCache(dir, { now: clock.now })
    await cache.setStream('t', Readable.from([Buffer.from('abc')]), { ttl: 1000, tags: ['group'] })
    expect(cache.getWithMeta('t')).toMatchObject({ value: Buffer.from('abc'), expiresAt: clock.now() + 1000, tags: ['group'] })
    clock.advance(1000)
    expect(cache.getStream('t')).toBeUndefined()
    let pulled = false
    const untouched = new Readable({
      read() {
        pulled = true
        this.push(null)
      },
    })
    await expect(cache.setStream('bad', untouched, { ttl: -1 })).rejects.toBeInstanceOf(InvalidTtlError)
    await expect(cache.setStream('bad', untouched, { tags: 'x' as unknown as string[] })).rejects.toBeInstanceOf(InvalidOptionError)
    expect(pulled).toBe(false)
    expect(listValueFiles(dir)).toHaveLength(1)
  })

  it('replace an existing value and remove its old file', async () => {
    const dir = makeTempDir()
    const cache = openCache(dir, { fileThreshold: 100 })
    cache.set('k', 'old'.repeat(100))
    const [old] = listValueFiles(dir)
    await cache.setStream('k', Readable.from([Buffer.from('new')]))
    expect(listValueFiles(dir)).not.toContain(old)
    expect(listValueFiles(dir)).toHaveLength(1)
    expect(cache.get('k')).toEqual(Buffer.from('new'))
  })

  it('keep serving a stream that was opened before its entry was deleted', async () => {
    const dir = makeTempDir()
    const cache = openCache(dir)
    const source = generated(32, 64 * 1024)
    await cache.setStream('k', source.stream)
    const reading = cache.getStream('k')!
    cache.delete('k') // unlinks the file after commit
    expect(listValueFiles(dir)).toEqual([])
    expect((await drain(reading)).digest).toBe(await source.digest)
  })
})

describe('cache.getStream() of an inline value', () => {
  it('streams a Buffer as its bytes, as an ordinary byte stream', async () => {
    const cache = openCache(makeTempDir())
    cache.set('b', Buffer.from([1, 2, 3]))
    const stream = cache.getStream('b')!
    expect(stream.readableObjectMode).toBe(false)
    expect(await drain(stream)).toMatchObject({ bytes: 3, digest: sha256(Buffer.from([1, 2, 3])) })
  })

  it('streams a string as UTF-8', async () => {
    const cache = openCache(makeTempDir())
    cache.set('s', 'héllo ✓')
    expect((await drain(cache.getStream('s')!)).digest).toBe(sha256(Buffer.from('héllo ✓', 'utf8')))
  })

  it('streams a compressed inline string decompressed', async () => {
    const cache = openCache(makeTempDir(), { compression: 'gzip', compressionThreshold: 10 })
    const text = 'compress me '.repeat(100)
    cache.set('s', text)
    expect(cache.store.db.prepare('SELECT mode FROM entries').pluck().get()).toBe(1 | 16) // string, gzip
    expect((await drain(cache.getStream('s')!)).digest).toBe(sha256(text))
  })

  it('streams an empty Buffer as no bytes', async () => {
    const cache = openCache(makeTempDir())
    cache.set('e', Buffer.alloc(0))
    expect((await drain(cache.getStream('e')!)).bytes).toBe(0)
  })

  it('throws InvalidValueError for objects and numbers, which have no byte form', () => {
    const cache = openCache(makeTempDir(), { fileThreshold: 100 })
    cache.set('o', { a: 1 })
    cache.set('big-o', { a: 'x'.repeat(1000) })
    cache.set('n', 5)
    for (const key of ['o', 'big-o', 'n']) expect(() => cache.getStream(key)).toThrow(InvalidValueError)
  })

  it('returns undefined for a missing key and for a file deleted by hand', () => {
    const dir = makeTempDir()
    const cache = openCache(dir, { fileThreshold: 100 })
    expect(cache.getStream('missing')).toBeUndefined()
    cache.set('f', Buffer.alloc(1000, 1))
    const [file] = listValueFiles(dir)
    rmSync(join(dir, file!))
    expect(cache.getStream('f')).toBeUndefined()
  })
})

describe('a source stream that fails', () => {
  it('half-way stores nothing, keeps the old value and leaves no temp file', async () => {
    const dir = makeTempDir()
    const cache = openCache(dir, { fileThreshold: 100 })
    cache.set('k', 'old'.repeat(100))
    const filesBefore = listValueFiles(dir)
    let sent = 0
    const failing = new Readable({
      read() {
        if (sent === 8) {
          this.destroy(new Error('upstream hung up'))
          return
        }
        sent++
        this.push(Buffer.alloc(64 * 1024, sent))
      },
    })
    await expect(cache.setStream('k', failing)).rejects.toThrow('upstream hung up')
    await expect(cache.setStream('new', failing)).rejects.toThrow()
    expect(cache.get('k')).toBe('old'.repeat(100))
    expect(cache.has('new')).toBe(false)
    expect(listValueFiles(dir)).toEqual(filesBefore)
  })

  it('from an async generator stores nothing and leaves no temp file', async () => {
    const dir = makeTempDir()
    const cache = openCache(dir)
    await expect(
      cache.setStream('k', (async function* () {
        yield Buffer.alloc(100_000, 1)
        throw new Error('generator broke')
      })()),
    ).rejects.toThrow('generator broke')
    expect(cache.has('k')).toBe(false)
    expect(listValueFiles(dir)).toEqual([])
  })

  it('before its first byte leaves no temp file, however fast it fails', async () => {
    const dir = makeTempDir()
    const cache = openCache(dir)
    for (let i = 0; i < 30; i++) {
      const failing = new Readable({
        read() {
          this.destroy(new Error('no data'))
        },
      })
      await expect(cache.setStream(`k${i}`, failing)).rejects.toThrow('no data')
    }
    expect(listValueFiles(dir)).toEqual([])
    expect(cache.size).toBe(0)
  })
})

describe('cache.setStream() of a value larger than sizeLimit', () => {
  it('throws ValueTooLargeError, keeps the old value and leaves no file behind', async () => {
    const dir = makeTempDir()
    const cache = openCache(dir, { sizeLimit: 200_000 })
    cache.set('big', 'old value')
    const chunks = Array.from({ length: 5 }, () => Buffer.alloc(64 * 1024, 7))
    await expect(cache.setStream('big', Readable.from(chunks))).rejects.toBeInstanceOf(ValueTooLargeError)
    expect(cache.get('big')).toBe('old value')
    expect(listValueFiles(dir)).toEqual([])
  })
})
