// A Hono app on Node behind @diskcache/express-middleware/hono. Same routes as examples/express:
//   curl -i localhost:3001/report ; curl -i localhost:3001/products/1
//   curl -i -X POST -H "Authorization: Bearer $PURGE_SECRET" 'localhost:3001/__cache/purge?tag=products'
import { randomBytes } from 'node:crypto'
import { serve } from '@hono/node-server'
import { Hono } from 'hono'
import { diskCacheMiddleware } from '@diskcache/express-middleware/hono'

// The purge endpoint's secret: from the environment, or a fresh one printed at start.
const purgeSecret = process.env.PURGE_SECRET ?? randomBytes(24).toString('base64url')
const cache = diskCacheMiddleware({ directory: '.cache/hono-example', purge: { path: '/__cache/purge', secret: purgeSecret } })
const app = new Hono()
app.use(cache)

app.get('/report', async (c) => {
  await new Promise((resolve) => setTimeout(resolve, 500))
  c.header('Cache-Control', 'public, max-age=60, stale-while-revalidate=300')
  return c.json({ report: 'quarterly numbers', builtAt: new Date().toISOString() })
})

const prices = new Map([['1', 10], ['2', 25]])
app.get('/products/:id', cache.route({ ttl: 30_000 }), (c) => {
  const id = c.req.param('id')
  c.header('Cache-Tag', `products, product-${id}`)
  return c.json({ id, price: prices.get(id) ?? null, renderedAt: new Date().toISOString() })
})
app.post('/products/:id', (c) => {
  prices.set(c.req.param('id'), Math.round(Math.random() * 100))
  return c.body(null, 204) // a successful POST invalidates GET /products/:id by itself
})

// Invalidation: the middleware's purge endpoint (POST /__cache/purge?tag=…&url=…&prefix=…) answers
// with { removed }, and only to a caller with the secret.

const port = Number(process.env.PORT ?? 3001)
serve({ fetch: app.fetch, port, hostname: '127.0.0.1' }, () => {
  console.log(`Hono example on http://127.0.0.1:${port}: try /report twice, /products/1, then`)
  console.log(`  curl -X POST -H 'Authorization: Bearer ${process.env.PURGE_SECRET ? '$PURGE_SECRET' : purgeSecret}' 'http://127.0.0.1:${port}/__cache/purge?tag=products'`)
})
