'use strict'
// The servers under load, in their own process so that autocannon (in the
// parent) and the app do not share an event loop. One Express app per
// scenario, each on its own port of 127.0.0.1; sends { ports } once all
// listen, and exits when the parent disconnects.
const express = require('express')
const apicache = require('apicache')
const { diskCacheMiddleware } = require('@diskcache/express-middleware')

const directory = process.argv[2]
const ROUTE_COST_MS = 5

// The same bytes from every route: a small HTML page.
const body = `<!doctype html><title>report</title><ul>${Array.from({ length: 40 }, (_, i) => `<li>row ${i}: ${'x'.repeat(20)}</li>`).join('')}</ul>`

// The expensive route does ~5 ms of synchronous work (rendering, say): the
// CPU a cache hit saves, unlike a timer that would only add latency.
function render() {
  const until = performance.now() + ROUTE_COST_MS
  let spin = 0
  while (performance.now() < until) spin++
  return spin >= 0 ? body : ''
}

function expensive(req, res) {
  res.set('Cache-Control', 'public, max-age=3600').type('html').send(render())
}
function trivial(req, res) {
  res.set('Cache-Control', 'public, max-age=3600').type('html').send(body)
}

const ours = diskCacheMiddleware({ directory })
// The same store read without the in-process memory front: every hit is a SQLite read and a decode.
const oursWithoutMemory = diskCacheMiddleware({ directory, memorySize: 0 })
// One apicache instance per app: the global one would key both apps' '/' alike.
const memory = () => apicache.newInstance({ defaultDuration: '1 hour' }).middleware()

const apps = {
  'expensive, no cache': express().get('/', expensive),
  'expensive, diskcache hit': express().use(ours).get('/', expensive),
  'expensive, apicache hit': express().use(memory()).get('/', expensive),
  'trivial, plain res.send': express().get('/', trivial),
  'trivial, diskcache hit': express().use(ours).get('/', trivial),
  'trivial, diskcache hit, memorySize: 0': express().use(oursWithoutMemory).get('/', trivial),
  'trivial, apicache hit': express().use(memory()).get('/', trivial),
}

const servers = []
Promise.all(
  Object.entries(apps).map(
    ([name, app]) =>
      new Promise((resolve) => {
        // Each app gets its own Host, so the shared store keeps their entries apart.
        const server = app.listen(0, '127.0.0.1', () => resolve([name, server.address().port]))
        servers.push(server)
      }),
  ),
).then((entries) => process.send({ ports: Object.fromEntries(entries), bodyBytes: Buffer.byteLength(body) }))

// The CPU time this process has used, on request: the parent reads it around each round.
process.on('message', (message) => {
  if (message === 'cpu') process.send({ cpu: process.cpuUsage() })
})

process.on('disconnect', () => {
  for (const server of servers) {
    server.closeAllConnections()
    server.close()
  }
  ours.close()
  oursWithoutMemory.close()
  process.exit(0)
})
