import { Readable } from 'node:stream'
import { encodeKey } from './cache-key.js'
import { COMPRESSION_CODECS, codecForMode } from './compression.js'
import { resolveEntryOptions, type SetOptions } from './entry-options.js'
import { InvalidValueError } from './errors.js'
import type { Store } from './store.js'
import { isBinaryKind, ValueKind } from './value-codec.js'
import { readOnlyError } from './translate-error.js'

type Row = [number, number, unknown, string | null, number | null]

/**
 * Opens a stored value as a byte stream. File-backed values are streamed from
 * their file (opened now, so a concurrent delete cannot cut the read short);
 * inline values come from memory. Only bytes and strings have a byte form.
 */
export function readStream(store: Store, key: unknown): Readable | undefined {
  const [kind, stored] = encodeKey(key)
  const row = store.run(() => store.statements.get.get(kind, stored)) as Row | undefined
  if (row === undefined || (row[4] !== null && row[4] <= store.now())) return undefined
  const [id, mode, value, filename] = row
  if (!isBinaryKind(mode)) {
    throw new InvalidValueError('getStream() streams Buffers and strings only; this value is a serialized object, read it with get()')
  }
  const codec = codecForMode(mode)
  let source: Readable
  if (filename === null) {
    // A byte stream like the file case (Readable.from defaults to object mode).
    source = Readable.from([typeof value === 'string' ? Buffer.from(value, 'utf8') : (value as Buffer)], { objectMode: false })
  } else {
    const opened = store.run(() => store.files.openStream(filename))
    if (opened === 'missing') return undefined
    const damage = store.damageOf(id, filename, opened === 'unsafe' ? opened : opened.size)
    if (damage !== null) {
      if (opened !== 'unsafe') opened.stream.destroy()
      if (damage !== 'replaced') store.dropDamagedEntry(id, filename, damage)
      return undefined
    }
    source = (opened as { stream: Readable }).stream
  }
  return codec ? source.pipe(codec.createDecompressor()) : source
}

/** Streams `source` into a new value file, then stores the entry pointing at it. */
export async function writeStream(
  store: Store,
  key: unknown,
  source: Readable | AsyncIterable<Uint8Array>,
  options?: SetOptions,
): Promise<void> {
  const [kind, stored] = encodeKey(key)
  resolveEntryOptions(options, store.now()) // validate before any bytes move
  if (store.options.readonly) throw readOnlyError(store.directory, 'setStream')
  const readable = source instanceof Readable ? source : Readable.from(source)
  const compression = store.settings.compression
  const codec = compression === 'none' ? undefined : COMPRESSION_CODECS[compression]
  const name = store.reserveFileName()
  let size: number
  try {
    size = await store.files.writeTempStream(name, readable, codec?.createCompressor())
  } catch (error) {
    store.abandonFileName(name) // writeTempStream removed what it wrote
    throw store.translate(error)
  }
  const staged = {
    encoded: { mode: ValueKind.Bytes | (codec?.flag ?? 0), data: Buffer.alloc(0), toFile: true },
    file: name,
    size,
  }
  try {
    store.refuseIfTooLarge(size)
    store.write('setStream', () => {
      const now = store.now()
      store.putEntry(kind, stored, staged, resolveEntryOptions(options, now), now)
    })
  } finally {
    store.discardTempFile(name)
  }
}
