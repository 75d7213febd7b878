import type { ServerResponse } from 'node:http'
import type { OutgoingResponse } from '../engine/outgoing-response.js'

/** Writes a response the cache produced (a hit, a 304, a 504) through `res`. */
export function sendOutgoing(res: ServerResponse, response: OutgoingResponse): void {
  res.statusCode = response.status
  const { headers } = response
  for (const name in headers) res.setHeader(name, headers[name]!)
  if (response.body === undefined) res.end()
  else res.end(response.body)
}
