import type { HttpCacheOptions, RouteOptions } from '../engine/http-cache-options.js'
import type { InvalidateTarget } from '../engine/http-cache-engine.js'

/** A request as a framework-neutral test route sees it. */
export interface RouteRequest {
  method: string
  path: string
  headers: Record<string, string | undefined>
}

/** What a test route answers; `chunks` are streamed one by one, `throws` makes the handler throw. */
export interface RouteReply {
  status?: number
  headers?: Record<string, string | string[]>
  body?: string
  chunks?: string[]
  throws?: boolean
}

export interface TestRoute {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE'
  path: string
  handler(request: RouteRequest): RouteReply | Promise<RouteReply>
  /** Per-route cache options, through middleware.route(). */
  cache?: RouteOptions<never>
}

export interface TestApp {
  baseUrl: string
  invalidate(target: InvalidateTarget): number
  close(): Promise<void>
}

/** Builds a real server on 127.0.0.1 with the middleware in front of `routes`. */
export type AppFactory = (routes: TestRoute[], options: HttpCacheOptions<never>) => Promise<TestApp>
