import { COMPRESSION_CODECS, type CompressionName, codecForMode } from './compression.js'
import { InvalidValueError } from './errors.js'
import { BUILTIN_SERIALIZERS, type Serializer, type SerializerName } from './serializer.js'

/**
 * The `mode` column: what kind of value a row holds (low bits) and how it was
 * compressed (16 = gzip, 32 = brotli). Strings, numbers, bigints and bytes are
 * stored natively and cost no serialization; everything else goes through a
 * serializer, whose identity is recorded so any process can read it back.
 */
export enum ValueKind {
  String = 1,
  Number = 2,
  BigInt = 3,
  Bytes = 4,
  V8 = 5,
  Json = 6,
  Custom = 7,
}

const KIND_MASK = 15
const SERIALIZER_KINDS: Record<SerializerName | 'custom', ValueKind> = {
  v8: ValueKind.V8,
  json: ValueKind.Json,
  custom: ValueKind.Custom,
}

export interface ValueCodecConfig {
  serializer: SerializerName | 'custom'
  customSerializer: Serializer | undefined
  compression: CompressionName
  compressionThreshold: number
  fileThreshold: number
}

/** A value ready for the database: inline `data`, or bytes bound for a value file. */
export interface EncodedValue {
  mode: number
  data: string | number | Buffer
  /** Set when the value belongs in its own file. */
  toFile: boolean
}

export function encodeValue(value: unknown, config: ValueCodecConfig): EncodedValue {
  switch (typeof value) {
    case 'string':
      // A UTF-8 string takes at most 3 bytes per UTF-16 unit: skip encoding it when that bound is below every threshold.
      if (value.length * 3 < config.fileThreshold && (config.compression === 'none' || value.length * 3 < config.compressionThreshold)) {
        return { mode: ValueKind.String, data: value, toFile: false }
      }
      return finishBytes(ValueKind.String, Buffer.from(value, 'utf8'), config, value)
    case 'number':
      // SQLite turns NaN into NULL and may drop the sign of -0: let the serializer keep them.
      if (Number.isNaN(value) || Object.is(value, -0)) break
      return { mode: ValueKind.Number, data: value, toFile: false }
    case 'bigint':
      return { mode: ValueKind.BigInt, data: value.toString(), toFile: false }
    case 'object':
      // A Proxy of a Uint8Array passes instanceof but not isView: the serializer refuses it, typed.
      if (value instanceof Uint8Array && ArrayBuffer.isView(value)) {
        const bytes = Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength)
        return finishBytes(ValueKind.Bytes, bytes, config)
      }
  }
  return finishBytes(SERIALIZER_KINDS[config.serializer], serialize(value, config), config)
}

function finishBytes(kind: ValueKind, bytes: Buffer, config: ValueCodecConfig, text?: string): EncodedValue {
  let mode: number = kind
  let data = bytes
  if (config.compression !== 'none' && bytes.length >= config.compressionThreshold) {
    const codec = COMPRESSION_CODECS[config.compression]
    const compressed = codec.compress(bytes)
    // Already-compressed data (images, archives) can grow: keep the smaller form.
    if (compressed.length < bytes.length) {
      mode |= codec.flag
      data = compressed
    }
  }
  if (data.length >= config.fileThreshold) return { mode, data, toFile: true }
  // Short uncompressed strings stay TEXT, so the database stays readable with the sqlite3 shell.
  if (text !== undefined && mode === ValueKind.String) return { mode, data: text, toFile: false }
  return { mode, data, toFile: false }
}

function serialize(value: unknown, config: ValueCodecConfig): Buffer {
  const serializer = serializerFor(config.serializer, config.customSerializer)
  let out: Uint8Array | string
  try {
    out = serializer.serialize(value)
  } catch (error) {
    throw new InvalidValueError(
      `the ${config.serializer} serializer cannot store this value (${(error as Error).message}); ` +
        'convert it to plain data first, or choose another serializer',
      { cause: error },
    )
  }
  if (typeof out === 'string') return Buffer.from(out, 'utf8')
  if (out instanceof Uint8Array) return Buffer.isBuffer(out) ? out : Buffer.from(out.buffer, out.byteOffset, out.byteLength)
  throw new InvalidValueError('a custom serializer must return a string or a Uint8Array from serialize()')
}

function serializerFor(name: SerializerName | 'custom', custom: Serializer | undefined): Serializer {
  if (name !== 'custom') return BUILTIN_SERIALIZERS[name]
  if (custom) return custom
  throw new InvalidValueError(
    'this cache stores values with a custom serializer; pass the same { serializer } object when you open it',
  )
}

/**
 * Turns a stored row value (inline or read from its file) back into what was
 * set. Bytes that no longer decode (damaged by hand, or written with another
 * serializer) throw InvalidValueError, never a bare decoder error.
 */
export function decodeValue(mode: number, stored: unknown, custom: Serializer | undefined): unknown {
  try {
    return decodeStored(mode, stored, custom)
  } catch (error) {
    if (error instanceof InvalidValueError) throw error
    throw new InvalidValueError(
      `a stored value cannot be decoded (${(error as Error)?.message ?? String(error)}): its bytes were damaged, ` +
        'or it was written with another serializer. Delete the key, or store it again',
      { cause: error },
    )
  }
}

function decodeStored(mode: number, stored: unknown, custom: Serializer | undefined): unknown {
  const kind = mode & KIND_MASK
  const codec = codecForMode(mode)
  if (codec === undefined) {
    switch (kind) {
      case ValueKind.String:
        return typeof stored === 'string' ? stored : (stored as Buffer).toString('utf8')
      case ValueKind.Number:
        return stored
      case ValueKind.BigInt:
        return BigInt(stored as string)
      case ValueKind.Bytes:
        return stored
    }
  }
  const bytes = codec ? codec.decompress(stored as Buffer) : (stored as Buffer)
  switch (kind) {
    case ValueKind.String:
      return bytes.toString('utf8')
    case ValueKind.Bytes:
      return bytes
    case ValueKind.V8:
      return BUILTIN_SERIALIZERS.v8.deserialize(bytes)
    case ValueKind.Json:
      return BUILTIN_SERIALIZERS.json.deserialize(bytes)
    case ValueKind.Custom:
      return serializerFor('custom', custom).deserialize(bytes)
    default:
      throw new InvalidValueError(`stored value has unknown mode ${mode}; was it written by a newer diskcache?`)
  }
}

export function valueKind(mode: number): ValueKind {
  return mode & KIND_MASK
}

/** Whether a mode's stored bytes are exactly the value's bytes (streamable as-is after decompression). */
export function isBinaryKind(mode: number): boolean {
  const kind = mode & KIND_MASK
  return kind === ValueKind.Bytes || kind === ValueKind.String
}
