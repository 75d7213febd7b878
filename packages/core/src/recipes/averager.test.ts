import { InvalidValueError } from '../errors.js'
import { openCache } from '../test-support/open-cache.js'
import { makeTempDir, manualClock } from '../test-support/temp-dir.js'
import { Averager } from './averager.js'

describe('Averager', () => {
  it('averages the values added, and is undefined before the first', () => {
    const averager = new Averager(openCache(), 'latency')
    expect(averager.get()).toBeUndefined()
    for (const value of [10, 20, 60]) averager.add(value)
    expect(averager.get()).toBe(30)
  })

  it('pop() returns the average and starts afresh', () => {
    const averager = new Averager(openCache(), 'latency')
    averager.add(4)
    averager.add(6)
    expect(averager.pop()).toBe(5)
    expect(averager.get()).toBeUndefined()
    expect(averager.pop()).toBeUndefined()
    averager.add(1)
    expect(averager.get()).toBe(1)
  })

  it('loses no add made through different Cache objects on one directory', () => {
    const dir = makeTempDir()
    const averagers = [new Averager(openCache({}, dir), 'n'), new Averager(openCache({}, dir), 'n')]
    for (let i = 1; i <= 100; i++) averagers[i % 2]!.add(i)
    expect(averagers[0]!.get()).toBe(50.5)
  })

  it('expires the running total `ttl` ms after the last add', () => {
    const clock = manualClock()
    const averager = new Averager(openCache({ now: clock.now }), 'n', { ttl: 1_000, tags: ['stats'] })
    averager.add(2)
    clock.advance(999)
    averager.add(4)
    clock.advance(999)
    expect(averager.get()).toBe(3)
    clock.advance(1)
    expect(averager.get()).toBeUndefined()
  })

  it('refuses values that are not finite numbers, and a key holding something else', () => {
    const cache = openCache()
    const averager = new Averager(cache, 'n')
    expect(() => averager.add(Number.NaN)).toThrow(InvalidValueError)
    expect(() => averager.add('3' as never)).toThrow(InvalidValueError)
    cache.set('taken', 'a string')
    expect(() => new Averager(cache, 'taken').get()).toThrow('give the Averager a key of its own')
    expect(() => new Averager(cache, 'n', { tl: 5 } as never)).toThrow('did you mean "ttl"?')
  })
})
