import { type ChildProcess, fork } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'

/** The built package the worker scripts `require`: the tests need `npm run build` first. */
export const BUILT = join(__dirname, '../../dist/cjs/index.js')

export function assertBuilt(): void {
  if (!existsSync(BUILT)) throw new Error(`${BUILT} is missing: run npm run build first`)
}

const workers: ChildProcess[] = []

/** Forks a worker script that serves on 127.0.0.1 and reports its port; resolves with its base URL. */
export function startWorker(script: string, args: string[]): Promise<string> {
  const child = fork(script, args, { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] })
  workers.push(child)
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('worker did not start within 10 s')), 10_000)
    child.once('message', (message: { port: number }) => {
      clearTimeout(timer)
      resolve(`http://127.0.0.1:${message.port}`)
    })
    child.once('exit', (code) => reject(new Error(`worker exited with ${code}`)))
  })
}

/** Stops every worker started so far: disconnects, then SIGKILL after 5 s. For afterEach. */
export async function stopWorkers(): Promise<void> {
  await Promise.all(
    workers.splice(0).map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null) return resolve()
          child.once('exit', () => resolve())
          child.disconnect()
          setTimeout(() => child.kill('SIGKILL'), 5_000).unref()
        }),
    ),
  )
}
