// Model-based tests of Deque (against an array) and Index (against a Map):
// random sequences of operations, reopening the directory and transactions
// that throw half-way included, each answer checked against the model.
import fc from 'fast-check'
import type { CacheKey } from './cache-key.js'
import { Deque } from './deque.js'
import { KeyNotFoundError } from './errors.js'
import { Index } from './ordered-index.js'
import { makeTempDir } from './test-support/temp-dir.js'

const RUNS = Number(process.env.DISKCACHE_MODEL_RUNS ?? 0) || 80
const LONG = 120_000

// ----- Deque against an array -----

interface DequeModel {
  items: number[]
  maxLength: number
}
interface DequeReal {
  deque: Deque<number>
  reopen(): void
}
type DequeCommand = fc.Command<DequeModel, DequeReal>

function trim(model: DequeModel, from: 'front' | 'back'): void {
  while (model.items.length > model.maxLength) {
    if (from === 'front') model.items.shift()
    else model.items.pop()
  }
}

const dequeCommand = (name: string, run: (model: DequeModel, real: DequeReal) => void): DequeCommand => ({
  check: () => true,
  run,
  toString: () => name,
})

const dequeContents = dequeCommand('contents', (model, real) => {
  expect(real.deque.length).toBe(model.items.length)
  expect(real.deque.toArray()).toEqual(model.items)
  expect([...real.deque.reversed()]).toEqual([...model.items].reverse())
})

const dequeCommands: fc.Arbitrary<DequeCommand>[] = [
  fc.array(fc.integer({ min: 0, max: 99 }), { minLength: 1, maxLength: 3 }).map((items) =>
    dequeCommand(`push(${items})`, (model, real) => {
      real.deque.push(...items)
      model.items.push(...items)
      trim(model, 'front')
    }),
  ),
  fc.array(fc.integer({ min: 0, max: 99 }), { minLength: 1, maxLength: 3 }).map((items) =>
    dequeCommand(`unshift(${items})`, (model, real) => {
      real.deque.unshift(...items)
      model.items.unshift(...items)
      trim(model, 'back')
    }),
  ),
  fc.constant(dequeCommand('pop()', (model, real) => expect(real.deque.pop()).toBe(model.items.pop()))),
  fc.constant(dequeCommand('shift()', (model, real) => expect(real.deque.shift()).toBe(model.items.shift()))),
  fc.constant(
    dequeCommand('peekBack() and peekFront()', (model, real) => {
      expect(real.deque.peekBack()).toBe(model.items.at(-1))
      expect(real.deque.peekFront()).toBe(model.items[0])
    }),
  ),
  fc.integer({ min: -6, max: 6 }).map((i) => dequeCommand(`at(${i})`, (model, real) => expect(real.deque.at(i)).toBe(model.items.at(i)))),
  fc.integer({ min: -7, max: 7 }).map((steps) =>
    dequeCommand(`rotate(${steps})`, (model, real) => {
      real.deque.rotate(steps)
      const n = model.items.length
      if (n === 0) return
      const k = ((steps % n) + n) % n // positive steps move items from the back to the front
      model.items = [...model.items.slice(n - k), ...model.items.slice(0, n - k)]
    }),
  ),
  fc.constant(
    dequeCommand('throwing transact()', (model, real) => {
      expect(() =>
        real.deque.transact(() => {
          real.deque.push(1000)
          real.deque.shift()
          throw new Error('half-way')
        }),
      ).toThrow('half-way')
    }),
  ),
  fc.constant(dequeCommand('reopen()', (_model, real) => real.reopen())),
  fc.constant(dequeCommand('clear()', (model, real) => (real.deque.clear(), (model.items = [])))),
  fc.constant(dequeContents),
]

describe('Deque against an array', () => {
  it.each([Infinity, 4])('answers every random sequence of operations as the array does (maxLength %s)', (maxLength) => {
    fc.assert(
      fc.property(fc.commands(dequeCommands, { maxCommands: 40, size: 'large' }), (sequence) => {
        const dir = makeTempDir()
        const options = maxLength === Infinity ? {} : { maxLength }
        const real: DequeReal = {
          deque: new Deque<number>(dir, options),
          reopen() {
            this.deque.close()
            this.deque = new Deque<number>(dir, options)
          },
        }
        try {
          fc.modelRun(() => ({ model: { items: [], maxLength }, real }), [...sequence, dequeContents])
        } finally {
          real.deque.close()
        }
      }),
      { numRuns: RUNS },
    )
  }, LONG)
})

