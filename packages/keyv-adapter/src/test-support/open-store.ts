import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { KeyvDiskCache } from '../keyv-disk-cache.js'
import type { KeyvDiskCacheOptions } from '../keyv-disk-cache-options.js'

const dirs: string[] = []
const stores: KeyvDiskCache[] = []

/** A fresh directory under the OS temp dir, removed after the test file. */
export function makeTempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'diskcache-keyv-test-'))
  dirs.push(dir)
  return dir
}

/** A KeyvDiskCache (by default in a fresh directory) whose cache is closed after the test. */
export function openStore(options: KeyvDiskCacheOptions = {}): KeyvDiskCache {
  const store = new KeyvDiskCache({ directory: makeTempDir(), ...options })
  stores.push(store)
  return store
}

/** Closes the caches of stores a test made itself, after the test. */
export function closeAfterTest<T extends { cache: { close(): void } }>(store: T): T {
  stores.push(store as unknown as KeyvDiskCache)
  return store
}

/** A clock tests move by hand, for core's `now` option. */
export function manualClock(start = 1_700_000_000_000): { now: () => number; advance(ms: number): void } {
  let current = start
  return {
    now: () => current,
    advance(ms: number) {
      current += ms
    },
  }
}

afterEach(() => {
  for (const store of stores.splice(0)) store.cache.close()
})

afterAll(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})
