// Part 4 — a value far bigger than memory should stream through in constant memory.
//
// Runs in its own process. A generator yields `mb` MiB as 64 KiB chunks into
// setStream; then getStream reads it back and the bytes are counted (and
// SHA-256-hashed on both sides, unless hash is off, so a truncated or reordered
// value fails the run). RSS is sampled every 50 ms; VmHWM, the kernel's record
// of the process's peak RSS over its whole life, catches any spike between
// samples. `contender: 'fs'` does the same through plain fs streams (the
// floor for throughput).
import { createHash } from 'node:crypto'
import { createReadStream, createWriteStream, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { loadCore } from '../lib/contenders.mjs'
import { memoryNow, onInterrupt, partMain, progress } from '../lib/proc.mjs'

const MiB = 1024 * 1024

async function* chunks(total, size, hash) {
  for (let offset = 0, i = 0; offset < total; offset += size, i++) {
    const chunk = Buffer.allocUnsafe(Math.min(size, total - offset)).fill(i & 255)
    hash?.update(chunk)
    yield chunk
  }
}

export async function run({ contender = 'ours', mb = 1024, chunkKiB = 64, hash = true, scratch = tmpdir() }) {
  const total = mb * MiB
  const dir = mkdtempSync(join(scratch, `diskcache-bench-stream-${contender}-`))
  const forget = onInterrupt(() => rmSync(dir, { recursive: true, force: true }))
  const start = memoryNow()
  let peak = start.rss
  const sampler = setInterval(() => {
    peak = Math.max(peak, memoryNow().rss)
  }, 50)
  const inHash = hash ? createHash('sha256') : undefined
  const outHash = hash ? createHash('sha256') : undefined
  let bytesOut = 0
  let cache
  let note
  try {
    let open
    const { Cache, DEFAULT_SETTINGS } = contender === 'ours' ? loadCore() : {}
    const startedAt = performance.now()
    if (contender === 'ours') {
      // A value must fit in the cache: one larger than sizeLimit is refused
      // (ValueTooLargeError), and one that fills it alone is evicted by the
      // next write's cull. The default limit (1 GiB) is no bigger than the
      // 1 GiB value, so the test gives the cache 4× the value's size.
      const sizeLimit = Math.max(DEFAULT_SETTINGS.sizeLimit, 4 * total)
      if (sizeLimit !== DEFAULT_SETTINGS.sizeLimit) {
        note =
          `sizeLimit raised to ${sizeLimit / MiB} MiB (4× the value): under the default ${DEFAULT_SETTINGS.sizeLimit / MiB} MiB a value larger ` +
          'than the limit throws ValueTooLargeError, and one that fills it alone is evicted by the next write'
      }
      cache = new Cache(join(dir, 'cache'), { sizeLimit })
      await cache.setStream('big', chunks(total, chunkKiB * 1024, inHash))
    } else {
      const path = join(dir, 'plain.bin')
      await pipeline(Readable.from(chunks(total, chunkKiB * 1024, inHash)), createWriteStream(path))
      open = () => createReadStream(path)
    }
    const wroteAt = performance.now()
    const source = contender === 'ours' ? cache.getStream('big') : open()
    if (source === undefined) throw new Error('getStream returned undefined right after setStream: the value is gone')
    for await (const chunk of source) {
      bytesOut += chunk.length
      outHash?.update(chunk)
    }
    const readAt = performance.now()
    clearInterval(sampler)
    const end = memoryNow()
    peak = Math.max(peak, end.rss)
    const inDigest = inHash?.digest('hex')
    const outDigest = outHash?.digest('hex')
    if (bytesOut !== total) throw new Error(`read back ${bytesOut} bytes of ${total}`)
    if (inDigest !== outDigest) throw new Error('the bytes read back differ from the bytes written (SHA-256)')
    const writeSeconds = (wroteAt - startedAt) / 1000
    const readSeconds = (readAt - wroteAt) / 1000
    progress(`stream (${contender}): ${mb} MiB in ${writeSeconds.toFixed(1)} s, out ${readSeconds.toFixed(1)} s`)
    return {
      contender,
      mb,
      chunkKiB,
      hashed: hash,
      sha256: inDigest,
      bytes: bytesOut,
      writeSeconds,
      readSeconds,
      writeMBps: mb / writeSeconds,
      readMBps: mb / readSeconds,
      rssStart: start.rss,
      rssEnd: end.rss,
      peakSampled: peak,
      vmHWM: end.hwm,
      peak: Math.max(peak, end.hwm ?? 0),
      note,
    }
  } finally {
    clearInterval(sampler)
    try {
      cache?.delete('big')
      cache?.close()
    } finally {
      rmSync(dir, { recursive: true, force: true })
      forget()
    }
  }
}

await partMain(import.meta.url, run)
