import { startExampleApp } from './test-support/example-app.js'
import { request } from './test-support/nest-app.js'
import { makeTempDir } from './test-support/temp-dir.js'

// examples/nest, built and run as real processes on 127.0.0.1.
describe('the Nest example app', () => {
  it('answers a repeated GET from the cache', async () => {
    const { url } = await startExampleApp({ CACHE_DIR: makeTempDir() })
    const first = await request(`${url}/products/apple`)
    expect(first).toMatchObject({ status: 200, cache: 'MISS', body: { id: 'apple', price: 120, computation: 1 } })
    expect(await request(`${url}/products/apple`)).toEqual({ ...first, cache: 'HIT' })
  })

  it('computes again once a response outlives its TTL', async () => {
    const { url } = await startExampleApp({ CACHE_DIR: makeTempDir(), CLOCK_TTL_MS: '300' })
    const first = (await request(`${url}/clock`)).body
    expect((await request(`${url}/clock`)).body).toEqual(first)
    // A real process keeps real time: ask until the entry has expired (bounded by the test timeout).
    let later = first
    while (later.computation === first.computation) {
      await new Promise((resolve) => setTimeout(resolve, 100))
      later = (await request(`${url}/clock`)).body
    }
    expect(later.computation).toBe(first.computation + 1)
  })

  it('evicts tagged responses when a write says so', async () => {
    const { url } = await startExampleApp({ CACHE_DIR: makeTempDir() })
    await request(`${url}/products`)
    await request(`${url}/products/apple`)
    await request(`${url}/products/pear`)
    const put = await request(`${url}/products/apple/price`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ price: 99 }),
    })
    expect(put.body).toEqual({ id: 'apple', price: 99, evicted: 2 })
    expect(await request(`${url}/products/apple`)).toMatchObject({ cache: 'MISS', body: { price: 99 } })
    expect((await request(`${url}/products`)).cache).toBe('MISS')
    expect((await request(`${url}/products/pear`)).cache).toBe('HIT')
  })

  it('shares entries and evictions between two app processes on one directory', async () => {
    const directory = makeTempDir()
    const [a, b] = await Promise.all([startExampleApp({ CACHE_DIR: directory }), startExampleApp({ CACHE_DIR: directory })])
    const fromA = await request(`${a.url}/products/pear`)
    expect(fromA.body.computedBy).toBe(a.child.pid)
    expect(await request(`${b.url}/products/pear`)).toEqual({ ...fromA, cache: 'HIT' })

    await request(`${b.url}/products/pear/price`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ price: 1 }),
    })
    expect(await request(`${a.url}/products/pear`)).toMatchObject({ cache: 'MISS', body: { computedBy: a.child.pid } })
  })

  it('varies a response by Accept-Language', async () => {
    const { url } = await startExampleApp({ CACHE_DIR: makeTempDir() })
    const en = await request(`${url}/greeting`, { headers: { 'accept-language': 'en' } })
    const de = await request(`${url}/greeting`, { headers: { 'accept-language': 'de' } })
    expect(de.body.computation).toBe(en.body.computation + 1)
    expect(await request(`${url}/greeting`, { headers: { 'accept-language': 'en' } })).toEqual({ ...en, cache: 'HIT' })
  })
})
