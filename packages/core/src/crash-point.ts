/**
 * The moments where a writer killed outright leaves a value file behind, named
 * so the crash tests can stop a real child process exactly there: with
 * DISKCACHE_CRASH_AT=<point> in its environment, the process SIGKILLs itself on
 * reaching that point. Not part of the API. Read once at load, so an unset
 * variable costs one comparison with undefined.
 *
 *   temp-written    a new value file's bytes are in `<name>.tmp`, before any transaction
 *   published       `<name>.tmp` was renamed to `<name>` inside the write transaction, before COMMIT
 *   committed       a COMMIT released value files (rows deleted or repointed), before they are unlinked
 */
export type CrashPoint = 'temp-written' | 'published' | 'committed'

const CRASH_AT = process.env['DISKCACHE_CRASH_AT']

export function crashPoint(point: CrashPoint): void {
  if (CRASH_AT !== undefined && CRASH_AT === point) process.kill(process.pid, 'SIGKILL')
}
