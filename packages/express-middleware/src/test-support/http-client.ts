import { request as httpRequest } from 'node:http'

export interface ClientResponse {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: string
}

/**
 * One request with exactly the headers given (fetch adds its own
 * Cache-Control to conditional requests), on a fresh connection, failing
 * after 5 s so a hung server cannot hang the suite.
 */
export function send(baseUrl: string, path: string, options: { method?: string; headers?: Record<string, string> } = {}): Promise<ClientResponse> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(baseUrl + path, { method: options.method ?? 'GET', headers: options.headers, agent: false }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }))
      res.on('error', reject)
    })
    req.setTimeout(5_000, () => req.destroy(new Error(`${options.method ?? 'GET'} ${path} took over 5 s`)))
    req.on('error', reject)
    req.end()
  })
}
