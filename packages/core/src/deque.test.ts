import { Cache } from './cache.js'
import { Deque } from './deque.js'
import { InvalidOptionError, ReadOnlyCacheError } from './errors.js'
import { openCacheIn } from './test-support/open-cache.js'
import { listValueFiles, makeTempDir } from './test-support/temp-dir.js'

const opened: Deque<unknown>[] = []

/** A Deque in `directory` (a fresh one by default), closed after the test. */
function openDeque<V = unknown>(options?: ConstructorParameters<typeof Deque>[1], directory = makeTempDir()): Deque<V> {
  const deque = new Deque<V>(directory, options)
  opened.push(deque as Deque<unknown>)
  return deque
}

afterEach(() => {
  for (const deque of opened.splice(0)) deque.close()
})

function filled(items: unknown[], options?: ConstructorParameters<typeof Deque>[1]): Deque {
  const deque = openDeque(options)
  deque.push(...items)
  return deque
}

describe('new Deque()', () => {
  it('opens a cache whose eviction policy is always none', () => {
    const deque = openDeque()
    expect(deque.cache.settings.evictionPolicy).toBe('none')
    expect(deque.maxLength).toBe(Infinity)
    expect(deque.length).toBe(0)
  })

  it('refuses an evictionPolicy, saying why, and a bad maxLength or directory', () => {
    expect(() => openDeque({ evictionPolicy: 'least-recently-used' } as never)).toThrow(/never evicts[^]*remove the "evictionPolicy" option/)
    expect(() => openDeque({ maxLength: -1 })).toThrow(InvalidOptionError)
    expect(() => openDeque({ maxLength: 2.5 })).toThrow(InvalidOptionError)
    expect(() => new Deque(undefined as never)).toThrow(InvalidOptionError)
    expect(() => openDeque({ maxLenght: 3 } as never)).toThrow('did you mean "maxLength"?')
  })

  it('never evicts items, whatever the size limit', () => {
    const deque = filled([], { sizeLimit: 4096 })
    deque.push(...Array.from({ length: 200 }, (_, i) => `item ${i}`.repeat(10)))
    expect(deque.cache.volume()).toBeGreaterThan(4096)
    expect(deque.length).toBe(200)
  })

  it('shows the same items when the directory is opened again', () => {
    const dir = makeTempDir()
    const first = new Deque(dir)
    first.push(1, { two: 2 }, [3])
    first.unshift(0)
    first.close()
    expect(openDeque({}, dir).toArray()).toEqual([0, 1, { two: 2 }, [3]])
  })

  it('sees the pushes and shifts of another Deque on the same directory at once', () => {
    const dir = makeTempDir()
    const a = openDeque({}, dir)
    const b = openDeque({}, dir)
    a.push('from a')
    b.push('from b')
    b.unshift('front from b')
    expect(a.toArray()).toEqual(['front from b', 'from a', 'from b'])
    expect(a.shift()).toBe('front from b')
    expect(b.peekFront()).toBe('from a')
    expect(b.length).toBe(2)
  })
})

describe('Deque.fromCache()', () => {
  it('wraps an existing cache and switches its eviction policy to none', () => {
    const dir = makeTempDir()
    const cache = openCacheIn(dir)
    const deque = Deque.fromCache(cache, { maxLength: 2 })
    expect(deque.cache).toBe(cache)
    expect(deque.directory).toBe(cache.directory)
    expect(new Cache(dir, { readonly: true }).settings.evictionPolicy).toBe('none')
    deque.push('a', 'b', 'c')
    expect(deque.toArray()).toEqual(['b', 'c'])
  })

  it('leaves a read-only cache as it is, and its deque cannot be written', () => {
    const dir = makeTempDir()
    openCacheIn(dir).push('kept')
    const deque = Deque.fromCache(openCacheIn(dir, { readonly: true }))
    expect(deque.toArray()).toEqual(['kept'])
    expect(() => deque.push('x')).toThrow(ReadOnlyCacheError)
  })

  it('refuses options other than maxLength, and anything but a Cache', () => {
    const cache = openCacheIn(makeTempDir())
    expect(() => Deque.fromCache(cache, { sizeLimit: 1 } as never)).toThrow(InvalidOptionError)
    expect(() => Deque.fromCache({} as never)).toThrow(InvalidOptionError)
  })
})

