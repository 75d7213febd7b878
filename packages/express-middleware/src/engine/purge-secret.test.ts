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
