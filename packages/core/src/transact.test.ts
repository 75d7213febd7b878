import { DiskCacheError, InvalidValueError, TransactionError } from './errors.js'
import { CACHE_IMPLEMENTATIONS } from './test-support/open-cache.js'
import { makeTempDir } from './test-support/temp-dir.js'

describe.each(CACHE_IMPLEMENTATIONS)('$name', ({ name, open: openCache }) => {
  // For what only a single database can do (see FanoutCache in the README).
  const itCacheOnly = name === 'Cache' ? it : it.skip

  describe('cache.transact()', () => {
    it('commits several operations together and returns what the function returned', () => {
      const cache = openCache()
      cache.set('gone', 1)
      cache.set('tagged', 1, { tags: ['t'] })
      const result = cache.transact(() => {
        cache.set('a', 1)
        cache.incr('counter', 5)
        cache.delete('gone')
        cache.evict('t')
        if (name === 'Cache') cache.push('job', { prefix: 'q' })
        return 'done'
      })
      expect(result).toBe('done')
      expect(cache.getMany(['a', 'counter', 'gone', 'tagged'])).toEqual([1, 5, undefined, undefined])
      if (name === 'Cache') expect(cache.peek({ prefix: 'q' })?.[1]).toBe('job')
    })

    it('sees its own writes inside the function', () => {
      const cache = openCache()
      cache.transact(() => {
        cache.set('k', 'v')
        expect(cache.get('k')).toBe('v')
        expect(cache.size).toBe(1)
      })
    })

    it('rolls every operation back when the function throws, and rethrows the same error', () => {
      const cache = openCache()
      cache.set('kept', 'original')
      cache.set('tagged', 1, { tags: ['t'] })
      cache.set('counter', 1)
      const thrown = new Error('abort')
      let caught: unknown
      try {
        cache.transact(() => {
          cache.set('new', 1)
          cache.set('kept', 'changed')
          cache.incr('counter', 10)
          cache.evict('t')
          if (name === 'Cache') cache.push('job')
          cache.delete('counter')
          throw thrown
        })
      } catch (error) {
        caught = error
      }
      expect(caught).toBe(thrown)
      expect(cache.getMany(['new', 'kept', 'tagged', 'counter'])).toEqual([undefined, 'original', 1, 1])
      if (name === 'Cache') expect(cache.pull()).toBeUndefined()
      expect(cache.size).toBe(3)
    })

    it('shows nothing half-written to another Cache, during or after a failed transaction', () => {
      const dir = makeTempDir()
      const writer = openCache({}, dir)
      const reader = openCache({}, dir)
      writer.set('balance:a', 100)
      writer.set('balance:b', 0)
      expect(() =>
        writer.transact(() => {
          writer.decr('balance:a', 30)
          writer.incr('balance:b', 30)
          expect(reader.getMany(['balance:a', 'balance:b'])).toEqual([100, 0])
          throw new Error('abort transfer')
        }),
      ).toThrow('abort transfer')
      expect(reader.getMany(['balance:a', 'balance:b'])).toEqual([100, 0])
    })

    it('makes a committed transaction visible to another Cache all at once', () => {
      const dir = makeTempDir()
      const writer = openCache({}, dir)
      const reader = openCache({}, dir)
      writer.transact(() => {
        writer.set('x', 1)
        expect(reader.has('x')).toBe(false)
        writer.set('y', 2)
      })
      expect(reader.getMany(['x', 'y'])).toEqual([1, 2])
    })

    it('joins a nested transact to the outer one, so an outer throw undoes the inner writes', () => {
      const cache = openCache()
      expect(() =>
        cache.transact(() => {
          cache.transact(() => cache.set('inner', 1))
          expect(cache.get('inner')).toBe(1)
          throw new Error('outer fails')
        }),
      ).toThrow('outer fails')
      expect(cache.has('inner')).toBe(false)
    })

    it('commits a nested transact with the outer one', () => {
      const cache = openCache()
      const value = cache.transact(() => {
        cache.set('outer', 1)
        return cache.transact(() => {
          cache.set('inner', 2)
          return 'inner result'
        })
      })
      expect(value).toBe('inner result')
      expect(cache.getMany(['outer', 'inner'])).toEqual([1, 2])
    })

    it('rejects an async function with TransactionError and writes nothing', async () => {
      const cache = openCache()
      let error: unknown
      let finished = false
      try {
        await cache.transact(async () => {
          cache.set('before-await', 1)
          await Promise.resolve()
          cache.set('after-await', 2)
          finished = true
        })
      } catch (caught) {
        error = caught
      }
      expect(error).toBeInstanceOf(TransactionError)
      expect(error).toBeInstanceOf(DiskCacheError)
      expect((error as TransactionError).code).toBe('INVALID_TRANSACTION')
      // Give any work scheduled by the async function a chance to run.
      for (let i = 0; i < 5; i++) await Promise.resolve()
      expect(finished).toBe(false)
      expect(cache.has('before-await')).toBe(false)
      expect(cache.has('after-await')).toBe(false)
      expect(cache.size).toBe(0)
    })

    it('rejects a plain function that returns a promise, rolling back what it wrote', async () => {
      const cache = openCache()
      expect(() =>
        cache.transact(() => {
          cache.set('k', 1)
          return Promise.resolve('later')
        }),
      ).toThrow(TransactionError)
      expect(cache.has('k')).toBe(false)
      cache.set('after', 1)
      expect(cache.get('after')).toBe(1)
    })

    it('leaves the cache usable after a failed transaction', () => {
      const cache = openCache()
      expect(() =>
        cache.transact(() => {
          throw new Error('x')
        }),
      ).toThrow('x')
      cache.transact(() => cache.set('k', 1))
      expect(cache.get('k')).toBe(1)
    })
  })

  describe('cache.setMany() as one transaction', () => {
    it('writes nothing when one of the values cannot be stored', () => {
      const cache = openCache()
      expect(() =>
        cache.setMany([
          ['a', 1],
          ['b', () => 1],
          ['c', 3],
        ]),
      ).toThrow(InvalidValueError)
      expect(cache.size).toBe(0)
    })
  })
})
