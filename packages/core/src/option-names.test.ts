import { DiskCacheError, InvalidOptionError } from './errors.js'
import { checkOptionNames, unknownName } from './option-names.js'

describe('checkOptionNames()', () => {
  const known = ['ttl', 'maxBodySize', 'tags']

  it('accepts undefined and objects whose names are all known', () => {
    expect(() => checkOptionNames('route option', undefined, known)).not.toThrow()
    expect(() => checkOptionNames('route option', { ttl: 1, tags: [] }, known)).not.toThrow()
  })

  it('names the closest known option, across case, separators and small typos', () => {
    expect(() => checkOptionNames('route option', { max_body_size: 1 }, known)).toThrow(
      'unknown route option "max_body_size"; did you mean "maxBodySize"?',
    )
    expect(() => checkOptionNames('route option', { tll: 1 }, known)).toThrow('did you mean "ttl"?')
    expect(() => checkOptionNames('route option', { colour: 1 }, known)).toThrow('known: ttl, maxBodySize, tags')
  })

  it('refuses what is not an options object with a typed error', () => {
    for (const bad of [null, 5, 'ttl', [1]]) {
      expect(() => checkOptionNames('route option', bad, known)).toThrow(InvalidOptionError)
    }
    const error = (() => {
      try {
        checkOptionNames('route option', { nope: 1 }, known)
      } catch (caught) {
        return caught
      }
    })()
    expect(error).toBeInstanceOf(DiskCacheError)
    expect(error).toBeInstanceOf(TypeError)
  })
})

describe('unknownName()', () => {
  it('returns (does not throw) the error, so callers can throw it where they are', () => {
    expect(unknownName('setting', 'size_limit', ['sizeLimit']).message).toBe('unknown setting "size_limit"; did you mean "sizeLimit"?')
  })
})
