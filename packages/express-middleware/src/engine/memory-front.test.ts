import { MemoryFront, type MemoryRecord } from './memory-front.js'

function record(bytes: number): MemoryRecord {
  const raw = Buffer.alloc(bytes)
  return { raw, decoded: undefined, expiresAt: null, version: 1, size: MemoryFront.sizeOf(raw) }
}

describe('MemoryFront', () => {
  it('keeps records until their bytes pass maxBytes, then drops the least recently used', () => {
    const size = MemoryFront.sizeOf(Buffer.alloc(1000))
    const memory = new MemoryFront(size * 3)
    memory.set('a', record(1000))
    memory.set('b', record(1000))
    memory.set('c', record(1000))
    expect(memory.get('a')).toBeDefined() // a is now more recent than b
    memory.set('d', record(1000))
    expect([memory.get('a'), memory.get('b'), memory.get('c'), memory.get('d')].map(Boolean)).toEqual([true, false, true, true])
    expect(memory.volume).toBe(size * 3)
  })

  it('does not keep a record larger than the whole budget, and forgets what the key held before', () => {
    const memory = new MemoryFront(10_000)
    memory.set('a', record(100))
    memory.set('a', record(20_000))
    expect(memory.get('a')).toBeUndefined()
    expect([memory.size, memory.volume]).toEqual([0, 0])
  })

  it('counts a replaced record once', () => {
    const memory = new MemoryFront(100_000)
    memory.set('a', record(100))
    memory.set('a', record(200))
    memory.delete('missing')
    expect([memory.size, memory.volume]).toEqual([1, MemoryFront.sizeOf(Buffer.alloc(200))])
    memory.delete('a')
    expect([memory.size, memory.volume]).toEqual([0, 0])
  })
})
