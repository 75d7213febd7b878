import { ChildCache, killAllChildren, runTogether } from '../test-support/child-cache.js'
import { openCacheIn } from '../test-support/open-cache.js'
import { makeTempDir } from '../test-support/temp-dir.js'
import { Lock } from './lock.js'

// Real child processes running the built package (test-support/cache-child.cjs):
// run `npm run build` after changing the recipes.

afterEach(killAllChildren)

async function startChildren(directory: string, count: number): Promise<ChildCache[]> {
  const children = await Promise.all(Array.from({ length: count }, () => ChildCache.start(directory)))
  await Promise.all(children.map((child) => child.request('open', {})))
  return children
}

describe('recipes across processes', () => {
  it('a Lock never has two holders: 4 processes × 50 read-yield-write rounds lose no increment and never overlap', async () => {
    const dir = makeTempDir()
    const children = await startChildren(dir, 4)
    const results = await runTogether(children, 'lockLoop', { key: 'counter-lock', count: 50, ttl: 10_000 })
    expect(results).toEqual(Array(4).fill({ overlaps: 0 }))
    const cache = openCacheIn(dir)
    expect(cache.get('counter')).toBe(200)
    expect(cache.has('counter-lock')).toBe(false)
  })

  it('a Lock whose holder process was killed is taken by another once its ttl passes, not before', async () => {
    const dir = makeTempDir()
    const [child] = await startChildren(dir, 1)
    const deadOwner = await child!.request<string>('lockHold', { key: 'job', ttl: 1_500 })
    await child!.kill()
    const cache = openCacheIn(dir)
    expect(cache.get('job')).toBe(deadOwner)
    const lock = new Lock(cache, 'job', { pollInterval: 20 })
    expect(lock.tryAcquire()).toBe(false)
    await lock.acquire({ timeout: 15_000 })
    expect(cache.get('job')).toBe(lock.owner)
  })

  it('a BoundedSemaphore of 2 never admits a third holder among 4 processes, and does admit two', async () => {
    const dir = makeTempDir()
    const children = await startChildren(dir, 4)
    await runTogether(children, 'semaphoreLoop', { key: 'pool', value: 2, ttl: 10_000, count: 15, holdMs: 5 })
    const cache = openCacheIn(dir)
    expect(cache.get('highWater')).toBe(2)
    expect(cache.get('holders')).toBe(0)
  })

  it('throttle holds its rate across 2 processes: completions counted in any window stay within count + window × rate', async () => {
    const dir = makeTempDir()
    const children = await startChildren(dir, 2)
    const count = 5
    const per = 100
    const rate = count / per
    const durationMs = 800
    const results = (await runTogether(children, 'throttleRun', { name: 'api', count, per, durationMs })) as number[][]
    const times = results.flat().sort((a, b) => a - b)
    // Upper bound: the guarantee. One call of slack covers the gap between taking a token and recording the time.
    for (const window of [100, 300, 600]) {
      const most = Math.max(...times.map((start) => times.filter((time) => time >= start && time < start + window).length))
      expect(most).toBeLessThanOrEqual(count + window * rate + 1)
    }
    // Lower bound, loose: both processes together still get most of the rate, so the bucket is shared and refills.
    expect(times.length).toBeGreaterThanOrEqual(0.6 * (count + durationMs * rate))
    expect(times.length).toBeLessThanOrEqual(count + (times.at(-1)! - times[0]!) * rate + 1)
  })

  it('memoizeStampede runs a cold computation once for 8 callers in 4 processes; all get its value', async () => {
    const dir = makeTempDir()
    const children = await startChildren(dir, 4)
    const results = (await runTogether(children, 'stampedeCold', { name: 'slow', callers: 2, computeMs: 300, ttl: 60_000 })) as string[][]
    const values = results.flat()
    expect(values).toHaveLength(8)
    expect(new Set(values).size).toBe(1)
    expect(values[0]).toMatch(/^value of 1 from \d+$/)
    expect(openCacheIn(dir).get('calls')).toBe(1)
  })
})
