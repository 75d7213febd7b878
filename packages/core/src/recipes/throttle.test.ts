import { InvalidOptionError } from '../errors.js'
import { openCache } from '../test-support/open-cache.js'
import { makeTempDir, manualClock } from '../test-support/temp-dir.js'
import { throttle } from './throttle.js'

/** A clock and a sleep that moves it, so waits take no real time. */
function fakeTime() {
  const clock = manualClock(0)
  const sleeps: number[] = []
  const sleep = async (ms: number) => {
    sleeps.push(ms)
    clock.advance(ms)
  }
  return { clock, sleeps, sleep, now: clock.now }
}

/** Runs `calls` throttled calls one after another; returns the clock time of each. */
async function callTimes(run: () => Promise<unknown>, now: () => number, calls: number): Promise<number[]> {
  const times: number[] = []
  for (let i = 0; i < calls; i++) {
    await run()
    times.push(now())
  }
  return times
}

describe('throttle()', () => {
  it('lets `count` calls through at once, then one every per/count ms', async () => {
    const { now, sleep } = fakeTime()
    const run = throttle(openCache({ now }), function ping() {}, { count: 5, per: 1_000, now, sleep })
    expect(await callTimes(run, now, 8)).toEqual([0, 0, 0, 0, 0, 200, 400, 600])
  })

  it('holds its rate: no window of W ms has more than count + W × rate calls, and N calls take (N − count) / rate', async () => {
    const { now, sleep } = fakeTime()
    const count = 10
    const per = 1_000
    const rate = count / per
    const run = throttle(openCache({ now }), function ping() {}, { count, per, now, sleep })
    const times = await callTimes(run, now, 200)
    for (const window of [100, 500, 1_000, 5_000]) {
      const most = Math.max(...times.map((start) => times.filter((time) => time >= start && time < start + window).length))
      expect(most).toBeLessThanOrEqual(count + window * rate)
    }
    const elapsed = times.at(-1)! - times[0]!
    expect(elapsed).toBeGreaterThanOrEqual((200 - count) / rate)
    expect(elapsed).toBeLessThanOrEqual(((200 - count) / rate) * 1.01)
  })

  it('does not refill the bucket when another process wraps the same name while it is drained', async () => {
    const { now, sleep, sleeps } = fakeTime()
    const dir = makeTempDir()
    const options = { count: 3, per: 300, name: 'api', now, sleep }
    const first = throttle(openCache({ now }, dir), () => 'first', options)
    await callTimes(first, now, 3)
    expect(sleeps).toEqual([])
    // A second process (another Cache object on the directory) starts and wraps the same name.
    const second = throttle(openCache({ now }, dir), () => 'second', options)
    await expect(second()).resolves.toBe('second')
    expect(sleeps).toEqual([100])
  })

  it('refills during a quiet spell up to `count`, never beyond', async () => {
    const { now, sleep, sleeps, clock } = fakeTime()
    const run = throttle(openCache({ now }), function ping() {}, { count: 4, per: 400, now, sleep })
    await callTimes(run, now, 4)
    clock.advance(10_000)
    await callTimes(run, now, 4)
    expect(sleeps).toEqual([])
    await run()
    expect(sleeps).toEqual([100])
  })

  it('passes arguments and results through, awaits async functions and lets their errors out', async () => {
    const { now, sleep } = fakeTime()
    const cache = openCache({ now })
    const add = throttle(cache, async (a: number, b: number) => a + b, { count: 2, per: 100, name: 'add', now, sleep })
    await expect(add(2, 3)).resolves.toBe(5)
    const fail = throttle(cache, () => {
      throw new Error('upstream down')
    }, { count: 2, per: 100, name: 'fail', now, sleep })
    await expect(fail()).rejects.toThrow('upstream down')
  })

  it('waits on a timer by default, so other callbacks run while a call waits its turn', async () => {
    const run = throttle(openCache(), function tick() {}, { count: 1, per: 40 })
    await run()
    const events: string[] = []
    setTimeout(() => events.push('timer'), 1)
    await run()
    events.push('second call')
    expect(events).toEqual(['timer', 'second call'])
  })

  it('refuses missing, misspelt and out-of-range options', () => {
    const cache = openCache()
    const fn = function ping() {}
    expect(() => throttle(cache, fn, undefined as never)).toThrow('throttle needs options like { count: 10, per: 1000 }')
    expect(() => throttle(cache, fn, { count: 1, pre: 10 } as never)).toThrow('did you mean "per"?')
    expect(() => throttle(cache, fn, { count: 0, per: 10 })).toThrow(InvalidOptionError)
    expect(() => throttle(cache, fn, { count: 1, per: -5 })).toThrow(InvalidOptionError)
    expect(() => throttle(cache, () => {}, { count: 1, per: 10 })).toThrow('needs { name } for an anonymous function')
  })
})
