// The servers some contenders talk to: a private redis-server and memcached,
// each started on a free loopback port and stopped when the run ends, so the
// benchmark never touches a server it did not start.
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { createConnection, createServer } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'

/** Which Debian package provides each server binary (the script installs nothing itself). */
export const SERVER_PACKAGES = { redis: { command: 'redis-server', debian: 'redis-server' }, memcached: { command: 'memcached', debian: 'memcached' } }

/** A port nothing listens on right now. */
export async function freePort() {
  const probe = createServer().listen(0, '127.0.0.1')
  await once(probe, 'listening')
  const { port } = probe.address()
  probe.close()
  await once(probe, 'close')
  return port
}

function argsFor(name, port) {
  if (name === 'redis') {
    // No RDB snapshots and no AOF: the server keeps data in memory only, and says so in the page.
    return ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no']
  }
  // -m: room for the 1M-entry growth test without evicting; -I: 1 MB values plus their header.
  // memcached refuses to run as root unless told which user to become.
  const user = process.getuid?.() === 0 ? ['-u', 'nobody'] : []
  return ['-p', String(port), '-l', '127.0.0.1', '-U', '0', '-m', '2048', '-I', '2m', ...user]
}

/** Starts `name` ('redis' | 'memcached') on a free port; resolves once it accepts connections. */
export async function startServer(name) {
  const port = await freePort()
  const child = spawn(SERVER_PACKAGES[name].command, argsFor(name, port), { stdio: 'ignore' })
  for (let attempt = 0; attempt < 100 && child.exitCode === null; attempt++) {
    const up = await new Promise((resolve) => {
      const socket = createConnection({ port, host: '127.0.0.1' }, () => {
        socket.end()
        resolve(true)
      })
      socket.on('error', () => resolve(false))
    })
    if (up) return { name, port, child, args: argsFor(name, port) }
    await sleep(50)
  }
  child.kill()
  throw new Error(`${SERVER_PACKAGES[name].command} did not start on port ${port}`)
}

export async function stopServer(server) {
  const { child } = server
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = once(child, 'exit')
  child.kill('SIGTERM')
  await Promise.race([exited, sleep(3000).then(() => child.kill('SIGKILL'))])
}
