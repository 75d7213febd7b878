import type { ExchangeSettings } from './cache-exchange.js'
import type { ResolvedHttpCacheOptions, RouteOptions } from './http-cache-options.js'

function tagsFor<Req>(tags: RouteOptions<Req>['tags'], request: Req): readonly string[] {
  if (tags === undefined) return []
  return typeof tags === 'function' ? tags(request) : tags
}

/** The middleware's and the route's options, evaluated for one request. */
export function settingsFor<Req>(options: ResolvedHttpCacheOptions<Req>, route: RouteOptions<Req> | undefined, request: Req): ExchangeSettings {
  return {
    bypass: (options.bypass?.(request) ?? false) || (route?.bypass?.(request) ?? false),
    tags: [...tagsFor(options.tags, request), ...tagsFor(route?.tags, request)],
    ttl: route?.ttl,
  }
}

/**
 * A route's options joining a request that an outer use of the same
 * middleware is already handling: they apply when its response is stored.
 */
export function joinRoute<Req>(settings: ExchangeSettings, route: RouteOptions<Req>, request: Req): void {
  if (route.bypass?.(request)) settings.bypass = true
  if (route.ttl !== undefined) settings.ttl = route.ttl
  if (route.tags !== undefined) settings.tags = [...settings.tags, ...tagsFor(route.tags, request)]
}
