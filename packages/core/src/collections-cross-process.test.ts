import { Deque } from './deque.js'
import { Index } from './ordered-index.js'
import { ChildCache, killAllChildren } from './test-support/child-cache.js'
import { makeTempDir } from './test-support/temp-dir.js'

// Real processes, each running the built package (test-support/cache-child.cjs): build first.
afterEach(killAllChildren)

const opened: { close(): void }[] = []
afterEach(() => {
  for (const collection of opened.splice(0)) collection.close()
})

function openDeque(directory: string): Deque<number | string> {
  const deque = new Deque<number | string>(directory)
  opened.push(deque)
  return deque
}

function startChildren(directory: string, count: number): Promise<ChildCache[]> {
  return Promise.all(Array.from({ length: count }, () => ChildCache.start(directory)))
}

const range = (from: number, count: number) => Array.from({ length: count }, (_, i) => from + i)
const LONG = 120_000

describe('a Deque shared by several processes', () => {
  it('gives each of 10,000 items to exactly one of 4 consumers, while a fifth process is still pushing', async () => {
    const dir = makeTempDir()
    const deque = openDeque(dir)
    deque.transact(() => deque.push(...range(0, 10_000)))
    const [producer, ...consumers] = await startChildren(dir, 5)
    await Promise.all([producer!, ...consumers].map((child) => child.request('openDeque')))

    const consuming = consumers.map((child) => child.request<number[]>('dequeConsume', {}, LONG))
    // One 'END' per consumer, pushed behind every item: each consumer stops at the one it takes.
    const produced = producer!.request('dequeProduce', { from: 10_000, count: 2_000, sentinels: consumers.length }, LONG)
    const taken = await Promise.all(consuming)
    await produced

    const all = taken.flat()
    expect(all).toHaveLength(12_000) // no item lost, none taken twice…
    expect(new Set(all).size).toBe(12_000)
    expect([...all].sort((a, b) => a - b)).toEqual(range(0, 12_000)) // …and nothing else
    // The work was shared (on a loaded machine one consumer may start after the others drained the deque).
    expect(taken.filter((items) => items.length > 0).length).toBeGreaterThanOrEqual(2)
    for (const items of taken) expect(items).toEqual([...items].sort((a, b) => a - b)) // each in FIFO order
    expect(deque.length).toBe(0)
  }, LONG)

  it('carries every item from a producer process to a consumer process, in order', async () => {
    const dir = makeTempDir()
    const [producer, consumer] = await startChildren(dir, 2)
    await Promise.all([producer!, consumer!].map((child) => child.request('openDeque')))
    const consuming = consumer!.request<number[]>('dequeConsume', {}, LONG)
    await producer!.request('dequeProduce', { count: 3_000, sentinels: 1 }, LONG)
    expect(await consuming).toEqual(range(0, 3_000))
    expect(openDeque(dir).length).toBe(0)
  }, LONG)

  it('shows a push made in one process to every other, in deque order', async () => {
    const dir = makeTempDir()
    const deque = openDeque(dir)
    const [child] = await startChildren(dir, 1)
    await child!.request('openDeque')
    deque.push(1)
    await child!.request('dequeProduce', { from: 0, count: 1, side: 'front' })
    await child!.request('dequeProduce', { from: 2, count: 1 })
    expect(deque.toArray()).toEqual([0, 1, 2])
    expect([...deque.reversed()]).toEqual([2, 1, 0])
  })
})

describe('an Index shared by several processes', () => {
  it('lets 4 simultaneous setDefault() calls agree on one stored value', async () => {
    const children = await startChildren(makeTempDir(), 4)
    for (let round = 0; round < 5; round++) {
      const dir = makeTempDir()
      new Index(dir).close() // created first, so the race is on setDefault alone
      await Promise.all(children.map((child) => child.request('openIndex', { at: dir })))
      // Each child offers its own value, and all start at one instant (see runTogether).
      await Promise.all(
        children.map((child) => child.request('arm', { op: 'indexSetDefault', args: { key: 'k', value: `from ${child.pid}` } })),
      )
      const startAt = Date.now() + 50
      const results = await Promise.all(children.map((child) => child.request('go', { startAt })))
      const index = new Index(dir)
      opened.push(index)
      const stored = index.get('k')
      expect(children.map((child) => `from ${child.pid}`)).toContain(stored)
      expect(results).toEqual([stored, stored, stored, stored])
    }
  }, LONG)
})
