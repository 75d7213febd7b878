import { announceRelease, pollUntil, sleep } from './poll-until.js'

const never = () => new Error('timed out')

describe('pollUntil()', () => {
  afterEach(() => jest.useRealTimers())

  it('resolves with the first attempt that returns something, trying again on timers with pauses that grow to pollInterval', async () => {
    jest.useFakeTimers()
    let attempts = 0
    const done = pollUntil(() => (++attempts === 1_000 ? 'got it' : undefined), { timeout: Infinity, signal: undefined, pollInterval: 8, timedOut: never })
    expect(attempts).toBe(1)
    await jest.advanceTimersByTimeAsync(800)
    // Pauses of 1, 2, 4, then 8 ms, each shortened by up to half for jitter: between 100 and about 200 tries in 800 ms.
    expect(attempts).toBeGreaterThanOrEqual(100)
    expect(attempts).toBeLessThanOrEqual(205)
    await jest.advanceTimersByTimeAsync(10_000)
    await expect(done).resolves.toBe('got it')
  })

  it('rejects with the timedOut() error once the timeout has passed', async () => {
    jest.useFakeTimers()
    let attempts = 0
    const failing = pollUntil(() => void attempts++, { timeout: 50, signal: undefined, pollInterval: 10, timedOut: never }).catch((e: Error) => e)
    await jest.advanceTimersByTimeAsync(60)
    await expect(failing).resolves.toThrow('timed out')
    const afterTimeout = attempts
    await jest.advanceTimersByTimeAsync(100)
    expect(attempts).toBe(afterTimeout)
  })

  it('is woken at once by announceRelease() for the key it waits on, and not by another key', async () => {
    jest.useFakeTimers()
    const cache = {}
    let free = false
    const waiting = pollUntil(() => (free ? 'woken' : undefined), {
      timeout: Infinity,
      signal: undefined,
      pollInterval: 60_000,
      wakeOn: { cache, key: ['job', 1] },
      timedOut: never,
    })
    await jest.advanceTimersByTimeAsync(100_000) // pauses are now a minute long
    free = true
    announceRelease(cache, 'other')
    announceRelease({}, ['job', 1])
    await jest.advanceTimersByTimeAsync(0)
    let settled = false
    void waiting.then(() => (settled = true))
    await jest.advanceTimersByTimeAsync(0)
    expect(settled).toBe(false)
    announceRelease(cache, ['job', 1])
    await jest.advanceTimersByTimeAsync(0)
    await expect(waiting).resolves.toBe('woken')
  })

  it('rejects with the abort reason, and clears its timer', async () => {
    jest.useFakeTimers()
    const controller = new AbortController()
    const waiting = pollUntil(() => undefined, { timeout: Infinity, signal: controller.signal, pollInterval: 10, timedOut: never })
    controller.abort(new Error('stop'))
    await expect(waiting).rejects.toThrow('stop')
    expect(jest.getTimerCount()).toBe(0)
  })
})

describe('sleep()', () => {
  it('rejects at once for an aborted signal', async () => {
    await expect(sleep(10_000, AbortSignal.abort(new Error('aborted before')))).rejects.toThrow('aborted before')
  })
})
