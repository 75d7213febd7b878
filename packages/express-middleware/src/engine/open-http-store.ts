import { Cache } from '@diskcache/core'

/**
 * Opens the Cache the middleware owns. Core is synchronous: a write that waits for another
 * process's lock blocks this process's event loop for up to the Cache's `timeout`, so the store
 * the middleware serves from gets a short one (`storeTimeout`). Creating a new store, though,
 * takes the lock once per directory, and several workers starting together queue on it: that
 * first open runs with core's patient default, then the store is reopened with the short
 * timeout, which an existing store needs no lock to do.
 */
export function openHttpStore(directory: string, now: () => number, storeTimeout: number): Cache {
  new Cache(directory, { now }).close()
  return new Cache(directory, { now, timeout: storeTimeout })
}
