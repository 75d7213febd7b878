import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { Cache } from './cache.js'
import { DiskCacheError, InvalidOptionError } from './errors.js'
import { assertKnownOptions, DEFAULT_SETTINGS, resolveOptions } from './options.js'
import { openCache } from './test-support/open-cache.js'
import { makeTempDir } from './test-support/temp-dir.js'

function constructionError(options: unknown, directory = makeTempDir()): unknown {
  try {
    new Cache(directory, options as never).close()
  } catch (error) {
    return error
  }
  return undefined
}

describe('Cache options', () => {
  it.each([
    ['size_limit', 'sizeLimit'],
    ['sizeLimt', 'sizeLimit'],
    ['SIZELIMIT', 'sizeLimit'],
    ['cull_limit', 'cullLimit'],
    ['evictonPolicy', 'evictionPolicy'],
    ['timeOut', 'timeout'],
  ])('reject the unknown option %p and suggest %p', (given, suggested) => {
    const error = constructionError({ [given]: 1 })
    expect(error).toBeInstanceOf(InvalidOptionError)
    expect(error).toBeInstanceOf(TypeError)
    expect(error).toBeInstanceOf(DiskCacheError)
    expect((error as InvalidOptionError).code).toBe('INVALID_OPTION')
    expect((error as Error).message).toContain(`did you mean "${suggested}"?`)
  })

  it('list the known options when nothing is close', () => {
    const error = constructionError({ zzzzzzzzzzzz: 1 })
    expect(error).toBeInstanceOf(InvalidOptionError)
    expect((error as Error).message).toContain('sizeLimit')
  })

  it.each([
    ['a negative sizeLimit', { sizeLimit: -1 }],
    ['a NaN sizeLimit', { sizeLimit: NaN }],
    ['an infinite sizeLimit', { sizeLimit: Infinity }],
    ['a string sizeLimit', { sizeLimit: '1GB' }],
    ['a negative cullLimit', { cullLimit: -1 }],
    ['a fractional cullLimit', { cullLimit: 2.5 }],
    ['an unknown eviction policy', { evictionPolicy: 'random' }],
    ['an unknown compression', { compression: 'zip' }],
    ['an unknown serializer name', { serializer: 'yaml' }],
    ['a serializer without deserialize()', { serializer: { serialize: () => '' } }],
    ['a null serializer', { serializer: null }],
    ['an unknown synchronous mode', { synchronous: 'sometimes' }],
    ['a non-boolean statistics', { statistics: 'yes' }],
    ['a negative timeout', { timeout: -1 }],
    ['a non-boolean readonly', { readonly: 'no' }],
    ['a non-boolean ownerOnly', { ownerOnly: 1 }],
    ['an unknown ifCorrupt', { ifCorrupt: 'ignore' }],
    ['a now that is not a function', { now: 5 }],
    ['a negative fileThreshold', { fileThreshold: -5 }],
    ['a negative compressionThreshold', { compressionThreshold: -5 }],
  ])('reject %s with InvalidOptionError', (_name, options) => {
    expect(constructionError(options)).toBeInstanceOf(InvalidOptionError)
  })

  it('name the option and the value in the message', () => {
    expect((constructionError({ sizeLimit: -1 }) as Error).message).toMatch(/"sizeLimit".*-1/)
    expect((constructionError({ evictionPolicy: 'random' }) as Error).message).toMatch(/least-recently-used/)
  })

  it.each([null, 'fast', 5])('reject options that are not an object: %p', (options) => {
    expect(constructionError(options)).toBeInstanceOf(InvalidOptionError)
  })

  it('reject an empty directory name', () => {
    expect(() => new Cache('')).toThrow(InvalidOptionError)
    expect(() => new Cache(5 as never)).toThrow(InvalidOptionError)
  })

  it('are validated before anything is written to disk', () => {
    const dir = join(makeTempDir(), 'new-cache')
    expect(constructionError({ sizeLimit: -1 }, dir)).toBeInstanceOf(InvalidOptionError)
    expect(existsSync(dir)).toBe(false)
  })

  it('accept the boundaries: zero limits and thresholds', () => {
    const cache = openCache({ sizeLimit: 0, cullLimit: 0, compressionThreshold: 0, timeout: 0 })
    expect(cache.settings).toMatchObject({ sizeLimit: 0, cullLimit: 0, compressionThreshold: 0 })
  })
})

describe('resolveOptions()', () => {
  it('does not change the object it was given', () => {
    const input = Object.freeze({ sizeLimit: 10, timeout: 20 })
    const resolved = resolveOptions(input)
    expect(input).toEqual({ sizeLimit: 10, timeout: 20 })
    expect(resolved.settings).toEqual({ sizeLimit: 10 })
    expect(resolved.process.timeout).toBe(20)
  })

  it('returns only the settings given, so stored ones are not overwritten by defaults', () => {
    expect(resolveOptions({}).settings).toEqual({})
    expect(resolveOptions({ cullLimit: 0 }).settings).toEqual({ cullLimit: 0 })
  })

  it('marks a serializer object as custom', () => {
    const serializer = { serialize: () => '', deserialize: () => null }
    const resolved = resolveOptions({ serializer })
    expect(resolved.settings.serializer).toBe('custom')
    expect(resolved.process.serializer).toBe(serializer)
  })

  it('has defaults matching DEFAULT_SETTINGS', () => {
    expect(DEFAULT_SETTINGS).toMatchObject({ sizeLimit: 2 ** 30, cullLimit: 10, evictionPolicy: 'least-recently-stored' })
  })
})

describe('write options', () => {
  it('reject an unknown option, suggesting the right one', () => {
    const cache = openCache()
    expect(() => cache.set('k', 1, { ttll: 5 } as never)).toThrow(InvalidOptionError)
    expect(() => cache.set('k', 1, { ttll: 5 } as never)).toThrow('did you mean "ttl"?')
    expect(() => cache.set('k', 1, { tag: ['a'] } as never)).toThrow('did you mean "tags"?')
    expect(cache.has('k')).toBe(false)
  })

  it('reject options that are not an object', () => {
    const cache = openCache()
    expect(() => cache.set('k', 1, 5 as never)).toThrow(InvalidOptionError)
    expect(() => cache.set('k', 1, null as never)).toThrow(InvalidOptionError)
  })
})

describe('assertKnownOptions()', () => {
  it('accepts known names and refuses the first unknown one with the closest known name', () => {
    expect(() => assertKnownOptions({ directory: 'x', sizeLimit: 1 }, ['directory', 'sizeLimit'])).not.toThrow()
    expect(() => assertKnownOptions({ directory: 'x', directroy: 'y' }, ['directory', 'cache'])).toThrow(
      new InvalidOptionError('unknown option "directroy"; did you mean "directory"?'),
    )
    expect(() => assertKnownOptions({ zzz: 1 }, ['directory', 'cache'], 'adapter option')).toThrow(
      'unknown adapter option "zzz"; known: directory, cache',
    )
  })
})
