import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { diskCacheMiddleware } from '../express/disk-cache-middleware.js'
import type { AppFactory, RouteRequest } from './test-app.js'

type ExpressModule = typeof import('express')

/** An AppFactory for one Express major (5 as `express`, 4 as the `express4` alias). */
export function expressApp(express: ExpressModule): AppFactory {
  return async (routes, options) => {
    const cache = diskCacheMiddleware(options as never)
    const app = express()
    app.use(cache)
    for (const route of routes) {
      const handlers = route.cache ? [cache.route(route.cache as never)] : []
      app[route.method.toLowerCase() as 'get'](route.path, ...(handlers as []), async (req, res, next) => {
        try {
          const request: RouteRequest = { method: req.method, path: req.path, headers: req.headers as Record<string, string | undefined> }
          const reply = await route.handler(request)
          if (reply.throws) throw new Error('handler failed')
          res.status(reply.status ?? 200)
          for (const [name, value] of Object.entries(reply.headers ?? {})) res.setHeader(name, value)
          if (reply.chunks) {
            for (const chunk of reply.chunks) {
              res.write(chunk)
              await new Promise((resolve) => setImmediate(resolve))
            }
            res.end()
          } else res.end(reply.body ?? '')
        } catch (error) {
          next(error)
        }
      })
    }
    // Quiet error handler: a 500 without Express's stack-trace page in the log.
    app.use((_error: unknown, _req: unknown, res: { status(code: number): { end(body: string): void } }, _next: unknown) => {
      res.status(500).end('internal error')
    })
    const server: Server = await new Promise((resolve) => {
      const listening = app.listen(0, '127.0.0.1', () => resolve(listening))
    })
    return {
      baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      invalidate: (target) => cache.invalidate(target),
      async close() {
        server.closeAllConnections()
        await new Promise((resolve) => server.close(resolve))
        cache.close()
      },
    }
  }
}
