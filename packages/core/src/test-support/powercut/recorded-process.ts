import { type ChildProcess, type SpawnOptions, spawn, spawnSync } from 'node:child_process'
import { realpathSync } from 'node:fs'

export interface Recording {
  /** powercut.so, from compilePowerCutShim. */
  shim: string
  /** The watched directory (made canonical: the shim compares paths as written, links unresolved). */
  directory: string
  /** Where the shim appends its records. */
  log: string
}

/** The environment that makes a Node process record its changes under `directory` into `log`. */
export function recordingEnv({ shim, directory, log }: Recording): NodeJS.ProcessEnv {
  return {
    ...process.env,
    LD_PRELOAD: shim,
    POWERCUT_DIR: realpathSync(directory),
    POWERCUT_LOG: log,
    // libuv could otherwise hand file writes to io_uring, which no libc shim sees.
    UV_USE_IO_URING: '0',
  }
}

/** Runs `source` (CommonJS) in a recorded Node process to its end; throws with its stderr if it fails. */
export function runRecordedScript(recording: Recording, source: string, args: string[] = []): void {
  const run = spawnSync(process.execPath, ['-e', source, '--', ...args], { env: recordingEnv(recording), encoding: 'utf8' })
  if (run.status !== 0) throw new Error(`recorded script failed (status ${run.status}, signal ${run.signal}):\n${run.stderr}`)
}

/** Starts `script` in a recorded Node process; the caller kills it. */
export function spawnRecorded(recording: Recording, script: string, args: string[], options: SpawnOptions = {}): ChildProcess {
  return spawn(process.execPath, [script, ...args], { ...options, env: recordingEnv(recording) })
}
