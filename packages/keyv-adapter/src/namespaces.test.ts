import { Keyv } from 'keyv'
import { KeyvDiskCache } from './keyv-disk-cache.js'
import { closeAfterTest, makeTempDir } from './test-support/open-store.js'

async function collect(keyv: Keyv): Promise<[string, unknown][]> {
  const entries: [string, unknown][] = []
  for await (const [key, value] of keyv.iterator!()) entries.push([key as string, value])
  return entries
}

// Two Keyv instances, each on its own adapter (and connection), over one file.
function twoNamespaces(a: string, b: string, useKeyPrefix: boolean): [Keyv, Keyv] {
  const directory = makeTempDir()
  const open = (namespace: string) => new Keyv({ store: closeAfterTest(new KeyvDiskCache(directory)), namespace, useKeyPrefix })
  return [open(a), open(b)]
}

describe.each([
  ['with Keyv prefixing keys (useKeyPrefix: true, the default)', true],
  ['with the store owning the namespace (useKeyPrefix: false)', false],
])('namespaces %s', (_mode, useKeyPrefix) => {
  it('keep equal keys apart', async () => {
    const [users, posts] = twoNamespaces('users', 'posts', useKeyPrefix)
    await users.set('1', 'Ada')
    await posts.set('1', 'Hello')
    expect(await users.get('1')).toBe('Ada')
    expect(await posts.get('1')).toBe('Hello')
    expect(await users.delete('1')).toBe(true)
    expect(await posts.get('1')).toBe('Hello')
  })

  it('clear() empties only its own namespace', async () => {
    const [users, posts] = twoNamespaces('users', 'posts', useKeyPrefix)
    await users.setMany([
      { key: 'a', value: 1 },
      { key: 'b', value: 2 },
    ])
    await posts.set('a', 3)
    await users.clear()
    expect(await users.getMany(['a', 'b'])).toEqual([undefined, undefined])
    expect(await posts.get('a')).toBe(3)
  })

  it('iterator() yields only its own namespace, with the keys as they were set', async () => {
    const [users, posts] = twoNamespaces('users', 'posts', useKeyPrefix)
    await users.set('b', 2)
    await users.set('a:x', 1)
    await posts.set('c', 3)
    expect(await collect(users)).toEqual([
      ['a:x', 1],
      ['b', 2],
    ])
    expect(await collect(posts)).toEqual([['c', 3]])
  })

  it('treat LIKE wildcards and case in namespace names as ordinary characters', async () => {
    const [underscore, lookalike] = twoNamespaces('a_b', 'axb', useKeyPrefix)
    const [lower, upper] = twoNamespaces('keyv1', 'KEYV1', useKeyPrefix)
    await underscore.set('k', 1)
    await lookalike.set('k', 2)
    await lower.set('k', 3)
    await upper.set('k', 4)
    await underscore.clear()
    await lower.clear()
    expect(await lookalike.get('k')).toBe(2)
    expect(await upper.get('k')).toBe(4)
    expect(await collect(lookalike)).toEqual([['k', 2]])
  })

  it('keep a namespace apart from one that extends its name', async () => {
    const [short, long] = twoNamespaces('app', 'app:v2', useKeyPrefix)
    await short.set('k', 1)
    await long.set('k', 2)
    await short.clear()
    expect(await long.get('k')).toBe(2)
  })
})

describe('no namespace', () => {
  it('is a namespace of its own that clear() leaves the others out of', async () => {
    const directory = makeTempDir()
    const bare = new Keyv({ store: closeAfterTest(new KeyvDiskCache(directory)), namespace: undefined })
    const named = new Keyv({ store: closeAfterTest(new KeyvDiskCache(directory)), namespace: 'named' })
    await bare.set('k', 1)
    await named.set('k', 2)
    await bare.clear()
    expect(await bare.get('k')).toBeUndefined()
    expect(await named.get('k')).toBe(2)
  })
})

describe('entries written through core', () => {
  it('are untouched by clear(), even under a string key that looks prefixed', async () => {
    const store = closeAfterTest(new KeyvDiskCache(makeTempDir()))
    const keyv = new Keyv({ store })
    store.cache.set('keyv:foo', 'core')
    await keyv.set('foo', 'keyv')
    await keyv.clear()
    expect(store.cache.get('keyv:foo')).toBe('core')
  })
})
