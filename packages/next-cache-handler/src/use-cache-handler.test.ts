import type { UseCacheEntry } from './next-types.js'
import { makeTempDir, manualClock } from './test-support/temp-dir.js'
import { createUseCacheHandler } from './use-cache-handler.js'

function setup() {
  const clock = manualClock()
  const directory = makeTempDir()
  return { clock, directory, handler: createUseCacheHandler({ directory, now: clock.now }) }
}

function streamOf(...chunks: string[]): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(new TextEncoder().encode(chunk))
      controller.close()
    },
  })
}

function entryAt(timestamp: number, overrides: Partial<UseCacheEntry> = {}): UseCacheEntry {
  return { value: streamOf('["rsc",', '1]'), tags: ['thing'], stale: 300, timestamp, expire: 86400, revalidate: 3600, ...overrides }
}

async function text(stream: ReadableStream<Uint8Array>): Promise<string> {
  return new Response(stream).text()
}

describe("'use cache' handler get() and set()", () => {
  it('stores the awaited entry and returns its metadata, the fractional timestamp exact', async () => {
    const { handler, clock } = setup()
    await handler.set('["b1","fn",[]]', Promise.resolve(entryAt(clock.now())))
    const found = await handler.get('["b1","fn",[]]', [])
    expect(found).toMatchObject({ tags: ['thing'], stale: 300, timestamp: clock.now(), expire: 86400, revalidate: 3600 })
    expect(Number.isInteger(found!.timestamp)).toBe(false)
    expect(await text(found!.value)).toBe('["rsc",1]')
  })

  it('returns a new stream on every get', async () => {
    const { handler, clock } = setup()
    await handler.set('k', Promise.resolve(entryAt(clock.now())))
    const first = await handler.get('k', [])
    const second = await handler.get('k', [])
    expect(first!.value).not.toBe(second!.value)
    expect(await text(first!.value)).toBe('["rsc",1]')
    expect(await text(second!.value)).toBe('["rsc",1]')
  })

  it('makes a concurrent get of the same key wait for the pending set instead of missing', async () => {
    const { handler, clock } = setup()
    let resolveEntry!: (entry: UseCacheEntry) => void
    const setting = handler.set('k', new Promise((resolve) => (resolveEntry = resolve)))
    const getting = handler.get('k', [])
    resolveEntry(entryAt(clock.now()))
    await setting
    expect(await text((await getting)!.value)).toBe('["rsc",1]')
  })

  it('stores nothing when the stream errors part-way, and releases waiting gets', async () => {
    const { handler, clock } = setup()
    const failing = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('partial'))
        controller.error(new Error('render failed'))
      },
    })
    const setting = handler.set('k', Promise.resolve(entryAt(clock.now(), { value: failing })))
    const getting = handler.get('k', [])
    await expect(setting).resolves.toBeUndefined()
    expect(await getting).toBeUndefined()
  })

  it('stores nothing when the pending entry rejects', async () => {
    const { handler } = setup()
    await expect(handler.set('k', Promise.reject(new Error('boom')))).resolves.toBeUndefined()
    expect(await handler.get('k', [])).toBeUndefined()
  })

  it('does not store a dynamic entry (expire 0)', async () => {
    const { handler, clock } = setup()
    await handler.set('k', Promise.resolve(entryAt(clock.now(), { expire: 0, revalidate: 0 })))
    expect(await handler.get('k', [])).toBeUndefined()
  })

  it('misses once the entry is past its expire', async () => {
    const { handler, clock } = setup()
    await handler.set('k', Promise.resolve(entryAt(clock.now(), { expire: 600, revalidate: 60 })))
    clock.advance(599_000)
    expect(await handler.get('k', [])).toBeDefined()
    clock.advance(2_000)
    expect(await handler.get('k', [])).toBeUndefined()
  })

  it('is shared with another handler object on the same directory (as another process would be)', async () => {
    const { handler, clock, directory } = setup()
    await handler.set('k', Promise.resolve(entryAt(clock.now())))
    const other = createUseCacheHandler({ directory, now: clock.now })
    expect(await text((await other.get('k', []))!.value)).toBe('["rsc",1]')
  })
})

