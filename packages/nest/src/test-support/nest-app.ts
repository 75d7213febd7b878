import 'reflect-metadata'
import type { INestApplication } from '@nestjs/common'
import { NestFactory } from '@nestjs/core'

const running: INestApplication[] = []

/** A Nest app on Express listening on 127.0.0.1 at a free port; closed after each test. */
export async function startApp(module: unknown): Promise<{ app: INestApplication; url: string }> {
  const app = await NestFactory.create(module as never, { logger: false, abortOnError: false })
  running.push(app)
  await app.listen(0, '127.0.0.1')
  return { app, url: await app.getUrl() }
}

afterEach(async () => {
  for (const app of running.splice(0)) await app.close()
})

/** A GET (or other method) with a 5-second bound: the body parsed as JSON when it is, and X-Cache. */
export async function request(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<{ status: number; body: any; cache: string | null }> {
  const response = await fetch(url, { ...options, signal: AbortSignal.timeout(5000) })
  const text = await response.text()
  let body: unknown = text
  try {
    body = JSON.parse(text)
  } catch {
    // A plain-text body stays text.
  }
  return { status: response.status, body, cache: response.headers.get('x-cache') }
}
