'use strict'
// Process B of the lock-contention test and benchmark: an Express app with the BUILT middleware
// over the directory named on the command line (argv[3]: storeTimeout in ms, or 'default').
// It measures its own event-loop delay, and records the store errors the middleware reports.
// Sends { port } once listening; exits when the parent goes.
const { join } = require('node:path')
const { monitorEventLoopDelay } = require('node:perf_hooks')
const express = require('express')
const { diskCacheMiddleware } = require(join(__dirname, '../../dist/cjs/index.js'))

const [directory, storeTimeout = 'default'] = process.argv.slice(2)
const errors = {}
const cache = diskCacheMiddleware({
  directory,
  ...(storeTimeout !== 'default' && { storeTimeout: Number(storeTimeout) }),
  onError(error) {
    const key = `${error.name}:${error.code}`
    errors[key] = (errors[key] ?? 0) + 1
  },
})
const delay = monitorEventLoopDelay({ resolution: 10 })
delay.enable()
let calls = 0

const app = express()
// Outside the cache: the parent's view of this process.
app.get('/stats', (req, res) => {
  const stats = { maxStallMs: delay.max / 1e6, p99StallMs: delay.percentile(99) / 1e6, errors: { ...errors }, calls }
  if (req.query.reset) delay.reset()
  res.set('cache-control', 'no-store').json(stats)
})
app.get('/check', (req, res) => res.set('cache-control', 'no-store').json(cache.cache.check()))
app.use(cache)
// A route the cache never stores: it should keep answering whatever the store is doing.
app.get('/plain', (req, res) => res.set('cache-control', 'no-store').send('plain'))
app.get('/cached/:id', (req, res) => {
  calls++
  res.set('cache-control', 'max-age=600').send(`cached ${req.params.id}`)
})
const server = app.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }))
process.on('disconnect', () => {
  server.closeAllConnections()
  server.close()
  cache.close()
  process.exit(0)
})
