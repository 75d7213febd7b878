import { DiskCacheError, InvalidOptionError } from '@diskcache/core'
import { resolveHttpCacheOptions, resolveRouteOptions } from './http-cache-options.js'

describe('resolveHttpCacheOptions()', () => {
  it('refuses a misspelt option and suggests the right one', () => {
    expect(() => resolveHttpCacheOptions({ max_body_size: 10 } as never)).toThrow('unknown diskCacheMiddleware option "max_body_size"; did you mean "maxBodySize"?')
    expect(() => resolveRouteOptions({ tll: 5 } as never)).toThrow('did you mean "ttl"?')
  })

  it('throws InvalidOptionError, a DiskCacheError with code INVALID_OPTION, for a bad value', () => {
    const attempt = () => resolveHttpCacheOptions({ ttl: -1 })
    expect(attempt).toThrow(InvalidOptionError)
    expect(attempt).toThrow(DiskCacheError)
    expect(attempt).toThrow(expect.objectContaining({ code: 'INVALID_OPTION' }))
    expect(() => resolveHttpCacheOptions({ collapse: 'cluster' as never })).toThrow(`"collapse" must be one of 'process', 'host', 'none'`)
  })

  it('fills in defaults without touching the caller’s object', () => {
    const input = { ttl: 1000 }
    const resolved = resolveHttpCacheOptions(input)
    expect(resolved).toMatchObject({ ttl: 1000, maxBodySize: 2 ** 20, statusHeader: 'x-cache', collapse: 'process', setCookie: 'skip' })
    expect(input).toEqual({ ttl: 1000 })
  })
})

describe('the purge option', () => {
  it('is off by default and when false', () => {
    expect(resolveHttpCacheOptions({}).purge).toBeUndefined()
    expect(resolveHttpCacheOptions({ purge: false }).purge).toBeUndefined()
  })

  it('keeps a digest of the secret, not the secret, with the default path', () => {
    const purge = resolveHttpCacheOptions({ purge: { secret: 'a-long-enough-secret' } }).purge
    expect(purge?.path).toBe('/__cache/purge')
    expect(purge?.digest).toHaveLength(32)
    expect(JSON.stringify(purge)).not.toContain('a-long-enough-secret')
  })

  it('refuses a short or missing secret, a path that is not a path, and a misspelt field', () => {
    expect(() => resolveHttpCacheOptions({ purge: { secret: 'short' } })).toThrow('"purge.secret" must be a string of at least 16 characters')
    expect(() => resolveHttpCacheOptions({ purge: {} as never })).toThrow(InvalidOptionError)
    expect(() => resolveHttpCacheOptions({ purge: { path: 'purge', secret: 'a-long-enough-secret' } })).toThrow(`"purge.path" must be a path starting with '/'`)
    expect(() => resolveHttpCacheOptions({ purge: { secret: 'a-long-enough-secret', pth: '/p' } as never })).toThrow('did you mean "path"?')
  })
})

describe('the storeTimeout option', () => {
  it('defaults to 100 ms, and takes a whole number of milliseconds', () => {
    expect(resolveHttpCacheOptions({}).storeTimeout).toBe(100)
    expect(resolveHttpCacheOptions({ storeTimeout: 0 }).storeTimeout).toBe(0)
    for (const bad of [-1, 0.5, NaN, '100', 2 ** 31]) {
      expect(() => resolveHttpCacheOptions({ storeTimeout: bad as never })).toThrow('"storeTimeout" must be a whole number of milliseconds')
    }
  })

  it('is refused beside a cache of your own, whose timeout is yours to choose', () => {
    const cache = { evict: () => 0 } as never
    expect(() => resolveHttpCacheOptions({ cache, storeTimeout: 50 })).toThrow('give the Cache you pass its own { timeout }')
  })
})