describe("'use cache' handler tags", () => {
  it('updateTags with { expire: 0 } turns entries carrying the tag into misses', async () => {
    const { handler, clock } = setup()
    await handler.set('k', Promise.resolve(entryAt(clock.now())))
    clock.advance(1000)
    await handler.updateTags(['thing'], { expire: 0 })
    expect(await handler.get('k', [])).toBeUndefined()
  })

  it("updateTags with 'max' serves the entry once more with revalidate -1, until it is replaced", async () => {
    const { handler, clock } = setup()
    await handler.set('k', Promise.resolve(entryAt(clock.now())))
    clock.advance(1000)
    await handler.updateTags(['thing'], { expire: 31536000 })
    expect((await handler.get('k', []))?.revalidate).toBe(-1)
    clock.advance(1000)
    await handler.set('k', Promise.resolve(entryAt(clock.now())))
    expect((await handler.get('k', []))?.revalidate).toBe(3600)
  })

  it('checks the soft tags passed to get', async () => {
    const { handler, clock } = setup()
    await handler.set('k', Promise.resolve(entryAt(clock.now())))
    clock.advance(1000)
    await handler.updateTags(['_N_T_/cached'])
    expect(await handler.get('k', ['_N_T_/layout'])).toBeDefined()
    expect(await handler.get('k', ['_N_T_/layout', '_N_T_/cached'])).toBeUndefined()
  })

  it('getExpiration returns the latest expiry in force among the tags, 0 for none', async () => {
    const { handler, clock } = setup()
    expect(await handler.getExpiration(['_N_T_/a'])).toBe(0)
    await handler.updateTags(['_N_T_/a'])
    const first = Math.round(clock.now())
    clock.advance(5000)
    await handler.updateTags(['_N_T_/b'])
    expect(await handler.getExpiration(['_N_T_/a'])).toBe(first)
    expect(await handler.getExpiration(['_N_T_/a', '_N_T_/b', '_N_T_/c'])).toBe(first + 5000)
    // A future expiry ('max') is not in force yet: reporting it would drop entries written after it.
    await handler.updateTags(['_N_T_/c'], { expire: 31536000 })
    expect(await handler.getExpiration(['_N_T_/c'])).toBe(0)
  })

  it("getExpiration reads Next 15's spread tags the same as Next 16's array", async () => {
    const { handler, clock } = setup()
    await handler.updateTags(['_N_T_/a'])
    const first = Math.round(clock.now())
    clock.advance(5000)
    await handler.updateTags(['_N_T_/b'])
    expect(await handler.getExpiration('_N_T_/a')).toBe(first)
    expect(await handler.getExpiration('_N_T_/layout', '_N_T_/a', '_N_T_/b')).toBe(first + 5000)
    expect(await handler.getExpiration('_N_T_/layout', '_N_T_/c')).toBe(0)
    expect(await handler.getExpiration()).toBe(0)
  })

  it("expireTags (Next 15's revalidateTag and revalidatePath) expires the spread tags now", async () => {
    const { handler, clock } = setup()
    await handler.set('k', Promise.resolve(entryAt(clock.now())))
    await handler.set('other', Promise.resolve(entryAt(clock.now(), { tags: ['unrelated'] })))
    clock.advance(1000)
    await handler.expireTags('thing', '_N_T_/cached')
    expect(await handler.get('k', [])).toBeUndefined()
    expect(await handler.get('other', [])).toBeDefined()
    expect(await handler.getExpiration('_N_T_/cached')).toBe(Math.round(clock.now()))
    // Entries written after the expiry are fresh again.
    clock.advance(1000)
    await handler.set('k', Promise.resolve(entryAt(clock.now())))
    expect(await handler.get('k', ['_N_T_/cached'])).toBeDefined()
  })

  it('refreshTags resolves at once: tag state is read from the shared store on every check', async () => {
    const { handler } = setup()
    await expect(handler.refreshTags()).resolves.toBeUndefined()
  })
})
