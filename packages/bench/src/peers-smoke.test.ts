// The whole runner in its quick form, on three in-process contenders and tiny
// sizes: it forks real job processes and writes a real page. It runs the
// BUILT code (packages/bench/dist, packages/core/dist): `npm run build` first.
// No Redis, Memcached or Python here: CI need not have them.
import { execFile } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const PACKAGE = join(__dirname, '..')
const RUNNER = join(PACKAGE, 'bench', 'peers.mjs')

function runPeers(args: string[]): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [RUNNER, ...args], { timeout: 50_000 }, (error, stdout, stderr) => {
      if (error) reject(Object.assign(error, { message: `${error.message}\n${stderr}` }))
      else resolve({ stdout, stderr })
    })
  })
}

describe('npm run bench:peers -- --quick', () => {
  let dir: string
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'diskcache-peers-smoke-'))
  })
  afterEach(() => rmSync(dir, { recursive: true, force: true }))

  it('writes a page with a row per contender, its charts and the verdicts', async () => {
    expect(existsSync(join(PACKAGE, 'dist', 'esm', 'index.js'))).toBe(true) // else: npm run build
    const out = join(dir, 'report.md')
    const { stdout } = await runPeers([
      '--quick',
      '--contenders', 'cache,floor,lru',
      '--only', 'latency,throughput,durability',
      '--keys', '300',
      '--seconds', '0.3',
      '--out', out,
      '--scratch', dir,
    ])
    const page = readFileSync(out, 'utf8')
    const latency = page.slice(page.indexOf('## 1. Latency'), page.indexOf('## 2. Throughput'))
    for (const label of ['@diskcache/core Cache', 'better-sqlite3 (floor)', 'lru-cache (in memory)']) {
      expect(latency).toContain(`| ${label} |`)
    }
    const throughput = page.slice(page.indexOf('## 2. Throughput'), page.indexOf('## 5. Durability'))
    expect(throughput).toContain('lru-cache (in memory): P = 1 only')
    expect(page).toContain("Cache, synchronous 'full'")
    expect(page).toContain('](report/latency.svg)')
    expect(readFileSync(join(dir, 'report', 'latency.svg'), 'utf8')).toContain('<svg')
    expect(existsSync(join(dir, 'report', 'results.json'))).toBe(true)
    expect(stdout).toMatch(/get-hit within 1\.3× raw better-sqlite3 .* (PASS|MISS)/)
    expect(stdout).toMatch(/get-hit faster than Python DiskCache .* SKIPPED/)
  }, 60_000)

  it('refuses an unknown contender and names the known ones', async () => {
    await expect(runPeers(['--contenders', 'cache,redis-cluster', '--out', join(dir, 'x.md')])).rejects.toThrow(/unknown "redis-cluster"; choose from .*memcached/)
  })
})
