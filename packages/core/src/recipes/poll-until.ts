import { type CacheKey, encodeKey, keyIdentity } from '../cache-key.js'

/** How long a blocking call may wait. */
export interface WaitOptions {
  /** Most milliseconds to wait; `Infinity` waits until it succeeds or `signal` aborts. @default Infinity */
  timeout?: number
  /** Aborting rejects the wait with `signal.reason` (an `AbortError` DOMException unless you gave one). */
  signal?: AbortSignal
}

export interface PollOptions {
  timeout: number
  signal: AbortSignal | undefined
  /** Longest pause between attempts, in ms; pauses start at 1 ms and double up to it. */
  pollInterval: number
  /** A release of this key by this process cuts the current pause short (other processes are seen at the next poll). */
  wakeOn?: { cache: object; key: CacheKey }
  /** The error to reject with once `timeout` has passed. */
  timedOut(): Error
}

const FIRST_PAUSE = 1

/**
 * Calls `attempt` until it returns something other than undefined, pausing
 * between failures on timers, so the event loop keeps running while we wait
 * for another process (there is no cross-process notification in SQLite, so
 * polling it is; the pauses grow to keep an idle wait cheap).
 */
export async function pollUntil<T>(attempt: () => T | undefined, options: PollOptions): Promise<T> {
  const { timeout, signal, pollInterval, wakeOn } = options
  signal?.throwIfAborted()
  const deadline = performance.now() + timeout
  const pausing: { wake?: () => void } = {}
  const stopListening = wakeOn && listenForRelease(wakeOn.cache, wakeOn.key, () => pausing.wake?.())
  try {
    let pause = Math.min(FIRST_PAUSE, pollInterval)
    for (;;) {
      const result = attempt()
      if (result !== undefined) return result
      const left = deadline - performance.now()
      if (left <= 0) throw options.timedOut()
      // Jitter, so processes that failed together do not retry in lockstep.
      await sleep(Math.min(pause * (0.5 + Math.random() / 2), left), signal, pausing)
      pause = Math.min(pause * 2, pollInterval)
    }
  } finally {
    stopListening?.()
  }
}

/**
 * Resolves after `ms` (or rejects with `signal.reason` on abort). With
 * `pausing`, `pausing.wake()` ends the pause early.
 */
export function sleep(ms: number, signal?: AbortSignal, pausing?: { wake?: () => void }): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason)
      return
    }
    const finish = () => {
      clearTimeout(timer)
      signal?.removeEventListener('abort', abort)
      if (pausing) pausing.wake = undefined
    }
    const wake = () => {
      finish()
      resolve()
    }
    const abort = () => {
      finish()
      reject(signal?.reason)
    }
    const timer = setTimeout(wake, ms)
    signal?.addEventListener('abort', abort, { once: true })
    if (pausing) pausing.wake = wake
  })
}

// Waiters in this process, by cache object and key, so a release here wakes
// them at once instead of at their next poll.
const listeners = new WeakMap<object, Map<string, Set<() => void>>>()

function listenForRelease(cache: object, key: CacheKey, wake: () => void): () => void {
  const identity = keyIdentity(...encodeKey(key))
  let byKey = listeners.get(cache)
  if (!byKey) listeners.set(cache, (byKey = new Map()))
  let waiting = byKey.get(identity)
  if (!waiting) byKey.set(identity, (waiting = new Set()))
  waiting.add(wake)
  return () => {
    waiting.delete(wake)
    if (waiting.size === 0 && byKey.get(identity) === waiting) byKey.delete(identity)
  }
}

/** Wakes this process's waiters on `key`: it was just released. */
export function announceRelease(cache: object, key: CacheKey): void {
  const waiting = listeners.get(cache)?.get(keyIdentity(...encodeKey(key)))
  if (waiting) for (const wake of [...waiting]) wake()
}
