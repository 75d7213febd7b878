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
