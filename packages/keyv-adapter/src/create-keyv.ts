import { InvalidOptionError } from '@diskcache/core'
import { Keyv, type KeyvOptions } from 'keyv'
import { KeyvDiskCache } from './keyv-disk-cache.js'
import type { KeyvDiskCacheOptions } from './keyv-disk-cache-options.js'

/** Keyv's own options for `createKeyv` (everything but `store`). */
export type CreateKeyvOptions = Omit<KeyvOptions, 'store'>

/**
 * A Keyv on a KeyvDiskCache, set up the way this store works best:
 * - `useKeyPrefix: false`: the store keeps namespaces apart itself, so keys
 *   are stored exactly as you pass them (and a namespace may contain ':');
 * - Keyv's JSON serializer off: core's serializer (v8 by default) stores the
 *   envelope, so Buffers, Dates, Maps, Sets and bigints come back as they went
 *   in, as they do from cache-manager's in-memory store;
 * - the store unwraps Keyv's `{ value, expires }` envelope (`unwrapEnvelopes`):
 *   the value is stored as itself and `expires` in core's expiry column, so a
 *   string, number or Buffer is read back without any serializer.
 * Pass `serialize`/`deserialize` to use Keyv's serializer after all. Keyv's
 * `compression` works only through its serializer: use core's `compression`
 * option (in the first argument) instead.
 */
export function createKeyv(directoryOrOptions?: string | KeyvDiskCacheOptions, keyvOptions: CreateKeyvOptions = {}): Keyv {
  if ('store' in keyvOptions) {
    throw new InvalidOptionError('createKeyv() makes the store itself: leave "store" out, or use new Keyv({ store: new KeyvDiskCache(...) })')
  }
  const usesKeyvSerializer = keyvOptions.serialize !== undefined || keyvOptions.deserialize !== undefined
  if (keyvOptions.compression !== undefined && !usesKeyvSerializer) {
    throw new InvalidOptionError(
      'Keyv compresses only through its serializer, which createKeyv() turns off: ' +
        "pass compression: 'gzip' or 'brotli' in the first argument (core compresses the stored value) instead",
    )
  }
  const options = typeof directoryOrOptions === 'string' ? { directory: directoryOrOptions } : { ...directoryOrOptions }
  const store = new KeyvDiskCache({ unwrapEnvelopes: !usesKeyvSerializer, ...options })
  return new Keyv({ serialize: undefined, deserialize: undefined, useKeyPrefix: false, ...keyvOptions, store })
}
