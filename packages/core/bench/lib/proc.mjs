// Process plumbing: memory readings, and running a part in a child process.
import { fork } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const MB = 1024 * 1024

/**
 * Memory of this process in MiB: rss, peak rss (VmHWM) and, on Linux, rss split
 * into anonymous memory (heap, malloc: what a leak grows) and file-backed pages
 * (the mmap'ed database: shrinks and grows with the OS page cache).
 */
export function memoryNow() {
  const usage = process.memoryUsage()
  const out = { rss: usage.rss / MB, heapUsed: usage.heapUsed / MB, external: usage.external / MB }
  try {
    const status = readFileSync('/proc/self/status', 'utf8')
    const kb = (field) => {
      const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)
      return match ? Number(match[1]) / 1024 : undefined
    }
    out.hwm = kb('VmHWM')
    out.rssAnon = kb('RssAnon')
    out.rssFile = kb('RssFile')
    out.rssShmem = kb('RssShmem')
  } catch {
    // Not Linux: rss alone.
  }
  return out
}

/**
 * Runs `file` (a part module) in a child process and resolves to what it
 * sends back. The child's stdout/stderr go to ours (progress lines).
 */
export function runPart(file, options, { execArgv = [], env = {} } = {}) {
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(file), [JSON.stringify(options)], {
      execArgv,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    })
    let result
    child.on('message', (message) => {
      if (message && message.type === 'result') result = message.result
      if (message && message.type === 'error') result = { error: message.error }
    })
    child.on('error', reject)
    child.on('exit', (code, signal) => {
      if (result !== undefined) resolve(result)
      else reject(new Error(`${file} exited with ${signal ?? `code ${code}`} before reporting a result`))
    })
  })
}

/**
 * The entry point of a part module: when forked by runPart, run it with the
 * options from argv and send the result back; when run directly
 * (`node bench/parts/x.mjs '{"keys":1000}'`), print the result as JSON.
 */
export async function partMain(importMetaUrl, run) {
  if (fileURLToPath(importMetaUrl) !== process.argv[1]) return
  const options = process.argv[2] ? JSON.parse(process.argv[2]) : {}
  try {
    const result = await run(options)
    if (process.send) process.send({ type: 'result', result }, () => process.exit(0))
    else console.log(JSON.stringify(result, null, 2))
  } catch (error) {
    if (process.send) process.send({ type: 'error', error: String(error?.stack ?? error) }, () => process.exit(1))
    else {
      console.error(error)
      process.exit(1)
    }
  }
}

const cleanups = new Set()
let trapped = false

/**
 * Runs `fn` if the process is interrupted (Ctrl-C, SIGTERM), where `finally`
 * blocks do not run: a benchmark stopped halfway must not leave a 1 GiB value
 * file in the temp directory. Returns a function that unregisters it.
 */
export function onInterrupt(fn) {
  if (!trapped) {
    trapped = true
    for (const signal of ['SIGINT', 'SIGTERM']) {
      process.on(signal, () => {
        for (const cleanup of cleanups) {
          try {
            cleanup()
          } catch {
            // Best effort: keep cleaning up.
          }
        }
        process.exit(130)
      })
    }
  }
  cleanups.add(fn)
  return () => cleanups.delete(fn)
}

/** A progress line on stderr, so stdout carries only the report. */
export function progress(message) {
  process.stderr.write(`  · ${message}\n`)
}
