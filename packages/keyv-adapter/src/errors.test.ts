import { CacheClosedError, DiskCacheError } from '@diskcache/core'
import { Keyv } from 'keyv'
import { KeyvDiskCache } from './keyv-disk-cache.js'
import { makeTempDir } from './test-support/open-store.js'

// A Keyv on a store whose cache is closed: every call fails with CacheClosedError.
async function brokenKeyv(options: { throwOnErrors?: boolean } = {}): Promise<{ keyv: Keyv; errors: unknown[] }> {
  const store = new KeyvDiskCache(makeTempDir())
  const keyv = new Keyv({ store, ...options })
  await keyv.set('k', 'v')
  await store.disconnect()
  const errors: unknown[] = []
  keyv.on('error', (error: unknown) => errors.push(error))
  return { keyv, errors }
}

describe("failures reach Keyv's 'error' event once per failed call", () => {
  it('for get, which Keyv would otherwise swallow into a miss', async () => {
    const { keyv, errors } = await brokenKeyv()
    expect(await keyv.get('k')).toBeUndefined()
    expect(errors).toHaveLength(1)
    expect(errors[0]).toBeInstanceOf(CacheClosedError)
  })

  it('for writes, which Keyv reports itself and answers with false', async () => {
    const { keyv, errors } = await brokenKeyv()
    expect(await keyv.set('k', 'v')).toBe(false)
    expect(await keyv.delete('k')).toBe(false)
    await keyv.clear()
    expect(errors).toHaveLength(3)
    for (const error of errors) expect(error).toBeInstanceOf(DiskCacheError)
  })

  it('for has, getMany and the iterator, whose rejection also reaches the caller', async () => {
    const { keyv, errors } = await brokenKeyv()
    await expect(keyv.has('k')).rejects.toBeInstanceOf(CacheClosedError)
    await expect(keyv.getMany(['k'])).rejects.toBeInstanceOf(CacheClosedError)
    await expect(keyv.iterator!().next()).rejects.toBeInstanceOf(CacheClosedError)
    expect(errors).toHaveLength(3)
  })

  it('and reject the call itself with throwOnErrors', async () => {
    const { keyv, errors } = await brokenKeyv({ throwOnErrors: true })
    await expect(keyv.get('k')).rejects.toMatchObject({ code: 'CACHE_CLOSED' })
    await expect(keyv.set('k', 'v')).rejects.toMatchObject({ code: 'CACHE_CLOSED' })
    expect(errors).toHaveLength(2)
  })
})

describe('a store used without Keyv', () => {
  it('rejects failed calls without an error listener (and does not throw an unhandled event)', async () => {
    const store = new KeyvDiskCache(makeTempDir())
    await store.disconnect()
    await expect(store.get('k')).rejects.toBeInstanceOf(CacheClosedError)
    await expect(store.set('k', 'v')).rejects.toBeInstanceOf(CacheClosedError)
  })
})
