import type { AddressInfo } from 'node:net'
import { serve } from '@hono/node-server'
import { Hono } from 'hono'
import { diskCacheMiddleware } from '../hono/disk-cache-middleware.js'
import type { AppFactory, RouteRequest } from './test-app.js'

/** An AppFactory for Hono on Node (@hono/node-server). */
export const honoApp: AppFactory = async (routes, options) => {
  const cache = diskCacheMiddleware(options as never)
  const app = new Hono()
  app.use(cache)
  for (const route of routes) {
    const handlers = route.cache ? [cache.route(route.cache as never)] : []
    app.on(route.method, route.path, ...(handlers as []), async (c) => {
      const headers: Record<string, string | undefined> = {}
      c.req.raw.headers.forEach((value, name) => (headers[name] = value))
      const request: RouteRequest = { method: c.req.method, path: c.req.path, headers }
      const reply = await route.handler(request)
      if (reply.throws) throw new Error('handler failed')
      const responseHeaders = new Headers()
      for (const [name, value] of Object.entries(reply.headers ?? {})) {
        for (const item of Array.isArray(value) ? value : [value]) responseHeaders.append(name, item)
      }
      const status = reply.status ?? 200
      if (reply.chunks) {
        const chunks = [...reply.chunks]
        const body = new ReadableStream<Uint8Array>({
          async pull(controller) {
            const chunk = chunks.shift()
            if (chunk === undefined) controller.close()
            else controller.enqueue(new TextEncoder().encode(chunk))
            await new Promise((resolve) => setImmediate(resolve))
          },
        })
        return new Response(body, { status, headers: responseHeaders })
      }
      const empty = status === 204 || status === 304
      return new Response(empty ? null : reply.body ?? '', { status, headers: responseHeaders })
    })
  }
  app.onError((_error, c) => c.text('internal error', 500))
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const listening = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(listening))
  })
  return {
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    invalidate: (target) => cache.invalidate(target),
    async close() {
      ;(server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.()
      await new Promise((resolve) => server.close(resolve))
      cache.close()
    },
  }
}
