// A Hono app on Node behind @diskcache/express-middleware/hono. Same routes as examples/express:
//   curl -i localhost:3001/report ; curl -i localhost:3001/products/1 ; curl -i -X POST 'localhost:3001/purge?tag=products'
import { serve } from '@hono/node-server'
import { Hono } from 'hono'
import { diskCacheMiddleware } from '@diskcache/express-middleware/hono'

const cache = diskCacheMiddleware({ directory: '.cache/hono-example' })
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

app.post('/purge', (c) => c.json({ removed: cache.invalidate({ tags: [c.req.query('tag') ?? 'products'] }) }))

const port = Number(process.env.PORT ?? 3001)
serve({ fetch: app.fetch, port, hostname: '127.0.0.1' }, () => {
  console.log(`Hono example on http://127.0.0.1:${port}: try /report twice, /products/1, POST /purge?tag=products`)
})
