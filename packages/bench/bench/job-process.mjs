// Parent side of a job: a forked Node worker (worker.mjs) for the Node
// contenders, a python3 child (python/diskcache_bench.py) for Python
// DiskCache. Both speak the same protocol: a job in, 'ready' (throughput
// only), 'go' with the start and stop instants, then one result.
import { fork, spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const WORKER = fileURLToPath(new URL('./worker.mjs', import.meta.url))
const PYTHON_SCRIPT = fileURLToPath(new URL('../python/diskcache_bench.py', import.meta.url))

/**
 * Starts one job process. Returns { ready, go(startAt, stopAt), result }:
 * `ready` resolves when a throughput worker is warm, `result` with what the
 * job reports (a rejected promise if it fails or dies without reporting).
 */
export function startJob(contender, job, { python } = {}) {
  return contender === 'python' ? startPython(job, python) : startNode(job)
}

/** Runs a job that needs no start signal and resolves to its result. */
export function runJob(contender, job, options) {
  return startJob(contender, job, options).result
}

function deferred() {
  let resolve
  let reject
  const promise = new Promise((res, rej) => {
    resolve = res
    reject = rej
  })
  promise.catch(() => {}) // a job that fails before anyone waits on `ready` must not crash the run
  return { promise, resolve, reject }
}

function startNode(job) {
  const ready = deferred()
  const result = deferred()
  const child = fork(WORKER, [], { serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  let answered = false
  child.on('message', (message) => {
    if (message.type === 'ready') ready.resolve()
    else if (message.type === 'result') {
      answered = true
      result.resolve(message.result)
    } else if (message.type === 'error') {
      answered = true
      result.reject(new Error(`${job.contender} ${job.workload}: ${message.error}`))
    }
  })
  child.on('error', (error) => result.reject(error))
  child.on('exit', (code, signal) => {
    const error = new Error(`${job.contender} ${job.workload}: worker exited with ${signal ?? `code ${code}`} before reporting`)
    ready.reject(error)
    if (!answered) result.reject(error)
  })
  child.send(job)
  return { ready: ready.promise, go: (startAt, stopAt) => child.send({ startAt, stopAt }), result: result.promise }
}

function startPython(job, python = 'python3') {
  const ready = deferred()
  const result = deferred()
  const child = spawn(python, [PYTHON_SCRIPT, JSON.stringify(job)], { stdio: ['pipe', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  let answered = false
  child.stdout.setEncoding('utf8')
  child.stdout.on('data', (chunk) => {
    stdout += chunk
    for (let end = stdout.indexOf('\n'); end >= 0; end = stdout.indexOf('\n')) {
      const line = stdout.slice(0, end)
      stdout = stdout.slice(end + 1)
      const message = JSON.parse(line)
      if (message.type === 'ready') ready.resolve()
      else if (message.type === 'result') {
        answered = true
        result.resolve(message.result)
      }
    }
  })
  child.stderr.on('data', (chunk) => (stderr += chunk))
  child.on('error', (error) => result.reject(error))
  child.on('exit', (code, signal) => {
    const error = new Error(`python ${job.workload}: exited with ${signal ?? `code ${code}`}: ${stderr.trim().split('\n').slice(-3).join(' | ')}`)
    ready.reject(error)
    if (!answered) result.reject(error)
  })
  return {
    ready: ready.promise,
    go: (startAt, stopAt) => child.stdin.write(`${JSON.stringify({ startAt, stopAt })}\n`),
    result: result.promise,
  }
}
