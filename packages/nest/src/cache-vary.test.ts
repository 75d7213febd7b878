import type { ExecutionContext } from '@nestjs/common'
import { varyKey } from './cache-vary.js'

// A request as Express hands it to Nest, wrapped the way ExecutionContext exposes it.
function contextOf(request: { headers?: Record<string, string | string[]>; user?: unknown }): ExecutionContext {
  return { switchToHttp: () => ({ getRequest: () => request }) } as unknown as ExecutionContext
}

describe('varyKey()', () => {
  it('appends each named header and the user to the key', () => {
    const context = contextOf({ headers: { 'accept-language': 'en', 'x-tenant': 'acme' }, user: { id: 42 } })
    expect(varyKey('/items?page=2', { headers: ['Accept-Language', 'x-tenant'], user: true }, context)).toBe(
      '/items?page=2 [accept-language=en; x-tenant=acme; user=42]',
    )
  })

  it('takes the user from sub when there is no id, or from a function', () => {
    expect(varyKey('/me', { user: true }, contextOf({ user: { sub: 'auth0|7' } }))).toBe('/me [user=auth0%7C7]')
    expect(varyKey('/me', { user: (request) => request.user.email }, contextOf({ user: { email: 'a@b.c' } }))).toBe(
      '/me [user=a%40b.c]',
    )
  })

  it('keys requests without a header or a user as empty, shared by all of them', () => {
    expect(varyKey('/x', { headers: ['accept-language'], user: true }, contextOf({ headers: {} }))).toBe(
      '/x [accept-language=; user=]',
    )
  })

  it('encodes values, so one header cannot pass for another part of the key', () => {
    const forged = varyKey('/x', { headers: ['a'], user: true }, contextOf({ headers: { a: '1; user=ada' } }))
    const real = varyKey('/x', { headers: ['a'], user: true }, contextOf({ headers: { a: '1' }, user: { id: 'ada' } }))
    expect(forged).not.toBe(real)
  })

  it('leaves the key as it is when nothing varies', () => {
    expect(varyKey('/x', {}, contextOf({}))).toBe('/x')
  })
})