// ----- Index against a Map -----

interface IndexModel {
  map: Map<string, [CacheKey, number]>
}
interface IndexReal {
  index: Index<CacheKey, number>
  reopen(): void
}
type IndexCommand = fc.Command<IndexModel, IndexReal>

const id = (key: CacheKey): string => JSON.stringify([typeof key, Array.isArray(key) ? key : String(key)])
const indexKey = fc.constantFrom<CacheKey>('a', 'b', 'c', 1, 2n, ['x', 1])
const indexCommand = (name: string, run: (model: IndexModel, real: IndexReal) => void): IndexCommand => ({
  check: () => true,
  run,
  toString: () => name,
})

const indexContents = indexCommand('contents', (model, real) => {
  expect(real.index.size).toBe(model.map.size)
  expect([...real.index.entries()]).toEqual([...model.map.values()])
  expect([...real.index.keys({ reverse: true })]).toEqual([...model.map.values()].map(([key]) => key).reverse())
})

const indexCommands: fc.Arbitrary<IndexCommand>[] = [
  fc.tuple(indexKey, fc.integer({ min: 0, max: 99 })).map(([key, value]) =>
    indexCommand(`set(${String(key)}, ${value})`, (model, real) => {
      real.index.set(key, value)
      model.map.set(id(key), [key, value]) // an existing key keeps its place, as in the Map
    }),
  ),
  indexKey.map((key) =>
    indexCommand(`get(${String(key)})`, (model, real) => {
      expect(real.index.get(key)).toBe(model.map.get(id(key))?.[1])
      expect(real.index.has(key)).toBe(model.map.has(id(key)))
    }),
  ),
  indexKey.map((key) =>
    indexCommand(`delete(${String(key)})`, (model, real) => expect(real.index.delete(key)).toBe(model.map.delete(id(key)))),
  ),
  fc.tuple(indexKey, fc.integer({ min: 0, max: 99 })).map(([key, value]) =>
    indexCommand(`setDefault(${String(key)}, ${value})`, (model, real) => {
      if (!model.map.has(id(key))) model.map.set(id(key), [key, value])
      expect(real.index.setDefault(key, value)).toBe(model.map.get(id(key))![1])
    }),
  ),
  indexKey.map((key) =>
    indexCommand(`pop(${String(key)})`, (model, real) => {
      const entry = model.map.get(id(key))
      if (entry === undefined) expect(() => real.index.pop(key)).toThrow(KeyNotFoundError)
      else expect(real.index.pop(key)).toBe(entry[1])
      model.map.delete(id(key))
    }),
  ),
  fc.boolean().map((last) =>
    indexCommand(`popItem({ last: ${last} })`, (model, real) => {
      const entries = [...model.map.values()]
      const expected = last ? entries.at(-1) : entries[0]
      expect(real.index.peekItem({ last })).toEqual(expected)
      expect(real.index.popItem({ last })).toEqual(expected)
      if (expected) model.map.delete(id(expected[0]))
    }),
  ),
  fc.constant(
    indexCommand('throwing transact()', (_model, real) => {
      expect(() =>
        real.index.transact(() => {
          real.index.set('a', 1000)
          real.index.delete('b')
          throw new Error('half-way')
        }),
      ).toThrow('half-way')
    }),
  ),
  fc.constant(indexCommand('reopen()', (_model, real) => real.reopen())),
  fc.constant(indexCommand('clear()', (model, real) => (real.index.clear(), model.map.clear()))),
  fc.constant(indexContents),
]

describe('Index against a Map', () => {
  it('answers every random sequence of operations as the Map does', () => {
    fc.assert(
      fc.property(fc.commands(indexCommands, { maxCommands: 40, size: 'large' }), (sequence) => {
        const dir = makeTempDir()
        const real: IndexReal = {
          index: new Index<CacheKey, number>(dir),
          reopen() {
            this.index.close()
            this.index = new Index<CacheKey, number>(dir)
          },
        }
        try {
          fc.modelRun(() => ({ model: { map: new Map() }, real }), [...sequence, indexContents])
        } finally {
          real.index.close()
        }
      }),
      { numRuns: RUNS },
    )
  }, LONG)
})
