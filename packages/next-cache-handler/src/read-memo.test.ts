import { join } from 'node:path'
import { Cache } from '@diskcache/core'
import { NextStore } from './next-store.js'
import { resolveNextCacheOptions } from './options.js'
import { GENERATION_KEY, approximateBytes } from './read-memo.js'
import { makeTempDir, manualClock } from './test-support/temp-dir.js'

const KEY = ['next', '', 'response', 'b', '/page']

/**
 * A store as a handler sees it, and the same directory opened behind its back with core: rows
 * written there without moving the generation show whether a read came from memory.
 */
function setup(memoryLimit?: number) {
  const clock = manualClock()
  const directory = makeTempDir()
  const options = resolveNextCacheOptions({ directory, now: clock.now, ...(memoryLimit !== undefined && { memoryLimit }) })
  const store = new NextStore(options)
  const now = () => Math.floor(clock.now())
  const behind = { entries: new Cache(join(directory, 'entries'), { now }), tags: new Cache(join(directory, 'tags'), { now }) }
  const read = (key: readonly string[] = KEY) =>
    store.read((entries, _tags, memo) => memo.entry(JSON.stringify(key), entries, key, clock.now()), undefined)
  const tagState = (tag: string) => store.read((_entries, tags, memo) => memo.tagState(tags, 0)(tag), undefined)
  const cleanup = () => {
    store.close()
    behind.entries.close()
    behind.tags.close()
  }
  return { clock, store, behind, read, tagState, cleanup }
}

describe('ReadMemo (through NextStore.read)', () => {
  it('serves a repeated read from memory while the write generation stays, and re-reads once it moves', () => {
    const { store, behind, read, cleanup } = setup()
    try {
      store.write((entries) => entries.set(KEY, { html: 'one' }))
      expect(read()).toEqual({ html: 'one' })
      behind.entries.set(KEY, { html: 'two' }) // no generation bump: invisible to the memo
      expect(read()).toEqual({ html: 'one' })
      behind.tags.incr(GENERATION_KEY)
      expect(read()).toEqual({ html: 'two' })
    } finally {
      cleanup()
    }
  })

  it("moves the generation on every write through the store, its own process's too", () => {
    const { store, read, cleanup } = setup()
    try {
      store.write((entries) => entries.set(KEY, { html: 'one' }))
      expect(read()).toEqual({ html: 'one' })
      store.write((entries) => entries.set(KEY, { html: 'two' }))
      expect(read()).toEqual({ html: 'two' })
    } finally {
      cleanup()
    }
  })

  it('remembers tag states, present and absent, until the generation moves', () => {
    const { behind, tagState, cleanup } = setup()
    try {
      expect(tagState('t')).toBeUndefined()
      behind.tags.set('t', { expired: 5 })
      expect(tagState('t')).toBeUndefined()
      behind.tags.incr(GENERATION_KEY)
      expect(tagState('t')).toEqual({ expired: 5 })
    } finally {
      cleanup()
    }
  })

  it("stops serving an entry from memory once its row's ttl has passed", () => {
    const { clock, store, behind, read, cleanup } = setup()
    try {
      store.write((entries) => entries.set(KEY, { html: 'one' }, { ttl: 1000 }))
      expect(read()).toEqual({ html: 'one' })
      behind.entries.set(KEY, { html: 'two' }) // no bump; only the ttl can make the memo let go
      clock.advance(999)
      expect(read()).toEqual({ html: 'one' })
      clock.advance(2)
      expect(read()).toEqual({ html: 'two' })
    } finally {
      cleanup()
    }
  })

  it('keeps at most memoryLimit bytes, dropping the least recently used entry first', () => {
    const big = { html: 'x'.repeat(1000) }
    const { store, behind, read, cleanup } = setup(approximateBytes(big) * 2)
    const [a, b, c] = ['a', 'b', 'c'].map((name) => ['next', '', 'response', 'b', name])
    try {
      store.write((entries) => {
        for (const key of [a, b, c]) entries.set(key, big)
      })
      read(a)
      read(b)
      read(a) // b is now the least recently used
      read(c) // over the limit: b goes
      for (const key of [a, b, c]) behind.entries.set(key, { html: 'changed' })
      expect(read(a)).toEqual(big)
      expect(read(c)).toEqual(big)
      expect(read(b)).toEqual({ html: 'changed' })
    } finally {
      cleanup()
    }
  })

  it('with memoryLimit 0 reads every entry from the store', () => {
    const { store, behind, read, cleanup } = setup(0)
    try {
      store.write((entries) => entries.set(KEY, { html: 'one' }))
      expect(read()).toEqual({ html: 'one' })
      behind.entries.set(KEY, { html: 'two' })
      expect(read()).toEqual({ html: 'two' })
    } finally {
      cleanup()
    }
  })
})
