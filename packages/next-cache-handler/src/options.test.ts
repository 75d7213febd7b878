import { join } from 'node:path'
import { InvalidOptionError } from '@diskcache/core'
import { DEFAULT_NEXT_CACHE_OPTIONS, resolveNextCacheOptions } from './options.js'

describe('resolveNextCacheOptions()', () => {
  it('defaults the directory to .next/cache/diskcache under the working directory', () => {
    const options = resolveNextCacheOptions({}, {}, '/srv/app')
    expect(options.directory).toBe(join('/srv/app', '.next', 'cache', 'diskcache'))
    expect(options).toMatchObject(DEFAULT_NEXT_CACHE_OPTIONS)
  })

  it('reads every option from its environment variable, numbers included', () => {
    const env = {
      DISKCACHE_NEXT_DIR: '/data/next-cache',
      DISKCACHE_NEXT_SIZE_LIMIT: '1048576',
      DISKCACHE_NEXT_COMPRESSION: 'gzip',
      DISKCACHE_NEXT_KEY_PREFIX: 'shop',
      DISKCACHE_NEXT_MAX_AGE: '60000',
      DISKCACHE_NEXT_MEMORY_LIMIT: '0',
      DISKCACHE_NEXT_TIMEOUT: '250',
    }
    expect(resolveNextCacheOptions({}, env, '/srv/app')).toMatchObject({
      directory: '/data/next-cache',
      sizeLimit: 1048576,
      compression: 'gzip',
      keyPrefix: 'shop',
      maxAge: 60000,
      memoryLimit: 0,
      timeout: 250,
    })
  })

  it('lets options given in code win over the environment', () => {
    expect(resolveNextCacheOptions({ directory: '/a' }, { DISKCACHE_NEXT_DIR: '/b' }).directory).toBe('/a')
  })

  it('rejects a misspelt option, suggesting the right one', () => {
    expect(() => resolveNextCacheOptions({ sizelimit: 1 } as never, {})).toThrow(InvalidOptionError)
    expect(() => resolveNextCacheOptions({ sizelimit: 1 } as never, {})).toThrow('did you mean "sizeLimit"?')
  })

  it('rejects a bad value, naming the environment variable that may have set it', () => {
    expect(() => resolveNextCacheOptions({}, { DISKCACHE_NEXT_SIZE_LIMIT: '1GB' })).toThrow(/DISKCACHE_NEXT_SIZE_LIMIT/)
    expect(() => resolveNextCacheOptions({ compression: 'zip' as never }, {})).toThrow(/'none', 'gzip' or 'brotli'/)
  })

  it('accepts 0 for memoryLimit (keep nothing in memory) but rejects it where 0 makes no sense', () => {
    expect(resolveNextCacheOptions({ memoryLimit: 0 }, {}).memoryLimit).toBe(0)
    expect(() => resolveNextCacheOptions({ memoryLimit: -1 }, {})).toThrow('"memoryLimit" must be a number >= 0 (DISKCACHE_NEXT_MEMORY_LIMIT')
    expect(() => resolveNextCacheOptions({ sizeLimit: 0 }, {})).toThrow('"sizeLimit" must be a number > 0')
  })

  it('does not change the caller\'s object', () => {
    const input = Object.freeze({ keyPrefix: 'x' })
    expect(resolveNextCacheOptions(input, {}).keyPrefix).toBe('x')
  })
})
