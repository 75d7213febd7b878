import { spawnSync } from 'node:child_process'
import { join } from 'node:path'

// The short form of `npm run stress` (see packages/core/stress/stress.mjs): writer
// processes killed with SIGKILL at random moments, then every acknowledged write checked and no value file orphaned.
describe('the stress run, short form', () => {
  it.each(['cache', 'fanout'])('loses no acknowledged write of a %s while writers are killed at random', (kind) => {
    const script = join(__dirname, '../stress/stress.mjs')
    const run = spawnSync(process.execPath, [script, '--seconds', '4', '--processes', '3', '--kill-every', '500', '--kind', kind, '--json'], {
      encoding: 'utf8',
      timeout: 60_000,
    })
    const summary = JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '{}')
    expect(summary.problems).toEqual([]) // check() clean after reopening, with no check({ fix: true })
    expect(summary.orphansAfterReopen).toBe(0) // every .val file referenced, before check() ran
    expect(run.status).toBe(0)
    expect(summary.kills).toBeGreaterThan(2)
    expect(summary.writesAcknowledged).toBeGreaterThan(200) // a writer needs ~0.6 s to start on a loaded 2-core machine: the floor only proves writes happened
    expect(summary.failures).toBe(0)
  }, 90_000)
})
