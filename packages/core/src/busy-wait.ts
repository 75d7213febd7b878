/**
 * Waiting for another process's lock, in place of SQLite's busy handler.
 *
 * SQLite's own handler (busy_timeout) sleeps 1, 2, 5, 10, 15, 20 … ms between
 * attempts, so a write that finds the lock held for 50 µs still waits a whole
 * millisecond, and under steady contention most of that time the lock is free.
 * Connections run with busy_timeout 0 instead, and a statement that reports
 * SQLITE_BUSY is retried here after short pauses (20 µs, doubling up to 1 ms),
 * until the cache's `timeout` has passed. Only a statement that did nothing
 * reports SQLITE_BUSY (SQLite rolls it back), so retrying it is safe.
 */
const pause = new Int32Array(new SharedArrayBuffer(4))

const FIRST_PAUSE_MS = 0.02
const LONGEST_PAUSE_MS = 1

/** Blocks this thread for `ms` (fractions allowed), as SQLite's busy handler would. */
export function pauseMs(ms: number): void {
  Atomics.wait(pause, 0, 0, ms)
}

export function isBusy(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code
  return typeof code === 'string' && (code === 'SQLITE_BUSY' || code.startsWith('SQLITE_BUSY_')) && code !== 'SQLITE_BUSY_SNAPSHOT'
}

/**
 * Runs `attempt` again while it throws SQLITE_BUSY, for up to `timeoutMs`; then
 * lets the last SQLITE_BUSY through. `first` is the error the first attempt threw.
 */
export function retryWhileBusy<T>(attempt: () => T, first: unknown, timeoutMs: number): T {
  if (!isBusy(first) || timeoutMs <= 0) throw first
  const deadline = performance.now() + timeoutMs
  let wait = FIRST_PAUSE_MS
  for (;;) {
    const left = deadline - performance.now()
    if (left <= 0) return attempt()
    // Blocks this thread only, as SQLite's handler would, with sub-millisecond precision.
    pauseMs(Math.min(wait, left))
    wait = Math.min(wait * 2, LONGEST_PAUSE_MS)
    try {
      return attempt()
    } catch (error) {
      if (!isBusy(error)) throw error
    }
  }
}
