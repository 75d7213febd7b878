import { keyvApiTests, keyvIteratorTests, keyvNamespaceTest, keyvValueTests } from '@keyv/test-suite'
import { Keyv } from 'keyv'
import { KeyvDiskCache } from './keyv-disk-cache.js'
import { closeAfterTest, makeTempDir } from './test-support/open-store.js'
import { vitestContextApi } from './test-support/vitest-context.js'

/*
 * Keyv's official compliance suite, every group (the default export runs the
 * API, value and namespace groups; the iterator group is separate). Each
 * store() is a new adapter, with its own connection, over one database file:
 * the namespace tests then prove that two stores keep their namespaces apart in
 * shared storage (with one adapter object the namespaces would collide, and
 * with a database per store they would pass without proving anything).
 */
const directory = makeTempDir()
const store = () => closeAfterTest(new KeyvDiskCache(directory))
const test = vitestContextApi as never

describe('@keyv/test-suite: API', () => keyvApiTests(test, Keyv, store))
describe('@keyv/test-suite: values', () => keyvValueTests(test, Keyv, store))
describe('@keyv/test-suite: namespaces', () => keyvNamespaceTest(test, Keyv, store))
describe('@keyv/test-suite: iterator', () => keyvIteratorTests(test, Keyv, store))

/*
 * The same groups the way createKeyv() sets things up: Keyv's serializer off
 * and the envelope unwrapped (the value stored as itself, `expires` in core's
 * expiry column), over a second shared file.
 */
class KeyvWithoutSerializer extends Keyv {
  constructor(...args: ConstructorParameters<typeof Keyv>) {
    const [first, second] = args
    const options = first instanceof KeyvDiskCache ? { ...second, store: first } : { ...first }
    super({ ...options, serialize: undefined, deserialize: undefined })
  }
}
const unwrappedDirectory = makeTempDir()
const unwrappedStore = () => closeAfterTest(new KeyvDiskCache({ directory: unwrappedDirectory, unwrapEnvelopes: true }))
const UnwrappedKeyv = KeyvWithoutSerializer as unknown as typeof Keyv

describe('@keyv/test-suite, unwrapped envelopes: API', () => keyvApiTests(test, UnwrappedKeyv, unwrappedStore))
describe('@keyv/test-suite, unwrapped envelopes: values', () => keyvValueTests(test, UnwrappedKeyv, unwrappedStore))
describe('@keyv/test-suite, unwrapped envelopes: namespaces', () => keyvNamespaceTest(test, UnwrappedKeyv, unwrappedStore))
describe('@keyv/test-suite, unwrapped envelopes: iterator', () => keyvIteratorTests(test, UnwrappedKeyv, unwrappedStore))
