import { InvalidOptionError } from './errors.js'
import { DEFAULT_SETTINGS } from './options.js'
import { openCache } from './test-support/open-cache.js'
import { makeTempDir } from './test-support/temp-dir.js'

describe('cache.settings', () => {
  it('are the defaults for a new cache opened without options', () => {
    const cache = openCache()
    expect(cache.settings).toEqual(DEFAULT_SETTINGS)
  })

  it('hold the options given to the constructor', () => {
    const cache = openCache({ sizeLimit: 1234, cullLimit: 3, evictionPolicy: 'least-recently-used', compression: 'gzip' })
    expect(cache.settings).toMatchObject({ sizeLimit: 1234, cullLimit: 3, evictionPolicy: 'least-recently-used', compression: 'gzip' })
  })

  it('are a copy: changing it changes nothing', () => {
    const cache = openCache()
    const settings = cache.settings as { sizeLimit: number }
    settings.sizeLimit = 1
    expect(cache.settings.sizeLimit).toBe(DEFAULT_SETTINGS.sizeLimit)
  })

  it('persist: a second Cache on the directory without options sees them', () => {
    const dir = makeTempDir()
    const options = {
      sizeLimit: 5_000_000,
      cullLimit: 2,
      evictionPolicy: 'least-frequently-used',
      statistics: true,
      serializer: 'json',
      compression: 'brotli',
      compressionThreshold: 10,
      fileThreshold: 100_000,
      synchronous: 'full',
    } as const
    openCache(options, dir).close()
    expect(openCache({}, dir).settings).toEqual(options)
  })

  it('given to a later Cache win, and are stored for the others', () => {
    const dir = makeTempDir()
    const first = openCache({ sizeLimit: 1000, cullLimit: 5 }, dir)
    const second = openCache({ sizeLimit: 2000 }, dir)
    expect(second.settings).toMatchObject({ sizeLimit: 2000, cullLimit: 5 })
    expect(first.reset('sizeLimit')).toBe(2000)
    expect(openCache({}, dir).settings.sizeLimit).toBe(2000)
  })

  it('do not include process options such as timeout and now', () => {
    const cache = openCache({ timeout: 10, now: () => 0 })
    expect(Object.keys(cache.settings).sort()).toEqual(Object.keys(DEFAULT_SETTINGS).sort())
  })
})

describe('cache.reset()', () => {
  it('returns the current value when given only a name', () => {
    const cache = openCache({ cullLimit: 7 })
    expect(cache.reset('cullLimit')).toBe(7)
    expect(cache.reset('evictionPolicy')).toBe('least-recently-stored')
  })

  it('changes a setting, returns the new value and stores it', () => {
    const dir = makeTempDir()
    const cache = openCache({}, dir)
    expect(cache.reset('sizeLimit', 4096)).toBe(4096)
    expect(cache.settings.sizeLimit).toBe(4096)
    expect(openCache({}, dir).settings.sizeLimit).toBe(4096)
  })

  it('reaches another open Cache through reset(name)', () => {
    const dir = makeTempDir()
    const a = openCache({}, dir)
    const b = openCache({}, dir)
    a.reset('cullLimit', 42)
    expect(b.reset('cullLimit')).toBe(42)
    expect(b.settings.cullLimit).toBe(42)
  })

  it('reaches another open Cache through its next write', () => {
    const dir = makeTempDir()
    const a = openCache({}, dir)
    const b = openCache({}, dir)
    a.reset('evictionPolicy', 'none')
    b.set('k', 1)
    expect(b.settings.evictionPolicy).toBe('none')
  })

  it('makes another open Cache follow a new sizeLimit on its next write', () => {
    const dir = makeTempDir()
    const a = openCache({}, dir)
    const b = openCache({}, dir)
    a.reset('sizeLimit', 1)
    for (let i = 0; i < 30; i++) b.set(i, i)
    expect(b.size).toBeLessThan(30)
  })

  it('rejects an unknown setting, suggesting the right name', () => {
    const cache = openCache()
    expect(() => cache.reset('size_limit' as never)).toThrow(InvalidOptionError)
    expect(() => cache.reset('size_limit' as never)).toThrow('did you mean "sizeLimit"?')
    expect(() => cache.reset('timeout' as never, 5 as never)).toThrow(InvalidOptionError)
  })

  it('rejects a bad value and keeps the old one', () => {
    const cache = openCache({ sizeLimit: 100_000 })
    expect(() => cache.reset('sizeLimit', -1)).toThrow(InvalidOptionError)
    expect(() => cache.reset('evictionPolicy', 'random' as never)).toThrow(InvalidOptionError)
    expect(() => cache.reset('statistics', 'yes' as never)).toThrow(InvalidOptionError)
    expect(cache.settings.sizeLimit).toBe(100_000)
    expect(cache.settings.evictionPolicy).toBe('least-recently-stored')
  })

  it.each(['off', 'normal', 'full', 'extra'] as const)("applies synchronous '%s', given at construction or by reset", (mode) => {
    const dir = makeTempDir()
    const cache = openCache({ synchronous: mode }, dir)
    cache.set('k', 1)
    expect(cache.settings.synchronous).toBe(mode)
    const other = mode === 'full' ? 'normal' : 'full'
    expect(cache.reset('synchronous', other)).toBe(other)
    cache.set('k', 2)
    expect(openCache({}, dir).get('k')).toBe(2)
  })

  it('lets another open Cache keep writing after it picks up a new synchronous mode', () => {
    const dir = makeTempDir()
    const a = openCache({}, dir)
    const b = openCache({}, dir)
    a.reset('synchronous', 'full')
    b.set('k', 1)
    expect(b.settings.synchronous).toBe('full')
    b.transact(() => b.set('k', 2))
    expect(a.get('k')).toBe(2)
  })

  it('is undone, with the write, when the transaction around it rolls back', () => {
    const dir = makeTempDir()
    const cache = openCache({ sizeLimit: 100_000 }, dir)
    expect(() =>
      cache.transact(() => {
        cache.reset('sizeLimit', 5)
        cache.reset('synchronous', 'full')
        throw new Error('abort')
      }),
    ).toThrow('abort')
    expect(cache.settings.sizeLimit).toBe(100_000)
    expect(cache.settings.synchronous).toBe('normal')
    expect(openCache({}, dir).settings.sizeLimit).toBe(100_000)
  })

  it('refuses to change the serializer of an existing cache', () => {
    const cache = openCache()
    expect(() => cache.reset('serializer', 'json')).toThrow(InvalidOptionError)
    expect(cache.settings.serializer).toBe('v8')
  })

  it('switches the eviction policy, which the next culls follow', () => {
    let now = 1000
    const cache = openCache({ sizeLimit: 4096, cullLimit: 0, now: () => now })
    for (const key of ['a', 'b', 'c']) {
      now++
      cache.set(key, key)
    }
    cache.reset('evictionPolicy', 'least-recently-used')
    now++
    cache.get('a')
    cache.reset('cullLimit', 1)
    now++
    cache.set('d', 'd')
    expect([...cache.keys()]).toEqual(['a', 'c', 'd'])
  })
})
