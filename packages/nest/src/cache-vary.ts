import type { ExecutionContext } from '@nestjs/common'
import { SetMetadata } from '@nestjs/common'

export const CACHE_VARY_METADATA = 'diskcache:cache_vary'

/** What besides the URL (or `@CacheKey`) tells cached responses apart. */
export interface CacheVaryOptions {
  /** Request headers whose values become part of the key, like `['accept-language']`. Names are case-insensitive. */
  headers?: readonly string[]
  /**
   * The user: `true` takes `request.user.id` (or `.sub`, as JWT strategies
   * set it), a function takes whatever it returns. A request without a user
   * shares the anonymous entry.
   */
  user?: boolean | ((request: any) => string | number | undefined | null)
}

/**
 * Caches this handler's (or controller's) responses per header value and/or
 * per user, which Nest's CacheInterceptor cannot do without a subclass:
 * `@CacheVary({ headers: ['accept-language'], user: true })`.
 */
export function CacheVary(options: CacheVaryOptions): MethodDecorator & ClassDecorator {
  return SetMetadata(CACHE_VARY_METADATA, options)
}

/**
 * The key for a request under `vary`: `base`, then each header and the user
 * as `name=value`, URI-encoded so no value can pass for another part.
 */
export function varyKey(base: string, vary: CacheVaryOptions, context: ExecutionContext): string {
  const request = context.switchToHttp().getRequest()
  const parts: string[] = []
  for (const name of vary.headers ?? []) {
    const raw = request.headers?.[name.toLowerCase()]
    const value = Array.isArray(raw) ? raw.join(',') : (raw ?? '')
    parts.push(`${encodeURIComponent(name.toLowerCase())}=${encodeURIComponent(String(value))}`)
  }
  if (vary.user) {
    const user = typeof vary.user === 'function' ? vary.user(request) : (request.user?.id ?? request.user?.sub)
    parts.push(`user=${encodeURIComponent(user === undefined || user === null ? '' : String(user))}`)
  }
  return parts.length === 0 ? base : `${base} [${parts.join('; ')}]`
}
