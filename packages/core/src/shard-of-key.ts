import { encodeKey, KeyKind } from './cache-key.js'

const FNV_OFFSET = 0x811c9dc5
const FNV_PRIME = 0x01000193

/**
 * Which of `shards` databases holds `key`: FNV-1a (32 bit) over the key's kind
 * and its stored form. It depends on nothing but the key, so every process,
 * on every platform and Node version, sends a key to the same shard; and 1,
 * 1n and '1' are hashed as the three different keys they are.
 * Throws InvalidKeyError for a key the cache cannot store.
 */
export function shardOfKey(key: unknown, shards: number): number {
  const [kind, stored] = encodeKey(key)
  let hash = Math.imul(FNV_OFFSET ^ kind, FNV_PRIME)
  if (kind === KeyKind.Bytes) {
    for (const byte of stored as Buffer) hash = Math.imul(hash ^ byte, FNV_PRIME)
  } else {
    const text = typeof stored === 'string' ? stored : String(stored)
    for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), FNV_PRIME)
  }
  return (hash >>> 0) % shards
}
