// An Express app behind @diskcache/express-middleware: responses are stored
// in .cache/express-example (a SQLite file), shared by every worker process
// and kept across restarts. Try:
//   curl -i localhost:3000/report          slow the first time (MISS), instant after (HIT, Age grows)
//   curl -i localhost:3000/products/1      tagged 'products' and 'product-1'
//   curl -i -X POST localhost:3000/products/1   updates it: the POST invalidates /products/1
//   curl -i -X POST -H "Authorization: Bearer $PURGE_SECRET" 'localhost:3000/__cache/purge?tag=products'
//                                               drops every page tagged 'products' (401/403 without the secret)
import { randomBytes } from 'node:crypto'
import express from 'express'
import { diskCacheMiddleware } from '@diskcache/express-middleware'

// The purge endpoint's secret: from the environment, or a fresh one printed at start.
const purgeSecret = process.env.PURGE_SECRET ?? randomBytes(24).toString('base64url')
const cache = diskCacheMiddleware({ directory: '.cache/express-example', purge: { path: '/__cache/purge', secret: purgeSecret } })
const app = express()
app.use(cache)

// The expensive route: 500 ms of work, cached for a minute, served stale for 5 more while it refreshes.
app.get('/report', async (req, res) => {
  await new Promise((resolve) => setTimeout(resolve, 500))
  res.set('Cache-Control', 'public, max-age=60, stale-while-revalidate=300')
  res.json({ report: 'quarterly numbers', builtAt: new Date().toISOString() })
})

// A tagged route: the Cache-Tag header names what the page shows, and is removed before it is sent.
const prices = new Map([['1', 10], ['2', 25]])
app.get('/products/:id', cache.route({ ttl: 30_000 }), (req, res) => {
  res.set('Cache-Tag', `products, product-${req.params.id}`)
  res.json({ id: req.params.id, price: prices.get(req.params.id) ?? null, renderedAt: new Date().toISOString() })
})
app.post('/products/:id', express.json(), (req, res) => {
  prices.set(req.params.id, Number(req.body?.price ?? Math.round(Math.random() * 100)))
  res.status(204).end() // a successful POST invalidates GET /products/:id by itself
})

// Invalidation: the middleware's purge endpoint (POST /__cache/purge?tag=…&url=…&prefix=…) answers
// with { removed }, and only to a caller with the secret; in code, cache.invalidate({ tags }) does the same.

const port = Number(process.env.PORT ?? 3000)
const server = app.listen(port, '127.0.0.1', () => {
  console.log(`Express example on http://127.0.0.1:${port}: try /report twice, /products/1, then`)
  console.log(`  curl -X POST -H 'Authorization: Bearer ${process.env.PURGE_SECRET ? '$PURGE_SECRET' : purgeSecret}' 'http://127.0.0.1:${port}/__cache/purge?tag=products'`)
})
process.on('SIGINT', () => {
  server.close()
  cache.close()
  process.exit(0)
})
