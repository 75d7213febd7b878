import { digestSecret, isSecretMatch } from './purge-secret.js'

describe('isSecretMatch()', () => {
  const expected = digestSecret('correct horse battery staple')

  it('accepts the secret itself', () => {
    expect(isSecretMatch('correct horse battery staple', expected)).toBe(true)
  })

  it('refuses a prefix, an extension, a case change and an empty string without throwing on the length difference', () => {
    for (const wrong of ['correct horse', 'correct horse battery staple ', 'Correct horse battery staple', '']) {
      expect(isSecretMatch(wrong, expected)).toBe(false)
    }
  })
})

describe('isSecretMatch() comparison', () => {
  const crypto = require('node:crypto') as typeof import('node:crypto')
  afterEach(() => jest.restoreAllMocks())

  it('goes through crypto.timingSafeEqual on two 32-byte digests, whatever the lengths of the secrets', () => {
    const compare = jest.spyOn(crypto, 'timingSafeEqual')
    const expected = digestSecret('correct horse battery staple')
    for (const offered of ['', 'x', 'correct horse battery staple', 'y'.repeat(100_000)]) isSecretMatch(offered, expected)
    expect(compare).toHaveBeenCalledTimes(4)
    for (const [a, b] of compare.mock.calls) expect([a.byteLength, b.byteLength]).toEqual([32, 32])
  })
})
