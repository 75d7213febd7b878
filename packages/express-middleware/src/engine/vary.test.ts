import { acceptedEncodings, varyFields } from './vary.js'

describe('varyFields()', () => {
  it('lists the fields lower case and sorted, and adds Accept-Encoding for an encoded body', () => {
    expect(varyFields({ vary: 'Accept-Language, accept', 'content-encoding': 'br' })).toEqual(['accept', 'accept-encoding', 'accept-language'])
    expect(varyFields({ vary: 'accept, *' })).toBe('*')
  })
})

describe('acceptedEncodings()', () => {
  it('gives equivalent Accept-Encoding values one normal form', () => {
    expect(acceptedEncodings('gzip, deflate, br')).toBe(acceptedEncodings('br;q=0.9,deflate ,gzip'))
    expect(acceptedEncodings('*, gzip;q=0')).toBe('br+deflate+zstd')
    expect(acceptedEncodings('identity')).toBe('identity')
  })
})