describe('deque.push() and deque.unshift()', () => {
  it('add at the back and at the front, keeping argument order as arrays do', () => {
    const deque = openDeque()
    deque.push(3, 4)
    deque.unshift(1, 2)
    deque.push(5)
    deque.unshift(0)
    expect(deque.toArray()).toEqual([0, 1, 2, 3, 4, 5])
    expect(deque.length).toBe(6)
  })

  it('store nothing for no arguments, and all or nothing for several', () => {
    const deque = openDeque()
    deque.push()
    deque.unshift()
    expect(deque.length).toBe(0)
    expect(() => deque.push(1, () => 'a function cannot be serialized', 3)).toThrow()
    expect(deque.length).toBe(0)
  })
})

describe('deque.pop(), shift(), peekBack() and peekFront()', () => {
  it('take from (or look at) the back and the front', () => {
    const deque = filled(['a', 'b', 'c'])
    expect(deque.peekBack()).toBe('c')
    expect(deque.peekFront()).toBe('a')
    expect(deque.length).toBe(3)
    expect(deque.pop()).toBe('c')
    expect(deque.shift()).toBe('a')
    expect(deque.toArray()).toEqual(['b'])
  })

  it('return undefined on an empty deque, or the default given', () => {
    const deque = openDeque()
    expect(deque.pop()).toBeUndefined()
    expect(deque.shift()).toBeUndefined()
    expect(deque.peekBack()).toBeUndefined()
    expect(deque.peekFront()).toBeUndefined()
    expect(deque.pop({ default: 'empty' })).toBe('empty')
    expect(deque.shift({ default: null })).toBeNull()
    expect(deque.peekFront({ default: 0 })).toBe(0)
  })

  it('tell a stored undefined from an empty deque only through { default }', () => {
    const EMPTY = Symbol('empty')
    const deque = openDeque()
    deque.push(undefined)
    expect(deque.peekBack({ default: EMPTY })).toBeUndefined()
    expect(deque.shift({ default: EMPTY })).toBeUndefined()
    expect(deque.shift({ default: EMPTY })).toBe(EMPTY)
  })
})

describe('deque.at()', () => {
  it('counts from the front, or from the back for a negative index', () => {
    const deque = filled(['a', 'b', 'c'])
    deque.unshift('z')
    expect([0, 1, 2, 3].map((i) => deque.at(i))).toEqual(['z', 'a', 'b', 'c'])
    expect([-1, -2, -3, -4].map((i) => deque.at(i))).toEqual(['c', 'b', 'a', 'z'])
  })

  it('returns undefined (or the default) past either end', () => {
    const deque = filled(['a', 'b'])
    expect(deque.at(2)).toBeUndefined()
    expect(deque.at(-3)).toBeUndefined()
    expect(deque.at(5, { default: 'none' })).toBe('none')
    expect(openDeque().at(0)).toBeUndefined()
  })

  it('reaches items beyond the first page', () => {
    const deque = filled(Array.from({ length: 250 }, (_, i) => i))
    expect(deque.at(230)).toBe(230)
    expect(deque.at(-230)).toBe(20)
  })

  it('refuses an index that is not a whole number', () => {
    const deque = filled(['a'])
    expect(() => deque.at(0.5)).toThrow(InvalidOptionError)
    expect(() => deque.at(Number.NaN)).toThrow(InvalidOptionError)
  })
})

describe('deque iteration', () => {
  it('goes front to back with for…of and back to front with reversed()', () => {
    const deque = filled([2, 3])
    deque.unshift(1)
    expect([...deque]).toEqual([1, 2, 3])
    expect([...deque.reversed()]).toEqual([3, 2, 1])
  })

  it('pages through long deques in order both ways', () => {
    const items = Array.from({ length: 1001 }, (_, i) => i)
    const deque = openDeque()
    deque.transact(() => items.forEach((i) => deque.push(i)))
    expect([...deque]).toEqual(items)
    expect([...deque.reversed()]).toEqual([...items].reverse())
  })

  it('skips items another process takes while it runs', () => {
    const dir = makeTempDir()
    const deque = openDeque({}, dir)
    const other = openDeque({}, dir)
    deque.push('a', 'b', 'c', 'd')
    const seen: unknown[] = []
    for (const item of deque) {
      seen.push(item)
      if (item === 'a') other.pop() // takes 'd', which the iterator has not reached
    }
    expect(seen).toEqual(['a', 'b', 'c'])
  })
})

