'use strict'
// One worker process of the multi-process test: an Express app with the BUILT
// middleware (as a user runs it) on 127.0.0.1, over the directory named on the
// command line (then collapse and storeTimeout). Sends { port } once listening; exits when the parent goes.
const { join } = require('node:path')
const express = require('express')
const { diskCacheMiddleware } = require(join(__dirname, '../../dist/cjs/index.js'))

const storeTimeout = process.argv[4] ? Number(process.argv[4]) : undefined
const cache = diskCacheMiddleware({ directory: process.argv[2], collapse: process.argv[3] || 'process', ...(storeTimeout && { storeTimeout }) })
const app = express()
app.use(cache)
let calls = 0
app.get('/items/:id', (req, res) => {
  calls++
  res.set({ 'Cache-Control': 'max-age=600', 'Cache-Tag': 'items' }).send(`item ${req.params.id} from ${process.pid} (call ${calls})`)
})
// A slow route, for collapsed forwarding across processes.
app.get('/slow', async (req, res) => {
  calls++
  await new Promise((resolve) => setTimeout(resolve, 300))
  res.set('Cache-Control', 'max-age=600').send(`slow from ${process.pid}`)
})
app.post('/items/:id', (req, res) => res.status(204).end())
app.get('/calls', (req, res) => res.json({ calls }))
// The control API from this process: POST /invalidate?tag=items (or url=, prefix=).
app.post('/invalidate', (req, res) => {
  const { tag, url, prefix } = req.query
  res.json({ removed: cache.invalidate({ ...(tag && { tags: [tag] }), ...(url && { url }), ...(prefix && { prefix }) }) })
})
const server = app.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }))
process.on('disconnect', () => {
  server.closeAllConnections()
  server.close()
  cache.close()
  process.exit(0)
})
