import { type ChildProcess, spawn } from 'node:child_process'
import { resolve } from 'node:path'

// The built example (`npm run build` compiles examples/nest to dist/), run as a real process.
const main = resolve(__dirname, '../../../../examples/nest/dist/main.js')
const running: ChildProcess[] = []

/** Starts the example app on 127.0.0.1 at a free port; stopped after each test. */
export async function startExampleApp(env: Record<string, string>): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [main], {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  running.push(child)
  let output = ''
  const url = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error(`the example app did not start in 15 s:\n${output}`)), 15_000)
    const onData = (chunk: Buffer) => {
      output += chunk.toString()
      const match = /listening on (http:\/\/\S+)/.exec(output)
      if (match) {
        clearTimeout(timer)
        resolveUrl(match[1]!)
      }
    }
    child.stdout!.on('data', onData)
    child.stderr!.on('data', onData)
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`the example app exited with ${code}:\n${output}`))
    })
  })
  return { url, child }
}

afterEach(async () => {
  await Promise.all(
    running.splice(0).map(
      (child) =>
        new Promise<void>((done) => {
          if (child.exitCode !== null || child.signalCode !== null) return done()
          const timer = setTimeout(() => child.kill('SIGKILL'), 5_000)
          child.once('exit', () => {
            clearTimeout(timer)
            done()
          })
          child.kill('SIGTERM')
        }),
    ),
  )
})
