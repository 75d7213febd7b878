import type { CacheExchange } from '../engine/cache-exchange.js'
import type { OutgoingResponse } from '../engine/outgoing-response.js'
import type { HeaderRecord } from '../engine/response-headers.js'

/** Fetch API headers as a record; Set-Cookie keeps its separate values. */
export function toHeaderRecord(headers: Headers): HeaderRecord {
  const record: HeaderRecord = {}
  for (const [name, value] of headers) if (name !== 'set-cookie') record[name] = value
  const cookies = headers.getSetCookie()
  if (cookies.length > 0) record['set-cookie'] = cookies
  return record
}

export function toHeaders(record: HeaderRecord): Headers {
  const headers = new Headers()
  for (const [name, value] of Object.entries(record)) {
    if (Array.isArray(value)) for (const item of value) headers.append(name, item)
    else headers.set(name, value)
  }
  return headers
}

/** A response the cache produced, as a Fetch Response. */
export function toWebResponse(response: OutgoingResponse): Response {
  const body = response.body && new Uint8Array(response.body.buffer, response.body.byteOffset, response.body.byteLength)
  return new Response(body ?? null, { status: response.status, headers: toHeaders(response.headers) })
}

/**
 * The handler's body as it streams to the client, with a copy kept for the
 * exchange (up to `limit` bytes). Pull-based, so nothing is read ahead of
 * the client, and a cancelled download tells the exchange it was cut short.
 */
export function tapBody(body: ReadableStream<Uint8Array>, exchange: CacheExchange, limit: number): ReadableStream<Uint8Array> {
  const reader = body.getReader()
  let chunks: Uint8Array[] | undefined = []
  let size = 0
  let done = false
  const finish = (complete: boolean) => {
    if (done) return
    done = true
    if (complete && chunks) exchange.onBody(Buffer.concat(chunks))
    else exchange.onAbort()
  }
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const next = await reader.read()
        if (next.done) {
          // Stored before the stream ends, as in the Express binding.
          finish(true)
          controller.close()
          return
        }
        if (chunks) {
          size += next.value.byteLength
          if (size > limit) {
            chunks = undefined
            finish(false)
          } else chunks.push(next.value)
        }
        controller.enqueue(next.value)
      } catch (error) {
        finish(false)
        controller.error(error)
      }
    },
    cancel(reason) {
      finish(false)
      return reader.cancel(reason)
    },
  })
}

/** Reads a whole body for the exchange when the client gets none (a 304 or HEAD answer). */
export async function drainBody(body: ReadableStream<Uint8Array> | null, exchange: CacheExchange, limit: number): Promise<void> {
  if (!body) {
    exchange.onBody(Buffer.alloc(0))
    return
  }
  const chunks: Uint8Array[] = []
  let size = 0
  try {
    for await (const chunk of body) {
      size += chunk.byteLength
      if (size > limit) {
        exchange.onAbort()
        await body.cancel().catch(() => undefined)
        return
      }
      chunks.push(chunk)
    }
    exchange.onBody(Buffer.concat(chunks))
  } catch {
    exchange.onAbort()
  }
}
