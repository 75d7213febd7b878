import { deltaSeconds, parseCacheControl } from './cache-control.js'

describe('parseCacheControl()', () => {
  it('reads bare directives, arguments and quoted arguments with commas, case-insensitively', () => {
    const directives = parseCacheControl('Public, MAX-AGE=60, no-cache="set-cookie, x-a", s-maxage = 5')
    expect([...directives]).toEqual([
      ['public', true],
      ['max-age', '60'],
      ['no-cache', 'set-cookie, x-a'],
      ['s-maxage', '5'],
    ])
  })

  it('keeps the first of a repeated directive and skips empty list members', () => {
    expect([...parseCacheControl(', max-age=1,, max-age=2')]).toEqual([['max-age', '1']])
  })
})

describe('deltaSeconds()', () => {
  it('converts seconds to milliseconds and refuses malformed values', () => {
    const directives = parseCacheControl('max-age=60, s-maxage=-1, stale-if-error=abc')
    expect(deltaSeconds(directives, 'max-age')).toBe(60_000)
    expect(deltaSeconds(directives, 's-maxage')).toBeUndefined()
    expect(deltaSeconds(directives, 'stale-if-error')).toBeUndefined()
  })
})
