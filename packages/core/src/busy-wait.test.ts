import { isBusy, retryWhileBusy } from './busy-wait.js'

const busy = (code = 'SQLITE_BUSY'): Error => Object.assign(new Error('database is locked'), { code })

describe('retryWhileBusy()', () => {
  it('runs the statement again until it stops reporting SQLITE_BUSY, and returns its result', () => {
    let attempts = 0
    const result = retryWhileBusy(
      () => {
        attempts++
        if (attempts < 5) throw busy()
        return 'written'
      },
      busy(),
      5_000,
    )
    expect(result).toBe('written')
    expect(attempts).toBe(5)
  })

  it('gives up once the timeout has passed, with the last SQLITE_BUSY, after several attempts', () => {
    let attempts = 0
    let thrown: unknown
    try {
      retryWhileBusy(
        () => {
          attempts++
          throw busy('SQLITE_BUSY_RECOVERY')
        },
        busy(),
        100,
      )
    } catch (error) {
      thrown = error
    }
    expect((thrown as { code: string }).code).toBe('SQLITE_BUSY_RECOVERY')
    // Pauses start at 20 µs and double up to 1 ms: 100 ms holds about a hundred attempts, where SQLite's
    // handler (1, 2, 5, 10, 15, 20, 25, 25 ms) makes 8. On a loaded machine the pauses overrun, so ask for 16.
    expect(attempts).toBeGreaterThan(15)
  })

  it('never retries another error, or any error when the timeout is 0', () => {
    const other = Object.assign(new Error('disk I/O error'), { code: 'SQLITE_IOERR' })
    expect(() => retryWhileBusy(() => 1, other, 5_000)).toThrow(other)
    const first = busy()
    let attempts = 0
    expect(() => retryWhileBusy(() => attempts++, first, 0)).toThrow(first)
    expect(attempts).toBe(0)
  })

  it('lets a non-busy error from a retry through at once', () => {
    const full = Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' })
    expect(() =>
      retryWhileBusy(
        () => {
          throw full
        },
        busy(),
        5_000,
      ),
    ).toThrow(full)
  })
})

describe('isBusy()', () => {
  it('knows SQLITE_BUSY and its extended codes, except BUSY_SNAPSHOT, which no retry of the statement can cure', () => {
    expect(isBusy(busy())).toBe(true)
    expect(isBusy(busy('SQLITE_BUSY_RECOVERY'))).toBe(true)
    expect(isBusy(busy('SQLITE_BUSY_TIMEOUT'))).toBe(true)
    expect(isBusy(busy('SQLITE_BUSY_SNAPSHOT'))).toBe(false)
    expect(isBusy(busy('SQLITE_LOCKED'))).toBe(false)
    expect(isBusy(new Error('no code'))).toBe(false)
    expect(isBusy(null)).toBe(false)
  })
})
