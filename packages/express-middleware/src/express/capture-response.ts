import type { OutgoingHttpHeaders, ServerResponse } from 'node:http'
import type { CacheExchange, HeadDecision } from '../engine/cache-exchange.js'
import type { HeaderRecord } from '../engine/response-headers.js'

type Callback = (error?: Error | null) => void

function toHeaderRecord(headers: OutgoingHttpHeaders): HeaderRecord {
  const record: HeaderRecord = {}
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue
    record[name] = Array.isArray(value) ? value.map(String) : String(value)
  }
  return record
}

function toBuffer(chunk: unknown, encoding: unknown): Buffer {
  if (Buffer.isBuffer(chunk)) return chunk
  if (chunk instanceof Uint8Array) return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)
  return Buffer.from(String(chunk), typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8')
}

/**
 * Puts the exchange between the handler and the client: the head is decided
 * by the exchange when the handler sends it (explicitly or implicitly, by a
 * first write), and every chunk goes on to the client as it comes (the first
 * byte is never held back) while a copy is kept, up to the capture limit, for
 * the store. Patches the instance's writeHead, write and end, which is where
 * every Express and node:http response passes.
 */
export function captureResponse(res: ServerResponse, exchange: CacheExchange): void {
  // Loosely typed: they are called with whatever argument forms the caller used.
  const writeHead = res.writeHead as (...args: unknown[]) => ServerResponse
  const write = res.write as (...args: unknown[]) => boolean
  const end = res.end as (...args: unknown[]) => ServerResponse
  let decision: HeadDecision | undefined
  let chunks: Buffer[] | undefined
  let captured = 0
  let done = false

  const finish = (complete: boolean) => {
    if (done) return
    done = true
    if (complete && chunks) exchange.onBody(Buffer.concat(chunks))
    else exchange.onAbort()
  }
  res.once('close', () => finish(false))

  const keep = (chunk: unknown, encoding: unknown) => {
    if (!chunks || chunk === undefined || chunk === null) return
    const buffer = toBuffer(chunk, encoding)
    captured += buffer.length
    const limit = decision?.kind === 'send' && decision.capture !== false ? decision.capture : 0
    if (captured > limit) {
      // Too large to store: stream the rest through and let waiting requests go to the handler.
      chunks = undefined
      finish(false)
    } else chunks.push(buffer)
  }

  const decide = (): HeadDecision => {
    if (decision) return decision
    decision = exchange.onHead(res.statusCode, toHeaderRecord(res.getHeaders()))
    if (decision.kind === 'replace') {
      const { response } = decision
      for (const name of res.getHeaderNames()) res.removeHeader(name)
      for (const [name, value] of Object.entries(response.headers)) res.setHeader(name, value)
      writeHead.call(res, response.status)
      if (response.body === undefined) end.call(res)
      else end.call(res, response.body)
      return decision
    }
    if (decision.capture !== false) chunks = []
    else finish(false)
    for (const name of res.getHeaderNames()) if (decision.headers[name] === undefined) res.removeHeader(name)
    for (const [name, value] of Object.entries(decision.headers)) res.setHeader(name, value)
    writeHead.call(res, decision.status)
    return decision
  }

  res.writeHead = function (this: ServerResponse, statusCode: number, reason?: unknown, headers?: unknown) {
    if (decision) return this
    if (typeof reason !== 'string') headers = reason
    this.statusCode = statusCode
    if (typeof reason === 'string') this.statusMessage = reason
    if (Array.isArray(headers)) {
      // Flat [name, value, name, value] or [[name, value]] form.
      const pairs = Array.isArray(headers[0]) ? (headers as [string, string][]) : []
      if (pairs.length === 0) for (let i = 0; i + 1 < headers.length; i += 2) pairs.push([headers[i], headers[i + 1]])
      for (const [name, value] of pairs) this.setHeader(name, value)
    } else if (headers && typeof headers === 'object') {
      for (const [name, value] of Object.entries(headers)) if (value !== undefined) this.setHeader(name, value as string)
    }
    decide()
    return this
  } as ServerResponse['writeHead']

  res.write = function (this: ServerResponse, chunk: unknown, encoding?: unknown, callback?: unknown) {
    const head = decide()
    if (typeof encoding === 'function') [callback, encoding] = [encoding, undefined]
    keep(chunk, encoding)
    if (head.kind === 'replace' || head.dropBody) {
      if (typeof callback === 'function') process.nextTick(callback as Callback)
      return true
    }
    return write.call(this, chunk, encoding, callback)
  } as ServerResponse['write']

  res.end = function (this: ServerResponse, chunk?: unknown, encoding?: unknown, callback?: unknown) {
    if (typeof chunk === 'function') [callback, chunk] = [chunk, undefined]
    if (typeof encoding === 'function') [callback, encoding] = [encoding, undefined]
    const head = decide()
    keep(chunk, encoding)
    if (head.kind === 'replace') {
      if (typeof callback === 'function') process.nextTick(callback as Callback)
      return this
    }
    // Stored before the last bytes go out: a client holding the whole response finds it in every process.
    finish(true)
    return head.dropBody ? end.call(this, callback) : end.call(this, chunk, encoding, callback)
  } as ServerResponse['end']
}