describe('deque.rotate()', () => {
  it('moves items from the back to the front for a positive count', () => {
    const deque = filled([1, 2, 3, 4, 5])
    deque.rotate()
    expect(deque.toArray()).toEqual([5, 1, 2, 3, 4])
    deque.rotate(2)
    expect(deque.toArray()).toEqual([3, 4, 5, 1, 2])
  })

  it('moves items from the front to the back for a negative count', () => {
    const deque = filled([1, 2, 3, 4, 5])
    deque.rotate(-1)
    expect(deque.toArray()).toEqual([2, 3, 4, 5, 1])
    deque.rotate(-3)
    expect(deque.toArray()).toEqual([5, 1, 2, 3, 4])
  })

  it('takes counts beyond the length modulo the length', () => {
    const deque = filled([1, 2, 3, 4, 5])
    deque.rotate(12)
    expect(deque.toArray()).toEqual([4, 5, 1, 2, 3])
    deque.rotate(-10)
    expect(deque.toArray()).toEqual([4, 5, 1, 2, 3])
    deque.rotate(-14)
    expect(deque.toArray()).toEqual([3, 4, 5, 1, 2])
  })

  it('leaves empty and one-item deques alone, and refuses a fractional count', () => {
    const empty = openDeque()
    empty.rotate(3)
    expect(empty.toArray()).toEqual([])
    const one = filled(['only'])
    one.rotate(-7)
    expect(one.toArray()).toEqual(['only'])
    expect(() => one.rotate(1.5)).toThrow(InvalidOptionError)
  })

  it('keeps file-backed values intact and leaves no stray files', () => {
    const big = (n: number) => String(n).repeat(2000)
    const deque = filled([big(1), big(2), big(3)], { fileThreshold: 1024 })
    deque.rotate(1)
    deque.rotate(-2)
    expect(deque.toArray()).toEqual([big(2), big(3), big(1)])
    expect(listValueFiles(deque.directory)).toHaveLength(3)
    expect(deque.cache.check()).toEqual({ ok: true, problems: [] })
  })
})

describe('deque.maxLength', () => {
  it('drops items from the front when a push goes past it', () => {
    const deque = filled([1, 2, 3], { maxLength: 3 })
    deque.push(4)
    expect(deque.toArray()).toEqual([2, 3, 4])
    deque.push(5, 6, 7, 8)
    expect(deque.toArray()).toEqual([6, 7, 8])
  })

  it('drops items from the back when an unshift goes past it', () => {
    const deque = filled([1, 2, 3], { maxLength: 3 })
    deque.unshift(0)
    expect(deque.toArray()).toEqual([0, 1, 2])
    deque.unshift(-3, -2, -1)
    expect(deque.toArray()).toEqual([-3, -2, -1])
  })

  it('trims from the front at once when lowered, and lets the deque grow when raised', () => {
    const deque = filled([1, 2, 3, 4, 5])
    deque.maxLength = 2
    expect(deque.maxLength).toBe(2)
    expect(deque.toArray()).toEqual([4, 5])
    deque.maxLength = Infinity
    deque.push(6)
    expect(deque.toArray()).toEqual([4, 5, 6])
  })

  it('keeps nothing at 0', () => {
    const deque = openDeque({ maxLength: 0 })
    deque.push(1, 2)
    deque.unshift(0)
    expect(deque.length).toBe(0)
  })

  it('refuses a bad value and keeps the old one', () => {
    const deque = filled([1, 2], { maxLength: 5 })
    expect(() => (deque.maxLength = -1)).toThrow(InvalidOptionError)
    expect(() => (deque.maxLength = '3' as never)).toThrow(InvalidOptionError)
    expect(deque.maxLength).toBe(5)
  })
})

describe('deque.clear(), toArray() and transact()', () => {
  it('clear() empties the deque', () => {
    const deque = filled([1, 2, 3])
    deque.clear()
    expect(deque.length).toBe(0)
    expect(deque.toArray()).toEqual([])
  })

  it('transact() commits several operations together, or none when it throws', () => {
    const deque = filled([1, 2, 3])
    deque.transact(() => {
      deque.push(deque.shift())
      deque.push(deque.shift())
    })
    expect(deque.toArray()).toEqual([3, 1, 2])
    expect(() =>
      deque.transact(() => {
        deque.clear()
        deque.push('x')
        throw new Error('abort')
      }),
    ).toThrow('abort')
    expect(deque.toArray()).toEqual([3, 1, 2])
  })
})
