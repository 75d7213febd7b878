import { IncomingMessage, ServerResponse } from 'node:http'
import type { RevalidationTicket } from '../engine/cache-exchange.js'
import { CONDITIONAL_FIELDS } from '../engine/conditional-request.js'
import type { ExpressRequestLike } from './express-request.js'

type AppHandle = (req: IncomingMessage, res: ServerResponse, done: (error?: unknown) => void) => void

/**
 * Stale-while-revalidate for Express: the client already has the stale
 * response, so the refresh runs as a copy of its request through the same
 * app (`req.app.handle`), answered into a response that goes nowhere. The
 * middleware recognises the copy by its ticket and stores what it gets.
 */
export function revalidateInBackground(req: ExpressRequestLike, ticket: RevalidationTicket, tickets: WeakMap<IncomingMessage, RevalidationTicket>): void {
  const app = req.app
  if (!app || typeof app.handle !== 'function') {
    ticket.settle()
    return
  }
  const originalUrl = req.originalUrl ?? req.url ?? '/'
  // A sub-app sees URLs relative to where it is mounted.
  const mountPath = typeof app.path === 'function' ? app.path() : ''
  const url = mountPath && originalUrl.startsWith(mountPath) ? originalUrl.slice(mountPath.length) || '/' : originalUrl
  const copy = new IncomingMessage(req.socket) as ExpressRequestLike
  copy.method = 'GET'
  copy.url = url
  copy.originalUrl = originalUrl
  copy.httpVersion = req.httpVersion
  copy.httpVersionMajor = req.httpVersionMajor
  copy.httpVersionMinor = req.httpVersionMinor
  const headers = { ...req.headers }
  for (const field of CONDITIONAL_FIELDS) delete headers[field]
  copy.headers = headers
  copy.push(null) // no body: nothing may read from the client's socket
  tickets.set(copy, ticket)
  const res = new ServerResponse(copy)
  try {
    ;(app.handle as AppHandle).call(app, copy, res, () => ticket.settle())
  } catch {
    ticket.settle()
  }
}
